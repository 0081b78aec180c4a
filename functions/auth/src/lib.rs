//! Function `auth`: sign-in (sets the session cookie and returns the
//! token), sign-out, token refresh, the current user, password reset, and
//! the API's OpenAPI document.

use axum::extract::{Extension, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Router, body::Bytes};
use serde::Deserialize;
use shared::app::password_reset::{self, ResetConfirmInput, ResetRequestInput};
use shared::app::sessions;
use shared::app::views::{MeView, SessionGrant};
use shared::http::openapi::{Document, problem};
use shared::http::{ApiJson, Session, cookie};
use shared::{AppError, AppResult, Services};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// `docs/openapi.json`, which a test keeps equal to the document generated
/// from the code (`cargo run -p dev-server --bin stva-openapi` rewrites it).
pub const COMMITTED_OPENAPI: &str = include_str!("../../../docs/openapi.json");

/// The function's routes, each documented where its handler is.
pub fn api() -> OpenApiRouter<Services> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(refresh))
        .routes(routes!(me))
        .routes(routes!(request_reset))
        .routes(routes!(confirm_reset))
        .routes(routes!(openapi_document))
}

/// What the Lambda serves.
pub fn routes() -> Router<Services> {
    api().into()
}

/// The function's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    shared::http::openapi::document([api().into_openapi()])
}

/// Both fields are required; they are optional here so that a missing one
/// is a French field error.
#[derive(Debug, Deserialize, ToSchema)]
struct LoginInput {
    #[schema(value_type = String, required = true)]
    email: Option<String>,
    #[schema(value_type = String, required = true, format = Password)]
    password: Option<String>,
}

/// Signs in: the session's token, also set as the `stva_session` cookie.
#[utoipa::path(
    post,
    path = "/api/auth/login",
    tag = "auth",
    request_body = LoginInput,
    responses(
        (status = 200, description = "Signed in; the token is also set as the `stva_session` cookie (HttpOnly, SameSite=Strict).", body = SessionGrant,
            headers(("Set-Cookie" = String, description = "`stva_session=<token>; HttpOnly; SameSite=Strict; Path=/`"))),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 413, response = problem::PayloadTooLarge),
        (status = 415, response = problem::UnsupportedMediaType),
        (status = 422, response = problem::ValidationFailed),
        (status = 429, response = problem::TooManyRequests),
    )
)]
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

/// Signs out: every session of the user ends, the cookie is cleared.
#[utoipa::path(
    post,
    path = "/api/auth/logout",
    tag = "auth",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "Signed out; the cookie is cleared.",
            headers(("Set-Cookie" = String, description = "The cleared `stva_session` cookie."))),
        (status = 401, response = problem::Unauthenticated),
    )
)]
async fn logout(State(services): State<Services>, session: Session) -> AppResult<Response> {
    sessions::logout(&services, &session.actor).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie::clear(&services.config));
    Ok(response)
}

/// A fresh token for the signed-in user (and its cookie).
#[utoipa::path(
    post,
    path = "/api/auth/refresh",
    tag = "auth",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "A new session.", body = SessionGrant,
            headers(("Set-Cookie" = String, description = "The new `stva_session` cookie."))),
        (status = 401, response = problem::Unauthenticated),
    )
)]
async fn refresh(State(services): State<Services>, session: Session) -> AppResult<Response> {
    let grant = sessions::refresh(&services, &session.user).await?;
    Ok(cookie::grant_response(&services.config, &grant))
}

/// The signed-in user.
#[utoipa::path(
    get,
    path = "/api/me",
    tag = "auth",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The signed-in user.", body = MeView),
        (status = 401, response = problem::Unauthenticated),
    )
)]
async fn me(State(services): State<Services>, session: Session) -> AppResult<impl IntoResponse> {
    Ok(axum::Json(sessions::me(&services, &session.user).await?))
}

/// Asks for a password reset link by e-mail; the answer never says whether
/// the address is known.
#[utoipa::path(
    post,
    path = "/api/auth/password-reset",
    tag = "auth",
    operation_id = "request_password_reset",
    request_body = ResetRequestInput,
    responses(
        (status = 202, description = "Accepted, whether the address is known or not."),
        (status = 400, response = problem::BadRequest),
        (status = 413, response = problem::PayloadTooLarge),
        (status = 415, response = problem::UnsupportedMediaType),
        (status = 422, response = problem::ValidationFailed),
    )
)]
async fn request_reset(
    State(services): State<Services>,
    ApiJson(input): ApiJson<ResetRequestInput>,
) -> AppResult<StatusCode> {
    password_reset::request(&services, input).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Sets a new password with the link's token; the user's other sessions end.
#[utoipa::path(
    post,
    path = "/api/auth/password-reset/confirm",
    tag = "auth",
    operation_id = "confirm_password_reset",
    request_body = ResetConfirmInput,
    responses(
        (status = 204, description = "The password is changed."),
        (status = 400, response = problem::BadRequest),
        (status = 410, response = problem::Gone),
        (status = 413, response = problem::PayloadTooLarge),
        (status = 415, response = problem::UnsupportedMediaType),
        (status = 422, response = problem::ValidationFailed),
    )
)]
async fn confirm_reset(
    State(services): State<Services>,
    ApiJson(input): ApiJson<ResetConfirmInput>,
) -> AppResult<StatusCode> {
    password_reset::confirm(&services, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This document (OpenAPI 3.1). The dev server serves the one it generates
/// (a `Document` extension); a Lambda serves `docs/openapi.json`.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "auth",
    operation_id = "openapi",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document of the API.", body = Object, content_type = "application/json"),
    )
)]
async fn openapi_document(document: Option<Extension<Document>>) -> Response {
    let bytes = match document {
        Some(Extension(Document(bytes))) => bytes,
        None => Bytes::from_static(COMMITTED_OPENAPI.as_bytes()),
    };
    shared::http::openapi::serve(bytes)
}
