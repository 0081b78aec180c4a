//! The single-table store: the small interface that both DynamoDB and the
//! embedded store implement (see `docs/data-model.md`). Repositories are
//! written once, on top of it.
//!
//! Items are keyed by `pk`/`sk`, may carry up to two secondary index keys
//! (`gsi1`, `gsi2`) and an expiry (DynamoDB TTL), and hold their entity's
//! fields as a JSON object. Entity fields must not use the reserved names
//! of [`RESERVED_ATTRIBUTES`]; [`table_rules`](super::table_rules) holds
//! the rules both adapters check requests against.

use async_trait::async_trait;
use serde_json::{Map, Value};

/// Attribute names the adapters use for keys and expiry.
pub const RESERVED_ATTRIBUTES: [&str; 7] =
    ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "ttl"];

/// Most items one transaction may hold (DynamoDB's limit).
pub const MAX_TRANSACTION_ITEMS: usize = 100;
/// Most items one batch write request may hold (DynamoDB's limit).
pub const MAX_BATCH_ITEMS: usize = 25;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
        }
    }
}

/// The key of an item in a secondary index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IndexKey {
    pub pk: String,
    pub sk: String,
}

impl IndexKey {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Index {
    Gsi1,
    Gsi2,
}

impl Index {
    pub fn name(self) -> &'static str {
        match self {
            Index::Gsi1 => "gsi1",
            Index::Gsi2 => "gsi2",
        }
    }

    /// The names of the attributes (DynamoDB) or columns (SQLite) that hold
    /// this index's partition and sort keys.
    pub fn key_attributes(self) -> (&'static str, &'static str) {
        match self {
            Index::Gsi1 => ("gsi1pk", "gsi1sk"),
            Index::Gsi2 => ("gsi2pk", "gsi2sk"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub key: Key,
    pub gsi1: Option<IndexKey>,
    pub gsi2: Option<IndexKey>,
    /// Unix seconds after which the store may delete the item. Reads still
    /// return an expired item until it is gone: callers check expiry themselves.
    pub expires_at: Option<i64>,
    pub attrs: Map<String, Value>,
}

impl Item {
    pub fn new(key: Key, attrs: Map<String, Value>) -> Self {
        Self {
            key,
            gsi1: None,
            gsi2: None,
            expires_at: None,
            attrs,
        }
    }

    pub fn with_gsi1(mut self, key: IndexKey) -> Self {
        self.gsi1 = Some(key);
        self
    }

    pub fn with_gsi2(mut self, key: IndexKey) -> Self {
        self.gsi2 = Some(key);
        self
    }

    pub fn with_expiry(mut self, unix_seconds: i64) -> Self {
        self.expires_at = Some(unix_seconds);
        self
    }

    pub fn index_key(&self, index: Index) -> Option<&IndexKey> {
        match index {
            Index::Gsi1 => self.gsi1.as_ref(),
            Index::Gsi2 => self.gsi2.as_ref(),
        }
    }
}

/// An item holding the fields of a JSON object (an empty one when `attrs`
/// is not an object), for the crate's tests.
#[cfg(test)]
pub(crate) fn test_item(pk: &str, sk: &str, attrs: Value) -> Item {
    Item::new(
        Key::new(pk, sk),
        attrs.as_object().cloned().unwrap_or_default(),
    )
}

/// A condition on the item currently stored under a key, checked atomically
/// with the write. A failed condition is [`StoreError::ConditionFailed`].
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Always,
    /// No item under this key (create-only).
    NotExists,
    /// An item exists under this key.
    Exists,
    /// An item exists and its top-level attribute equals the value
    /// (strings, numbers, booleans; optimistic locking uses `version`).
    Equals(String, Value),
}

impl Condition {
    pub fn equals(attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        Condition::Equals(attribute.into(), value.into())
    }
}

/// One write of a transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Put {
        item: Item,
        condition: Condition,
    },
    Delete {
        key: Key,
        condition: Condition,
    },
    /// Writes nothing; fails the transaction when the condition fails.
    Check {
        key: Key,
        condition: Condition,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortKeyCondition {
    Any,
    BeginsWith(String),
    /// Inclusive on both ends, as DynamoDB's `BETWEEN`.
    Between(String, String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryRequest {
    /// `None` queries the table's own keys; otherwise the index.
    pub index: Option<Index>,
    pub pk: String,
    pub sk: SortKeyCondition,
    /// Most items in one page (at least 1).
    pub limit: usize,
    /// Newest-first when the sort keys are time-ordered.
    pub descending: bool,
    /// Opaque cursor from a previous page of the same query.
    pub cursor: Option<String>,
}

impl QueryRequest {
    pub fn table(pk: impl Into<String>) -> Self {
        Self {
            index: None,
            pk: pk.into(),
            sk: SortKeyCondition::Any,
            limit: 100,
            descending: false,
            cursor: None,
        }
    }

    pub fn index(index: Index, pk: impl Into<String>) -> Self {
        Self {
            index: Some(index),
            ..Self::table(pk)
        }
    }

    pub fn begins_with(mut self, prefix: impl Into<String>) -> Self {
        self.sk = SortKeyCondition::BeginsWith(prefix.into());
        self
    }

    pub fn between(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.sk = SortKeyCondition::Between(from.into(), to.into());
        self
    }

    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit.max(1);
        self
    }

    pub fn descending(mut self) -> Self {
        self.descending = true;
        self
    }

    pub fn after(mut self, cursor: Option<String>) -> Self {
        self.cursor = cursor;
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct QueryPage {
    pub items: Vec<Item>,
    /// Present when more items may follow; pass it back as `cursor`.
    pub next_cursor: Option<String>,
}

/// An item's attributes as the store holds them, for decoding straight
/// into an entity: a list then builds no JSON map per item.
#[derive(Debug, Clone, PartialEq)]
pub enum StoredAttrs {
    /// A JSON object's text (the embedded store's column).
    Json(String),
    /// A map already (stores that build one anyway).
    Map(Map<String, Value>),
}

/// A listed item: its table key and its attributes, still encoded.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredItem {
    pub key: Key,
    pub attrs: StoredAttrs,
}

impl From<Item> for StoredItem {
    fn from(item: Item) -> Self {
        Self {
            key: item.key,
            attrs: StoredAttrs::Map(item.attrs),
        }
    }
}

/// A page of [`Table::query_stored`]: the same items and cursor as
/// [`Table::query`]'s page.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPage {
    pub items: Vec<StoredItem>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A condition failed; in a transaction, `index` names the failed write.
    #[error("condition failed (write #{index:?})")]
    ConditionFailed { index: Option<usize> },
    /// Two transactions touched the same items at once; retrying may succeed.
    #[error("transaction conflict")]
    TransactionConflict,
    #[error("invalid request to the store: {0}")]
    Invalid(String),
    #[error("invalid cursor")]
    InvalidCursor,
    #[error("stored item is unreadable: {0}")]
    Corrupt(String),
    #[error("store unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Table: Send + Sync {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError>;

    /// [`Table::get`], the attributes left as the store holds them (see
    /// [`StoredAttrs`]), for reads decoded straight into an entity.
    async fn get_stored(&self, key: &Key) -> Result<Option<StoredItem>, StoreError> {
        Ok(self.get(key).await?.map(StoredItem::from))
    }

    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError>;

    async fn delete(&self, key: &Key, condition: Condition) -> Result<(), StoreError>;

    /// Items with the partition key, in sort-key order (byte order of the
    /// UTF-8 sort key), one page at a time.
    async fn query(&self, request: QueryRequest) -> Result<QueryPage, StoreError>;

    /// [`Table::query`], each item's attributes left as the store holds
    /// them (see [`StoredAttrs`]), for lists decoded straight into entities.
    async fn query_stored(&self, request: QueryRequest) -> Result<StoredPage, StoreError> {
        let page = self.query(request).await?;
        Ok(StoredPage {
            items: page.items.into_iter().map(StoredItem::from).collect(),
            next_cursor: page.next_cursor,
        })
    }

    /// All or nothing: at most [`MAX_TRANSACTION_ITEMS`] writes, each key once.
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError>;

    /// Unconditional puts, not atomic as a whole; the adapter splits them in
    /// batches of [`MAX_BATCH_ITEMS`] and retries unprocessed items.
    async fn put_many(&self, items: Vec<Item>) -> Result<(), StoreError>;

    /// Several items by key; missing ones are left out. Order is not kept.
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError>;

    /// Adds `by` to the whole-number `attribute` of the item under `key`,
    /// creating the item (from 0) when there is none, and returns the new
    /// value. Atomic: concurrent callers each get a different value, and no
    /// one waits or retries (DynamoDB's `UpdateItem ADD`).
    async fn increment(&self, key: &Key, attribute: &str, by: u64) -> Result<u64, StoreError>;
}
