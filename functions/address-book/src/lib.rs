//! Function `address-book`: the pickup and delivery addresses of the
//! caller's account; a manager names the account with `?account_id=`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Deserialize;
use shared::app::{PageQuery, addresses};
use shared::domain::AddressInput;
use shared::http::{ApiJson, ApiQuery, Session};
use shared::policy::data_account;
use shared::{AppResult, Services};

pub fn routes() -> Router<Services> {
    Router::new()
        .route("/api/addresses", get(list).post(create))
        .route("/api/addresses/{id}", get(read).put(update).delete(remove))
}

#[derive(Debug, Default, Deserialize)]
struct AccountQuery {
    account_id: Option<String>,
    cursor: Option<String>,
    limit: Option<usize>,
}

impl AccountQuery {
    fn account(&self, session: &Session) -> AppResult<String> {
        data_account(&session.actor, self.account_id.as_deref())
    }
}

async fn list(
    State(services): State<Services>,
    session: Session,
    ApiQuery(query): ApiQuery<AccountQuery>,
) -> AppResult<impl IntoResponse> {
    let account_id = query.account(&session)?;
    let page = PageQuery {
        cursor: query.cursor,
        limit: query.limit,
    };
    Ok(axum::Json(
        addresses::list(&services, &account_id, page).await?,
    ))
}

async fn create(
    State(services): State<Services>,
    session: Session,
    ApiQuery(query): ApiQuery<AccountQuery>,
    ApiJson(input): ApiJson<AddressInput>,
) -> AppResult<impl IntoResponse> {
    let account_id = query.account(&session)?;
    let address = addresses::create(&services, &account_id, input).await?;
    Ok((StatusCode::CREATED, axum::Json(address)))
}

async fn read(
    State(services): State<Services>,
    session: Session,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<AccountQuery>,
) -> AppResult<impl IntoResponse> {
    let account_id = query.account(&session)?;
    Ok(axum::Json(
        addresses::get(&services, &account_id, &id).await?,
    ))
}

async fn update(
    State(services): State<Services>,
    session: Session,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<AccountQuery>,
    ApiJson(input): ApiJson<AddressInput>,
) -> AppResult<impl IntoResponse> {
    let account_id = query.account(&session)?;
    Ok(axum::Json(
        addresses::update(&services, &account_id, &id, input).await?,
    ))
}

async fn remove(
    State(services): State<Services>,
    session: Session,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<AccountQuery>,
) -> AppResult<StatusCode> {
    let account_id = query.account(&session)?;
    addresses::delete(&services, &account_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
