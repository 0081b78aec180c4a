//! The purchase order (bon de commande) of an order, as a PDF.

use crate::documents::purchase_order::{self, Place, PurchaseOrder, VehicleLine};
use crate::domain::Money;
use crate::error::{AppError, AppResult};
use crate::repo::orders::{Order, OrderPlace};
use crate::services::Services;

fn place(p: &OrderPlace) -> Place<'_> {
    Place {
        label: &p.fields.label,
        company: p.fields.company.as_deref(),
        street: &p.fields.street,
        postal_code: p.fields.postal_code.as_str(),
        city: &p.fields.city,
        country: p.fields.country.as_str(),
        contact_name: p.fields.contact_name.as_deref(),
        contact_phone: p.fields.contact_phone.as_deref(),
        instructions: p.fields.instructions.as_deref(),
    }
}

pub async fn render(services: &Services, order: &Order) -> AppResult<Vec<u8>> {
    let siret = services
        .accounts()
        .get(&order.account_id)
        .await?
        .and_then(|a| a.siret);
    let plates: Vec<String> = order
        .vehicles
        .iter()
        .map(|v| crate::app::order_views::display_plate(&v.plate))
        .collect();
    let lines: Vec<VehicleLine<'_>> = order
        .vehicles
        .iter()
        .zip(plates.iter())
        .map(|(v, plate)| VehicleLine {
            make: &v.make,
            model: &v.model,
            plate,
            vin: v.vin.as_deref(),
        })
        .collect();
    let document = PurchaseOrder {
        order_number: &order.number,
        issued_at: order.validated_at.unwrap_or(order.created_at),
        customer_name: &order.account_name,
        customer_siret: siret.as_deref(),
        customer_reference: order.customer_reference.as_deref(),
        ordered_by: &order.created_by_name,
        pickup: place(&order.pickup),
        delivery: place(&order.delivery),
        vehicles: &lines,
        amount_excl_tax: Money::from_cents(order.estimate.amount_excl_tax_cents),
        vat: Money::from_cents(order.estimate.vat_cents),
        amount_incl_tax: Money::from_cents(order.estimate.amount_incl_tax_cents),
        distance_km: order.estimate.distance_km,
        valid_until: order.estimate.valid_until,
        status_label: order.status.label_fr(),
    };
    purchase_order::render(&document)
        .map_err(|e| AppError::Unexpected(format!("purchase order PDF: {e}")))
}
