//! The embedded [`Table`]: one SQLite file for one-machine runs (dev server,
//! function tests). It keeps DynamoDB's semantics where the conformance suite
//! (`shared/tests/conformance/table.rs`) pins them: byte-ordered sort keys,
//! sparse secondary indexes, conditions checked atomically with the write,
//! numbers normalised the way DynamoDB stores them, and the same validation
//! of keys and attribute names.
//!
//! Layout: one `items` table keyed by `(pk, sk)` (`WITHOUT ROWID`, so rows
//! are stored in key order) and one partial index per GSI, holding only the
//! items that carry that index key. The connection that writes sits behind a
//! mutex; reads use a small pool of their own connections, which WAL mode
//! lets run beside the writer. Every call runs on tokio's blocking pool.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params, params_from_iter};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

use crate::ports::table::{
    Condition, Index, IndexKey, Item, Key, QueryPage, QueryRequest, SortKeyCondition, StoreError,
    StoredAttrs, StoredItem, StoredPage, Table, Write,
};
use crate::ports::table_rules::{
    check_condition, check_counter, check_item, check_key, check_query, check_transaction,
};

/// Read connections kept open beside the writer (measured by the
/// `sqlite_read_pool` bench, `shared/benches/sqlite_read_pool.rs`).
const READ_CONNECTIONS: usize = 4;
/// How long a connection waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Rows per write transaction in `put_many`, so a large import does not hold
/// the writer for long.
const PUT_MANY_CHUNK: usize = 500;
/// The most of the file each connection maps into memory.
const MMAP_BYTES: i64 = 1 << 30;

/// Each connection's page cache, in KiB (`PRAGMA cache_size` takes it
/// negative).
const CACHE_KIB: i64 = -16_384;

/// `PRAGMA user_version` of the schema below.
const SCHEMA_VERSION: i64 = 2;

/// Version 2: a rowid table, its key and index keys in small indexes.
/// Version 1 kept the rows in a `WITHOUT ROWID` table keyed by
/// `(pk, sk)`, whose B-tree carried the whole row: with rows of half a
/// kilobyte and more (orders, vehicles), every index lookup compared keys
/// across overflow pages (`perf`: a third of a list's time, see
/// docs/performance.md). The indexes are not partial: a partial index made
/// SQLite prepare the list query again on every call.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS items (
    id         INTEGER PRIMARY KEY,
    pk         TEXT NOT NULL,
    sk         TEXT NOT NULL,
    gsi1pk     TEXT,
    gsi1sk     TEXT,
    gsi2pk     TEXT,
    gsi2sk     TEXT,
    expires_at INTEGER,
    attrs      TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS items_key ON items (pk, sk);
CREATE INDEX IF NOT EXISTS items_gsi1 ON items (gsi1pk, gsi1sk, pk, sk);
CREATE INDEX IF NOT EXISTS items_gsi2 ON items (gsi2pk, gsi2sk, pk, sk);
";

/// Version 1's table and indexes, renamed out of the way of version 2's.
const MOVE_ASIDE_V1: &str = "
DROP INDEX IF EXISTS items_gsi1;
DROP INDEX IF EXISTS items_gsi2;
ALTER TABLE items RENAME TO items_v1;
";

const COPY_V1: &str = "
INSERT INTO items (pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, expires_at, attrs)
SELECT pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, expires_at, attrs FROM items_v1;
DROP TABLE items_v1;
";

const COLUMNS: &str = "pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, expires_at, attrs";

const UPSERT: &str = "
INSERT INTO items (pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, expires_at, attrs)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
ON CONFLICT (pk, sk) DO UPDATE SET
    gsi1pk = excluded.gsi1pk, gsi1sk = excluded.gsi1sk,
    gsi2pk = excluded.gsi2pk, gsi2sk = excluded.gsi2sk,
    expires_at = excluded.expires_at, attrs = excluded.attrs";

/// The [`Table`] port on a SQLite file. Cheap to clone.
#[derive(Clone)]
pub struct SqliteTable {
    db: Arc<Database>,
}

struct Database {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

impl std::fmt::Debug for SqliteTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteTable")
            .field("path", &self.db.path)
            .finish_non_exhaustive()
    }
}

impl SqliteTable {
    /// Opens (or creates, with its parent folders and schema) the store file.
    pub fn open(path: &Path) -> Result<SqliteTable, StoreError> {
        Self::open_with_readers(path, READ_CONNECTIONS)
    }

    /// Like [`SqliteTable::open`], with `readers` read connections instead
    /// of the default. It exists for measuring the read pool (the
    /// `sqlite_read_pool` bench); everything else calls `open`.
    /// `readers == 0` makes reads share the writer's connection (a read
    /// then waits, on its caller's thread, for a write in progress).
    pub fn open_with_readers(path: &Path, readers: usize) -> Result<SqliteTable, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|err| {
                StoreError::Unavailable(format!("cannot create {}: {err}", parent.display()))
            })?;
        }
        let mut writer = open_connection(path)?;
        let mode: String = writer
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(|err| unavailable(path, err))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Unavailable(format!(
                "{}: cannot switch to WAL mode (journal mode is {mode})",
                path.display()
            )));
        }
        migrate(&mut writer, path)?;
        // Start from an empty log: pages still in the WAL are read with a
        // system call and a copy each, pages of the main file through the map.
        writer
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(|err| unavailable(path, err))?;
        let readers = (0..readers)
            .map(|_| {
                let conn = open_connection(path)?;
                conn.pragma_update(None, "query_only", true)
                    .map_err(|err| unavailable(path, err))?;
                Ok(Mutex::new(conn))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(SqliteTable {
            db: Arc::new(Database {
                path: path.to_path_buf(),
                writer: Mutex::new(writer),
                readers,
                next_reader: AtomicUsize::new(0),
            }),
        })
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.db.path
    }

    /// Deletes the items whose expiry is before `now_unix` (DynamoDB's TTL
    /// does this by itself; the embedded store does it when asked, e.g. at
    /// start-up). Returns how many were deleted.
    pub async fn purge_expired(&self, now_unix: i64) -> Result<usize, StoreError> {
        self.write(move |conn| {
            conn.execute(
                "DELETE FROM items WHERE expires_at IS NOT NULL AND expires_at < ?1",
                params![now_unix],
            )
            .map_err(sql_error)
        })
        .await
    }

    async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let db = self.db.clone();
        run_blocking(move || work(&mut lock(&db.writer))).await
    }

    fn read<T>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        // Inline, on the caller's thread: a read of the mapped, cached file
        // takes microseconds, less than handing it to the blocking pool and
        // back (`perf`: the hand-offs' futex wake-ups and context switches
        // were about a tenth of the server's CPU under load). A read waits
        // for a connection only when all of them are busy; in WAL mode,
        // readers never wait for the writer.
        self.db.with_reader(work)
    }
}

impl Database {
    /// Runs `work` on an idle read connection, or waits for one.
    fn with_reader<T>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if self.readers.is_empty() {
            return work(&mut lock(&self.writer));
        }
        for slot in &self.readers {
            match slot.try_lock() {
                Ok(mut conn) => return work(&mut conn),
                Err(TryLockError::Poisoned(poisoned)) => return work(&mut poisoned.into_inner()),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        let n = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        let mut conn = lock(&self.readers[n]);
        work(&mut conn)
    }
}

/// A panic while holding a connection rolls its transaction back (rusqlite's
/// guard), so the connection stays usable: take it back from a poisoned lock.
fn lock(mutex: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn run_blocking<T, F>(work: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, StoreError> + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| StoreError::Unavailable(format!("store task failed: {err}")))?
}

fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(|err| unavailable(path, err))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|err| unavailable(path, err))?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(|err| unavailable(path, err))?;
    // Reads through a memory map rather than a `pread` per page: a third of
    // a warm list's time was in those system calls (docs/performance.md).
    conn.pragma_update(None, "mmap_size", MMAP_BYTES)
        .map_err(|err| unavailable(path, err))?;
    // Pages read from the WAL stay in each connection's cache (the default
    // 2 MiB was smaller than a busy log).
    conn.pragma_update(None, "cache_size", CACHE_KIB)
        .map_err(|err| unavailable(path, err))?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|err| unavailable(path, err))?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::Unavailable(format!(
            "{}: schema version {version} is newer than this build's {SCHEMA_VERSION}",
            path.display()
        )));
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|err| unavailable(path, err))?;
    let from_v1 = version == 1;
    if from_v1 {
        tx.execute_batch(MOVE_ASIDE_V1)
            .map_err(|err| unavailable(path, err))?;
    }
    tx.execute_batch(SCHEMA)
        .map_err(|err| unavailable(path, err))?;
    if from_v1 {
        tx.execute_batch(COPY_V1)
            .map_err(|err| unavailable(path, err))?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .and_then(|()| tx.commit())
        .map_err(|err| unavailable(path, err))
}

fn unavailable(path: &Path, err: rusqlite::Error) -> StoreError {
    StoreError::Unavailable(format!("{}: {err}", path.display()))
}

fn sql_error(err: rusqlite::Error) -> StoreError {
    StoreError::Unavailable(format!("sqlite: {err}"))
}

#[async_trait]
impl Table for SqliteTable {
    #[tracing::instrument(level = "debug", skip_all, fields(table = "sqlite", pk = %key.pk, sk = %key.sk))]
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        check_key(key)?;
        self.read(|conn| select_item(conn, key))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = "sqlite", pk = %key.pk, sk = %key.sk))]
    async fn get_stored(&self, key: &Key) -> Result<Option<StoredItem>, StoreError> {
        check_key(key)?;
        Ok(self
            .read(|conn| select_row(conn, key))?
            .map(Row::into_stored))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = "sqlite", pk = %item.key.pk, sk = %item.key.sk))]
    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        check_item(&item)?;
        check_condition(&condition)?;
        let row = Row::from_item(&item)?;
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_error)?;
            if !condition_holds(&tx, &item.key, &condition)? {
                return Err(StoreError::ConditionFailed { index: None });
            }
            row.upsert(&tx)?;
            tx.commit().map_err(sql_error)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = "sqlite", pk = %key.pk, sk = %key.sk))]
    async fn delete(&self, key: &Key, condition: Condition) -> Result<(), StoreError> {
        check_key(key)?;
        check_condition(&condition)?;
        let key = key.clone();
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_error)?;
            if !condition_holds(&tx, &key, &condition)? {
                return Err(StoreError::ConditionFailed { index: None });
            }
            delete_row(&tx, &key)?;
            tx.commit().map_err(sql_error)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = "sqlite", pk = %key.pk, sk = %key.sk))]
    async fn increment(&self, key: &Key, attribute: &str, by: u64) -> Result<u64, StoreError> {
        check_counter(key, attribute)?;
        let key = key.clone();
        let attribute = attribute.to_owned();
        // One writer connection and an immediate transaction: the read and
        // the write cannot interleave with another caller's.
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_error)?;
            let mut item =
                select_item(&tx, &key)?.unwrap_or_else(|| Item::new(key.clone(), Map::new()));
            let current = match item.attrs.get(&attribute) {
                None => 0,
                Some(value) => value.as_u64().ok_or_else(|| {
                    StoreError::Invalid(format!(
                        "counter attribute {attribute:?} is not a whole number: {value}"
                    ))
                })?,
            };
            let next = current.checked_add(by).ok_or_else(|| {
                StoreError::Invalid(format!("counter attribute {attribute:?} would overflow"))
            })?;
            item.attrs.insert(attribute, next.into());
            Row::from_item(&item)?.upsert(&tx)?;
            tx.commit().map_err(sql_error)?;
            Ok(next)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = "sqlite", index = ?request.index, pk = %request.pk))]
    async fn query(&self, request: QueryRequest) -> Result<QueryPage, StoreError> {
        let plan = QueryPlan::new(&request)?;
        let (rows, next_cursor) = self.read(|conn| plan.run(conn))?;
        Ok(QueryPage {
            items: rows
                .into_iter()
                .map(Row::into_item)
                .collect::<Result<_, _>>()?,
            next_cursor,
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = "sqlite", index = ?request.index, pk = %request.pk))]
    async fn query_stored(&self, request: QueryRequest) -> Result<StoredPage, StoreError> {
        let plan = QueryPlan::new(&request)?;
        let (rows, next_cursor) = self.read(|conn| plan.run(conn))?;
        Ok(StoredPage {
            items: rows.into_iter().map(Row::into_stored).collect(),
            next_cursor,
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = "sqlite", writes = writes.len()))]
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        check_transaction(&writes)?;
        if writes.is_empty() {
            return Ok(());
        }
        let mut rows = Vec::with_capacity(writes.len());
        for write in &writes {
            rows.push(match write {
                Write::Put { item, .. } => Some(Row::from_item(item)?),
                Write::Delete { .. } | Write::Check { .. } => None,
            });
        }
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_error)?;
            // Keys are distinct, so checking each condition just before its
            // own write sees the state from before the transaction.
            for (index, (write, row)) in writes.iter().zip(&rows).enumerate() {
                let (key, condition) = match write {
                    Write::Put { item, condition } => (&item.key, condition),
                    Write::Delete { key, condition } | Write::Check { key, condition } => {
                        (key, condition)
                    }
                };
                if !condition_holds(&tx, key, condition)? {
                    // Dropping `tx` rolls back what was already written.
                    return Err(StoreError::ConditionFailed { index: Some(index) });
                }
                match (write, row) {
                    (Write::Put { .. }, Some(row)) => row.upsert(&tx)?,
                    (Write::Delete { key, .. }, _) => delete_row(&tx, key)?,
                    _ => {}
                }
            }
            tx.commit().map_err(sql_error)
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = "sqlite", items = items.len()))]
    async fn put_many(&self, items: Vec<Item>) -> Result<(), StoreError> {
        let rows = items
            .iter()
            .map(|item| {
                check_item(item)?;
                Row::from_item(item)
            })
            .collect::<Result<Vec<_>, _>>()?;
        for chunk in rows.chunks(PUT_MANY_CHUNK) {
            let chunk = chunk.to_vec();
            self.write(move |conn| {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(sql_error)?;
                for row in &chunk {
                    row.upsert(&tx)?;
                }
                tx.commit().map_err(sql_error)
            })
            .await?;
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = "sqlite", keys = keys.len()))]
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        keys.iter().try_for_each(check_key)?;
        let mut keys = keys.to_vec();
        keys.sort_by(|a, b| (&a.pk, &a.sk).cmp(&(&b.pk, &b.sk)));
        keys.dedup();
        self.read(|conn| {
            // One read transaction: every item comes from the same snapshot.
            let tx = conn.transaction().map_err(sql_error)?;
            let mut items = Vec::with_capacity(keys.len());
            for key in &keys {
                if let Some(item) = select_item(&tx, key)? {
                    items.push(item);
                }
            }
            tx.commit().map_err(sql_error)?;
            Ok(items)
        })
    }
}

/// An item as stored: key columns plus the attributes as JSON text.
#[derive(Debug, Clone)]
struct Row {
    pk: String,
    sk: String,
    gsi1: Option<IndexKey>,
    gsi2: Option<IndexKey>,
    expires_at: Option<i64>,
    attrs: String,
}

impl Row {
    fn from_item(item: &Item) -> Result<Row, StoreError> {
        let mut attrs = Value::Object(item.attrs.clone());
        canonicalize_numbers(&mut attrs);
        let attrs = serde_json::to_string(&attrs)
            .map_err(|err| StoreError::Invalid(format!("attributes are not JSON: {err}")))?;
        Ok(Row {
            pk: item.key.pk.clone(),
            sk: item.key.sk.clone(),
            gsi1: item.gsi1.clone(),
            gsi2: item.gsi2.clone(),
            expires_at: item.expires_at,
            attrs,
        })
    }

    fn upsert(&self, conn: &Connection) -> Result<(), StoreError> {
        let mut statement = conn.prepare_cached(UPSERT).map_err(sql_error)?;
        statement
            .execute(params![
                self.pk,
                self.sk,
                self.gsi1.as_ref().map(|k| &k.pk),
                self.gsi1.as_ref().map(|k| &k.sk),
                self.gsi2.as_ref().map(|k| &k.pk),
                self.gsi2.as_ref().map(|k| &k.sk),
                self.expires_at,
                self.attrs,
            ])
            .map_err(sql_error)?;
        Ok(())
    }
}

impl Row {
    /// The columns of `SELECT {COLUMNS}`.
    fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
        let index_key = |p: Option<String>, s: Option<String>| match (p, s) {
            (Some(pk), Some(sk)) => Some(IndexKey { pk, sk }),
            _ => None,
        };
        Ok(Row {
            pk: row.get(0)?,
            sk: row.get(1)?,
            gsi1: index_key(row.get(2)?, row.get(3)?),
            gsi2: index_key(row.get(4)?, row.get(5)?),
            expires_at: row.get(6)?,
            attrs: row.get(7)?,
        })
    }

    fn into_item(self) -> Result<Item, StoreError> {
        match serde_json::from_str::<Map<String, Value>>(&self.attrs) {
            Ok(attrs) => Ok(Item {
                key: Key {
                    pk: self.pk,
                    sk: self.sk,
                },
                gsi1: self.gsi1,
                gsi2: self.gsi2,
                expires_at: self.expires_at,
                attrs,
            }),
            Err(err) => Err(StoreError::Corrupt(format!(
                "item {}/{}: {err}",
                self.pk, self.sk
            ))),
        }
    }

    fn into_stored(self) -> StoredItem {
        StoredItem {
            key: Key {
                pk: self.pk,
                sk: self.sk,
            },
            attrs: StoredAttrs::Json(self.attrs),
        }
    }
}

fn select_row(conn: &Connection, key: &Key) -> Result<Option<Row>, StoreError> {
    let mut statement = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM items WHERE pk = ?1 AND sk = ?2"
        ))
        .map_err(sql_error)?;
    statement
        .query_row(params![key.pk, key.sk], Row::read)
        .optional()
        .map_err(sql_error)
}

fn select_item(conn: &Connection, key: &Key) -> Result<Option<Item>, StoreError> {
    select_row(conn, key)?.map(Row::into_item).transpose()
}

fn delete_row(conn: &Connection, key: &Key) -> Result<(), StoreError> {
    let mut statement = conn
        .prepare_cached("DELETE FROM items WHERE pk = ?1 AND sk = ?2")
        .map_err(sql_error)?;
    statement
        .execute(params![key.pk, key.sk])
        .map_err(sql_error)?;
    Ok(())
}

/// Evaluates the condition on the item stored under `key`, inside the
/// caller's write transaction.
fn condition_holds(
    conn: &Connection,
    key: &Key,
    condition: &Condition,
) -> Result<bool, StoreError> {
    if *condition == Condition::Always {
        return Ok(true);
    }
    let mut statement = conn
        .prepare_cached("SELECT attrs FROM items WHERE pk = ?1 AND sk = ?2")
        .map_err(sql_error)?;
    let stored: Option<String> = statement
        .query_row(params![key.pk, key.sk], |row| row.get(0))
        .optional()
        .map_err(sql_error)?;
    Ok(match (condition, stored) {
        (Condition::Always, _) => true,
        (Condition::NotExists, stored) => stored.is_none(),
        (Condition::Exists, stored) => stored.is_some(),
        (Condition::Equals(..), None) => false,
        (Condition::Equals(name, expected), Some(attrs)) => {
            let attrs: Map<String, Value> = serde_json::from_str(&attrs)
                .map_err(|err| StoreError::Corrupt(format!("item {}/{}: {err}", key.pk, key.sk)))?;
            attrs
                .get(name)
                .is_some_and(|actual| json_equal(actual, expected))
        }
    })
}

/// Equality as DynamoDB's `=`: numbers compare by value (`1 == 1.0`), other
/// values by type and content.
fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => numbers_equal(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, a)| y.get(k).is_some_and(|b| json_equal(a, b)))
        }
        _ => a == b,
    }
}

fn numbers_equal(x: &Number, y: &Number) -> bool {
    if let (Some(a), Some(b)) = (x.as_i64(), y.as_i64()) {
        return a == b;
    }
    if let (Some(a), Some(b)) = (x.as_u64(), y.as_u64()) {
        return a == b;
    }
    match (x.as_f64(), y.as_f64()) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// DynamoDB keeps a number's value, not its spelling: a float with no
/// fractional part comes back as an integer. Storing it that way here keeps
/// both stores' reads identical.
fn canonicalize_numbers(value: &mut Value) {
    match value {
        Value::Number(n) => {
            if let Some(integer) = n.as_f64().filter(|_| n.is_f64()).and_then(integral_number) {
                *n = integer;
            }
        }
        Value::Array(values) => values.iter_mut().for_each(canonicalize_numbers),
        Value::Object(map) => map.values_mut().for_each(canonicalize_numbers),
        Value::Null | Value::Bool(_) | Value::String(_) => {}
    }
}

#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]
fn integral_number(f: f64) -> Option<Number> {
    if !f.is_finite() || f.fract() != 0.0 {
        return None;
    }
    // `i64::MAX as f64` is 2^63, so `<` keeps the cast in range.
    if f >= i64::MIN as f64 && f < i64::MAX as f64 {
        Some(Number::from(f as i64))
    } else if f >= 0.0 && f < u64::MAX as f64 {
        Some(Number::from(f as u64))
    } else {
        None
    }
}

// ---- queries ----

/// Where a page ended: the last item's table key and, for index queries,
/// its index key. Encoded as base64url JSON with DynamoDB's attribute names:
/// the shape of its `LastEvaluatedKey`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Cursor {
    pk: String,
    sk: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi1pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi1sk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi2pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi2sk: Option<String>,
}

impl Cursor {
    /// The position just after `row` in the table or in `index`.
    fn of(row: &Row, index: Option<Index>) -> Cursor {
        let mut cursor = Cursor {
            pk: row.pk.clone(),
            sk: row.sk.clone(),
            ..Cursor::default()
        };
        let index_key = |index| match index {
            Index::Gsi1 => row.gsi1.as_ref(),
            Index::Gsi2 => row.gsi2.as_ref(),
        };
        let position = index.and_then(|index| index_key(index).map(|key| (index, key)));
        match position {
            Some((Index::Gsi1, key)) => {
                cursor.gsi1pk = Some(key.pk.clone());
                cursor.gsi1sk = Some(key.sk.clone());
            }
            Some((Index::Gsi2, key)) => {
                cursor.gsi2pk = Some(key.pk.clone());
                cursor.gsi2sk = Some(key.sk.clone());
            }
            None => {}
        }
        cursor
    }

    fn encode(&self) -> Result<String, StoreError> {
        let json = serde_json::to_vec(self)
            .map_err(|err| StoreError::Unavailable(format!("cannot encode a cursor: {err}")))?;
        Ok(URL_SAFE_NO_PAD.encode(json))
    }

    /// Decodes a cursor and checks that it belongs to this query: same
    /// index, same partition.
    fn decode(text: &str, request: &QueryRequest) -> Result<Cursor, StoreError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| StoreError::InvalidCursor)?;
        let cursor: Cursor =
            serde_json::from_slice(&bytes).map_err(|_| StoreError::InvalidCursor)?;
        let fits = match request.index {
            None => {
                cursor.pk == request.pk
                    && [
                        &cursor.gsi1pk,
                        &cursor.gsi1sk,
                        &cursor.gsi2pk,
                        &cursor.gsi2sk,
                    ]
                    .iter()
                    .all(|part| part.is_none())
            }
            Some(Index::Gsi1) => {
                cursor.gsi1pk.as_ref() == Some(&request.pk)
                    && cursor.gsi1sk.is_some()
                    && cursor.gsi2pk.is_none()
                    && cursor.gsi2sk.is_none()
            }
            Some(Index::Gsi2) => {
                cursor.gsi2pk.as_ref() == Some(&request.pk)
                    && cursor.gsi2sk.is_some()
                    && cursor.gsi1pk.is_none()
                    && cursor.gsi1sk.is_none()
            }
        };
        if fits {
            Ok(cursor)
        } else {
            Err(StoreError::InvalidCursor)
        }
    }

    fn index_sort_key(&self) -> Option<&str> {
        self.gsi1sk.as_deref().or(self.gsi2sk.as_deref())
    }
}

/// The smallest string greater than every string that starts with `prefix`,
/// in byte order of UTF-8 (which is code point order): the prefix with its
/// last character replaced by the next one. `None` when there is none (empty
/// prefix, or only U+10FFFF characters): the range is then unbounded above.
fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match last {
            '\u{D7FF}' => Some('\u{E000}'),
            other => char::from_u32(u32::from(other) + 1),
        };
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// A query turned into SQL and its parameters.
#[derive(Debug)]
struct QueryPlan {
    sql: String,
    params: Vec<SqlValue>,
    index: Option<Index>,
    limit: usize,
}

impl QueryPlan {
    fn new(request: &QueryRequest) -> Result<QueryPlan, StoreError> {
        check_query(request)?;
        let (pk_col, sk_col) = request.index.map_or(("pk", "sk"), Index::key_attributes);
        let cursor = request
            .cursor
            .as_deref()
            .map(|text| Cursor::decode(text, request))
            .transpose()?;
        let limit = request.limit.max(1);

        let mut params = vec![SqlValue::Text(request.pk.clone())];
        let mut param = |value: &str| {
            params.push(SqlValue::Text(value.to_owned()));
            format!("?{}", params.len())
        };
        let mut sql = format!("SELECT {COLUMNS} FROM items WHERE {pk_col} = ?1");
        match &request.sk {
            SortKeyCondition::Any => {}
            SortKeyCondition::BeginsWith(prefix) if prefix.is_empty() => {}
            SortKeyCondition::BeginsWith(prefix) => {
                sql += &format!(" AND {sk_col} >= {}", param(prefix));
                if let Some(upper) = prefix_upper_bound(prefix) {
                    sql += &format!(" AND {sk_col} < {}", param(&upper));
                }
            }
            SortKeyCondition::Between(from, to) => {
                sql += &format!(" AND {sk_col} BETWEEN {} AND {}", param(from), param(to));
            }
        }
        let (after, order) = if request.descending {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        if let Some(cursor) = &cursor {
            match request.index {
                None => sql += &format!(" AND sk {after} {}", param(&cursor.sk)),
                Some(_) => {
                    // Index order is (index sort key, pk, sk): ties on the
                    // index sort key are broken by the table key.
                    let isk = param(cursor.index_sort_key().unwrap_or_default());
                    let pk = param(&cursor.pk);
                    let sk = param(&cursor.sk);
                    sql += &format!(
                        " AND {sk_col} {after}= {isk} AND ({sk_col} {after} {isk} \
                         OR pk {after} {pk} OR (pk = {pk} AND sk {after} {sk}))"
                    );
                }
            }
        }
        sql += &match request.index {
            None => format!(" ORDER BY sk {order}"),
            Some(_) => format!(" ORDER BY {sk_col} {order}, pk {order}, sk {order}"),
        };
        // One more row than asked tells whether another page follows.
        let fetch = i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX);
        params.push(SqlValue::Integer(fetch));
        sql += &format!(" LIMIT ?{}", params.len());
        Ok(QueryPlan {
            sql,
            params,
            index: request.index,
            limit,
        })
    }

    /// The page's rows, attributes still JSON text, and its cursor.
    fn run(&self, conn: &Connection) -> Result<(Vec<Row>, Option<String>), StoreError> {
        let mut statement = conn.prepare_cached(&self.sql).map_err(sql_error)?;
        let mut rows = statement
            .query_map(params_from_iter(&self.params), Row::read)
            .map_err(sql_error)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql_error)?;
        let next_cursor = if rows.len() > self.limit {
            rows.truncate(self.limit);
            match rows.last() {
                Some(last) => Some(Cursor::of(last, self.index).encode()?),
                None => None,
            }
        } else {
            None
        };
        Ok((rows, next_cursor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::table::test_item as item;
    use serde_json::json;

    #[test]
    fn prefix_upper_bound_increments_the_last_character() {
        assert_eq!(prefix_upper_bound("ADDRESS#").as_deref(), Some("ADDRESS$"));
        assert_eq!(prefix_upper_bound("a").as_deref(), Some("b"));
        assert_eq!(prefix_upper_bound("é").as_deref(), Some("ê"));
        // Past the surrogate gap, and past the last code point.
        assert_eq!(
            prefix_upper_bound("x\u{D7FF}").as_deref(),
            Some("x\u{E000}")
        );
        assert_eq!(prefix_upper_bound("x\u{10FFFF}").as_deref(), Some("y"));
        assert_eq!(prefix_upper_bound("\u{10FFFF}\u{10FFFF}"), None);
        assert_eq!(prefix_upper_bound(""), None);
        // 0x7F -> 0x80: a one-byte character becomes a two-byte one.
        assert_eq!(prefix_upper_bound("a\u{7F}").as_deref(), Some("a\u{80}"));
    }

    #[test]
    fn prefix_range_matches_exactly_the_strings_with_the_prefix() {
        let samples = [
            "",
            "a",
            "ab",
            "abc",
            "abd",
            "ac",
            "b",
            "a\u{7F}",
            "a\u{80}",
            "a\u{7F}z",
            "é",
            "éa",
            "ê",
            "\u{D7FF}",
            "\u{E000}",
            "\u{10FFFF}",
            "\u{10FFFF}a",
            "z\u{10FFFF}",
            "{",
        ];
        for prefix in samples {
            let upper = prefix_upper_bound(prefix);
            for s in samples {
                let in_range = s.as_bytes() >= prefix.as_bytes()
                    && upper.as_deref().is_none_or(|u| s.as_bytes() < u.as_bytes());
                assert_eq!(
                    in_range,
                    s.starts_with(prefix),
                    "prefix {prefix:?}, string {s:?}"
                );
            }
        }
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let stored = item("USER#1", "USER", json!({})).with_gsi1(IndexKey::new("ACC#1", "a@b.fr"));
        let request = QueryRequest::index(Index::Gsi1, "ACC#1");
        let cursor = Cursor::of(
            &Row::from_item(&stored).expect("test setup"),
            Some(Index::Gsi1),
        );
        let text = cursor.encode().expect("test setup");
        assert!(
            !text.contains(['+', '/', '=']),
            "base64url without padding: {text}"
        );
        assert_eq!(Cursor::decode(&text, &request).expect("test setup"), cursor);
        assert_eq!(cursor.index_sort_key(), Some("a@b.fr"));

        // The DynamoDB LastEvaluatedKey shape.
        let json: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&text).expect("test setup"))
                .expect("test setup");
        assert_eq!(
            json,
            json!({"pk": "USER#1", "sk": "USER", "gsi1pk": "ACC#1", "gsi1sk": "a@b.fr"})
        );

        let table_cursor = Cursor::of(&Row::from_item(&stored).expect("test setup"), None)
            .encode()
            .expect("test setup");
        let table_request = QueryRequest::table("USER#1");
        assert!(Cursor::decode(&table_cursor, &table_request).is_ok());
        for (text, request) in [
            ("not a cursor", &table_request),
            ("", &table_request),
            (&URL_SAFE_NO_PAD.encode(b"[1,2]"), &table_request),
            (
                &URL_SAFE_NO_PAD.encode(br#"{"pk":"USER#1"}"#),
                &table_request,
            ),
            (
                &URL_SAFE_NO_PAD.encode(br#"{"pk":"USER#1","sk":"U","x":1}"#),
                &table_request,
            ),
            // Another partition, or another index's cursor.
            (&table_cursor, &QueryRequest::table("USER#2")),
            (&table_cursor, &request),
            (&text, &table_request),
            (&text, &QueryRequest::index(Index::Gsi2, "ACC#1")),
            (&text, &QueryRequest::index(Index::Gsi1, "ACC#2")),
        ] {
            assert!(
                matches!(
                    Cursor::decode(text, request),
                    Err(StoreError::InvalidCursor)
                ),
                "{text:?}"
            );
        }
    }

    #[test]
    fn floats_without_fraction_are_stored_as_integers() {
        let mut value = json!({
            "a": 1.0, "b": 1.5, "c": -0.0, "d": 42, "e": [2.0, {"f": -3.0}],
            "big": 1e19, "huge": 1e300, "max": u64::MAX, "min": i64::MIN,
        });
        canonicalize_numbers(&mut value);
        assert_eq!(
            value,
            json!({
                "a": 1, "b": 1.5, "c": 0, "d": 42, "e": [2, {"f": -3}],
                "big": 10_000_000_000_000_000_000_u64, "huge": 1e300,
                "max": u64::MAX, "min": i64::MIN,
            })
        );
        assert!(value["a"].is_i64());
        assert!(value["big"].is_u64());
        assert!(value["huge"].is_f64());
    }

    #[test]
    fn equality_compares_numbers_by_value() {
        assert!(json_equal(&json!(1), &json!(1.0)));
        assert!(json_equal(&json!(u64::MAX), &json!(u64::MAX)));
        assert!(!json_equal(&json!(1), &json!("1")));
        assert!(!json_equal(&json!(-1), &json!(u64::MAX)));
        assert!(json_equal(&json!({"a": [1, 2.0]}), &json!({"a": [1.0, 2]})));
        assert!(!json_equal(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert!(json_equal(&json!(null), &json!(null)));
    }

    /// The rules themselves are tested in `ports::table_rules`; here, that
    /// every call applies them before touching the file.
    #[tokio::test]
    async fn every_call_applies_the_table_rules() {
        let dir = tempfile::tempdir().expect("test setup");
        let table = SqliteTable::open(&dir.path().join("rules.sqlite3")).expect("test setup");
        let empty_key = Key::new("P", "");
        let reserved = Condition::equals("pk", "P");
        let results = [
            table.get(&empty_key).await.map(drop),
            table
                .put(item("P", "S", json!({"ttl": 1})), Condition::Always)
                .await,
            table.put(item("P", "S", json!({})), reserved.clone()).await,
            table.delete(&empty_key, Condition::Always).await,
            table.delete(&Key::new("P", "S"), reserved).await,
            table
                .query(QueryRequest::table("P").between("b", "a"))
                .await
                .map(drop),
            table
                .transact(vec![
                    Write::Check {
                        key: Key::new("P", "S"),
                        condition: Condition::Always,
                    },
                    Write::Delete {
                        key: Key::new("P", "S"),
                        condition: Condition::Always,
                    },
                ])
                .await,
            table.put_many(vec![item("", "S", json!({}))]).await,
            table
                .get_many(std::slice::from_ref(&empty_key))
                .await
                .map(drop),
            table.increment(&empty_key, "value", 1).await.map(drop),
            table
                .increment(&Key::new("P", "S"), "ttl", 1)
                .await
                .map(drop),
            table
                .increment(&Key::new("P", "S"), "a.b", 1)
                .await
                .map(drop),
        ];
        for (n, result) in results.into_iter().enumerate() {
            assert!(
                matches!(result, Err(StoreError::Invalid(_))),
                "call #{n}: {result:?}"
            );
        }
        assert!(
            table
                .query(QueryRequest::table("P"))
                .await
                .expect("query")
                .items
                .is_empty(),
            "nothing was written"
        );
    }

    #[test]
    fn queries_use_the_indexes() {
        let dir = tempfile::tempdir().expect("test setup");
        let table = SqliteTable::open(&dir.path().join("plan.sqlite3")).expect("test setup");
        let conn = lock(&table.db.writer);
        let cursor = |index| {
            let stored = item("P", "S", json!({}))
                .with_gsi1(IndexKey::new("G", "g"))
                .with_gsi2(IndexKey::new("G", "g"));
            Some(
                Cursor::of(&Row::from_item(&stored).expect("test setup"), index)
                    .encode()
                    .expect("test setup"),
            )
        };
        for (request, expected) in [
            (
                QueryRequest::table("P").begins_with("A#"),
                "USING INDEX items_key",
            ),
            (
                QueryRequest::table("P").after(cursor(None)).descending(),
                "USING INDEX items_key",
            ),
            (
                QueryRequest::index(Index::Gsi1, "G")
                    .begins_with("a")
                    .after(cursor(Some(Index::Gsi1))),
                "USING INDEX items_gsi1",
            ),
            (
                QueryRequest::index(Index::Gsi2, "G").descending(),
                "USING INDEX items_gsi2",
            ),
        ] {
            let plan = QueryPlan::new(&request).expect("test setup");
            let mut statement = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {}", plan.sql))
                .expect("test setup");
            let details: Vec<String> = statement
                .query_map(params_from_iter(&plan.params), |row| {
                    row.get::<_, String>(3)
                })
                .expect("test setup")
                .collect::<Result<_, _>>()
                .expect("test setup");
            let details = details.join(" | ");
            assert!(details.contains(expected), "{request:?}: {details}");
            assert!(
                !details.contains("TEMP B-TREE"),
                "sorts in memory: {details}"
            );
        }
    }

    #[tokio::test]
    async fn index_ties_page_in_table_key_order() {
        let dir = tempfile::tempdir().expect("test setup");
        let table = SqliteTable::open(&dir.path().join("ties.sqlite3")).expect("test setup");
        for pk in ["C", "A", "B"] {
            for sk in ["2", "1"] {
                let stored = item(pk, sk, json!({})).with_gsi2(IndexKey::new("SAME", "same"));
                table
                    .put(stored, Condition::Always)
                    .await
                    .expect("test setup");
            }
        }
        for descending in [false, true] {
            let mut seen = Vec::new();
            let mut cursor = None;
            loop {
                let mut request = QueryRequest::index(Index::Gsi2, "SAME")
                    .limit(4)
                    .after(cursor);
                if descending {
                    request = request.descending();
                }
                let page = table.query(request).await.expect("test setup");
                seen.extend(
                    page.items
                        .into_iter()
                        .map(|i| format!("{}{}", i.key.pk, i.key.sk)),
                );
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            let mut expected = ["A1", "A2", "B1", "B2", "C1", "C2"]
                .map(String::from)
                .to_vec();
            if descending {
                expected.reverse();
            }
            assert_eq!(seen, expected);
        }
    }

    #[tokio::test]
    async fn exact_last_page_has_no_cursor_and_expired_items_can_be_purged() {
        let dir = tempfile::tempdir().expect("test setup");
        let table =
            SqliteTable::open(&dir.path().join("nested/deeper/t.sqlite3")).expect("test setup");
        for n in 0..4 {
            let stored = item("P", &format!("{n}"), json!({"n": 1.0})).with_expiry(100 + n);
            table
                .put(stored, Condition::Always)
                .await
                .expect("test setup");
        }
        let page = table
            .query(QueryRequest::table("P").limit(4))
            .await
            .expect("test setup");
        assert_eq!(page.items.len(), 4);
        assert_eq!(page.next_cursor, None);
        assert!(page.items[0].attrs["n"].is_i64(), "1.0 is stored as 1");
        assert_eq!(table.purge_expired(102).await.expect("test setup"), 2);
        let page = table
            .query(QueryRequest::table("P"))
            .await
            .expect("test setup");
        let left: Vec<_> = page.items.into_iter().map(|i| i.key.sk).collect();
        assert_eq!(left, ["2", "3"]);
    }

    #[test]
    fn moves_a_version_1_store_to_version_2() {
        let dir = tempfile::tempdir().expect("test setup");
        let path = dir.path().join("v1.sqlite3");
        let v1 = Connection::open(&path).expect("test setup");
        v1.execute_batch(
            "CREATE TABLE items (
                pk TEXT NOT NULL, sk TEXT NOT NULL, gsi1pk TEXT, gsi1sk TEXT,
                gsi2pk TEXT, gsi2sk TEXT, expires_at INTEGER, attrs TEXT NOT NULL,
                PRIMARY KEY (pk, sk)
            ) WITHOUT ROWID, STRICT;
            CREATE INDEX items_gsi1 ON items (gsi1pk, gsi1sk) WHERE gsi1pk IS NOT NULL;
            CREATE INDEX items_gsi2 ON items (gsi2pk, gsi2sk) WHERE gsi2pk IS NOT NULL;
            INSERT INTO items VALUES ('P', 'S', 'G', 'g', NULL, NULL, 4102444800, '{\"a\":1}');
            INSERT INTO items VALUES ('P', 'T', NULL, NULL, NULL, NULL, NULL, '{\"a\":2}');
            PRAGMA user_version = 1;",
        )
        .expect("test setup");
        drop(v1);

        let table = SqliteTable::open(&path).expect("migrated");
        let conn = lock(&table.db.writer);
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .expect("version");
        assert_eq!(version, SCHEMA_VERSION);
        let layout: String = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE name = 'items'",
                [],
                |row| row.get(0),
            )
            .expect("table");
        assert!(!layout.contains("WITHOUT ROWID"), "{layout}");
        drop(conn);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("test setup");
        let listed = rt
            .block_on(table.query(QueryRequest::index(Index::Gsi1, "G")))
            .expect("query");
        let expected = item("P", "S", json!({"a": 1}))
            .with_gsi1(IndexKey::new("G", "g"))
            .with_expiry(4_102_444_800);
        assert_eq!(listed.items, [expected]);
        let other = rt.block_on(table.get(&Key::new("P", "T"))).expect("get");
        assert_eq!(other, Some(item("P", "T", json!({"a": 2}))));
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().expect("test setup");
        let path = dir.path().join("new.sqlite3");
        drop(SqliteTable::open(&path).expect("test setup"));
        Connection::open(&path)
            .expect("test setup")
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .expect("test setup");
        assert!(matches!(
            SqliteTable::open(&path),
            Err(StoreError::Unavailable(_))
        ));
    }
}
