//! Validating a purchase order: `quoted -> validated` with one conditional
//! write (which also queues the order for the ERP), then the order is handed
//! to the ERP with its id as the idempotency key. Repeats, concurrent clicks
//! and ERP faults end with exactly one ERP order: a failed hand-over stays
//! queued and the status poll retries it.

use serde::Deserialize;

use crate::app::mail_delivery::{self, MailJob};
use crate::app::order_lifecycle::{self, load, save};
use crate::app::order_views::OrderView;
use crate::domain::OrderStatus;
use crate::error::{AppError, AppResult};
use crate::policy::{Action, Actor, authorize};
use crate::ports::StoreError;
use crate::repo::orders::{Order, Orders};
use crate::repo::users::User;
use crate::services::Services;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ValidateInput {
    /// Must be `true`: the customer accepts the terms of sale.
    #[schema(value_type = bool, required = true)]
    pub accept_terms: Option<bool>,
}

/// The order, if the caller's account owns it (others get a 404).
pub async fn owned_order(services: &Services, actor: &Actor, order_id: &str) -> AppResult<Order> {
    let order = load(services, order_id).await?;
    authorize(
        actor,
        Action::UseAccountData {
            account_id: &order.account_id,
        },
    )
    .map_err(|_| AppError::not_found("Cette commande est introuvable."))?;
    Ok(order)
}

pub async fn validate(
    services: &Services,
    actor: &Actor,
    user: &User,
    order_id: &str,
    input: ValidateInput,
) -> AppResult<OrderView> {
    owned_order(services, actor, order_id).await?;
    if actor.is_manager() {
        return Err(AppError::Forbidden);
    }
    if input.accept_terms != Some(true) {
        return Err(AppError::invalid(
            "accept_terms",
            "Acceptez les conditions générales pour valider la commande.",
        ));
    }
    let mut first_validation = false;
    for _ in 0..5 {
        let mut order = order_lifecycle::expire_if_stale(services, order_id).await?;
        match order.status {
            OrderStatus::Quoted => {}
            OrderStatus::Expired => {
                return Err(AppError::conflict(
                    "quote_expired",
                    "Ce devis a expiré : demandez un nouveau devis pour ces véhicules.",
                ));
            }
            OrderStatus::Cancelled => {
                return Err(AppError::conflict(
                    "order_cancelled",
                    "Cette commande a été annulée.",
                ));
            }
            // Validated already (a repeat or a concurrent click).
            _ => break,
        }
        let now = services.clock.now();
        order.validated_at = Some(now);
        order.record(OrderStatus::Validated, now, Some(user.name.clone()));
        order.updated_at = now;
        order.revision += 1;
        let side = vec![
            Orders::remove_open_quote(&order),
            Orders::add_pending_erp(&order),
        ];
        match save(services, &order, side).await {
            Ok(()) => {
                first_validation = true;
                break;
            }
            Err(StoreError::ConditionFailed { .. } | StoreError::TransactionConflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    if first_validation {
        send_confirmation(services, order_id).await;
    }
    // Hand it to the ERP now; on failure the poll retries, the order is safe.
    if let Err(err) = order_lifecycle::deliver_to_erp(services, order_id).await {
        tracing::warn!(error = %err, order_id, "ERP hand-over deferred to the status poll");
    }
    Ok(OrderView::from(&load(services, order_id).await?))
}

/// The validation e-mail with the purchase order; kept for a later poll
/// when it cannot go now (`mail_delivery`).
async fn send_confirmation(services: &Services, order_id: &str) {
    let job = MailJob::OrderValidated {
        order_id: order_id.to_owned(),
    };
    mail_delivery::send_job(services, job).await;
}
