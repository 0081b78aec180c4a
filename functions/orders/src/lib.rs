//! Function `orders`: the history (filters, pagination, CSV export; for
//! managers every account's orders and `?attention=true`, the orders needing
//! them), one order with its timeline (and, for managers, `needs_attention`),
//! cancellation, and the purchase order PDF.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use shared::app::order_views::OrderSummaryView;
use shared::app::orders::{self, CancelInput, ManagedOrderView, OrderQuery};
use shared::app::purchase_orders;
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
        .routes(routes!(list))
        .routes(routes!(export))
        .routes(routes!(read))
        .routes(routes!(cancel))
        .routes(routes!(purchase_order))
}

/// What the Lambda serves.
pub fn routes() -> Router<Services> {
    api().into()
}

/// The function's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    shared::http::openapi::document([api().into_openapi()])
}

/// The order history, newest first: a customer's own account, a manager's
/// every account (or `?account_id=`).
#[utoipa::path(
    get,
    path = "/api/orders",
    tag = "orders",
    operation_id = "list_orders",
    params(OrderQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "A page of order summaries, newest first (the whole order: `GET /api/orders/{id}`).", body = Page<OrderSummaryView>),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 403, response = problem::Forbidden),
        (status = 404, response = problem::NotFound),
        (status = 422, response = problem::ValidationFailed),
    )
)]
async fn list(
    State(services): State<Services>,
    session: Session,
    ApiQuery(query): ApiQuery<OrderQuery>,
) -> AppResult<impl IntoResponse> {
    Ok(axum::Json(
        orders::list(&services, &session.actor, query).await?,
    ))
}

/// The history as CSV (`;`, UTF-8 with BOM) for accounting, same filters.
#[utoipa::path(
    get,
    path = "/api/orders/export",
    tag = "orders",
    operation_id = "export_orders",
    params(OrderQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "`commandes-stva.csv`.", body = String, content_type = "text/csv"),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 403, response = problem::Forbidden),
        (status = 404, response = problem::NotFound),
        (status = 422, response = problem::ValidationFailed),
    )
)]
async fn export(
    State(services): State<Services>,
    session: Session,
    ApiQuery(query): ApiQuery<OrderQuery>,
) -> AppResult<impl IntoResponse> {
    let csv = orders::export_csv(&services, &session.actor, query).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"commandes-stva.csv\"",
            ),
        ],
        csv,
    ))
}

/// One order, with its timeline and invoice.
#[utoipa::path(
    get,
    path = "/api/orders/{id}",
    tag = "orders",
    operation_id = "get_order",
    params(("id" = String, Path, description = "The order.")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The order.", body = ManagedOrderView),
        (status = 401, response = problem::Unauthenticated),
        (status = 404, response = problem::NotFound),
    )
)]
async fn read(
    State(services): State<Services>,
    session: Session,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    Ok(axum::Json(
        orders::get(&services, &session.actor, &id).await?,
    ))
}

/// Cancels an order (customers while `quoted`, managers until picked up);
/// its vehicles are freed.
#[utoipa::path(
    post,
    path = "/api/orders/{id}/cancel",
    tag = "orders",
    operation_id = "cancel_order",
    params(("id" = String, Path, description = "The order.")),
    request_body = CancelInput,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The cancelled order.", body = ManagedOrderView),
        (status = 400, response = problem::BadRequest),
        (status = 401, response = problem::Unauthenticated),
        (status = 403, response = problem::Forbidden),
        (status = 404, response = problem::NotFound),
        (status = 409, description = "`order_not_cancellable`: past the point where it can be cancelled.", body = Problem, content_type = "application/problem+json"),
        (status = 413, response = problem::PayloadTooLarge),
        (status = 415, response = problem::UnsupportedMediaType),
        (status = 422, response = problem::ValidationFailed),
        (status = 502, response = problem::UpstreamUnavailable),
    )
)]
async fn cancel(
    State(services): State<Services>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CancelInput>,
) -> AppResult<impl IntoResponse> {
    let order = orders::cancel(&services, &session.actor, &session.user.name, &id, input).await?;
    Ok(axum::Json(order))
}

/// The purchase order (bon de commande) as a PDF.
#[utoipa::path(
    get,
    path = "/api/orders/{id}/purchase-order",
    tag = "orders",
    operation_id = "purchase_order",
    params(("id" = String, Path, description = "The order.")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "`bon-de-commande-<number>.pdf`.", body = Vec<u8>, content_type = "application/pdf"),
        (status = 401, response = problem::Unauthenticated),
        (status = 404, response = problem::NotFound),
    )
)]
async fn purchase_order(
    State(services): State<Services>,
    session: Session,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let order = orders::for_document(&services, &session.actor, &id).await?;
    let pdf = purchase_orders::render(&services, &order).await?;
    let disposition = format!("inline; filename=\"bon-de-commande-{}.pdf\"", order.number);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        pdf,
    ))
}
