//! Function `quote`: `POST /api/quotes` asks the ERP to price a lot of the
//! caller's stock and stores the order `quoted`, its vehicles reserved.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use shared::app::quotes::{self, QuoteInput};
use shared::http::{ApiJson, Session};
use shared::{AppResult, Services};

pub fn routes() -> Router<Services> {
    Router::new().route("/api/quotes", post(quote))
}

async fn quote(
    State(services): State<Services>,
    session: Session,
    ApiJson(input): ApiJson<QuoteInput>,
) -> AppResult<impl IntoResponse> {
    let order = quotes::quote(&services, &session.actor, &session.user, input).await?;
    Ok((StatusCode::CREATED, axum::Json(order)))
}
