//! E-mails are never silently dropped. The action that sends one completes
//! whatever the mail service does; a send that fails is recorded in the
//! store with what is needed to build the message again — never the message
//! itself, which may carry a single-use link:
//! - order e-mails (validation with its purchase order, milestones, the
//!   invoice) wait in `MAIL#PENDING` and the status poll (every 5 minutes)
//!   sends them again, up to [`MAX_ATTEMPTS`] times, then files them under
//!   `MAIL#FAILED`;
//! - e-mails carrying a link (invitation, password reset) go straight to
//!   `MAIL#FAILED`: their link cannot be rebuilt; the manager resends the
//!   invitation, the user asks for a new reset link.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use crate::app::{order_lifecycle, purchase_orders};
use crate::domain::OrderStatus;
use crate::emails;
use crate::error::{AppError, AppResult};
use crate::ports::{Condition, Email, Item, Key, QueryRequest, StoreError, Write};
use crate::services::Services;

/// Sends of one e-mail before it is filed as failed.
pub const MAX_ATTEMPTS: u32 = 5;
/// Most e-mails one poll retries.
const RETRY_BATCH: usize = 50;
const PENDING: &str = "MAIL#PENDING";
const FAILED: &str = "MAIL#FAILED";

/// What an e-mail was about: enough to build it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MailJob {
    OrderValidated {
        order_id: String,
    },
    OrderStatus {
        order_id: String,
        status: OrderStatus,
    },
    InvoiceAvailable {
        order_id: String,
    },
    Invitation {
        user_id: String,
    },
    PasswordReset {
        user_id: String,
    },
}

impl MailJob {
    /// Whether the message can be built again later (no one-time link).
    pub fn retryable(&self) -> bool {
        !matches!(self, Self::Invitation { .. } | Self::PasswordReset { .. })
    }
}

/// An e-mail that could not be sent, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnsentMail {
    pub id: String,
    pub job: MailJob,
    pub to: String,
    pub subject: String,
    pub attempts: u32,
    pub last_error: String,
    #[serde(with = "time::serde::rfc3339")]
    pub first_failed_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_failed_at: OffsetDateTime,
}

/// Sends `mail`; on failure records it (see the module) and returns `false`.
pub async fn send(services: &Services, job: MailJob, mail: &Email) -> bool {
    match services.mailer.send(mail).await {
        Ok(_) => true,
        Err(e) => {
            record_failure(services, job, &mail.to, &mail.subject, &e.to_string()).await;
            false
        }
    }
}

/// Builds the message of an order job and sends it (see [`send`]); a job
/// whose message cannot be built now (the store or the PDF failing) is
/// recorded the same way, to be built and sent by a later poll.
pub async fn send_job(services: &Services, job: MailJob) -> bool {
    match build(services, &job).await {
        Ok(mail) => send(services, job, &mail).await,
        Err(e) => {
            record_failure(services, job, "", "", &e.to_string()).await;
            false
        }
    }
}

async fn build(services: &Services, job: &MailJob) -> AppResult<Email> {
    let public_url = &services.config.public_url;
    match job {
        MailJob::OrderValidated { order_id } => {
            let order = order_lifecycle::load(services, order_id).await?;
            let pdf = purchase_orders::render(services, &order).await?;
            Ok(emails::order_validated(&order, pdf, public_url))
        }
        MailJob::OrderStatus { order_id, status } => {
            let order = order_lifecycle::load(services, order_id).await?;
            Ok(emails::order_status(&order, *status, public_url))
        }
        MailJob::InvoiceAvailable { order_id } => {
            let order = order_lifecycle::load(services, order_id).await?;
            Ok(emails::invoice_available(&order, public_url))
        }
        MailJob::Invitation { .. } | MailJob::PasswordReset { .. } => Err(AppError::Unexpected(
            "an e-mail with a one-time link cannot be built again".into(),
        )),
    }
}

fn item(partition: &str, mail: &UnsentMail) -> Result<Item, StoreError> {
    let attrs = match serde_json::to_value(mail) {
        Ok(Value::Object(attrs)) => attrs,
        _ => return Err(StoreError::Corrupt("unsent mail".into())),
    };
    Ok(Item::new(Key::new(partition, &mail.id), attrs))
}

fn parse(item: &Item) -> Result<UnsentMail, StoreError> {
    serde_json::from_value(Value::Object(item.attrs.clone()))
        .map_err(|e| StoreError::Corrupt(format!("unsent mail {}: {e}", item.key.sk)))
}

async fn record_failure(services: &Services, job: MailJob, to: &str, subject: &str, error: &str) {
    let now = services.clock.now();
    let retryable = job.retryable();
    let mail = UnsentMail {
        // Time-ordered ids: the oldest e-mails are retried first.
        id: uuid::Uuid::now_v7().to_string(),
        job,
        to: to.to_owned(),
        subject: subject.to_owned(),
        attempts: 1,
        last_error: error.to_owned(),
        first_failed_at: now,
        last_failed_at: now,
    };
    let partition = if retryable { PENDING } else { FAILED };
    let stored = match item(partition, &mail) {
        Ok(item) => services.table.put(item, Condition::NotExists).await,
        Err(e) => Err(e),
    };
    match stored {
        Ok(()) if retryable => {
            tracing::warn!(mail_id = %mail.id, job = ?mail.job, error, "e-mail not sent: will be retried")
        }
        Ok(()) => {
            tracing::error!(mail_id = %mail.id, job = ?mail.job, error, "e-mail not sent: recorded as failed")
        }
        // The last resort: the log line is the record.
        Err(e) => tracing::error!(
            job = ?mail.job, error, store_error = %e,
            "e-mail not sent and its failure could not be recorded"
        ),
    }
}

/// What one retry round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RetrySummary {
    pub retried: usize,
    pub sent: usize,
    pub given_up: usize,
}

/// Sends the pending e-mails again, oldest first (the status poll's job).
pub async fn retry_pending(services: &Services) -> AppResult<RetrySummary> {
    let page = services
        .table
        .query(QueryRequest::table(PENDING).limit(RETRY_BATCH))
        .await?;
    let mut summary = RetrySummary::default();
    for stored in page.items {
        let mut mail = parse(&stored)?;
        summary.retried += 1;
        let attempt = match build(services, &mail.job).await {
            Ok(email) => services
                .mailer
                .send(&email)
                .await
                .map(|_| email)
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        let read = Condition::equals("attempts", mail.attempts);
        let pending_key = stored.key.clone();
        match attempt {
            Ok(email) => {
                summary.sent += 1;
                tracing::info!(mail_id = %mail.id, to = %email.to, "pending e-mail sent");
                // Sent: no longer pending. A concurrent poll that sent it too
                // fails this condition; the e-mail went out either way. A
                // store failure here means the next poll sends it again:
                // said in the log, since the customer may get it twice.
                match services.table.delete(&pending_key, read).await {
                    Ok(()) | Err(StoreError::ConditionFailed { .. }) => {}
                    Err(e) => tracing::error!(
                        mail_id = %mail.id, error = %e,
                        "sent e-mail still marked pending: the next poll sends it again"
                    ),
                }
            }
            Err(error) => {
                mail.attempts += 1;
                mail.last_error = error;
                mail.last_failed_at = services.clock.now();
                let writes = if mail.attempts >= MAX_ATTEMPTS {
                    summary.given_up += 1;
                    tracing::error!(mail_id = %mail.id, job = ?mail.job, "e-mail given up after {MAX_ATTEMPTS} attempts");
                    vec![
                        Write::Delete {
                            key: pending_key,
                            condition: read,
                        },
                        Write::Put {
                            item: item(FAILED, &mail)?,
                            condition: Condition::NotExists,
                        },
                    ]
                } else {
                    vec![Write::Put {
                        item: item(PENDING, &mail)?,
                        condition: read,
                    }]
                };
                match services.table.transact(writes).await {
                    Ok(())
                    | Err(StoreError::ConditionFailed { .. } | StoreError::TransactionConflict) => {
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    Ok(summary)
}

/// The e-mails waiting to be sent again, and those given up (oldest first).
pub async fn unsent(services: &Services) -> AppResult<(Vec<UnsentMail>, Vec<UnsentMail>)> {
    let mut lists = Vec::with_capacity(2);
    for partition in [PENDING, FAILED] {
        let page = services
            .table
            .query(QueryRequest::table(partition).limit(1_000))
            .await?;
        lists.push(
            page.items
                .iter()
                .map(parse)
                .collect::<Result<Vec<_>, _>>()?,
        );
    }
    let failed = lists.pop().unwrap_or_default();
    let pending = lists.pop().unwrap_or_default();
    Ok((pending, failed))
}

#[cfg(test)]
#[path = "mail_delivery_tests.rs"]
mod tests;
