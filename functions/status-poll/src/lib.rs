//! Function `status-poll`: run by an EventBridge schedule every 5 minutes
//! (and by `/_dev/run/status-poll` locally). A failed run returns an error
//! so that the schedule's retry policy and dead-letter queue see it.

use lambda_runtime::{Error, LambdaEvent};
use serde_json::Value;
use shared::Services;
use shared::app::status_poll::{self, PollSummary};

pub async fn handle(services: &Services, event: LambdaEvent<Value>) -> Result<PollSummary, Error> {
    tracing::info!(request_id = %event.context.request_id, "status poll");
    let summary = status_poll::run(services).await?;
    tracing::info!(?summary, "status poll done");
    Ok(summary)
}
