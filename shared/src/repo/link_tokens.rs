//! Single-use links (invitations, password resets), stored by the hash of
//! their secret: `LINK#<sha256>` / `LINK`, expiring through the TTL.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ports::table::{Condition, Item, Key, StoreError, Table, Write};
use crate::repo::codec::{from_stored, to_attrs};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkPurpose {
    Invitation,
    PasswordReset,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkToken {
    pub hash: String,
    pub purpose: LinkPurpose,
    pub user_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub used: bool,
}

pub fn key(hash: &str) -> Key {
    Key::new(format!("LINK#{hash}"), "LINK")
}

/// Used links are kept a week past expiry so a second click can be told
/// "already used" rather than "unknown".
const KEEP_AFTER_EXPIRY_SECS: i64 = 7 * 24 * 3600;

#[derive(Clone)]
pub struct LinkTokens {
    table: Arc<dyn Table>,
}

impl LinkTokens {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    pub fn item(token: &LinkToken) -> Result<Item, StoreError> {
        Ok(Item::new(key(&token.hash), to_attrs(token)?)
            .with_expiry(token.expires_at.unix_timestamp() + KEEP_AFTER_EXPIRY_SECS))
    }

    pub fn create_write(token: &LinkToken) -> Result<Write, StoreError> {
        Ok(Write::Put {
            item: Self::item(token)?,
            condition: Condition::NotExists,
        })
    }

    /// Marks the link used, provided nobody used it first.
    pub fn consume_write(token: &LinkToken) -> Result<Write, StoreError> {
        let used = LinkToken {
            used: true,
            ..token.clone()
        };
        Ok(Write::Put {
            item: Self::item(&used)?,
            condition: Condition::equals("used", false),
        })
    }

    pub async fn get(&self, hash: &str) -> Result<Option<LinkToken>, StoreError> {
        self.table
            .get_stored(&key(hash))
            .await?
            .map(from_stored)
            .transpose()
    }

    pub async fn create(&self, token: &LinkToken) -> Result<(), StoreError> {
        self.table
            .put(Self::item(token)?, Condition::NotExists)
            .await
    }
}
