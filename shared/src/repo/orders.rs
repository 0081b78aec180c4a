//! Orders: `ORDER#<id>` / `ORDER`, read by key. Each is written together
//! with its summary, `ORDER#<id>` / `SUMMARY`, what the lists show: the
//! summaries alone are in the indexes, per account through `gsi1`
//! (`ACCOUNT#<account>#ORDERS` / `<created_at>#<id>`) and across accounts
//! for managers through `gsi2` (`ORDERS` / `<created_at>#<id>`), newest
//! first, so that a page of 50 reads 50 small items, not 50 whole orders.
//! Side items that make the scheduled work O(what is due):
//! - `QUOTES#OPEN` / `<valid_until>#<id>`: quotes that will expire;
//! - `ERP#PENDING` / `<validated_at>#<id>`: validated orders not yet
//!   accepted by the ERP (a transactional outbox);
//! - `COUNTER#ORDERS#<year>` / `COUNTER`: the purchase order numbers
//!   (`value`, incremented atomically).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::{AddressFields, OrderStatus};
use crate::ports::table::{
    Condition, Index, IndexKey, Item, Key, QueryRequest, StoreError, StoredItem, Table, Write,
};
use crate::repo::Page;
use crate::repo::codec::{from_stored, to_attrs};

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

/// Where an order goes and comes from, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlaceSummary {
    #[schema(example = "69007")]
    pub postal_code: String,
    pub city: String,
}

impl From<&OrderPlace> for PlaceSummary {
    fn from(place: &OrderPlace) -> Self {
        Self {
            postal_code: place.fields.postal_code.as_str().to_owned(),
            city: place.fields.city.clone(),
        }
    }
}

/// What the history, the managers' list and the CSV export need of an
/// order: written with it (see the module's comment), about a fifth of its
/// size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub id: String,
    pub number: String,
    pub account_id: String,
    pub account_name: String,
    pub created_by_name: String,
    pub customer_reference: Option<String>,
    pub status: OrderStatus,
    /// The lot's normalised plates, in order.
    pub plates: Vec<String>,
    pub pickup: PlaceSummary,
    pub delivery: PlaceSummary,
    pub amount_excl_tax_cents: i64,
    pub vat_cents: i64,
    pub amount_incl_tax_cents: i64,
    pub currency: String,
    pub erp_order_id: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub invoice_uploaded_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub validated_at: Option<OffsetDateTime>,
}

impl From<&Order> for OrderSummary {
    fn from(order: &Order) -> Self {
        Self {
            id: order.id.clone(),
            number: order.number.clone(),
            account_id: order.account_id.clone(),
            account_name: order.account_name.clone(),
            created_by_name: order.created_by_name.clone(),
            customer_reference: order.customer_reference.clone(),
            status: order.status,
            plates: order.vehicles.iter().map(|v| v.plate.clone()).collect(),
            pickup: PlaceSummary::from(&order.pickup),
            delivery: PlaceSummary::from(&order.delivery),
            amount_excl_tax_cents: order.estimate.amount_excl_tax_cents,
            vat_cents: order.estimate.vat_cents,
            amount_incl_tax_cents: order.estimate.amount_incl_tax_cents,
            currency: order.estimate.currency.clone(),
            erp_order_id: order.erp_order_id.clone(),
            invoice_uploaded_at: order.invoice.as_ref().map(|i| i.uploaded_at),
            created_at: order.created_at,
            updated_at: order.updated_at,
            validated_at: order.validated_at,
        }
    }
}

pub fn key(order_id: &str) -> Key {
    Key::new(format!("ORDER#{order_id}"), "ORDER")
}

pub fn summary_key(order_id: &str) -> Key {
    Key::new(format!("ORDER#{order_id}"), "SUMMARY")
}

/// A listed item as a summary. Orders stored before summaries existed
/// carry the index keys themselves: they are summarised on the fly until
/// their next write moves the keys to their summary.
fn summary_from_item(item: StoredItem) -> Result<OrderSummary, StoreError> {
    if item.key.sk == "SUMMARY" {
        from_stored(item)
    } else {
        from_stored::<Order>(item).map(|order| OrderSummary::from(&order))
    }
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

    /// The order's item (read by key, in no index).
    pub fn item(order: &Order) -> Result<Item, StoreError> {
        Ok(Item::new(key(&order.id), to_attrs(order)?))
    }

    /// The order's summary item, in the list indexes.
    pub fn summary_item(order: &Order) -> Result<Item, StoreError> {
        let sort = format!("{}#{}", stamp(order.created_at), order.id);
        Ok(Item::new(
            summary_key(&order.id),
            to_attrs(&OrderSummary::from(order))?,
        )
        .with_gsi1(IndexKey::new(
            format!("ACCOUNT#{}#ORDERS", order.account_id),
            sort.clone(),
        ))
        .with_gsi2(IndexKey::new("ORDERS", sort)))
    }

    /// Both items of an order, for bulk loads (seeds, benchmarks).
    pub fn items(order: &Order) -> Result<[Item; 2], StoreError> {
        Ok([Self::item(order)?, Self::summary_item(order)?])
    }

    /// Creates the order and its summary (two writes of a transaction).
    pub fn create_writes(order: &Order) -> Result<Vec<Write>, StoreError> {
        Ok(vec![
            Write::Put {
                item: Self::item(order)?,
                condition: Condition::NotExists,
            },
            Self::summary_write(order)?,
        ])
    }

    /// Replaces an order read at `revision - 1` (bump it before calling),
    /// and its summary (two writes of a transaction).
    pub fn update_writes(order: &Order) -> Result<Vec<Write>, StoreError> {
        Ok(vec![
            Write::Put {
                item: Self::item(order)?,
                condition: Condition::equals("revision", order.revision.saturating_sub(1)),
            },
            Self::summary_write(order)?,
        ])
    }

    /// The summary follows its order, whose condition guards both.
    fn summary_write(order: &Order) -> Result<Write, StoreError> {
        Ok(Write::Put {
            item: Self::summary_item(order)?,
            condition: Condition::Always,
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
            .get_stored(&key(order_id))
            .await?
            .map(from_stored)
            .transpose()
    }

    pub async fn update(&self, order: &Order) -> Result<(), StoreError> {
        self.table.transact(Self::update_writes(order)?).await
    }

    /// Newest first: one account's orders, or every account's.
    pub async fn list(
        &self,
        account_id: Option<&str>,
        limit: usize,
        cursor: Option<String>,
    ) -> Result<Page<OrderSummary>, StoreError> {
        let request = match account_id {
            Some(account) => QueryRequest::index(Index::Gsi1, format!("ACCOUNT#{account}#ORDERS")),
            None => QueryRequest::index(Index::Gsi2, "ORDERS"),
        };
        let page = self
            .table
            .query_stored(request.descending().limit(limit).after(cursor))
            .await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(summary_from_item)
                .collect::<Result<_, _>>()?,
            next_cursor: page.next_cursor,
        })
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

    /// Takes the next purchase order number of `year` with one atomic
    /// increment: concurrent quotes each get their own at once. A quote that
    /// fails after taking one leaves a gap, which purchase orders may have
    /// (unlike invoices, whose numbering is the ERP's).
    pub async fn take_number(&self, year: i32) -> Result<String, StoreError> {
        let key = Key::new(format!("COUNTER#ORDERS#{year}"), "COUNTER");
        let next = self.table.increment(&key, "value", 1).await?;
        Ok(format!("BC-{year}-{next:06}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::sqlite::SqliteTable;
    use serde_json::json;

    fn order(id: &str, account: &str, created_at: &str) -> Order {
        let place = |city: &str, postal_code: &str| {
            json!({"address_id": "adr", "label": "Dépôt", "company": null,
                   "street": "1 rue de la Gare", "postal_code": postal_code, "city": city,
                   "country": "FR", "contact_name": null, "contact_phone": null,
                   "instructions": null})
        };
        serde_json::from_value(json!({
            "id": id, "number": format!("BC-2026-{id}"), "account_id": account,
            "account_name": "Garage Dupont", "created_by": "usr", "created_by_name": "Julie",
            "created_by_email": "julie@garage.fr", "customer_reference": "LOT-1",
            "status": "validated",
            "vehicles": [{"vehicle_id": "v1", "make": "Citroën", "model": "C3",
                          "plate": "CD345EF", "vin": null}],
            "pickup": place("Lyon", "69002"), "delivery": place("Paris", "75012"),
            "estimate": {"estimate_id": "e", "amount_excl_tax_cents": 100,
                         "vat_cents": 20, "amount_incl_tax_cents": 120, "currency": "EUR",
                         "valid_until": created_at, "distance_km": 470},
            "erp_order_id": null, "timeline": [], "invoice": null,
            "created_at": created_at, "updated_at": created_at, "validated_at": created_at,
            "revision": 1
        }))
        .expect("a valid order")
    }

    #[tokio::test]
    async fn lists_read_summaries_and_orders_from_before_them() {
        let dir = tempfile::tempdir().expect("test setup");
        let table: Arc<dyn Table> =
            Arc::new(SqliteTable::open(&dir.path().join("t.sqlite3")).expect("test setup"));
        let orders = Orders::new(table.clone());
        let new = order("new", "acc", "2026-11-30T10:00:00Z");
        table
            .transact(Orders::create_writes(&new).expect("writes"))
            .await
            .expect("created");
        // An order stored before summaries: its own item in the indexes.
        let mut legacy = order("old", "acc", "2026-11-29T10:00:00Z");
        let sort = format!("2026-11-29T10:00:00Z#{}", legacy.id);
        let item = Orders::item(&legacy)
            .expect("item")
            .with_gsi1(IndexKey::new("ACCOUNT#acc#ORDERS", sort.clone()))
            .with_gsi2(IndexKey::new("ORDERS", sort));
        table.put(item, Condition::Always).await.expect("legacy");

        let page = orders.list(Some("acc"), 10, None).await.expect("list");
        let ids: Vec<&str> = page.items.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["new", "old"]);
        assert_eq!(page.items[1], OrderSummary::from(&legacy));
        assert_eq!(page.items[0].plates, ["CD345EF"]);
        assert_eq!(page.items[0].pickup.city, "Lyon");

        // Its next write moves the index keys to its summary: listed once.
        legacy.revision += 1;
        legacy.status = OrderStatus::Confirmed;
        orders.update(&legacy).await.expect("updated");
        let page = orders.list(None, 10, None).await.expect("list");
        let listed: Vec<(&str, OrderStatus)> = page
            .items
            .iter()
            .map(|o| (o.id.as_str(), o.status))
            .collect();
        assert_eq!(
            listed,
            [
                ("new", OrderStatus::Validated),
                ("old", OrderStatus::Confirmed)
            ]
        );
        assert_eq!(orders.get("old").await.expect("get"), Some(legacy));
    }
}
