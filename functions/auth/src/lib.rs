//! Function `auth`: sign-in (sets the session cookie and returns the
//! token), sign-out, token refresh, the current user, password reset.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use shared::app::password_reset::{self, ResetConfirmInput, ResetRequestInput};
use shared::app::sessions;
use shared::http::{ApiJson, Session, cookie};
use shared::{AppError, AppResult, Services};

pub fn routes() -> Router<Services> {
    Router::new()
        .route("/api/auth/login", post(login))
        .route("/api/auth/logout", post(logout))
        .route("/api/auth/refresh", post(refresh))
        .route("/api/me", get(me))
        .route("/api/auth/password-reset", post(request_reset))
        .route("/api/auth/password-reset/confirm", post(confirm_reset))
}

#[derive(Debug, Deserialize)]
struct LoginInput {
    email: Option<String>,
    password: Option<String>,
}

async fn login(
    State(services): State<Services>,
    ApiJson(input): ApiJson<LoginInput>,
) -> AppResult<Response> {
    let (Some(email), Some(password)) = (input.email, input.password) else {
        return Err(AppError::invalid(
            "email",
            "Saisissez votre adresse e-mail et votre mot de passe.",
        ));
    };
    let grant = sessions::login(&services, &email, &password).await?;
    Ok(cookie::grant_response(&services.config, &grant))
}

async fn logout(State(services): State<Services>, session: Session) -> AppResult<Response> {
    sessions::logout(&services, &session.actor).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie::clear(&services.config));
    Ok(response)
}

async fn refresh(State(services): State<Services>, session: Session) -> AppResult<Response> {
    let grant = sessions::refresh(&services, &session.user).await?;
    Ok(cookie::grant_response(&services.config, &grant))
}

async fn me(State(services): State<Services>, session: Session) -> AppResult<impl IntoResponse> {
    Ok(axum::Json(sessions::me(&services, &session.user).await?))
}

async fn request_reset(
    State(services): State<Services>,
    ApiJson(input): ApiJson<ResetRequestInput>,
) -> AppResult<StatusCode> {
    password_reset::request(&services, input).await?;
    Ok(StatusCode::ACCEPTED)
}

async fn confirm_reset(
    State(services): State<Services>,
    ApiJson(input): ApiJson<ResetConfirmInput>,
) -> AppResult<StatusCode> {
    password_reset::confirm(&services, input).await?;
    Ok(StatusCode::NO_CONTENT)
}
