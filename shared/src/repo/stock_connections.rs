//! An account's stock connection and its latest sync report:
//! - `ACCOUNT#<account>` / `STOCK#CONNECTION`: the connection as the
//!   manager gave it, **secrets included** (see [`StoredConnection`]);
//! - `STOCK#CONNECTIONS` / `<account>`: a marker per connected account, so
//!   the hourly sync lists them without scanning the table;
//! - `ACCOUNT#<account>` / `STOCK#SYNC#LATEST`: the last sync's report;
//! - `LEASE#stock-sync#<account>` / `LEASE`: the lease of a running sync.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::ports::table::{Condition, Item, Key, QueryRequest, StoreError, Table, Write};
use crate::repo::codec::{from_stored, to_attrs};

/// The partition listing the accounts that have a connection.
pub const CONNECTIONS_PK: &str = "STOCK#CONNECTIONS";

pub fn connection_key(account_id: &str) -> Key {
    Key::new(format!("ACCOUNT#{account_id}"), "STOCK#CONNECTION")
}

pub fn marker_key(account_id: &str) -> Key {
    Key::new(CONNECTIONS_PK, account_id)
}

pub fn report_key(account_id: &str) -> Key {
    Key::new(format!("ACCOUNT#{account_id}"), "STOCK#SYNC#LATEST")
}

pub fn lease_key(account_id: &str) -> Key {
    Key::new(format!("LEASE#stock-sync#{account_id}"), "LEASE")
}

/// The store-only form of a connection. `settings` is the JSON object the
/// manager sent (`provider` included), **with its secrets** (`api_key`,
/// `password`): the sync needs them to fetch the feed, and
/// `StockConnection` deliberately cannot serialise them back. This type is
/// never sent by the API (the app shows a masked view) and never logged:
/// its `Debug` hides the settings.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredConnection {
    pub account_id: String,
    pub provider: String,
    /// The connection as `StockConnection` deserialises it.
    pub settings: Map<String, Value>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub updated_by: String,
}

impl std::fmt::Debug for StoredConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredConnection")
            .field("account_id", &self.account_id)
            .field("provider", &self.provider)
            .field("settings", &"(hidden)")
            .finish()
    }
}

#[derive(Clone)]
pub struct StockConnections {
    table: Arc<dyn Table>,
}

impl StockConnections {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    /// Stores the connection and the account's marker, together.
    pub async fn put(&self, connection: &StoredConnection) -> Result<(), StoreError> {
        let mut marker = Map::new();
        marker.insert("account_id".into(), connection.account_id.clone().into());
        self.table
            .transact(vec![
                Write::Put {
                    item: Item::new(
                        connection_key(&connection.account_id),
                        to_attrs(connection)?,
                    ),
                    condition: Condition::Always,
                },
                Write::Put {
                    item: Item::new(marker_key(&connection.account_id), marker),
                    condition: Condition::Always,
                },
            ])
            .await
    }

    pub async fn get(&self, account_id: &str) -> Result<Option<StoredConnection>, StoreError> {
        self.table
            .get_stored(&connection_key(account_id))
            .await?
            .map(from_stored)
            .transpose()
    }

    /// Every account with a connection (from the markers).
    pub async fn connected_accounts(&self) -> Result<Vec<String>, StoreError> {
        let mut accounts = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .table
                .query(QueryRequest::table(CONNECTIONS_PK).limit(500).after(cursor))
                .await?;
            accounts.extend(page.items.into_iter().map(|item| item.key.sk));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(accounts),
            }
        }
    }

    /// Replaces the account's latest report (any serialisable object).
    pub async fn put_report<T: Serialize>(
        &self,
        account_id: &str,
        report: &T,
    ) -> Result<(), StoreError> {
        self.table
            .put(
                Item::new(report_key(account_id), to_attrs(report)?),
                Condition::Always,
            )
            .await
    }

    pub async fn latest_report<T: serde::de::DeserializeOwned>(
        &self,
        account_id: &str,
    ) -> Result<Option<T>, StoreError> {
        self.table
            .get_stored(&report_key(account_id))
            .await?
            .map(from_stored)
            .transpose()
    }

    /// Takes the account's sync lease unless a live one exists: its token.
    pub async fn acquire_lease(
        &self,
        account_id: &str,
        now: i64,
        seconds: i64,
    ) -> Result<Option<String>, StoreError> {
        let key = lease_key(account_id);
        let condition = match self.table.get(&key).await? {
            Some(item) => {
                let expires = item
                    .attrs
                    .get("expires")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                if expires > now {
                    return Ok(None);
                }
                let token = item.attrs.get("token").cloned().unwrap_or_default();
                Condition::Equals("token".into(), token)
            }
            None => Condition::NotExists,
        };
        let token = uuid::Uuid::new_v4().to_string();
        let mut attrs = Map::new();
        attrs.insert("token".into(), token.clone().into());
        attrs.insert("expires".into(), (now + seconds).into());
        let item = Item::new(key, attrs).with_expiry(now + seconds);
        match self.table.put(item, condition).await {
            Ok(()) => Ok(Some(token)),
            Err(StoreError::ConditionFailed { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn release_lease(&self, account_id: &str, token: &str) {
        if let Err(e) = self
            .table
            .delete(&lease_key(account_id), Condition::equals("token", token))
            .await
        {
            tracing::debug!(error = %e, account_id, "stock sync lease already gone");
        }
    }
}
