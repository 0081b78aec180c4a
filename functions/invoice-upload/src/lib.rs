//! Function `invoice-upload`: a manager asks for a presigned PUT of the
//! order's invoice, uploads the PDF straight to the blob store, then
//! publishes it (checked, the customer e-mailed); the order's customer (or
//! a manager) downloads it through a short-lived presigned GET.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use shared::app::invoices::{self, PublishInput, UploadUrlInput};
use shared::http::{ApiJson, Session};
use shared::{AppResult, Services};

pub fn routes() -> Router<Services> {
    Router::new()
        .route("/api/orders/{id}/invoice/upload-url", post(upload_url))
        .route("/api/orders/{id}/invoice", get(download).post(publish))
}

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
