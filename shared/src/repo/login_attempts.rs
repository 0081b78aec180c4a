//! Failed sign-ins per e-mail address (never per IP: a dealership's staff
//! share one): `LOGIN#<email>` / `LOGIN`, expiring through the TTL.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ports::table::{Condition, Item, Key, StoreError, Table};
use crate::repo::codec::{from_stored, to_attrs};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginAttempts {
    pub email: String,
    /// Failures in a row since the last success.
    pub failures: u32,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub locked_until: Option<OffsetDateTime>,
    pub version: u64,
}

pub fn key(email: &str) -> Key {
    Key::new(format!("LOGIN#{email}"), "LOGIN")
}

/// Failure records are forgotten a day after the last failure.
const FORGET_AFTER_SECS: i64 = 24 * 3600;

#[derive(Clone)]
pub struct LoginAttemptsRepo {
    table: Arc<dyn Table>,
}

impl LoginAttemptsRepo {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    pub async fn get(&self, email: &str) -> Result<Option<LoginAttempts>, StoreError> {
        self.table
            .get_stored(&key(email))
            .await?
            .map(from_stored)
            .transpose()
    }

    /// Saves the record if nobody else saved a newer one since `version - 1`.
    pub async fn save(
        &self,
        attempts: &LoginAttempts,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let item = Item::new(key(&attempts.email), to_attrs(attempts)?)
            .with_expiry(now.unix_timestamp() + FORGET_AFTER_SECS);
        let condition = if attempts.version <= 1 {
            Condition::NotExists
        } else {
            Condition::equals("version", attempts.version - 1)
        };
        self.table.put(item, condition).await
    }

    pub async fn clear(&self, email: &str) -> Result<(), StoreError> {
        self.table.delete(&key(email), Condition::Always).await
    }
}
