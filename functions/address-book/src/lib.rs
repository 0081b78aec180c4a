//! Function `address-book`: the pickup and delivery addresses of the
//! caller's account; a manager names the account with `?account_id=`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use shared::app::{PageQuery, addresses};
use shared::domain::AddressInput;
use shared::http::openapi::problem;
use shared::http::{ApiJson, ApiQuery, Session};
use shared::policy::data_account;
use shared::repo::Page;
use shared::repo::addresses::Address;
use shared::{AppResult, Services};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The function's routes, each documented where its handler is.
pub fn api() -> OpenApiRouter<Services> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, update, remove))
}

/// What the Lambda serves.
pub fn routes() -> Router<Services> {
    api().into()
}

/// The function's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    shared::http::openapi::document([api().into_openapi()])
}

/// Whose address book: a manager must name the account (422 without it).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AccountQuery {
    /// The account (managers; a customer's own account otherwise).
    account_id: Option<String>,
    /// The `next_cursor` of the previous page (lists).
    cursor: Option<String>,
    /// Items per page, 1 to 200 (default 50; lists).
    #[param(minimum = 1, maximum = 200)]
    #[serde(default, deserialize_with = "shared::app::page_limit")]
    limit: Option<usize>,
}

/// `?account_id=` alone, for the routes that are not lists.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct AccountParam {
    /// The account (managers; a customer's own account otherwise).
    account_id: Option<String>,
}

impl AccountQuery {
    fn account(&self, session: &Session) -> AppResult<String> {
        data_account(&session.actor, self.account_id.as_deref())
    }
}

/// The account's addresses.
#[utoipa::path(
    get,
    path = "/api/addresses",
    tag = "address-book",
    operation_id = "list_addresses",
    params(AccountQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "A page of addresses.", body = Page<Address>),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 404, response = problem::NotFound),
        (status = 422, response = problem::ValidationFailed),
    )
)]
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

/// Adds an address.
#[utoipa::path(
    post,
    path = "/api/addresses",
    tag = "address-book",
    operation_id = "create_address",
    params(AccountParam),
    request_body = AddressInput,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 201, description = "The address.", body = Address),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 404, response = problem::NotFound),
        (status = 413, response = problem::PayloadTooLarge),
        (status = 415, response = problem::UnsupportedMediaType),
        (status = 422, response = problem::ValidationFailed),
    )
)]
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

/// One address.
#[utoipa::path(
    get,
    path = "/api/addresses/{id}",
    tag = "address-book",
    operation_id = "get_address",
    params(("id" = String, Path, description = "The address."), AccountParam),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The address.", body = Address),
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
        addresses::get(&services, &account_id, &id).await?,
    ))
}

/// Replaces an address.
#[utoipa::path(
    put,
    path = "/api/addresses/{id}",
    tag = "address-book",
    operation_id = "update_address",
    params(("id" = String, Path, description = "The address."), AccountParam),
    request_body = AddressInput,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The updated address.", body = Address),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 404, response = problem::NotFound),
        (status = 409, response = problem::Conflict),
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
    ApiJson(input): ApiJson<AddressInput>,
) -> AppResult<impl IntoResponse> {
    let account_id = query.account(&session)?;
    Ok(axum::Json(
        addresses::update(&services, &account_id, &id, input).await?,
    ))
}

/// Deletes an address.
#[utoipa::path(
    delete,
    path = "/api/addresses/{id}",
    tag = "address-book",
    operation_id = "delete_address",
    params(("id" = String, Path, description = "The address."), AccountParam),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 404, response = problem::NotFound),
        (status = 422, response = problem::ValidationFailed),
    )
)]
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
