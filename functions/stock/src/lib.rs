//! Function `stock`: the vehicles of the caller's account (list and
//! search, hand entry, correction, CSV import), its stock connection and
//! its sync on demand; a manager names the account with `?account_id=`.

use axum::Router;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use bytes::Bytes;
use serde::Deserialize;
use shared::app::stock_sync::{self, ConnectionInput, SyncOutcome};
use shared::app::vehicles::{self, VehicleInput, VehiclePatch, VehicleQuery};
use shared::http::problem::Problem;
use shared::http::{ApiJson, ApiQuery, Session};
use shared::policy::data_account;
use shared::repo::vehicles::VehicleStatus;
use shared::stock::csv::MAX_BYTES;
use shared::{AppError, AppResult, Services};

pub fn routes() -> Router<Services> {
    Router::new()
        .route("/api/vehicles", get(list).post(create))
        .route(
            "/api/vehicles/import",
            post(import).layer(DefaultBodyLimit::max(MAX_BYTES)),
        )
        .route("/api/vehicles/{id}", get(read).patch(update))
        .route(
            "/api/accounts/{account_id}/stock-connection",
            put(put_connection),
        )
        .route("/api/stock/connection", get(get_connection))
        .route("/api/stock/sync", post(sync))
        .route("/api/stock/syncs/latest", get(latest_sync))
}

#[derive(Debug, Default, Deserialize)]
struct AccountQuery {
    account_id: Option<String>,
}

impl AccountQuery {
    fn account(&self, session: &Session) -> AppResult<String> {
        data_account(&session.actor, self.account_id.as_deref())
    }
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    account_id: Option<String>,
    status: Option<VehicleStatus>,
    q: Option<String>,
    cursor: Option<String>,
    limit: Option<usize>,
}

async fn list(
    State(services): State<Services>,
    session: Session,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<impl IntoResponse> {
    let account_id = data_account(&session.actor, query.account_id.as_deref())?;
    let filter = VehicleQuery {
        status: query.status,
        q: query.q,
        cursor: query.cursor,
        limit: query.limit,
    };
    Ok(axum::Json(
        vehicles::list(&services, &account_id, filter).await?,
    ))
}

async fn create(
    State(services): State<Services>,
    session: Session,
    ApiQuery(query): ApiQuery<AccountQuery>,
    ApiJson(input): ApiJson<VehicleInput>,
) -> AppResult<impl IntoResponse> {
    let account_id = query.account(&session)?;
    let saved = vehicles::create(&services, &account_id, input).await?;
    Ok((StatusCode::CREATED, axum::Json(saved)))
}

async fn read(
    State(services): State<Services>,
    session: Session,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<AccountQuery>,
) -> AppResult<impl IntoResponse> {
    let account_id = query.account(&session)?;
    Ok(axum::Json(
        vehicles::get(&services, &account_id, &id).await?,
    ))
}

async fn update(
    State(services): State<Services>,
    session: Session,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<AccountQuery>,
    ApiJson(patch): ApiJson<VehiclePatch>,
) -> AppResult<impl IntoResponse> {
    let account_id = query.account(&session)?;
    Ok(axum::Json(
        vehicles::update(&services, &account_id, &id, patch).await?,
    ))
}

fn is_csv(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("text/csv"))
}

/// `POST /api/vehicles/import`: the body is the file itself (`text/csv`,
/// at most 5 MiB), in UTF-8 or Windows-1252.
async fn import(
    State(services): State<Services>,
    session: Session,
    ApiQuery(query): ApiQuery<AccountQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let account_id = match query.account(&session) {
        Ok(account_id) => account_id,
        Err(err) => return err.into_response(),
    };
    if !is_csv(&headers) {
        return Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Format non pris en charge",
            "Le fichier doit être envoyé tel quel, en CSV (en-tête Content-Type: text/csv).",
        )
        .into_response();
    }
    let bytes = match body {
        Ok(bytes) => bytes,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "Fichier trop volumineux",
                format!(
                    "Le fichier dépasse {} Mo : découpez-le en plusieurs fichiers.",
                    MAX_BYTES / (1024 * 1024)
                ),
            )
            .into_response();
        }
        Err(_) => {
            return Problem::new(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                "Requête invalide",
                "Le fichier n'a pas pu être lu.",
            )
            .into_response();
        }
    };
    match vehicles::import_csv(&services, &account_id, &bytes).await {
        Ok(report) => axum::Json(report).into_response(),
        Err(err) => err.into_response(),
    }
}

// ---- the stock connection and its sync ----

/// `PUT /api/accounts/{account_id}/stock-connection`: managers only (a
/// customer gets 403 on its own account, 404 on another).
async fn put_connection(
    State(services): State<Services>,
    session: Session,
    Path(account_id): Path<String>,
    ApiJson(input): ApiJson<ConnectionInput>,
) -> AppResult<impl IntoResponse> {
    if !session.actor.is_manager() {
        data_account(&session.actor, Some(&account_id))?;
        return Err(AppError::Forbidden);
    }
    Ok(axum::Json(
        stock_sync::put_connection(&services, &account_id, &session.user.id, input).await?,
    ))
}

/// `GET /api/stock/connection`: the settings, secrets masked.
async fn get_connection(
    State(services): State<Services>,
    session: Session,
    ApiQuery(query): ApiQuery<AccountQuery>,
) -> AppResult<impl IntoResponse> {
    let account_id = query.account(&session)?;
    Ok(axum::Json(
        stock_sync::get_connection(&services, &account_id).await?,
    ))
}

/// `POST /api/stock/sync`: runs the account's sync before answering 202
/// with its report; 409 `stock_sync_running` when one is running.
async fn sync(
    State(services): State<Services>,
    session: Session,
    ApiQuery(query): ApiQuery<AccountQuery>,
) -> AppResult<impl IntoResponse> {
    let account_id = query.account(&session)?;
    let fetcher = stock_sync::http_fetcher()?;
    match stock_sync::sync_account(&services, fetcher, &account_id).await? {
        SyncOutcome::Ran(report) => Ok((StatusCode::ACCEPTED, axum::Json(*report))),
        SyncOutcome::AlreadyRunning => Err(stock_sync::already_running()),
    }
}

/// `GET /api/stock/syncs/latest`.
async fn latest_sync(
    State(services): State<Services>,
    session: Session,
    ApiQuery(query): ApiQuery<AccountQuery>,
) -> AppResult<impl IntoResponse> {
    let account_id = query.account(&session)?;
    Ok(axum::Json(
        stock_sync::latest_report(&services, &account_id).await?,
    ))
}
