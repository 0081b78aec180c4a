//! Routes that exist only in local runs: the mail outbox and the signed
//! URLs of the local blob store.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use shared::AppError;
use shared::adapters::local_blobs::{self, LocalBlobStore};
use shared::adapters::outbox::OutboxMailer;

async fn mail(State(outbox): State<OutboxMailer>) -> Result<impl IntoResponse, AppError> {
    Ok(axum::Json(outbox.list()?))
}

pub fn routes(outbox: OutboxMailer, blobs: Option<Arc<LocalBlobStore>>) -> Router {
    let mut router = Router::new()
        .route("/_dev/mail", get(mail))
        .with_state(outbox);
    if let Some(store) = blobs {
        router = router.nest("/_dev/blobs", local_blobs::routes(store));
    }
    router
}
