//! Function `accounts`: customer accounts (managers create and list them,
//! the list being their overview: users by status, stock connection, last
//! sync, orders; their users read their own), the users of an account, disabling a user.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use shared::app::accounts::{self, NewAccountInput};
use shared::app::views::{AccountOverview, AccountView, UserView};
use shared::app::{PageQuery, users};
use shared::http::openapi::problem;
use shared::http::problem::Problem;
use shared::http::{ApiJson, ApiQuery, Session};
use shared::repo::Page;
use shared::{AppResult, Services};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The function's routes, each documented where its handler is.
pub fn api() -> OpenApiRouter<Services> {
    OpenApiRouter::new()
        .routes(routes!(list_accounts, create_account))
        .routes(routes!(get_account))
        .routes(routes!(list_users))
        .routes(routes!(disable_user))
}

/// What the Lambda serves.
pub fn routes() -> Router<Services> {
    api().into()
}

/// The function's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    shared::http::openapi::document([api().into_openapi()])
}

/// The managers' overview of the customer accounts.
#[utoipa::path(
    get,
    path = "/api/accounts",
    tag = "accounts",
    params(PageQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "A page of accounts, with their users, stock connection, last sync and orders.", body = Page<AccountOverview>),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 403, response = problem::Forbidden),
    )
)]
async fn list_accounts(
    State(services): State<Services>,
    session: Session,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> AppResult<impl IntoResponse> {
    Ok(axum::Json(
        accounts::list(&services, &session.actor, page).await?,
    ))
}

/// Creates a customer account (managers).
#[utoipa::path(
    post,
    path = "/api/accounts",
    tag = "accounts",
    request_body = NewAccountInput,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 201, description = "The account.", body = AccountView),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 403, response = problem::Forbidden),
        (status = 409, description = "`siret_taken`: an account already has this SIRET.", body = Problem, content_type = "application/problem+json"),
        (status = 413, response = problem::PayloadTooLarge),
        (status = 415, response = problem::UnsupportedMediaType),
        (status = 422, response = problem::ValidationFailed),
    )
)]
async fn create_account(
    State(services): State<Services>,
    session: Session,
    ApiJson(input): ApiJson<NewAccountInput>,
) -> AppResult<impl IntoResponse> {
    let account = accounts::create(&services, &session.actor, input).await?;
    Ok((StatusCode::CREATED, axum::Json(account)))
}

/// One account (managers; its own users).
#[utoipa::path(
    get,
    path = "/api/accounts/{account_id}",
    tag = "accounts",
    operation_id = "get_account",
    params(("account_id" = String, Path, description = "The account.")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The account.", body = AccountView),
        (status = 401, response = problem::Unauthenticated),
        (status = 404, response = problem::NotFound),
    )
)]
async fn get_account(
    State(services): State<Services>,
    session: Session,
    Path(account_id): Path<String>,
) -> AppResult<impl IntoResponse> {
    Ok(axum::Json(
        accounts::get(&services, &session.actor, &account_id).await?,
    ))
}

/// The users of an account (managers; its group users).
#[utoipa::path(
    get,
    path = "/api/accounts/{account_id}/users",
    tag = "accounts",
    params(("account_id" = String, Path, description = "The account."), PageQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "A page of users.", body = Page<UserView>),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 403, response = problem::Forbidden),
        (status = 404, response = problem::NotFound),
    )
)]
async fn list_users(
    State(services): State<Services>,
    session: Session,
    Path(account_id): Path<String>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> AppResult<impl IntoResponse> {
    Ok(axum::Json(
        users::list(&services, &session.actor, &account_id, page).await?,
    ))
}

/// Disables a user: it may no longer sign in, its sessions end (managers;
/// group users of the account).
#[utoipa::path(
    delete,
    path = "/api/accounts/{account_id}/users/{user_id}",
    tag = "accounts",
    params(
        ("account_id" = String, Path, description = "The account."),
        ("user_id" = String, Path, description = "The user."),
    ),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "The user is disabled."),
        (status = 401, response = problem::Unauthenticated),
        (status = 403, response = problem::Forbidden),
        (status = 404, response = problem::NotFound),
        (status = 409, description = "`cannot_disable_self`: a user cannot disable itself.", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn disable_user(
    State(services): State<Services>,
    session: Session,
    Path((account_id, user_id)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    users::disable(&services, &session.actor, &account_id, &user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
