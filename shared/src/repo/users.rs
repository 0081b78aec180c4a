//! Users: `USER#<id>` / `USER`; listed per account through `gsi1`
//! (`ACCOUNT#<id>#USERS` or `MANAGERS` / `<email>`); e-mails are unique
//! thanks to a guard item `EMAIL#<email>` / `EMAIL` written in the same
//! transaction as the user.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::{Role, UserStatus};
use crate::ports::table::{
    Condition, Index, IndexKey, Item, Key, QueryRequest, StoreError, Table, Write,
};
use crate::repo::Page;
use crate::repo::codec::{from_stored, from_stored_page, to_attrs};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// `None` for managers, who belong to STVA rather than to an account.
    pub account_id: Option<String>,
    pub status: UserStatus,
    /// argon2id PHC string; `None` until the invitation is accepted.
    #[serde(default)]
    pub password_hash: Option<String>,
    /// Bumped to end every session issued before (sign-out, disabling).
    pub session_version: u32,
    /// Optimistic-locking counter for every update.
    pub version: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub invited_by: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_login_at: Option<OffsetDateTime>,
}

pub fn key(user_id: &str) -> Key {
    Key::new(format!("USER#{user_id}"), "USER")
}

pub fn email_key(email: &str) -> Key {
    Key::new(format!("EMAIL#{email}"), "EMAIL")
}

fn list_partition(account_id: Option<&str>) -> String {
    match account_id {
        Some(account) => format!("ACCOUNT#{account}#USERS"),
        None => "MANAGERS".to_owned(),
    }
}

#[derive(Clone)]
pub struct Users {
    table: Arc<dyn Table>,
}

impl Users {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    pub fn item(user: &User) -> Result<Item, StoreError> {
        Ok(
            Item::new(key(&user.id), to_attrs(user)?).with_gsi1(IndexKey::new(
                list_partition(user.account_id.as_deref()),
                user.email.clone(),
            )),
        )
    }

    /// The writes that create a user and reserve its e-mail; the e-mail
    /// guard is the second write (a failure there means "e-mail taken").
    pub fn create_writes(user: &User) -> Result<Vec<Write>, StoreError> {
        let mut guard = serde_json::Map::new();
        guard.insert("user_id".into(), user.id.clone().into());
        Ok(vec![
            Write::Put {
                item: Self::item(user)?,
                condition: Condition::NotExists,
            },
            Write::Put {
                item: Item::new(email_key(&user.email), guard),
                condition: Condition::NotExists,
            },
        ])
    }

    /// The write that replaces `user`, provided nobody changed it since it
    /// was read at `user.version - 1`.
    pub fn update_write(user: &User) -> Result<Write, StoreError> {
        Ok(Write::Put {
            item: Self::item(user)?,
            condition: Condition::equals("version", user.version.saturating_sub(1)),
        })
    }

    pub async fn get(&self, user_id: &str) -> Result<Option<User>, StoreError> {
        self.table
            .get_stored(&key(user_id))
            .await?
            .map(from_stored)
            .transpose()
    }

    pub async fn find_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let Some(guard) = self.table.get(&email_key(email)).await? else {
            return Ok(None);
        };
        match guard.attrs.get("user_id").and_then(|v| v.as_str()) {
            Some(user_id) => self.get(user_id).await,
            None => Err(StoreError::Corrupt(format!(
                "e-mail guard of {email} has no user_id"
            ))),
        }
    }

    /// Saves a changed user: bump `version` before calling.
    pub async fn update(&self, user: &User) -> Result<(), StoreError> {
        match Self::update_write(user)? {
            Write::Put { item, condition } => self.table.put(item, condition).await,
            _ => Err(StoreError::Invalid("update is a put".into())),
        }
    }

    pub async fn list(
        &self,
        account_id: Option<&str>,
        limit: usize,
        cursor: Option<String>,
    ) -> Result<Page<User>, StoreError> {
        let page = self
            .table
            .query_stored(
                QueryRequest::index(Index::Gsi1, list_partition(account_id))
                    .limit(limit)
                    .after(cursor),
            )
            .await?;
        from_stored_page(page)
    }

    /// Whether any manager exists (the dev server bootstraps one if not).
    pub async fn any_manager(&self) -> Result<bool, StoreError> {
        let page = self
            .table
            .query(QueryRequest::index(Index::Gsi1, "MANAGERS").limit(1))
            .await?;
        Ok(!page.items.is_empty())
    }
}
