//! Function `quote`: `POST /api/quotes` asks the ERP to price a lot of the
//! caller's stock and stores the order `quoted`, its vehicles reserved.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use shared::app::order_views::OrderView;
use shared::app::quotes::{self, QuoteInput};
use shared::http::openapi::problem;
use shared::http::problem::Problem;
use shared::http::{ApiJson, Session};
use shared::{AppResult, Services};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The function's routes, each documented where its handler is.
pub fn api() -> OpenApiRouter<Services> {
    OpenApiRouter::new().routes(routes!(quote))
}

/// What the Lambda serves.
pub fn routes() -> Router<Services> {
    api().into()
}

/// The function's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    shared::http::openapi::document([api().into_openapi()])
}

/// Asks the ERP to price a lot (customers): the order is stored `quoted`
/// with its estimate, the user's corrections of make, model and plate are
/// saved to the stock, and the vehicles are reserved (`in_order`).
#[utoipa::path(
    post,
    path = "/api/quotes",
    tag = "quote",
    request_body = QuoteInput,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 201, description = "The order, `quoted`, with its `estimate`.", body = OrderView),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 403, response = problem::Forbidden),
        (status = 409, description = "`vehicle_unavailable`: a vehicle of the lot is already in an active order.", body = Problem, content_type = "application/problem+json"),
        (status = 413, response = problem::PayloadTooLarge),
        (status = 415, response = problem::UnsupportedMediaType),
        (status = 422, response = problem::ValidationFailed),
        (status = 502, response = problem::UpstreamUnavailable),
    )
)]
async fn quote(
    State(services): State<Services>,
    session: Session,
    ApiJson(input): ApiJson<QuoteInput>,
) -> AppResult<impl IntoResponse> {
    let order = quotes::quote(&services, &session.actor, &session.user, input).await?;
    Ok((StatusCode::CREATED, axum::Json(order)))
}
