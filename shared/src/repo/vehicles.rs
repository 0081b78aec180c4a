//! The stock of an account: `ACCOUNT#<account>` / `VEHICLE#<id>`, found by
//! plate through `gsi1` (`ACCOUNT#<account>#PLATE` / `<plate>`) and by source
//! reference through `gsi2` (`ACCOUNT#<account>#REF` / `<source>#<external_ref>`).
//! A vehicle in an active order is `in_order` and names the order; only the
//! order's own writes change it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ports::table::{
    Condition, Index, IndexKey, Item, Key, QueryRequest, StoreError, Table, Write,
};
use crate::repo::Page;
use crate::repo::codec::{from_item, from_stored, from_stored_page, to_attrs};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VehicleStatus {
    InStock,
    InOrder,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vehicle {
    pub id: String,
    pub account_id: String,
    /// `manual`, `csv`, or a stock connector (`radarvo`, `planetvo`, ...).
    pub source: String,
    pub external_ref: Option<String>,
    pub make: String,
    pub model: String,
    /// The trim, as dealers' tools call it ("version" in French).
    pub version: Option<String>,
    /// Normalised plate (`AB123CD`), when known.
    pub plate: Option<String>,
    pub vin: Option<String>,
    #[serde(default)]
    pub mileage_km: Option<u32>,
    #[serde(default)]
    pub first_registration: Option<String>,
    #[serde(default)]
    pub fuel: Option<String>,
    #[serde(default)]
    pub colour: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub photo_url: Option<String>,
    pub status: VehicleStatus,
    /// The active order holding the vehicle, when `in_order`.
    pub order_id: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Optimistic-locking counter (`version` is the trim).
    pub revision: u64,
}

pub fn key(account_id: &str, vehicle_id: &str) -> Key {
    Key::new(
        format!("ACCOUNT#{account_id}"),
        format!("VEHICLE#{vehicle_id}"),
    )
}

#[derive(Clone)]
pub struct Vehicles {
    table: Arc<dyn Table>,
}

impl Vehicles {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    pub fn item(vehicle: &Vehicle) -> Result<Item, StoreError> {
        let mut item = Item::new(key(&vehicle.account_id, &vehicle.id), to_attrs(vehicle)?);
        if let Some(plate) = &vehicle.plate {
            item = item.with_gsi1(IndexKey::new(
                format!("ACCOUNT#{}#PLATE", vehicle.account_id),
                plate.clone(),
            ));
        }
        if let Some(reference) = &vehicle.external_ref {
            item = item.with_gsi2(IndexKey::new(
                format!("ACCOUNT#{}#REF", vehicle.account_id),
                format!("{}#{reference}", vehicle.source),
            ));
        }
        Ok(item)
    }

    pub fn create_write(vehicle: &Vehicle) -> Result<Write, StoreError> {
        Ok(Write::Put {
            item: Self::item(vehicle)?,
            condition: Condition::NotExists,
        })
    }

    /// Replaces a vehicle read at `revision - 1` (bump it before calling).
    pub fn update_write(vehicle: &Vehicle) -> Result<Write, StoreError> {
        Ok(Write::Put {
            item: Self::item(vehicle)?,
            condition: Condition::equals("revision", vehicle.revision.saturating_sub(1)),
        })
    }

    pub async fn create(&self, vehicle: &Vehicle) -> Result<(), StoreError> {
        self.table
            .put(Self::item(vehicle)?, Condition::NotExists)
            .await
    }

    pub async fn update(&self, vehicle: &Vehicle) -> Result<(), StoreError> {
        match Self::update_write(vehicle)? {
            Write::Put { item, condition } => self.table.put(item, condition).await,
            _ => Err(StoreError::Invalid("update is a put".into())),
        }
    }

    pub async fn get(
        &self,
        account_id: &str,
        vehicle_id: &str,
    ) -> Result<Option<Vehicle>, StoreError> {
        self.table
            .get_stored(&key(account_id, vehicle_id))
            .await?
            .map(from_stored)
            .transpose()
    }

    pub async fn get_many(
        &self,
        account_id: &str,
        ids: &[String],
    ) -> Result<Vec<Vehicle>, StoreError> {
        let keys: Vec<Key> = ids.iter().map(|id| key(account_id, id)).collect();
        self.table
            .get_many(&keys)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    /// One page of the account's vehicles, in creation order.
    pub async fn list(
        &self,
        account_id: &str,
        limit: usize,
        cursor: Option<String>,
    ) -> Result<Page<Vehicle>, StoreError> {
        let page = self
            .table
            .query_stored(
                QueryRequest::table(format!("ACCOUNT#{account_id}"))
                    .begins_with("VEHICLE#")
                    .limit(limit)
                    .after(cursor),
            )
            .await?;
        from_stored_page(page)
    }

    pub async fn find_by_plate(
        &self,
        account_id: &str,
        plate: &str,
    ) -> Result<Vec<Vehicle>, StoreError> {
        let page = self
            .table
            .query_stored(
                QueryRequest::index(Index::Gsi1, format!("ACCOUNT#{account_id}#PLATE"))
                    .between(plate, plate)
                    .limit(10),
            )
            .await?;
        Ok(from_stored_page(page)?.items)
    }

    pub async fn find_by_reference(
        &self,
        account_id: &str,
        source: &str,
        external_ref: &str,
    ) -> Result<Option<Vehicle>, StoreError> {
        let wanted = format!("{source}#{external_ref}");
        let page = self
            .table
            .query_stored(
                QueryRequest::index(Index::Gsi2, format!("ACCOUNT#{account_id}#REF"))
                    .between(wanted.clone(), wanted)
                    .limit(1),
            )
            .await?;
        Ok(from_stored_page::<Vehicle>(page)?.items.into_iter().next())
    }
}

/// The account's vehicles sort between these keys (`VEHICLE#<id>`).
const FIRST_VEHICLE_SK: &str = "VEHICLE#";
const PAST_LAST_VEHICLE_SK: &str = "VEHICLE$";

/// Reads for the stock list, imports and syncs.
impl Vehicles {
    /// One page of the account's vehicles, newest first (ids are UUIDv7),
    /// strictly older than the vehicle `before` when given: the stock list
    /// resumes after the last vehicle it examined, wherever that was in a
    /// page of the table.
    pub async fn page_newest_first(
        &self,
        account_id: &str,
        before: Option<&str>,
        limit: usize,
        cursor: Option<String>,
    ) -> Result<Page<Vehicle>, StoreError> {
        let upper = match before {
            Some(id) => format!("{FIRST_VEHICLE_SK}{id}"),
            None => PAST_LAST_VEHICLE_SK.to_owned(),
        };
        let page = self
            .table
            .query_stored(
                QueryRequest::table(format!("ACCOUNT#{account_id}"))
                    .between(FIRST_VEHICLE_SK, upper)
                    .descending()
                    .limit(limit)
                    .after(cursor),
            )
            .await?;
        let mut page: Page<Vehicle> = from_stored_page(page)?;
        // `between` includes its bounds: the `before` vehicle was seen already.
        if let Some(id) = before {
            page.items.retain(|v| v.id != id);
        }
        Ok(page)
    }

    /// Every vehicle of the account, whatever its status: what an import or
    /// a sync compares its records with.
    pub async fn all(&self, account_id: &str) -> Result<Vec<Vehicle>, StoreError> {
        let mut vehicles = Vec::new();
        let mut cursor = None;
        loop {
            let page = self.list(account_id, 1000, cursor).await?;
            vehicles.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(vehicles),
            }
        }
    }
}
