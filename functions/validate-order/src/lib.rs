//! Function `validate-order`: `POST /api/orders/{id}/validate` validates the
//! purchase order and hands it to the ERP exactly once.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::post;
use shared::app::validation::{self, ValidateInput};
use shared::http::{ApiJson, Session};
use shared::{AppResult, Services};

pub fn routes() -> Router<Services> {
    Router::new().route("/api/orders/{id}/validate", post(validate))
}

async fn validate(
    State(services): State<Services>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ValidateInput>,
) -> AppResult<impl IntoResponse> {
    let order = validation::validate(&services, &session.actor, &session.user, &id, input).await?;
    Ok(axum::Json(order))
}
