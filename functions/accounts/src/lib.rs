//! Function `accounts`: customer accounts (managers create and list them,
//! the list being their overview: users by status, stock connection, last
//! sync, orders; their users read their own), the users of an account, disabling a user.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get};
use shared::app::accounts::{self, NewAccountInput};
use shared::app::{PageQuery, users};
use shared::http::{ApiJson, ApiQuery, Session};
use shared::{AppResult, Services};

pub fn routes() -> Router<Services> {
    Router::new()
        .route("/api/accounts", get(list_accounts).post(create_account))
        .route("/api/accounts/{account_id}", get(get_account))
        .route("/api/accounts/{account_id}/users", get(list_users))
        .route(
            "/api/accounts/{account_id}/users/{user_id}",
            delete(disable_user),
        )
}

async fn list_accounts(
    State(services): State<Services>,
    session: Session,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> AppResult<impl IntoResponse> {
    Ok(axum::Json(
        accounts::list(&services, &session.actor, page).await?,
    ))
}

async fn create_account(
    State(services): State<Services>,
    session: Session,
    ApiJson(input): ApiJson<NewAccountInput>,
) -> AppResult<impl IntoResponse> {
    let account = accounts::create(&services, &session.actor, input).await?;
    Ok((StatusCode::CREATED, axum::Json(account)))
}

async fn get_account(
    State(services): State<Services>,
    session: Session,
    Path(account_id): Path<String>,
) -> AppResult<impl IntoResponse> {
    Ok(axum::Json(
        accounts::get(&services, &session.actor, &account_id).await?,
    ))
}

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

async fn disable_user(
    State(services): State<Services>,
    session: Session,
    Path((account_id, user_id)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    users::disable(&services, &session.actor, &account_id, &user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
