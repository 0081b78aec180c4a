//! Function `invoice-upload`: a manager asks for a presigned PUT of the
//! order's invoice, uploads the PDF straight to the blob store, then
//! publishes it (checked, the customer e-mailed); the order's customer (or
//! a manager) downloads it through a short-lived presigned GET.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use shared::app::invoices::{self, PublishInput, UploadTicket, UploadUrlInput};
use shared::app::order_views::OrderView;
use shared::http::openapi::problem;
use shared::http::{ApiJson, Session};
use shared::{AppResult, Services};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The function's routes, each documented where its handler is.
pub fn api() -> OpenApiRouter<Services> {
    OpenApiRouter::new()
        .routes(routes!(upload_url))
        .routes(routes!(download, publish))
}

/// What the Lambda serves.
pub fn routes() -> Router<Services> {
    api().into()
}

/// The function's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    shared::http::openapi::document([api().into_openapi()])
}

/// A presigned PUT for the order's invoice (managers): send exactly this
/// method, URL and headers within 15 minutes.
#[utoipa::path(
    post,
    path = "/api/orders/{id}/invoice/upload-url",
    tag = "invoice-upload",
    operation_id = "invoice_upload_url",
    params(("id" = String, Path, description = "The order.")),
    request_body = UploadUrlInput,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Where and how to upload the PDF.", body = UploadTicket),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 403, response = problem::Forbidden),
        (status = 404, response = problem::NotFound),
        (status = 413, response = problem::PayloadTooLarge),
        (status = 415, response = problem::UnsupportedMediaType),
        (status = 422, response = problem::ValidationFailed),
    )
)]
async fn upload_url(
    State(services): State<Services>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<UploadUrlInput>,
) -> AppResult<impl IntoResponse> {
    let ticket =
        invoices::upload_url(&services, &session.actor, &session.user.name, &id, input).await?;
    Ok(axum::Json(ticket))
}

/// Checks the uploaded PDF and publishes it (managers); the customer is
/// e-mailed.
#[utoipa::path(
    post,
    path = "/api/orders/{id}/invoice",
    tag = "invoice-upload",
    operation_id = "publish_invoice",
    params(("id" = String, Path, description = "The order.")),
    request_body = PublishInput,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The order with its invoice.", body = OrderView),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 403, response = problem::Forbidden),
        (status = 404, response = problem::NotFound),
        (status = 409, response = problem::Conflict),
        (status = 413, response = problem::PayloadTooLarge),
        (status = 415, response = problem::UnsupportedMediaType),
        (status = 422, response = problem::ValidationFailed),
        (status = 502, response = problem::UpstreamUnavailable),
    )
)]
async fn publish(
    State(services): State<Services>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PublishInput>,
) -> AppResult<impl IntoResponse> {
    let order =
        invoices::publish(&services, &session.actor, &session.user.name, &id, input).await?;
    Ok(axum::Json(order))
}

/// 302 to a presigned GET valid at most 5 minutes.
#[utoipa::path(
    get,
    path = "/api/orders/{id}/invoice",
    tag = "invoice-upload",
    operation_id = "download_invoice",
    params(("id" = String, Path, description = "The order.")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 302, description = "To the invoice PDF (`facture-<number>.pdf`), valid 5 minutes.",
            headers(("Location" = String, description = "The presigned download URL."))),
        (status = 401, response = problem::Unauthenticated),
        (status = 404, response = problem::NotFound),
    )
)]
async fn download(
    State(services): State<Services>,
    session: Session,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let request = invoices::download_url(&services, &session.actor, &id).await?;
    Ok((
        StatusCode::FOUND,
        [
            (header::LOCATION, request.url),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    ))
}
