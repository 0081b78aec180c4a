//! The JSON bodies of the contract (`docs/erp-api.yaml`), as the simulator
//! reads and writes them. Deliberately separate from the portal's port
//! types: the simulator plays the ERP, it does not share the client's code.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Transport statuses, in the order an order goes through them (then
/// `cancelled`, which can interrupt the chain before the pickup).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Confirmed,
    Scheduled,
    PickedUp,
    InTransit,
    Delivered,
    Cancelled,
}

impl Status {
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Confirmed => "confirmed",
            Status::Scheduled => "scheduled",
            Status::PickedUp => "picked_up",
            Status::InTransit => "in_transit",
            Status::Delivered => "delivered",
            Status::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VehicleIn {
    pub make: String,
    pub model: String,
    pub plate: String,
    #[serde(default)]
    pub vin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressIn {
    #[serde(default)]
    pub company: Option<String>,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
    #[serde(default)]
    pub contact_name: Option<String>,
    #[serde(default)]
    pub contact_phone: Option<String>,
    #[serde(default)]
    pub instructions: Option<String>,
}

/// `POST /v1/estimates`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EstimateIn {
    pub reference: String,
    pub customer_account_id: String,
    pub customer_name: String,
    pub vehicles: Vec<VehicleIn>,
    pub pickup: AddressIn,
    pub delivery: AddressIn,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub requested_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineOut {
    pub position: usize,
    pub plate: String,
    pub discount_percent: i64,
    pub amount_excl_tax_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EstimateOut {
    pub estimate_id: String,
    pub reference: String,
    pub amount_excl_tax_cents: i64,
    pub vat_cents: i64,
    pub amount_incl_tax_cents: i64,
    pub currency: String,
    pub distance_km: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub valid_until: OffsetDateTime,
    pub pickup_department: String,
    pub delivery_department: String,
    pub lines: Vec<LineOut>,
}

/// `POST /v1/orders`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderIn {
    pub estimate_id: String,
    pub reference: String,
}

/// `POST /v1/orders/{id}/cancel`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelIn {
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventOut {
    pub status: Status,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderOut {
    pub erp_order_id: String,
    pub reference: String,
    pub estimate_id: String,
    pub status: Status,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub distance_km: u32,
    /// When the ERP expects the delivery; absent once cancelled.
    #[serde(with = "time::serde::rfc3339::option")]
    pub estimated_delivery_at: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
    /// Every status reached, oldest first.
    pub events: Vec<EventOut>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeOut {
    /// The cursor just after this change.
    pub cursor: String,
    pub erp_order_id: String,
    pub reference: String,
    pub status: Status,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// `GET /v1/changes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangesOut {
    pub changes: Vec<ChangeOut>,
    /// Pass it back as `after` on the next read, even when `changes` is
    /// empty.
    pub cursor: String,
    pub has_more: bool,
}

/// Every error answer: `{code, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorOut {
    pub code: String,
    pub message: String,
}

/// An error answer of the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(422, "invalid_request", message)
    }

    pub fn body(&self) -> ErrorOut {
        ErrorOut {
            code: self.code.to_owned(),
            message: self.message.clone(),
        }
    }
}
