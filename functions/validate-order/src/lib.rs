//! Function `validate-order`: `POST /api/orders/{id}/validate` validates the
//! purchase order and hands it to the ERP exactly once.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use shared::app::order_views::OrderView;
use shared::app::validation::{self, ValidateInput};
use shared::http::openapi::problem;
use shared::http::problem::Problem;
use shared::http::{ApiJson, Session};
use shared::{AppResult, Services};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The function's routes, each documented where its handler is.
pub fn api() -> OpenApiRouter<Services> {
    OpenApiRouter::new().routes(routes!(validate))
}

/// What the Lambda serves.
pub fn routes() -> Router<Services> {
    api().into()
}

/// The function's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    shared::http::openapi::document([api().into_openapi()])
}

/// Validates a quoted order (customers of the order) and sends it to the
/// ERP once, however often it is called; an ERP failure leaves it
/// `validated` and the status poll delivers it later.
#[utoipa::path(
    post,
    path = "/api/orders/{id}/validate",
    tag = "validate-order",
    operation_id = "validate_order",
    params(("id" = String, Path, description = "The order.")),
    request_body = ValidateInput,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The order (`validated`, or later once the ERP answered); a repeat answers the same order.", body = OrderView),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 403, response = problem::Forbidden),
        (status = 404, response = problem::NotFound),
        (status = 409, description = "`quote_expired`, or the order is no longer quoted.", body = Problem, content_type = "application/problem+json"),
        (status = 413, response = problem::PayloadTooLarge),
        (status = 415, response = problem::UnsupportedMediaType),
        (status = 422, response = problem::ValidationFailed),
    )
)]
async fn validate(
    State(services): State<Services>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ValidateInput>,
) -> AppResult<impl IntoResponse> {
    let order = validation::validate(&services, &session.actor, &session.user, &id, input).await?;
    Ok(axum::Json(order))
}
