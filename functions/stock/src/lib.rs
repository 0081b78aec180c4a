//! Function `stock`: the vehicles of the caller's account (list and
//! search, hand entry, correction, CSV import), its stock connection and
//! its sync on demand; a manager names the account with `?account_id=`.

use axum::Router;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use shared::app::stock_sync::{self, ConnectionInput, ConnectionView, SyncOutcome, SyncReport};
use shared::app::vehicles::{
    self, ImportReport, SavedVehicle, VehicleInput, VehiclePatch, VehicleQuery, VehicleView,
};
use shared::http::openapi::problem;
use shared::http::problem::Problem;
use shared::http::{ApiJson, ApiQuery, Session};
use shared::policy::data_account;
use shared::repo::Page;
use shared::repo::vehicles::VehicleStatus;
use shared::stock::csv::MAX_BYTES;
use shared::{AppError, AppResult, Services};
use utoipa::IntoParams;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

/// The function's routes, each documented where its handler is.
pub fn api() -> OpenApiRouter<Services> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(import).layer(DefaultBodyLimit::max(MAX_BYTES)))
        .routes(routes!(read, update))
        .routes(routes!(put_connection))
        .routes(routes!(get_connection))
        .routes(routes!(sync))
        .routes(routes!(latest_sync))
}

/// What the Lambda serves.
pub fn routes() -> Router<Services> {
    api().into()
}

/// The function's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    shared::http::openapi::document([api().into_openapi()])
}

/// Whose stock: a manager must name the account (422 without it).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AccountQuery {
    /// The account (managers; a customer's own account otherwise).
    account_id: Option<String>,
}

impl AccountQuery {
    fn account(&self, session: &Session) -> AppResult<String> {
        data_account(&session.actor, self.account_id.as_deref())
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// The account (managers; a customer's own account otherwise).
    account_id: Option<String>,
    /// Without it, the active stock (`in_stock` and `in_order`).
    status: Option<VehicleStatus>,
    /// Matches make, model, version, plate, VIN, reference.
    q: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    #[serde(default, deserialize_with = "shared::app::page_limit")]
    limit: Option<usize>,
}

/// The account's stock.
#[utoipa::path(
    get,
    path = "/api/vehicles",
    tag = "stock",
    operation_id = "list_vehicles",
    params(ListQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "A page of vehicles.", body = Page<VehicleView>),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 404, response = problem::NotFound),
        (status = 422, response = problem::ValidationFailed),
    )
)]
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

/// Enters a vehicle by hand.
#[utoipa::path(
    post,
    path = "/api/vehicles",
    tag = "stock",
    operation_id = "create_vehicle",
    params(AccountQuery),
    request_body = VehicleInput,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 201, description = "The vehicle, with `warnings` for unusual plates or VINs.", body = SavedVehicle),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 404, response = problem::NotFound),
        (status = 409, response = problem::Conflict),
        (status = 413, response = problem::PayloadTooLarge),
        (status = 415, response = problem::UnsupportedMediaType),
        (status = 422, response = problem::ValidationFailed),
    )
)]
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

/// One vehicle.
#[utoipa::path(
    get,
    path = "/api/vehicles/{id}",
    tag = "stock",
    operation_id = "get_vehicle",
    params(("id" = String, Path, description = "The vehicle."), AccountQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The vehicle.", body = VehicleView),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 404, response = problem::NotFound),
        (status = 422, response = problem::ValidationFailed),
    )
)]
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

/// Corrects make, model, plate, VIN or version (an absent field is kept).
#[utoipa::path(
    patch,
    path = "/api/vehicles/{id}",
    tag = "stock",
    operation_id = "update_vehicle",
    params(("id" = String, Path, description = "The vehicle."), AccountQuery),
    request_body = VehiclePatch,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The corrected vehicle.", body = SavedVehicle),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 404, response = problem::NotFound),
        (status = 409, description = "`vehicle_in_order`: the vehicle is in an active order; or `conflict`.", body = Problem, content_type = "application/problem+json"),
        (status = 413, response = problem::PayloadTooLarge),
        (status = 415, response = problem::UnsupportedMediaType),
        (status = 422, response = problem::ValidationFailed),
    )
)]
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
#[utoipa::path(
    post,
    path = "/api/vehicles/import",
    tag = "stock",
    operation_id = "import_vehicles",
    params(AccountQuery),
    request_body(
        content = String,
        content_type = "text/csv",
        description = "A header row with at least `marque;modele;immatriculation` (or `make,model,plate`), optional `vin`, `reference`; `;` or `,` separators; UTF-8 (with or without BOM) or Windows-1252; at most 5 MiB."
    ),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "What the import did; refused lines in `errors`.", body = ImportReport),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 404, response = problem::NotFound),
        (status = 413, response = problem::PayloadTooLarge),
        (status = 415, response = problem::UnsupportedMediaType),
        (status = 422, response = problem::ValidationFailed),
    )
)]
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
#[utoipa::path(
    put,
    path = "/api/accounts/{account_id}/stock-connection",
    tag = "stock",
    operation_id = "put_stock_connection",
    params(("account_id" = String, Path, description = "The account.")),
    request_body = ConnectionInput,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The connection, secrets masked.", body = ConnectionView),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 403, response = problem::Forbidden),
        (status = 404, response = problem::NotFound),
        (status = 413, response = problem::PayloadTooLarge),
        (status = 415, response = problem::UnsupportedMediaType),
        (status = 422, response = problem::ValidationFailed),
    )
)]
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
#[utoipa::path(
    get,
    path = "/api/stock/connection",
    tag = "stock",
    operation_id = "get_stock_connection",
    params(AccountQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The account's stock connection, secrets masked.", body = ConnectionView),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 404, response = problem::NotFound),
        (status = 422, response = problem::ValidationFailed),
    )
)]
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
#[utoipa::path(
    post,
    path = "/api/stock/sync",
    tag = "stock",
    operation_id = "sync_stock",
    params(AccountQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 202, description = "The sync ran; its report (`GET /api/stock/syncs/latest` gives it again).", body = SyncReport),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 404, response = problem::NotFound),
        (status = 409, description = "`stock_sync_running`, or the account has no stock connection.", body = Problem, content_type = "application/problem+json"),
        (status = 422, response = problem::ValidationFailed),
        (status = 502, response = problem::UpstreamUnavailable),
    )
)]
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
#[utoipa::path(
    get,
    path = "/api/stock/syncs/latest",
    tag = "stock",
    operation_id = "latest_stock_sync",
    params(AccountQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The account's latest sync report.", body = SyncReport),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 404, response = problem::NotFound),
        (status = 422, response = problem::ValidationFailed),
    )
)]
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
