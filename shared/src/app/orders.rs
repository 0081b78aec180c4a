//! The order history: list with filters, one order, cancellation, and the
//! CSV export for accounting.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::app::order_lifecycle::{self, load, save};
use crate::app::order_views::{OrderSummaryView, OrderView, display_plate};
use crate::app::validation::owned_order;
use crate::domain::OrderStatus;
use crate::error::{AppError, AppResult};
use crate::policy::{Actor, data_account};
use crate::ports::StoreError;
use crate::repo::orders::{Order, OrderSummary, Orders};
use crate::repo::{Page, page_size};
use crate::services::Services;

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderQuery {
    /// Managers: one account's orders (customers: their own only).
    pub account_id: Option<String>,
    #[param(value_type = Option<OrderStatus>)]
    pub status: Option<String>,
    /// Matches the order number, customer reference, plates, account.
    pub q: Option<String>,
    /// Created on or after this date (`YYYY-MM-DD`).
    #[param(format = Date)]
    pub from: Option<String>,
    /// Created on or before this date (`YYYY-MM-DD`).
    #[param(format = Date)]
    pub to: Option<String>,
    /// `true`: only the orders needing a manager's attention (managers only).
    #[param(value_type = Option<bool>)]
    pub attention: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    #[serde(default, deserialize_with = "super::page_limit")]
    pub limit: Option<usize>,
}

struct Filter {
    status: Option<OrderStatus>,
    text: Option<String>,
    from: Option<time::Date>,
    to: Option<time::Date>,
    /// Only orders with a reason for attention as of this instant.
    attention: Option<OffsetDateTime>,
}

/// How long a validated order may wait for the ERP (its order id, then its
/// confirmation) before a manager should look at it.
pub const ATTENTION_AFTER: Duration = Duration::minutes(30);

/// Why an order needs a manager's attention at `now`, as stable codes:
/// - `awaiting_erp`: validated more than 30 minutes ago and still without
///   an ERP order id (the ERP never accepted it);
/// - `awaiting_confirmation`: the ERP has it but has not confirmed it 30
///   minutes after validation;
/// - `invoice_missing`: delivered, and no invoice published.
pub fn attention_reasons(order: &Order, now: OffsetDateTime) -> Vec<&'static str> {
    summary_attention_reasons(&OrderSummary::from(order), now)
}

/// [`attention_reasons`] of a listed order: the summary holds what they
/// depend on.
pub fn summary_attention_reasons(order: &OrderSummary, now: OffsetDateTime) -> Vec<&'static str> {
    attention(order, now)
        .into_iter()
        .map(AttentionReason::as_str)
        .collect()
}

/// Why an order needs a manager's attention (`needs_attention`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttentionReason {
    /// Validated 30 minutes ago or more, and the ERP has no order id yet.
    AwaitingErp,
    /// The ERP has it but has not confirmed it 30 minutes after validation.
    AwaitingConfirmation,
    /// Delivered, without an invoice.
    InvoiceMissing,
}

impl AttentionReason {
    pub const fn as_str(self) -> &'static str {
        match self {
            AttentionReason::AwaitingErp => "awaiting_erp",
            AttentionReason::AwaitingConfirmation => "awaiting_confirmation",
            AttentionReason::InvoiceMissing => "invoice_missing",
        }
    }
}

fn attention(order: &OrderSummary, now: OffsetDateTime) -> Vec<AttentionReason> {
    let mut reasons = Vec::new();
    if order.status == OrderStatus::Validated {
        let since = order.validated_at.unwrap_or(order.updated_at);
        if now - since >= ATTENTION_AFTER {
            reasons.push(if order.erp_order_id.is_none() {
                AttentionReason::AwaitingErp
            } else {
                AttentionReason::AwaitingConfirmation
            });
        }
    }
    if order.status == OrderStatus::Delivered && order.invoice_uploaded_at.is_none() {
        reasons.push(AttentionReason::InvoiceMissing);
    }
    reasons
}

/// An order as the orders function answers it: managers also see why it
/// needs their attention (`needs_attention`, empty when all is well);
/// customers never get the field.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ManagedOrderView {
    #[serde(flatten)]
    pub order: OrderView,
    /// Managers only (absent for customers): why the order needs them.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Vec<AttentionReason>)]
    pub needs_attention: Option<Vec<&'static str>>,
}

impl ManagedOrderView {
    pub fn new(actor: &Actor, order: &Order, now: OffsetDateTime) -> Self {
        Self {
            order: OrderView::from(order),
            needs_attention: actor.is_manager().then(|| attention_reasons(order, now)),
        }
    }
}

fn parse_flag(field: &str, value: &Option<String>) -> AppResult<bool> {
    // A parameter that is given must be valid, blank included: the
    // document says boolean, and the frontend leaves empty filters out.
    match value.as_deref().map(str::trim) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(AppError::invalid(field, "Valeur attendue : true ou false.")),
    }
}

fn parse_date(field: &str, value: &Option<String>) -> AppResult<Option<time::Date>> {
    // Blank is not a date (the document says `format: date`).
    let Some(text) = value.as_deref().map(str::trim) else {
        return Ok(None);
    };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format)
        .map(Some)
        .map_err(|_| AppError::invalid(field, "Date attendue au format AAAA-MM-JJ."))
}

fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl Filter {
    fn parse(query: &OrderQuery, actor: &Actor, now: OffsetDateTime) -> AppResult<Self> {
        let attention = parse_flag("attention", &query.attention)?;
        if attention && !actor.is_manager() {
            return Err(AppError::Forbidden);
        }
        // Blank is not a status (the document lists them as an enum).
        let status = match query.status.as_deref().map(str::trim) {
            None => None,
            Some(text) => Some(text.parse::<OrderStatus>().map_err(|_| {
                AppError::invalid(
                    "status",
                    "Statut inconnu (quoted, validated, confirmed, ...).",
                )
            })?),
        };
        Ok(Self {
            status,
            text: query.q.as_deref().map(normalise).filter(|s| !s.is_empty()),
            from: parse_date("from", &query.from)?,
            to: parse_date("to", &query.to)?,
            attention: attention.then_some(now),
        })
    }

    fn matches(&self, order: &OrderSummary) -> bool {
        let date = order.created_at.date();
        self.status.is_none_or(|s| order.status == s)
            && self.from.is_none_or(|d| date >= d)
            && self.to.is_none_or(|d| date <= d)
            && self
                .attention
                .is_none_or(|now| !attention(order, now).is_empty())
            && self.text.as_ref().is_none_or(|text| {
                normalise(&order.number).contains(text)
                    || order
                        .customer_reference
                        .as_deref()
                        .is_some_and(|r| normalise(r).contains(text))
                    || order.plates.iter().any(|p| normalise(p).contains(text))
                    || normalise(&order.account_name).contains(text)
            })
    }
}

/// Most stored orders one request examines to fill a filtered page.
const MAX_SCANNED: usize = 2_000;

/// A page of orders matching the filter. Each query asks for no more than
/// the page still needs, so the store's cursor is always exact.
async fn filtered(
    services: &Services,
    account: Option<&str>,
    filter: &Filter,
    limit: usize,
    mut cursor: Option<String>,
) -> AppResult<Page<OrderSummary>> {
    let orders = services.orders();
    let mut items = Vec::new();
    let mut scanned = 0;
    loop {
        let page = orders
            .list(account, limit - items.len(), cursor.clone())
            .await?;
        scanned += page.items.len();
        items.extend(page.items.into_iter().filter(|o| filter.matches(o)));
        cursor = page.next_cursor;
        if items.len() >= limit || cursor.is_none() || scanned >= MAX_SCANNED {
            return Ok(Page {
                items,
                next_cursor: cursor,
            });
        }
    }
}

/// Whose orders: every account's for a manager who names none, else one
/// existing account the caller may see.
async fn scope(
    services: &Services,
    actor: &Actor,
    requested: Option<&str>,
) -> AppResult<Option<String>> {
    if actor.is_manager() && requested.is_none() {
        return Ok(None);
    }
    let account = data_account(actor, requested)?;
    crate::app::accounts::require(services, &account).await?;
    Ok(Some(account))
}

pub async fn list(
    services: &Services,
    actor: &Actor,
    query: OrderQuery,
) -> AppResult<Page<OrderSummaryView>> {
    let now = services.clock.now();
    let filter = Filter::parse(&query, actor, now)?;
    let account = scope(services, actor, query.account_id.as_deref()).await?;
    let page = filtered(
        services,
        account.as_deref(),
        &filter,
        page_size(query.limit),
        query.cursor.clone(),
    )
    .await?;
    let manager = actor.is_manager();
    Ok(page.map(|o| {
        let reasons = manager.then(|| summary_attention_reasons(&o, now));
        OrderSummaryView::new(o, reasons)
    }))
}

pub async fn get(
    services: &Services,
    actor: &Actor,
    order_id: &str,
) -> AppResult<ManagedOrderView> {
    owned_order(services, actor, order_id).await?;
    let order = order_lifecycle::expire_if_stale(services, order_id).await?;
    Ok(ManagedOrderView::new(actor, &order, services.clock.now()))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CancelInput {
    /// Shown in the timeline (`<name> : <reason>`).
    pub reason: Option<String>,
}

/// Customers cancel their quotes; managers cancel any order not yet
/// picked up (the ERP is told when it knows the order).
pub async fn cancel(
    services: &Services,
    actor: &Actor,
    by: &str,
    order_id: &str,
    input: CancelInput,
) -> AppResult<ManagedOrderView> {
    owned_order(services, actor, order_id).await?;
    let reason = input
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    for _ in 0..5 {
        let mut order = order_lifecycle::expire_if_stale(services, order_id).await?;
        let allowed = if actor.is_manager() {
            order.status.can_transition_to(OrderStatus::Cancelled)
        } else {
            order.status == OrderStatus::Quoted
        };
        if !allowed {
            return Err(if actor.is_manager() || order.status.is_terminal() {
                AppError::conflict(
                    "order_not_cancellable",
                    format!(
                        "Une commande « {} » ne peut plus être annulée.",
                        order.status.label_fr()
                    ),
                )
            } else {
                AppError::conflict(
                    "order_not_cancellable",
                    "Une commande validée ne peut être annulée que par STVA : contactez votre gestionnaire.",
                )
            });
        }
        if let Some(erp_order_id) = &order.erp_order_id {
            services
                .erp
                .cancel_order(
                    erp_order_id,
                    reason.as_deref().unwrap_or("Annulée par STVA"),
                )
                .await
                .map_err(crate::app::quotes::erp_failure)?;
        }
        let now = services.clock.now();
        let mut side = order_lifecycle::release_writes(services, &order, now).await?;
        side.push(Orders::remove_open_quote(&order));
        side.push(Orders::remove_pending_erp(&order));
        let who = match &reason {
            Some(reason) => format!("{by} : {reason}"),
            None => by.to_owned(),
        };
        order.record(OrderStatus::Cancelled, now, Some(who));
        order.updated_at = now;
        order.revision += 1;
        match save(services, &order, side).await {
            Ok(()) => return Ok(ManagedOrderView::new(actor, &order, now)),
            Err(StoreError::ConditionFailed { .. } | StoreError::TransactionConflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::conflict(
        "conflict",
        "La commande est très sollicitée : réessayez.",
    ))
}

fn csv_field(text: &str) -> String {
    // Neutralise spreadsheet formulas and quote every field.
    let safe = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", safe.replace('"', "\"\""))
}

fn euros(cents: i64) -> String {
    format!("{},{:02}", cents / 100, (cents % 100).abs())
}

fn date(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!("[day]/[month]/[year]");
    at.format(&format).unwrap_or_default()
}

/// The filtered history as CSV (`;`, UTF-8 with BOM, as French
/// spreadsheets expect), at most 10,000 orders.
pub async fn export_csv(
    services: &Services,
    actor: &Actor,
    query: OrderQuery,
) -> AppResult<String> {
    let filter = Filter::parse(&query, actor, services.clock.now())?;
    let account = scope(services, actor, query.account_id.as_deref()).await?;
    let mut out = String::from("\u{feff}");
    out.push_str("Numéro;Date;Compte;Référence client;Statut;Véhicules;Immatriculations;Enlèvement;Livraison;Total HT (EUR);TVA (EUR);Total TTC (EUR);Facture\r\n");
    let mut cursor = None;
    let mut count = 0;
    loop {
        let page = filtered(services, account.as_deref(), &filter, 200, cursor).await?;
        for order in &page.items {
            let plates: Vec<String> = order.plates.iter().map(|p| display_plate(p)).collect();
            let row = [
                csv_field(&order.number),
                csv_field(&date(order.created_at)),
                csv_field(&order.account_name),
                csv_field(order.customer_reference.as_deref().unwrap_or("")),
                csv_field(order.status.label_fr()),
                order.plates.len().to_string(),
                csv_field(&plates.join(", ")),
                csv_field(&format!(
                    "{} {}",
                    order.pickup.postal_code, order.pickup.city
                )),
                csv_field(&format!(
                    "{} {}",
                    order.delivery.postal_code, order.delivery.city
                )),
                euros(order.amount_excl_tax_cents),
                euros(order.vat_cents),
                euros(order.amount_incl_tax_cents),
                if order.invoice_uploaded_at.is_some() {
                    "oui"
                } else {
                    "non"
                }
                .to_owned(),
            ];
            out.push_str(&row.join(";"));
            out.push_str("\r\n");
        }
        count += page.items.len();
        match page.next_cursor {
            Some(next) if count < 10_000 => cursor = Some(next),
            _ => return Ok(out),
        }
    }
}

/// The order, for the purchase order PDF.
pub async fn for_document(services: &Services, actor: &Actor, order_id: &str) -> AppResult<Order> {
    owned_order(services, actor, order_id).await?;
    load(services, order_id).await
}
