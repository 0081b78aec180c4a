//! Orders: `ORDER#<id>` / `ORDER`, listed per account through `gsi1`
//! (`ACCOUNT#<account>#ORDERS` / `<created_at>#<id>`) and across accounts
//! for managers through `gsi2` (`ORDERS` / `<created_at>#<id>`), newest
//! first. Side items that make the scheduled work O(what is due):
//! - `QUOTES#OPEN` / `<valid_until>#<id>`: quotes that will expire;
//! - `ERP#PENDING` / `<validated_at>#<id>`: validated orders not yet
//!   accepted by the ERP (a transactional outbox);
//! - `COUNTER#ORDERS#<year>` / `COUNTER`: the purchase order numbers.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::{AddressFields, OrderStatus};
use crate::ports::table::{
    Condition, Index, IndexKey, Item, Key, QueryRequest, StoreError, Table, Write,
};
use crate::repo::Page;
use crate::repo::codec::{from_item, from_page, to_attrs};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderVehicle {
    pub vehicle_id: String,
    pub make: String,
    pub model: String,
    /// Normalised plate.
    pub plate: String,
    pub vin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrderPlace {
    pub address_id: String,
    #[serde(flatten)]
    pub fields: AddressFields,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrderEstimate {
    pub estimate_id: String,
    pub amount_excl_tax_cents: i64,
    pub vat_cents: i64,
    pub amount_incl_tax_cents: i64,
    #[schema(example = "EUR")]
    pub currency: String,
    #[serde(with = "time::serde::rfc3339")]
    pub valid_until: OffsetDateTime,
    pub distance_km: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub status: OrderStatus,
    pub label: String,
    /// Who acted (a user's name), when a person did.
    #[schema(required = true)]
    pub by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceRef {
    pub key: String,
    pub size: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub uploaded_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub id: String,
    /// The purchase order number, `BC-<year>-<6 digits>`.
    pub number: String,
    pub account_id: String,
    pub account_name: String,
    pub created_by: String,
    pub created_by_name: String,
    pub created_by_email: String,
    pub customer_reference: Option<String>,
    pub status: OrderStatus,
    pub vehicles: Vec<OrderVehicle>,
    pub pickup: OrderPlace,
    pub delivery: OrderPlace,
    pub estimate: OrderEstimate,
    pub erp_order_id: Option<String>,
    pub timeline: Vec<TimelineEntry>,
    pub invoice: Option<InvoiceRef>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub validated_at: Option<OffsetDateTime>,
    /// Failed attempts to hand the validated order to the ERP.
    #[serde(default)]
    pub erp_attempts: u32,
    pub revision: u64,
}

impl Order {
    /// Moves to `status` at `at`, recording it in the timeline.
    pub fn record(&mut self, status: OrderStatus, at: OffsetDateTime, by: Option<String>) {
        self.status = status;
        self.timeline.push(TimelineEntry {
            at,
            status,
            label: status.label_fr().to_owned(),
            by,
        });
    }
}

pub fn key(order_id: &str) -> Key {
    Key::new(format!("ORDER#{order_id}"), "ORDER")
}

fn stamp(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub fn open_quote_key(order: &Order) -> Key {
    Key::new(
        "QUOTES#OPEN",
        format!("{}#{}", stamp(order.estimate.valid_until), order.id),
    )
}

pub fn pending_erp_key(order: &Order) -> Key {
    let at = order.validated_at.unwrap_or(order.updated_at);
    Key::new("ERP#PENDING", format!("{}#{}", stamp(at), order.id))
}

fn marker(key: Key, order_id: &str) -> Item {
    let mut attrs = serde_json::Map::new();
    attrs.insert("order_id".into(), order_id.into());
    Item::new(key, attrs)
}

#[derive(Clone)]
pub struct Orders {
    table: Arc<dyn Table>,
}

impl Orders {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    pub fn item(order: &Order) -> Result<Item, StoreError> {
        let sort = format!("{}#{}", stamp(order.created_at), order.id);
        Ok(Item::new(key(&order.id), to_attrs(order)?)
            .with_gsi1(IndexKey::new(
                format!("ACCOUNT#{}#ORDERS", order.account_id),
                sort.clone(),
            ))
            .with_gsi2(IndexKey::new("ORDERS", sort)))
    }

    pub fn create_write(order: &Order) -> Result<Write, StoreError> {
        Ok(Write::Put {
            item: Self::item(order)?,
            condition: Condition::NotExists,
        })
    }

    /// Replaces an order read at `revision - 1` (bump it before calling).
    pub fn update_write(order: &Order) -> Result<Write, StoreError> {
        Ok(Write::Put {
            item: Self::item(order)?,
            condition: Condition::equals("revision", order.revision.saturating_sub(1)),
        })
    }

    pub fn add_open_quote(order: &Order) -> Write {
        Write::Put {
            item: marker(open_quote_key(order), &order.id),
            condition: Condition::Always,
        }
    }

    pub fn remove_open_quote(order: &Order) -> Write {
        Write::Delete {
            key: open_quote_key(order),
            condition: Condition::Always,
        }
    }

    pub fn add_pending_erp(order: &Order) -> Write {
        Write::Put {
            item: marker(pending_erp_key(order), &order.id),
            condition: Condition::Always,
        }
    }

    pub fn remove_pending_erp(order: &Order) -> Write {
        Write::Delete {
            key: pending_erp_key(order),
            condition: Condition::Always,
        }
    }

    pub async fn get(&self, order_id: &str) -> Result<Option<Order>, StoreError> {
        self.table
            .get(&key(order_id))
            .await?
            .map(from_item)
            .transpose()
    }

    pub async fn update(&self, order: &Order) -> Result<(), StoreError> {
        match Self::update_write(order)? {
            Write::Put { item, condition } => self.table.put(item, condition).await,
            _ => Err(StoreError::Invalid("update is a put".into())),
        }
    }

    /// Newest first: one account's orders, or every account's.
    pub async fn list(
        &self,
        account_id: Option<&str>,
        limit: usize,
        cursor: Option<String>,
    ) -> Result<Page<Order>, StoreError> {
        let request = match account_id {
            Some(account) => QueryRequest::index(Index::Gsi1, format!("ACCOUNT#{account}#ORDERS")),
            None => QueryRequest::index(Index::Gsi2, "ORDERS"),
        };
        let page = self
            .table
            .query(request.descending().limit(limit).after(cursor))
            .await?;
        from_page(page)
    }

    /// Ids in a marker partition whose sort key is at most `until`, oldest first.
    async fn due(
        &self,
        partition: &str,
        until: Option<&str>,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        let mut request = QueryRequest::table(partition).limit(limit);
        if let Some(until) = until {
            // Sort keys start with a year: "0" is below all of them.
            request = request.between("0", until);
        }
        let page = self.table.query(request).await?;
        Ok(page
            .items
            .into_iter()
            .filter_map(|item| {
                item.attrs
                    .get("order_id")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            })
            .collect())
    }

    /// Quotes whose validity ended before `now`.
    pub async fn expired_quotes(
        &self,
        now: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        self.due("QUOTES#OPEN", Some(&stamp(now)), limit).await
    }

    /// Validated orders the ERP has not accepted yet, oldest first.
    pub async fn pending_erp(&self, limit: usize) -> Result<Vec<String>, StoreError> {
        self.due("ERP#PENDING", None, limit).await
    }

    /// The next purchase order number of `year` and the write that takes it
    /// (fails if another order took it first: retry).
    pub async fn next_number(&self, year: i32) -> Result<(String, Write), StoreError> {
        let key = Key::new(format!("COUNTER#ORDERS#{year}"), "COUNTER");
        let current = self
            .table
            .get(&key)
            .await?
            .and_then(|item| item.attrs.get("value").and_then(|v| v.as_u64()));
        let next = current.unwrap_or(0) + 1;
        let mut attrs = serde_json::Map::new();
        attrs.insert("value".into(), next.into());
        let condition = match current {
            Some(value) => Condition::equals("value", value),
            None => Condition::NotExists,
        };
        let write = Write::Put {
            item: Item::new(key, attrs),
            condition,
        };
        Ok((format!("BC-{year}-{next:06}"), write))
    }
}
