//! Function `user-invite`: invite a customer user (managers, and group
//! users for members of their own account), invite a manager, accept an
//! invitation (which signs the new user in), resend the invitation of a
//! user who has not accepted it yet.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use shared::app::invitations::{self, AcceptInput, InviteManagerInput, InviteUserInput};
use shared::http::{ApiJson, Session, cookie};
use shared::{AppResult, Services};

pub fn routes() -> Router<Services> {
    Router::new()
        .route("/api/accounts/{account_id}/users", post(invite_user))
        .route(
            "/api/accounts/{account_id}/users/{user_id}/invitation",
            post(resend_invitation),
        )
        .route("/api/managers", post(invite_manager))
        .route("/api/auth/invitations/accept", post(accept))
}

async fn invite_user(
    State(services): State<Services>,
    session: Session,
    Path(account_id): Path<String>,
    ApiJson(input): ApiJson<InviteUserInput>,
) -> AppResult<impl IntoResponse> {
    let user = invitations::invite_user(&services, &session.actor, &account_id, input).await?;
    Ok((StatusCode::CREATED, axum::Json(user)))
}

async fn resend_invitation(
    State(services): State<Services>,
    session: Session,
    Path((account_id, user_id)): Path<(String, String)>,
) -> AppResult<impl IntoResponse> {
    let sent = invitations::resend(&services, &session.actor, &account_id, &user_id).await?;
    Ok(axum::Json(sent))
}

async fn invite_manager(
    State(services): State<Services>,
    session: Session,
    ApiJson(input): ApiJson<InviteManagerInput>,
) -> AppResult<impl IntoResponse> {
    let user = invitations::invite_manager(&services, &session.actor, input).await?;
    Ok((StatusCode::CREATED, axum::Json(user)))
}

async fn accept(
    State(services): State<Services>,
    ApiJson(input): ApiJson<AcceptInput>,
) -> AppResult<Response> {
    let grant = invitations::accept(&services, input).await?;
    Ok(cookie::grant_response(&services.config, &grant))
}
