//! Customer accounts: `ACCOUNT#<id>` / `ACCOUNT`, listed by name through
//! `gsi1` (`ACCOUNTS` / `<lowercase name>#<id>`).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ports::table::{
    Condition, Index, IndexKey, Item, Key, QueryRequest, StoreError, Table, Write,
};
use crate::repo::Page;
use crate::repo::codec::{from_stored, from_stored_page, to_attrs};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub siret: Option<String>,
    pub billing_email: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub created_by: String,
}

pub fn key(account_id: &str) -> Key {
    Key::new(format!("ACCOUNT#{account_id}"), "ACCOUNT")
}

#[derive(Clone)]
pub struct Accounts {
    table: Arc<dyn Table>,
}

impl Accounts {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    pub fn item(account: &Account) -> Result<Item, StoreError> {
        Ok(
            Item::new(key(&account.id), to_attrs(account)?).with_gsi1(IndexKey::new(
                "ACCOUNTS",
                format!("{}#{}", account.name.to_lowercase(), account.id),
            )),
        )
    }

    /// Creates the account; with a SIRET, a guard item `SIRET#<siret>`
    /// (the transaction's second write) keeps SIRETs unique.
    pub async fn create(&self, account: &Account) -> Result<(), StoreError> {
        let mut writes = vec![Write::Put {
            item: Self::item(account)?,
            condition: Condition::NotExists,
        }];
        if let Some(siret) = &account.siret {
            let mut guard = serde_json::Map::new();
            guard.insert("account_id".into(), account.id.clone().into());
            writes.push(Write::Put {
                item: Item::new(Key::new(format!("SIRET#{siret}"), "SIRET"), guard),
                condition: Condition::NotExists,
            });
        }
        self.table.transact(writes).await
    }

    pub async fn get(&self, account_id: &str) -> Result<Option<Account>, StoreError> {
        self.table
            .get_stored(&key(account_id))
            .await?
            .map(from_stored)
            .transpose()
    }

    pub async fn list(
        &self,
        limit: usize,
        cursor: Option<String>,
    ) -> Result<Page<Account>, StoreError> {
        let page = self
            .table
            .query_stored(
                QueryRequest::index(Index::Gsi1, "ACCOUNTS")
                    .limit(limit)
                    .after(cursor),
            )
            .await?;
        from_stored_page(page)
    }
}
