//! The address book of an account: `ACCOUNT#<id>` / `ADDRESS#<id>`. The
//! account is part of the key, so another account's address cannot be read
//! or written even by mistake.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::AddressFields;
use crate::ports::table::{Condition, Item, Key, QueryRequest, StoreError, Table};
use crate::repo::Page;
use crate::repo::codec::{from_stored, from_stored_page, to_attrs};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Address {
    pub id: String,
    pub account_id: String,
    #[serde(flatten)]
    pub fields: AddressFields,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Bumped by every change.
    pub version: u64,
}

pub fn key(account_id: &str, address_id: &str) -> Key {
    Key::new(
        format!("ACCOUNT#{account_id}"),
        format!("ADDRESS#{address_id}"),
    )
}

#[derive(Clone)]
pub struct Addresses {
    table: Arc<dyn Table>,
}

impl Addresses {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    fn item(address: &Address) -> Result<Item, StoreError> {
        Ok(Item::new(
            key(&address.account_id, &address.id),
            to_attrs(address)?,
        ))
    }

    pub async fn create(&self, address: &Address) -> Result<(), StoreError> {
        self.table
            .put(Self::item(address)?, Condition::NotExists)
            .await
    }

    pub async fn get(
        &self,
        account_id: &str,
        address_id: &str,
    ) -> Result<Option<Address>, StoreError> {
        self.table
            .get_stored(&key(account_id, address_id))
            .await?
            .map(from_stored)
            .transpose()
    }

    /// Saves a changed address read at `version - 1`.
    pub async fn update(&self, address: &Address) -> Result<(), StoreError> {
        self.table
            .put(
                Self::item(address)?,
                Condition::equals("version", address.version.saturating_sub(1)),
            )
            .await
    }

    pub async fn delete(&self, account_id: &str, address_id: &str) -> Result<(), StoreError> {
        self.table
            .delete(&key(account_id, address_id), Condition::Exists)
            .await
    }

    pub async fn list(
        &self,
        account_id: &str,
        limit: usize,
        cursor: Option<String>,
    ) -> Result<Page<Address>, StoreError> {
        let page = self
            .table
            .query_stored(
                QueryRequest::table(format!("ACCOUNT#{account_id}"))
                    .begins_with("ADDRESS#")
                    .limit(limit)
                    .after(cursor),
            )
            .await?;
        from_stored_page(page)
    }
}
