//! Function `orders`: the history (filters, pagination, CSV export; for
//! managers every account's orders and `?attention=true`, the orders needing
//! them), one order with its timeline (and, for managers, `needs_attention`),
//! cancellation, and the purchase order PDF.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use shared::app::orders::{self, CancelInput, OrderQuery};
use shared::app::purchase_orders;
use shared::http::{ApiJson, ApiQuery, Session};
use shared::{AppResult, Services};

pub fn routes() -> Router<Services> {
    Router::new()
        .route("/api/orders", get(list))
        .route("/api/orders/export", get(export))
        .route("/api/orders/{id}", get(read))
        .route("/api/orders/{id}/cancel", post(cancel))
        .route("/api/orders/{id}/purchase-order", get(purchase_order))
}

async fn list(
    State(services): State<Services>,
    session: Session,
    ApiQuery(query): ApiQuery<OrderQuery>,
) -> AppResult<impl IntoResponse> {
    Ok(axum::Json(
        orders::list(&services, &session.actor, query).await?,
    ))
}

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

async fn read(
    State(services): State<Services>,
    session: Session,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    Ok(axum::Json(
        orders::get(&services, &session.actor, &id).await?,
    ))
}

async fn cancel(
    State(services): State<Services>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CancelInput>,
) -> AppResult<impl IntoResponse> {
    let order = orders::cancel(&services, &session.actor, &session.user.name, &id, input).await?;
    Ok(axum::Json(order))
}

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
