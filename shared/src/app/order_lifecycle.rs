//! What happens to an order after its quote, shared by the HTTP use cases
//! and the status poll: saving a change together with its side items,
//! releasing reserved vehicles, expiring a quote, applying the ERP's news.

use time::OffsetDateTime;

use crate::app::mail_delivery::{self, MailJob};
use crate::domain::OrderStatus;
use crate::emails;
use crate::error::{AppError, AppResult};
use crate::ports::erp::{ErpOrder, ErpStatus};
use crate::ports::{StoreError, Write};
use crate::repo::orders::{Order, Orders};
use crate::repo::vehicles::{VehicleStatus, Vehicles};
use crate::services::Services;

/// The portal's status for the ERP's.
pub fn portal_status(status: ErpStatus) -> OrderStatus {
    match status {
        ErpStatus::Confirmed => OrderStatus::Confirmed,
        ErpStatus::Scheduled => OrderStatus::Scheduled,
        ErpStatus::PickedUp => OrderStatus::PickedUp,
        ErpStatus::InTransit => OrderStatus::InTransit,
        ErpStatus::Delivered => OrderStatus::Delivered,
        ErpStatus::Cancelled => OrderStatus::Cancelled,
    }
}

/// The writes that give the order's reserved vehicles back to the stock.
pub async fn release_writes(
    services: &Services,
    order: &Order,
    now: OffsetDateTime,
) -> AppResult<Vec<Write>> {
    let ids: Vec<String> = order
        .vehicles
        .iter()
        .map(|v| v.vehicle_id.clone())
        .collect();
    let vehicles = services
        .vehicles()
        .get_many(&order.account_id, &ids)
        .await?;
    let mut writes = Vec::new();
    for mut vehicle in vehicles {
        if vehicle.order_id.as_deref() != Some(order.id.as_str()) {
            continue;
        }
        vehicle.order_id = None;
        if vehicle.status == VehicleStatus::InOrder {
            vehicle.status = VehicleStatus::InStock;
        }
        vehicle.updated_at = now;
        vehicle.revision += 1;
        writes.push(Vehicles::update_write(&vehicle)?);
    }
    Ok(writes)
}

/// Saves `order` (read at `revision - 1`) with the side writes, atomically.
/// A failed condition is a `Conflict`: the caller reloads and decides again.
pub async fn save(
    services: &Services,
    order: &Order,
    mut side: Vec<Write>,
) -> Result<(), StoreError> {
    let mut writes = Orders::update_writes(order)?;
    writes.append(&mut side);
    services.table.transact(writes).await
}

pub async fn load(services: &Services, order_id: &str) -> AppResult<Order> {
    services
        .orders()
        .get(order_id)
        .await?
        .ok_or_else(|| AppError::not_found("Cette commande est introuvable."))
}

/// Expires a quote whose validity has passed; returns the order as it is
/// now (unchanged when it was not a stale quote).
pub async fn expire_if_stale(services: &Services, order_id: &str) -> AppResult<Order> {
    for _ in 0..5 {
        let mut order = load(services, order_id).await?;
        let now = services.clock.now();
        if order.status != OrderStatus::Quoted || order.estimate.valid_until > now {
            return Ok(order);
        }
        let mut side = release_writes(services, &order, now).await?;
        side.push(Orders::remove_open_quote(&order));
        order.record(OrderStatus::Expired, now, None);
        order.updated_at = now;
        order.revision += 1;
        match save(services, &order, side).await {
            Ok(()) => return Ok(order),
            Err(StoreError::ConditionFailed { .. } | StoreError::TransactionConflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::conflict(
        "conflict",
        "La commande est très sollicitée : réessayez.",
    ))
}

/// Statuses after which the customer hears from us by e-mail.
fn notifies(status: OrderStatus) -> bool {
    matches!(
        status,
        OrderStatus::Confirmed | OrderStatus::PickedUp | OrderStatus::Delivered
    )
}

/// Applies an ERP status to the order: records every status passed through,
/// releases the vehicles at the end of the transport, and e-mails the
/// customer at the milestones. Returns the number of e-mails sent; a status
/// already known (or behind) changes nothing, so replays are harmless.
pub async fn apply_erp_status(
    services: &Services,
    order_id: &str,
    erp_order_id: Option<&str>,
    status: ErpStatus,
    at: OffsetDateTime,
) -> AppResult<usize> {
    let target = portal_status(status);
    for _ in 0..5 {
        let mut order = load(services, order_id).await?;
        let steps = match order.status.steps_to(target) {
            Ok(steps) => steps,
            // Already there, beyond, or a terminal status: nothing to do.
            Err(_) => return Ok(0),
        };
        if steps.is_empty()
            && erp_order_id.is_none_or(|id| order.erp_order_id.as_deref() == Some(id))
        {
            return Ok(0);
        }
        let now = services.clock.now();
        let mut side = Vec::new();
        if order.erp_order_id.is_none()
            && let Some(id) = erp_order_id
        {
            order.erp_order_id = Some(id.to_owned());
            side.push(Orders::remove_pending_erp(&order));
        }
        for step in &steps {
            order.record(*step, at, None);
        }
        if matches!(target, OrderStatus::Delivered | OrderStatus::Cancelled) {
            side.extend(release_writes(services, &order, now).await?);
        }
        order.updated_at = now;
        order.revision += 1;
        match save(services, &order, side).await {
            Ok(()) => {
                let mut sent = 0;
                for step in steps.iter().copied().filter(|s| notifies(*s)) {
                    let mail = emails::order_status(&order, step, &services.config.public_url);
                    let job = MailJob::OrderStatus {
                        order_id: order.id.clone(),
                        status: step,
                    };
                    if mail_delivery::send(services, job, &mail).await {
                        sent += 1;
                    }
                }
                return Ok(sent);
            }
            Err(StoreError::ConditionFailed { .. } | StoreError::TransactionConflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::conflict(
        "conflict",
        "La commande est très sollicitée : réessayez.",
    ))
}

/// Hands a validated order to the ERP (idempotently: the order id is the
/// idempotency key) and records the ERP's answer. `Ok(None)` when the order
/// no longer needs it.
pub async fn deliver_to_erp(services: &Services, order_id: &str) -> AppResult<Option<ErpOrder>> {
    let order = load(services, order_id).await?;
    if order.erp_order_id.is_some() || order.status != OrderStatus::Validated {
        // Delivered already (or cancelled meanwhile): drop a stale marker.
        if order.status != OrderStatus::Validated || order.erp_order_id.is_some() {
            services
                .table
                .delete(
                    &crate::repo::orders::pending_erp_key(&order),
                    crate::ports::Condition::Always,
                )
                .await?;
        }
        return Ok(None);
    }
    match services
        .erp
        .create_order(&order.estimate.estimate_id, &order.id, &order.id)
        .await
    {
        Ok(erp_order) => {
            apply_erp_status(
                services,
                order_id,
                Some(&erp_order.erp_order_id),
                erp_order.status,
                erp_now(&erp_order, services),
            )
            .await?;
            Ok(Some(erp_order))
        }
        Err(err) => {
            record_erp_failure(services, order_id).await;
            Err(crate::app::quotes::erp_failure(err))
        }
    }
}

fn erp_now(order: &ErpOrder, services: &Services) -> OffsetDateTime {
    order
        .events
        .iter()
        .find(|e| e.status == order.status)
        .map_or_else(|| services.clock.now(), |e| e.at)
}

async fn record_erp_failure(services: &Services, order_id: &str) {
    if let Ok(mut order) = load(services, order_id).await {
        order.erp_attempts += 1;
        order.revision += 1;
        if let Err(e) = services.orders().update(&order).await {
            tracing::debug!(error = %e, order_id, "ERP attempt count not recorded");
        }
    }
}
