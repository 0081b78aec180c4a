//! Function `stock-sync`: run by an EventBridge schedule every hour (and by
//! `/_dev/run/stock-sync` locally). Syncs every account with a stock
//! connection, one after the other (each under its own lease). A run whose
//! store fails returns an error so that the schedule's retry policy and
//! dead-letter queue see it; an account whose feed fails is in the summary
//! and in that account's report.

use std::sync::Arc;

use lambda_runtime::{Error, LambdaEvent};
use serde_json::Value;
use shared::Services;
use shared::app::stock_sync::{self, SyncAllSummary};
use shared::stock::connectors::FeedFetcher;

/// Syncs every connected account through `fetcher`.
pub async fn handle_with(
    services: &Services,
    fetcher: Arc<dyn FeedFetcher>,
    event: LambdaEvent<Value>,
) -> Result<SyncAllSummary, Error> {
    tracing::info!(request_id = %event.context.request_id, "stock sync");
    let summary = stock_sync::sync_all(services, fetcher).await?;
    tracing::info!(?summary, "stock sync done");
    Ok(summary)
}

/// Syncs every connected account over HTTP.
pub async fn handle(
    services: &Services,
    event: LambdaEvent<Value>,
) -> Result<SyncAllSummary, Error> {
    let fetcher = stock_sync::http_fetcher()?;
    handle_with(services, fetcher, event).await
}
