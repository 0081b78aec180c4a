//! The scheduled status poll (every 5 minutes): hands queued validations to
//! the ERP, expires stale quotes, and reads the ERP's change feed from the
//! stored cursor, applying each change to its order. Its cost follows what
//! is due and what changed, not the number of open orders. Two runs never
//! work at once (a lease), and the cursor only moves past changes stored.

use serde::Serialize;

use crate::app::{mail_delivery, order_lifecycle};
use crate::error::{AppError, AppResult};
use crate::ports::{Condition, Item, Key, StoreError};
use crate::services::Services;

const LEASE_SECONDS: i64 = 240;
const BATCH: usize = 100;
const FEED_PAGE: u32 = 100;
/// Most feed pages one run reads; the next run continues.
const MAX_FEED_PAGES: usize = 50;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PollSummary {
    /// `false` when another run held the lease.
    pub ran: bool,
    pub pending_sent: usize,
    pub pending_failed: usize,
    pub quotes_expired: usize,
    pub changes_read: usize,
    pub changes_applied: usize,
    pub emails_sent: usize,
    /// E-mails that had failed, sent again (`mail_delivery`).
    pub emails_retried: usize,
    pub emails_recovered: usize,
    pub erp_calls: usize,
    pub errors: Vec<String>,
}

fn lease_key() -> Key {
    Key::new("LEASE#status-poll", "LEASE")
}

fn cursor_key() -> Key {
    Key::new("ERP#CURSOR", "CURSOR")
}

/// Takes the lease unless a live one exists; returns its token.
async fn acquire(services: &Services) -> AppResult<Option<String>> {
    let now = services.clock.now().unix_timestamp();
    let current = services.table.get(&lease_key()).await?;
    let condition = match &current {
        Some(item) => {
            let expires = item
                .attrs
                .get("expires")
                .and_then(|v| v.as_i64())
                .unwrap_or(0);
            if expires > now {
                return Ok(None);
            }
            let token = item.attrs.get("token").cloned().unwrap_or_default();
            Condition::Equals("token".into(), token)
        }
        None => Condition::NotExists,
    };
    let token = uuid::Uuid::new_v4().to_string();
    let mut attrs = serde_json::Map::new();
    attrs.insert("token".into(), token.clone().into());
    attrs.insert("expires".into(), (now + LEASE_SECONDS).into());
    let item = Item::new(lease_key(), attrs).with_expiry(now + LEASE_SECONDS);
    match services.table.put(item, condition).await {
        Ok(()) => Ok(Some(token)),
        Err(StoreError::ConditionFailed { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

async fn release(services: &Services, token: &str) {
    if let Err(e) = services
        .table
        .delete(&lease_key(), Condition::equals("token", token))
        .await
    {
        tracing::debug!(error = %e, "status poll lease already gone");
    }
}

pub async fn run(services: &Services) -> AppResult<PollSummary> {
    let Some(token) = acquire(services).await? else {
        return Ok(PollSummary::default());
    };
    let mut summary = PollSummary {
        ran: true,
        ..PollSummary::default()
    };
    let result = work(services, &mut summary).await;
    release(services, &token).await;
    result.map(|()| summary)
}

async fn work(services: &Services, summary: &mut PollSummary) -> AppResult<()> {
    // 1. Validations the ERP has not accepted yet, oldest first.
    for order_id in services.orders().pending_erp(BATCH).await? {
        summary.erp_calls += 1;
        match order_lifecycle::deliver_to_erp(services, &order_id).await {
            Ok(Some(_)) => summary.pending_sent += 1,
            Ok(None) => {}
            Err(e) => {
                summary.pending_failed += 1;
                summary.errors.push(format!("order {order_id}: {e}"));
            }
        }
    }
    // 2. Quotes past their validity.
    let now = services.clock.now();
    for order_id in services.orders().expired_quotes(now, BATCH).await? {
        match order_lifecycle::expire_if_stale(services, &order_id).await {
            Ok(order) if order.status == crate::domain::OrderStatus::Expired => {
                summary.quotes_expired += 1
            }
            Ok(_) => {}
            Err(e) => summary.errors.push(format!("quote {order_id}: {e}")),
        }
    }
    // 3. E-mails that could not be sent earlier; a failure here must not
    // hold the ERP's changes back.
    match mail_delivery::retry_pending(services).await {
        Ok(retry) => {
            summary.emails_retried += retry.retried;
            summary.emails_recovered += retry.sent;
        }
        Err(e) => summary.errors.push(format!("pending e-mails: {e}")),
    }
    // 4. The change feed, from the stored cursor.
    for _ in 0..MAX_FEED_PAGES {
        let stored = services.table.get(&cursor_key()).await?;
        let cursor = stored.as_ref().and_then(|i| {
            i.attrs
                .get("cursor")
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        });
        summary.erp_calls += 1;
        // The ERP down is this run's news, not its failure: the cursor
        // stays, the next run reads on from it.
        let page = match services.erp.changes(cursor.as_deref(), FEED_PAGE).await {
            Ok(page) => page,
            Err(e) => {
                tracing::warn!(error = %e, "ERP change feed unavailable");
                summary.errors.push(format!(
                    "ERP change feed: {}",
                    crate::app::quotes::erp_failure(e)
                ));
                break;
            }
        };
        summary.changes_read += page.changes.len();
        for change in &page.changes {
            let applied = order_lifecycle::apply_erp_status(
                services,
                &change.reference,
                Some(&change.erp_order_id),
                change.status,
                change.at,
            )
            .await;
            match applied {
                Ok(sent) => {
                    summary.changes_applied += 1;
                    summary.emails_sent += sent;
                }
                // Not one of ours (or deleted): nothing to store.
                Err(AppError::NotFound { .. }) => {
                    summary
                        .errors
                        .push(format!("unknown order {}", change.reference));
                }
                // Stop here: the cursor must not pass an unstored change.
                Err(e) => return Err(e),
            }
        }
        save_cursor(services, stored.as_ref(), &page.cursor).await?;
        if !page.has_more {
            break;
        }
    }
    Ok(())
}

async fn save_cursor(services: &Services, stored: Option<&Item>, cursor: &str) -> AppResult<()> {
    let condition = match stored.and_then(|i| i.attrs.get("cursor")) {
        Some(previous) => Condition::Equals("cursor".into(), previous.clone()),
        None => Condition::NotExists,
    };
    let mut attrs = serde_json::Map::new();
    attrs.insert("cursor".into(), cursor.into());
    services
        .table
        .put(Item::new(cursor_key(), attrs), condition)
        .await
        .map_err(AppError::from)
}
