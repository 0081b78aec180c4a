//! What the API shows of an order.

use serde::Serialize;
use time::OffsetDateTime;

use crate::domain::{OrderStatus, Plate};
use crate::repo::orders::{
    Order, OrderEstimate, OrderPlace, OrderSummary, PlaceSummary, TimelineEntry,
};

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OrderVehicleView {
    pub vehicle_id: String,
    pub make: String,
    pub model: String,
    /// Display form (`AB-123-CD`).
    pub plate: String,
    #[schema(required = true)]
    pub vin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct InvoiceView {
    pub available: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub uploaded_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OrderView {
    pub id: String,
    pub number: String,
    pub account_id: String,
    pub account_name: String,
    pub status: OrderStatus,
    /// The status in French, for display.
    #[schema(value_type = String)]
    pub status_label: &'static str,
    #[schema(required = true)]
    pub customer_reference: Option<String>,
    pub created_by_name: String,
    pub vehicles: Vec<OrderVehicleView>,
    pub pickup: OrderPlace,
    pub delivery: OrderPlace,
    pub estimate: OrderEstimate,
    #[schema(required = true)]
    pub erp_order_id: Option<String>,
    pub timeline: Vec<TimelineEntry>,
    pub invoice: InvoiceView,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub validated_at: Option<OffsetDateTime>,
}

/// The plate as people write it; unparsable stored plates are shown as is.
pub fn display_plate(plate: &str) -> String {
    Plate::parse(plate).map_or_else(|_| plate.to_owned(), |p| p.plate.to_string())
}

impl From<&Order> for OrderView {
    fn from(order: &Order) -> Self {
        Self {
            id: order.id.clone(),
            number: order.number.clone(),
            account_id: order.account_id.clone(),
            account_name: order.account_name.clone(),
            status: order.status,
            status_label: order.status.label_fr(),
            customer_reference: order.customer_reference.clone(),
            created_by_name: order.created_by_name.clone(),
            vehicles: order
                .vehicles
                .iter()
                .map(|v| OrderVehicleView {
                    vehicle_id: v.vehicle_id.clone(),
                    make: v.make.clone(),
                    model: v.model.clone(),
                    plate: display_plate(&v.plate),
                    vin: v.vin.clone(),
                })
                .collect(),
            pickup: order.pickup.clone(),
            delivery: order.delivery.clone(),
            estimate: order.estimate.clone(),
            erp_order_id: order.erp_order_id.clone(),
            timeline: order.timeline.clone(),
            invoice: InvoiceView {
                available: order.invoice.is_some(),
                uploaded_at: order.invoice.as_ref().map(|i| i.uploaded_at),
            },
            created_at: order.created_at,
            updated_at: order.updated_at,
            validated_at: order.validated_at,
        }
    }
}

/// An order as lists show it (`GET /api/orders`); the whole order, with
/// its addresses, vehicles and timeline, is `GET /api/orders/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OrderSummaryView {
    pub id: String,
    pub number: String,
    pub account_id: String,
    pub account_name: String,
    pub status: OrderStatus,
    /// The status in French, for display.
    #[schema(value_type = String)]
    pub status_label: &'static str,
    #[schema(required = true)]
    pub customer_reference: Option<String>,
    pub created_by_name: String,
    /// The lot's plates, display form (`AB-123-CD`), in order.
    pub plates: Vec<String>,
    pub pickup: PlaceSummary,
    pub delivery: PlaceSummary,
    pub amount_excl_tax_cents: i64,
    pub vat_cents: i64,
    pub amount_incl_tax_cents: i64,
    #[schema(example = "EUR")]
    pub currency: String,
    #[schema(required = true)]
    pub erp_order_id: Option<String>,
    pub invoice: InvoiceView,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub validated_at: Option<OffsetDateTime>,
    /// Managers only (absent for customers): why the order needs them.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Vec<crate::app::orders::AttentionReason>)]
    pub needs_attention: Option<Vec<&'static str>>,
}

impl OrderSummaryView {
    /// The view of `summary`, with `needs_attention` when given (managers).
    pub fn new(summary: OrderSummary, needs_attention: Option<Vec<&'static str>>) -> Self {
        Self {
            status_label: summary.status.label_fr(),
            plates: summary.plates.iter().map(|p| display_plate(p)).collect(),
            invoice: InvoiceView {
                available: summary.invoice_uploaded_at.is_some(),
                uploaded_at: summary.invoice_uploaded_at,
            },
            id: summary.id,
            number: summary.number,
            account_id: summary.account_id,
            account_name: summary.account_name,
            status: summary.status,
            customer_reference: summary.customer_reference,
            created_by_name: summary.created_by_name,
            pickup: summary.pickup,
            delivery: summary.delivery,
            amount_excl_tax_cents: summary.amount_excl_tax_cents,
            vat_cents: summary.vat_cents,
            amount_incl_tax_cents: summary.amount_incl_tax_cents,
            currency: summary.currency,
            erp_order_id: summary.erp_order_id,
            created_at: summary.created_at,
            updated_at: summary.updated_at,
            validated_at: summary.validated_at,
            needs_attention,
        }
    }
}
