//! Quoting a lot: the customer's corrected vehicles and two addresses go to
//! the ERP, which prices them; the order is stored `quoted` with the
//! estimate, its vehicles reserved (`in_order`) and the corrections saved to
//! the stock, all in one transaction.

use std::collections::HashSet;

use serde::Deserialize;

use crate::app::order_views::OrderView;
use crate::app::{Checks, new_id, required};
use crate::domain::{AddressFields, OrderStatus, Plate, Vin};
use crate::error::{AppError, AppResult};
use crate::policy::{Actor, data_account};
use crate::ports::StoreError;
use crate::ports::erp::{ErpAddress, ErpError, ErpVehicle, EstimateRequest};
use crate::repo::orders::{Order, OrderEstimate, OrderPlace, OrderVehicle, Orders};
use crate::repo::users::User;
use crate::repo::vehicles::{Vehicle, VehicleStatus, Vehicles};
use crate::services::Services;

pub const MAX_VEHICLES: usize = 12;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct QuoteVehicleInput {
    /// A vehicle of the caller's stock.
    #[schema(value_type = String, required = true)]
    pub vehicle_id: Option<String>,
    /// As corrected by the user (saved to the stock).
    #[schema(value_type = String, required = true)]
    pub make: Option<String>,
    #[schema(value_type = String, required = true)]
    pub model: Option<String>,
    #[schema(value_type = String, required = true)]
    pub plate: Option<String>,
    pub vin: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct QuoteInput {
    /// 1 to 12 vehicles.
    #[schema(value_type = Vec<QuoteVehicleInput>, required = true, min_items = 1, max_items = 12)]
    pub vehicles: Option<Vec<QuoteVehicleInput>>,
    #[schema(value_type = String, required = true)]
    pub pickup_address_id: Option<String>,
    #[schema(value_type = String, required = true)]
    pub delivery_address_id: Option<String>,
    pub customer_reference: Option<String>,
}

/// Attempts at the quote's transaction when DynamoDB reports a conflict
/// with another transaction on the same items (it never waits for locks).
const TRANSACTION_ATTEMPTS: u32 = 5;

/// One checked line of the lot: the vehicle id and its corrected fields.
struct Line {
    vehicle_id: String,
    make: String,
    model: String,
    plate: String,
    vin: Option<String>,
}

fn check_name(field: String, value: &Option<String>) -> AppResult<String> {
    let text = required(&field, value)?;
    if text.chars().count() > 60 {
        return Err(AppError::invalid(field, "60 caractères au plus."));
    }
    Ok(text.to_owned())
}

fn check_lines(input: &QuoteInput) -> AppResult<Vec<Line>> {
    let Some(vehicles) = input.vehicles.as_ref().filter(|v| !v.is_empty()) else {
        return Err(AppError::invalid(
            "vehicles",
            "Choisissez au moins un véhicule.",
        ));
    };
    if vehicles.len() > MAX_VEHICLES {
        return Err(AppError::invalid(
            "vehicles",
            format!("Un lot compte au plus {MAX_VEHICLES} véhicules."),
        ));
    }
    let mut checks = Checks::default();
    let mut lines = Vec::new();
    let mut seen = HashSet::new();
    let mut plates: HashSet<String> = HashSet::new();
    for (i, v) in vehicles.iter().enumerate() {
        let id = checks
            .take(required(&format!("vehicles[{i}].vehicle_id"), &v.vehicle_id).map(str::to_owned));
        if let Some(id) = &id
            && !seen.insert(id.clone())
        {
            checks.take::<()>(Err(AppError::invalid(
                format!("vehicles[{i}].vehicle_id"),
                "Ce véhicule figure deux fois dans le lot.",
            )));
        }
        let make = checks.take(check_name(format!("vehicles[{i}].make"), &v.make));
        let model = checks.take(check_name(format!("vehicles[{i}].model"), &v.model));
        let plate_field = format!("vehicles[{i}].plate");
        let plate = checks.take(
            required(&plate_field, &v.plate)
                .and_then(|p| {
                    Plate::parse(p).map_err(|e| AppError::invalid(&plate_field, e.to_string()))
                })
                .map(|parsed| parsed.plate.as_str().to_owned()),
        );
        let vin = match v.vin.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(None),
            Some(text) => checks.take(
                Vin::parse(text)
                    .map(|parsed| Some(parsed.vin.as_str().to_owned()))
                    .map_err(|e| AppError::invalid(format!("vehicles[{i}].vin"), e.to_string())),
            ),
        };
        if let Some(plate) = &plate
            && !plates.insert(plate.clone())
        {
            checks.take::<()>(Err(AppError::invalid(
                plate_field.clone(),
                "Deux véhicules du lot ont cette immatriculation.",
            )));
        }
        if let (Some(vehicle_id), Some(make), Some(model), Some(plate), Some(vin)) =
            (id, make, model, plate, vin)
        {
            lines.push(Line {
                vehicle_id,
                make,
                model,
                plate,
                vin,
            });
        }
    }
    checks.finish()?;
    Ok(lines)
}

fn erp_address(fields: &AddressFields) -> ErpAddress {
    ErpAddress {
        company: fields.company.clone(),
        street: fields.street.clone(),
        postal_code: fields.postal_code.as_str().to_owned(),
        city: fields.city.clone(),
        country: fields.country.as_str().to_owned(),
        contact_name: fields.contact_name.clone(),
        contact_phone: fields.contact_phone.clone(),
        instructions: fields.instructions.clone(),
    }
}

pub(crate) fn erp_failure(err: ErpError) -> AppError {
    match err {
        ErpError::Rejected { message, .. } if message.starts_with("unsupported_area") => {
            AppError::bad_request(
                "unsupported_area",
                "STVA ne peut pas chiffrer ce trajet : l'enlèvement et la livraison doivent être en France métropolitaine.",
            )
        }
        ErpError::Rejected { message, .. } => {
            tracing::warn!(%message, "ERP refused a request");
            AppError::bad_request(
                "erp_rejected",
                "L'ERP STVA a refusé la demande : vérifiez le lot et les adresses, ou contactez STVA.",
            )
        }
        ErpError::EstimateExpired => AppError::conflict(
            "quote_expired",
            "Ce devis a expiré : demandez un nouveau devis.",
        ),
        other @ (ErpError::Unavailable(_) | ErpError::Malformed(_)) => AppError::Upstream {
            service: "erp",
            message: other.to_string(),
        },
    }
}

async fn place(
    services: &Services,
    account_id: &str,
    field: &str,
    id: &Option<String>,
) -> AppResult<OrderPlace> {
    let address_id = required(field, id)?;
    match services.addresses().get(account_id, address_id).await? {
        Some(address) => Ok(OrderPlace {
            address_id: address.id,
            fields: address.fields,
        }),
        None => Err(AppError::invalid(
            field,
            "Cette adresse n'existe pas dans votre carnet.",
        )),
    }
}

/// `POST /api/quotes`.
pub async fn quote(
    services: &Services,
    actor: &Actor,
    user: &User,
    input: QuoteInput,
) -> AppResult<OrderView> {
    if actor.is_manager() {
        return Err(AppError::Forbidden);
    }
    let account_id = data_account(actor, None)?;
    let lines = check_lines(&input)?;
    let customer_reference = input
        .customer_reference
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    if customer_reference
        .as_ref()
        .is_some_and(|r| r.chars().count() > 60)
    {
        return Err(AppError::invalid(
            "customer_reference",
            "60 caractères au plus.",
        ));
    }
    let mut checks = Checks::default();
    let pickup = checks.take(
        place(
            services,
            &account_id,
            "pickup_address_id",
            &input.pickup_address_id,
        )
        .await,
    );
    let delivery = checks.take(
        place(
            services,
            &account_id,
            "delivery_address_id",
            &input.delivery_address_id,
        )
        .await,
    );
    if let (Some(p), Some(d)) = (&pickup, &delivery)
        && p.address_id == d.address_id
    {
        checks.take::<()>(Err(AppError::invalid(
            "delivery_address_id",
            "L'adresse de livraison doit différer de l'adresse d'enlèvement.",
        )));
    }
    checks.finish()?;
    let (Some(pickup), Some(delivery)) = (pickup, delivery) else {
        return Err(AppError::Unexpected("checked addresses missing".into()));
    };
    let account = crate::app::accounts::require(services, &account_id).await?;

    // The lot's vehicles must be the account's and free.
    let ids: Vec<String> = lines.iter().map(|l| l.vehicle_id.clone()).collect();
    let stock = services.vehicles().get_many(&account_id, &ids).await?;
    let mut vehicles = Vec::new();
    let mut checks = Checks::default();
    for (i, line) in lines.iter().enumerate() {
        match stock.iter().find(|v| v.id == line.vehicle_id) {
            None => {
                checks.take::<()>(Err(AppError::invalid(
                    format!("vehicles[{i}].vehicle_id"),
                    "Ce véhicule n'est pas dans votre stock.",
                )));
            }
            Some(v) if v.status != VehicleStatus::InStock => {
                return Err(AppError::conflict(
                    "vehicle_unavailable",
                    format!(
                        "Le véhicule {} {} ({}) est déjà dans une commande en cours ou n'est plus en stock.",
                        v.make,
                        v.model,
                        crate::app::order_views::display_plate(v.plate.as_deref().unwrap_or("?"))
                    ),
                ));
            }
            Some(v) => {
                // A corrected plate must not be another vehicle's.
                if v.plate.as_deref() != Some(line.plate.as_str())
                    && let Ok(parsed) = Plate::parse(&line.plate)
                {
                    checks.take(
                        crate::app::vehicles::ensure_plate_free(
                            services,
                            &account_id,
                            &parsed.plate,
                            Some(&v.id),
                        )
                        .await
                        .map_err(|e| match e {
                            AppError::Conflict { detail, .. } => {
                                AppError::invalid(format!("vehicles[{i}].plate"), detail)
                            }
                            other => other,
                        }),
                    );
                }
                vehicles.push(v.clone());
            }
        }
    }
    checks.finish()?;

    let order_id = new_id();
    let request = EstimateRequest {
        reference: order_id.clone(),
        customer_account_id: account_id.clone(),
        customer_name: account.name.clone(),
        vehicles: lines
            .iter()
            .map(|l| ErpVehicle {
                make: l.make.clone(),
                model: l.model.clone(),
                plate: l.plate.clone(),
                vin: l.vin.clone(),
            })
            .collect(),
        pickup: erp_address(&pickup.fields),
        delivery: erp_address(&delivery.fields),
        requested_date: None,
    };
    let estimate = services.erp.estimate(&request).await.map_err(erp_failure)?;
    if estimate.amount_excl_tax_cents < 0
        || estimate.amount_excl_tax_cents + estimate.vat_cents != estimate.amount_incl_tax_cents
    {
        return Err(AppError::Upstream {
            service: "erp",
            message: format!("inconsistent estimate amounts: {estimate:?}"),
        });
    }

    let now = services.clock.now();
    let mut order = Order {
        id: order_id,
        number: String::new(),
        account_id: account_id.clone(),
        account_name: account.name,
        created_by: user.id.clone(),
        created_by_name: user.name.clone(),
        created_by_email: user.email.clone(),
        customer_reference,
        status: OrderStatus::Quoted,
        vehicles: lines
            .iter()
            .map(|l| OrderVehicle {
                vehicle_id: l.vehicle_id.clone(),
                make: l.make.clone(),
                model: l.model.clone(),
                plate: l.plate.clone(),
                vin: l.vin.clone(),
            })
            .collect(),
        pickup,
        delivery,
        estimate: OrderEstimate {
            estimate_id: estimate.estimate_id,
            amount_excl_tax_cents: estimate.amount_excl_tax_cents,
            vat_cents: estimate.vat_cents,
            amount_incl_tax_cents: estimate.amount_incl_tax_cents,
            currency: estimate.currency,
            valid_until: estimate.valid_until,
            distance_km: estimate.distance_km,
        },
        erp_order_id: None,
        timeline: Vec::new(),
        invoice: None,
        created_at: now,
        updated_at: now,
        validated_at: None,
        erp_attempts: 0,
        revision: 1,
    };
    order.record(OrderStatus::Quoted, now, Some(user.name.clone()));

    // Reserve the vehicles with the user's corrections.
    let reserved: Vec<Vehicle> = vehicles
        .into_iter()
        .zip(lines.iter())
        .map(|(mut v, line)| {
            v.make = line.make.clone();
            v.model = line.model.clone();
            v.plate = Some(line.plate.clone());
            if line.vin.is_some() {
                v.vin = line.vin.clone();
            }
            v.status = VehicleStatus::InOrder;
            v.order_id = Some(order.id.clone());
            v.updated_at = now;
            v.revision += 1;
            v
        })
        .collect();

    order.number = services.orders().take_number(now.year()).await?;
    for attempt in 0..TRANSACTION_ATTEMPTS {
        if attempt > 0 {
            // A random pause, its ceiling doubling from 1 ms ("full jitter"),
            // so that the conflicting transactions do not meet again.
            let ceiling = 1_000u64 << attempt;
            tokio::time::sleep(std::time::Duration::from_micros(rand::random_range(
                0..=ceiling,
            )))
            .await;
        }
        let mut writes = Orders::create_writes(&order)?;
        writes.push(Orders::add_open_quote(&order));
        let first_vehicle = writes.len();
        for vehicle in &reserved {
            writes.push(Vehicles::update_write(vehicle)?);
        }
        match services.table.transact(writes).await {
            Ok(()) => return Ok(OrderView::from(&order)),
            Err(StoreError::TransactionConflict) => continue,
            Err(StoreError::ConditionFailed { index: Some(i) }) if i >= first_vehicle => {
                return Err(AppError::conflict(
                    "vehicle_unavailable",
                    "Un véhicule du lot vient d'être modifié ou réservé : rechargez votre stock et réessayez.",
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::conflict(
        "conflict",
        "Le devis n'a pas pu être enregistré : réessayez.",
    ))
}
