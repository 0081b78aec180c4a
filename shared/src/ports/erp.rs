//! STVA's ERP: prices lots and runs transports. The portal talks to it only
//! through this port; the HTTP adapter (`adapters::erp_http`) implements the
//! contract of `docs/erp-api.yaml`, and `infra/erp-simulator` plays the ERP
//! in local runs and tests.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// A vehicle of a lot, as the ERP needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErpVehicle {
    pub make: String,
    pub model: String,
    /// Normalised plate (`AB123CD`).
    pub plate: String,
    pub vin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErpAddress {
    pub company: Option<String>,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    /// ISO 3166 alpha-2.
    pub country: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub instructions: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EstimateRequest {
    /// The portal's order id, echoed back in the ERP's records and feed.
    pub reference: String,
    pub customer_account_id: String,
    pub customer_name: String,
    pub vehicles: Vec<ErpVehicle>,
    pub pickup: ErpAddress,
    pub delivery: ErpAddress,
    pub requested_date: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Estimate {
    pub estimate_id: String,
    pub amount_excl_tax_cents: i64,
    pub vat_cents: i64,
    pub amount_incl_tax_cents: i64,
    /// Always `EUR`.
    pub currency: String,
    #[serde(with = "time::serde::rfc3339")]
    pub valid_until: OffsetDateTime,
    pub distance_km: u32,
}

/// Transport statuses as the ERP reports them (a subset of the portal's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErpStatus {
    Confirmed,
    Scheduled,
    PickedUp,
    InTransit,
    Delivered,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErpEvent {
    pub status: ErpStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErpOrder {
    pub erp_order_id: String,
    pub reference: String,
    pub estimate_id: String,
    pub status: ErpStatus,
    /// Every status the order went through, oldest first.
    pub events: Vec<ErpEvent>,
}

/// One entry of the change feed: an order reached a status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub erp_order_id: String,
    pub reference: String,
    pub status: ErpStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePage {
    pub changes: Vec<StatusChange>,
    /// Where the next read starts; pass it back even when `changes` is empty.
    pub cursor: String,
    pub has_more: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ErpError {
    /// The ERP refused the request (4xx): retrying the same will not help.
    #[error("ERP refused the request ({status}): {message}")]
    Rejected { status: u16, message: String },
    /// The estimate no longer exists or expired on the ERP's side.
    #[error("ERP estimate expired or unknown")]
    EstimateExpired,
    /// Timeouts, connection failures, 429 and 5xx after the client's retries.
    #[error("ERP unavailable: {0}")]
    Unavailable(String),
    /// The ERP answered something that does not follow the contract.
    #[error("ERP answer malformed: {0}")]
    Malformed(String),
}

#[async_trait]
pub trait Erp: Send + Sync {
    async fn estimate(&self, request: &EstimateRequest) -> Result<Estimate, ErpError>;

    /// Creates the transport order from an estimate. The idempotency key
    /// makes repeats (retries, double clicks, the poll's re-sends) return
    /// the same ERP order instead of creating another.
    async fn create_order(
        &self,
        estimate_id: &str,
        reference: &str,
        idempotency_key: &str,
    ) -> Result<ErpOrder, ErpError>;

    async fn order(&self, erp_order_id: &str) -> Result<ErpOrder, ErpError>;

    /// Tells the ERP the customer or STVA cancelled the order.
    async fn cancel_order(&self, erp_order_id: &str, reason: &str) -> Result<ErpOrder, ErpError>;

    /// Status changes after `cursor` (from the start when `None`), oldest
    /// first, at most `limit`.
    async fn changes(&self, cursor: Option<&str>, limit: u32) -> Result<ChangePage, ErpError>;
}
