//! Function `user-invite`: invite a customer user (managers, and group
//! users for members of their own account), invite a manager, accept an
//! invitation (which signs the new user in), resend the invitation of a
//! user who has not accepted it yet.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use shared::app::invitations::{
    self, AcceptInput, InvitationResent, InviteManagerInput, InviteUserInput,
};
use shared::app::views::{SessionGrant, UserView};
use shared::http::openapi::problem;
use shared::http::problem::Problem;
use shared::http::{ApiJson, Session, cookie};
use shared::{AppResult, Services};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The function's API routes, each documented where its handler is.
pub fn api() -> OpenApiRouter<Services> {
    OpenApiRouter::new()
        .routes(routes!(invite_user))
        .routes(routes!(resend_invitation))
        .routes(routes!(invite_manager))
        .routes(routes!(accept))
}

/// The API's routes (the dev server's; the Lambda serves [`lambda_routes`]).
pub fn routes() -> Router<Services> {
    api().into()
}

/// The function's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    shared::http::openapi::document([api().into_openapi()])
}

/// What the Lambda serves: the API's routes and, for direct invocations
/// only, `POST /internal/bootstrap-manager`, the first manager's invitation
/// (`infra/bootstrap-manager.sh`). The HTTP API does not route that path
/// (template.yaml routes `/api/...` keys only, CloudFront forwards `/api/*`
/// only), so only the operator's `lambda:InvokeFunction` reaches it, and it
/// works once, on a portal without managers. The dev server merges
/// `routes()` alone (it creates its first manager itself).
pub fn lambda_routes() -> Router<Services> {
    routes().route("/internal/bootstrap-manager", post(bootstrap_manager))
}

async fn bootstrap_manager(
    State(services): State<Services>,
    ApiJson(input): ApiJson<InviteManagerInput>,
) -> AppResult<impl IntoResponse> {
    let user = invitations::invite_first_manager(&services, input).await?;
    Ok((StatusCode::CREATED, axum::Json(user)))
}

/// Invites a customer user: created `invited`, the invitation e-mailed
/// (link valid 72 h). Managers invite `group` or `member`, group users of
/// the account `member`.
#[utoipa::path(
    post,
    path = "/api/accounts/{account_id}/users",
    tag = "user-invite",
    params(("account_id" = String, Path, description = "The account.")),
    request_body = InviteUserInput,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 201, description = "The invited user.", body = UserView),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 403, response = problem::Forbidden),
        (status = 404, response = problem::NotFound),
        (status = 409, description = "`email_taken`: a user already has this e-mail.", body = Problem, content_type = "application/problem+json"),
        (status = 413, response = problem::PayloadTooLarge),
        (status = 415, response = problem::UnsupportedMediaType),
        (status = 422, response = problem::ValidationFailed),
        (status = 502, response = problem::UpstreamUnavailable),
    )
)]
async fn invite_user(
    State(services): State<Services>,
    session: Session,
    Path(account_id): Path<String>,
    ApiJson(input): ApiJson<InviteUserInput>,
) -> AppResult<impl IntoResponse> {
    let user = invitations::invite_user(&services, &session.actor, &account_id, input).await?;
    Ok((StatusCode::CREATED, axum::Json(user)))
}

/// E-mails a fresh invitation link (valid 72 h) to a user still `invited`;
/// earlier links keep working until they expire.
#[utoipa::path(
    post,
    path = "/api/accounts/{account_id}/users/{user_id}/invitation",
    tag = "user-invite",
    params(
        ("account_id" = String, Path, description = "The account."),
        ("user_id" = String, Path, description = "The invited user."),
    ),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The user and when the new link expires.", body = InvitationResent),
        (status = 401, response = problem::Unauthenticated),
        (status = 403, response = problem::Forbidden),
        (status = 404, response = problem::NotFound),
        (status = 409, description = "`user_not_invited`: the user is already active, or disabled.", body = Problem, content_type = "application/problem+json"),
        (status = 502, response = problem::UpstreamUnavailable),
    )
)]
async fn resend_invitation(
    State(services): State<Services>,
    session: Session,
    Path((account_id, user_id)): Path<(String, String)>,
) -> AppResult<impl IntoResponse> {
    let sent = invitations::resend(&services, &session.actor, &account_id, &user_id).await?;
    Ok(axum::Json(sent))
}

/// Invites another manager (managers).
#[utoipa::path(
    post,
    path = "/api/managers",
    tag = "user-invite",
    request_body = InviteManagerInput,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 201, description = "The invited manager.", body = UserView),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 403, response = problem::Forbidden),
        (status = 409, description = "`email_taken`: a user already has this e-mail.", body = Problem, content_type = "application/problem+json"),
        (status = 413, response = problem::PayloadTooLarge),
        (status = 415, response = problem::UnsupportedMediaType),
        (status = 422, response = problem::ValidationFailed),
        (status = 502, response = problem::UpstreamUnavailable),
    )
)]
async fn invite_manager(
    State(services): State<Services>,
    session: Session,
    ApiJson(input): ApiJson<InviteManagerInput>,
) -> AppResult<impl IntoResponse> {
    let user = invitations::invite_manager(&services, &session.actor, input).await?;
    Ok((StatusCode::CREATED, axum::Json(user)))
}

/// Accepts an invitation: the user chooses a name and password and is
/// signed in (a link works once, and expires).
#[utoipa::path(
    post,
    path = "/api/auth/invitations/accept",
    tag = "user-invite",
    operation_id = "accept_invitation",
    request_body = AcceptInput,
    responses(
        (status = 200, description = "Signed in; the token is also set as the `stva_session` cookie.", body = SessionGrant,
            headers(("Set-Cookie" = String, description = "`stva_session=<token>; HttpOnly; SameSite=Strict; Path=/`"))),
        (status = 400, response = problem::BadRequest),
        (status = 410, response = problem::Gone),
        (status = 413, response = problem::PayloadTooLarge),
        (status = 415, response = problem::UnsupportedMediaType),
        (status = 422, response = problem::ValidationFailed),
    )
)]
async fn accept(
    State(services): State<Services>,
    ApiJson(input): ApiJson<AcceptInput>,
) -> AppResult<Response> {
    let grant = invitations::accept(&services, input).await?;
    Ok(cookie::grant_response(&services.config, &grant))
}
