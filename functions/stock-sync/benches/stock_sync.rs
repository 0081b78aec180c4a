//! What a stock sync of 10,000 vehicles costs, on the embedded SQLite store
//! and on DynamoDB (moto): `cargo bench -p stock-sync --bench stock_sync`.
//!
//! For each store, through a wrapper around the `Table` port that counts the
//! items written (vehicles apart from the rest: lease, report, connection):
//! 1. the first sync of a generated 10,000-vehicle Spider-VO feed creates
//!    10,000 vehicles;
//! 2. a second sync of the same feed writes no vehicle;
//! 3. the feed without 3 of its vehicles, one of them put `in_order`
//!    beforehand (a revision-checked update), removes exactly the 2 others
//!    and keeps the one in the order;
//! 4. the floor: a raw `put_many` of the same 10,000 vehicle items (into
//!    another account).
//!
//! It prints a Markdown table and exits non-zero when an expectation fails.
//! moto is the one of `STVA_TEST_MOTO_URL`, or one started from
//! `infra/moto/serve.py`. See `docs/performance.md`, "Stock sync".

use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use async_trait::async_trait;
use serde_json::json;
use shared::Services;
use shared::adapters::dynamodb::DynamoTable;
use shared::app::stock_sync::{
    self, ConnectionInput, SyncOutcome, SyncReport, SyncStatus, put_connection,
};
use shared::ports::{Condition, Item, Key, QueryPage, QueryRequest, StoreError, Table, Write};
use shared::repo::vehicles::{Vehicle, VehicleStatus, Vehicles};
use shared::stock::connectors::generate::{self, FeedVehicle};
use shared::stock::connectors::{CannedFetcher, FeedFetcher};
use shared::testing::fixtures::{embedded_portal, seed_account};
use shared::testing::moto;

type BenchResult<T> = Result<T, Box<dyn Error>>;

const VEHICLES: usize = 10_000;
const FEED_URL: &str = "https://feeds.bench/export.xml?token=bench";

// --- A store that counts ------------------------------------------------

/// The [`Table`] port around another one, counting the items it is asked
/// to write (failed attempts included): vehicles, and everything else.
struct CountingTable {
    inner: Arc<dyn Table>,
    vehicles: AtomicU64,
    others: AtomicU64,
}

fn is_vehicle(key: &Key) -> bool {
    key.sk.starts_with("VEHICLE#")
}

impl CountingTable {
    fn new(inner: Arc<dyn Table>) -> Self {
        Self {
            inner,
            vehicles: AtomicU64::new(0),
            others: AtomicU64::new(0),
        }
    }

    fn written(&self, key: &Key) {
        let counter = if is_vehicle(key) {
            &self.vehicles
        } else {
            &self.others
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// `(vehicle writes, other writes)` since the last call.
    fn take(&self) -> (u64, u64) {
        (
            self.vehicles.swap(0, Ordering::Relaxed),
            self.others.swap(0, Ordering::Relaxed),
        )
    }
}

#[async_trait]
impl Table for CountingTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }
    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        self.written(&item.key);
        self.inner.put(item, condition).await
    }
    async fn delete(&self, key: &Key, condition: Condition) -> Result<(), StoreError> {
        self.written(key);
        self.inner.delete(key, condition).await
    }
    async fn query(&self, request: QueryRequest) -> Result<QueryPage, StoreError> {
        self.inner.query(request).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        for write in &writes {
            match write {
                Write::Put { item, .. } => self.written(&item.key),
                Write::Delete { key, .. } => self.written(key),
                Write::Check { .. } => {}
            }
        }
        self.inner.transact(writes).await
    }
    async fn put_many(&self, items: Vec<Item>) -> Result<(), StoreError> {
        for item in &items {
            self.written(&item.key);
        }
        self.inner.put_many(items).await
    }
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.inner.get_many(keys).await
    }
    async fn increment(&self, key: &Key, attribute: &str, by: u64) -> Result<u64, StoreError> {
        self.written(key);
        self.inner.increment(key, attribute, by).await
    }
}

// --- The scenario -------------------------------------------------------

struct Row {
    store: &'static str,
    count: u64,
    step: &'static str,
    ms: f64,
    vehicle_writes: u64,
    other_writes: u64,
    outcome: String,
}

fn fetcher(vehicles: &[FeedVehicle]) -> Arc<dyn FeedFetcher> {
    Arc::new(CannedFetcher::new().answer(FEED_URL, 200, generate::spidervo_xml(vehicles)))
}

async fn sync(
    services: &Services,
    account: &str,
    fetcher: Arc<dyn FeedFetcher>,
) -> BenchResult<SyncReport> {
    match stock_sync::sync_account(services, fetcher, account).await? {
        SyncOutcome::Ran(report) if report.status == SyncStatus::Succeeded => Ok(*report),
        SyncOutcome::Ran(report) => Err(format!("the sync did not succeed: {report:?}").into()),
        SyncOutcome::AlreadyRunning => Err("the sync did not run: already running".into()),
    }
}

fn outcome(report: &SyncReport) -> String {
    format!(
        "created {}, updated {}, unchanged {}, removed {}, kept in order {}",
        report.created, report.updated, report.unchanged, report.removed, report.kept_in_order
    )
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1_000.0
}

/// Checks `what`; a failed check is kept to fail the run at the end.
fn expect(failures: &mut Vec<String>, store: &str, what: &str, ok: bool, seen: String) {
    if !ok {
        failures.push(format!("{store}: {what} (seen: {seen})"));
    }
}

async fn scenario(
    store: &'static str,
    table: Arc<dyn Table>,
    count: usize,
    failures: &mut Vec<String>,
) -> BenchResult<Vec<Row>> {
    // The vehicles dropped from the feed in step 3; the middle one is in an order.
    let gone = count / 2..count / 2 + 3;
    let in_order_at = count / 2 + 1;
    let portal = embedded_portal();
    let counter = Arc::new(CountingTable::new(table));
    let mut services = portal.services.clone();
    services.table = counter.clone();
    let account = seed_account(&services, "Garage du banc d'essai").await.id;
    put_connection(
        &services,
        &account,
        "bench-manager",
        ConnectionInput {
            provider: Some("spidervo".into()),
            settings: json!({ "url": FEED_URL }).as_object().cloned(),
        },
    )
    .await?;
    let vehicles = generate::vehicles(count);
    let mut rows = Vec::new();
    let n = u64::try_from(count)?;

    // 1. The first sync.
    counter.take();
    let feed = fetcher(&vehicles);
    let start = Instant::now();
    let first = sync(&services, &account, feed).await?;
    let elapsed = ms(start);
    eprintln!("{store}: a step took {elapsed:.0} ms");
    let (vehicle_writes, other_writes) = counter.take();
    expect(
        failures,
        store,
        "the first sync creates every vehicle",
        first.created == count && vehicle_writes == n,
        format!("{}, {vehicle_writes} vehicle writes", outcome(&first)),
    );
    rows.push(Row {
        store,
        count: n,
        step: "1. first sync, all new",
        ms: elapsed,
        vehicle_writes,
        other_writes,
        outcome: outcome(&first),
    });

    // 2. The same feed again.
    let feed = fetcher(&vehicles);
    let start = Instant::now();
    let second = sync(&services, &account, feed).await?;
    let elapsed = ms(start);
    eprintln!("{store}: a step took {elapsed:.0} ms");
    let (vehicle_writes, other_writes) = counter.take();
    expect(
        failures,
        store,
        "a second sync of the same feed writes no vehicle",
        second.unchanged == count && second.writes == 0 && vehicle_writes == 0,
        format!("{}, {vehicle_writes} vehicle writes", outcome(&second)),
    );
    rows.push(Row {
        store,
        count: n,
        step: "2. same feed again",
        ms: elapsed,
        vehicle_writes,
        other_writes,
        outcome: outcome(&second),
    });

    // 3. One vehicle goes in an order, then three vehicles leave the feed.
    let stock = services.vehicles().all(&account).await?;
    let reference = vehicles[in_order_at].reference.clone();
    let Some(reserved) = stock
        .iter()
        .find(|v| v.external_ref.as_deref() == Some(reference.as_str()))
    else {
        return Err(format!("{store}: {reference} is not in the stock").into());
    };
    let mut in_order = reserved.clone();
    in_order.status = VehicleStatus::InOrder;
    in_order.order_id = Some("bench-order-1".into());
    in_order.revision += 1;
    // Conditioned on the revision read (`Vehicles::update_write`).
    services.vehicles().update(&in_order).await?;
    counter.take();
    let mut remaining = vehicles.clone();
    remaining.drain(gone.clone());
    let feed = fetcher(&remaining);
    let start = Instant::now();
    let third = sync(&services, &account, feed).await?;
    let elapsed = ms(start);
    eprintln!("{store}: a step took {elapsed:.0} ms");
    let (vehicle_writes, other_writes) = counter.take();
    expect(
        failures,
        store,
        "3 vehicles gone: 2 removed, 1 kept in its order",
        third.removed == 2
            && third.kept_in_order == 1
            && third.unchanged == count - 3
            && vehicle_writes == 2,
        format!("{}, {vehicle_writes} vehicle writes", outcome(&third)),
    );
    let after = services.vehicles().all(&account).await?;
    let status_of = |r: &str| {
        after
            .iter()
            .find(|v| v.external_ref.as_deref() == Some(r))
            .map(|v| v.status)
    };
    for i in gone {
        let expected = if i == in_order_at {
            VehicleStatus::InOrder
        } else {
            VehicleStatus::Removed
        };
        let seen = status_of(&vehicles[i].reference);
        expect(
            failures,
            store,
            &format!("{} is {expected:?}", vehicles[i].reference),
            seen == Some(expected),
            format!("{seen:?}"),
        );
    }
    let removed = after
        .iter()
        .filter(|v| v.status == VehicleStatus::Removed)
        .count();
    expect(
        failures,
        store,
        "exactly 2 vehicles removed in the stock",
        removed == 2,
        removed.to_string(),
    );
    rows.push(Row {
        store,
        count: n,
        step: "3. feed minus 3 (1 in order)",
        ms: elapsed,
        vehicle_writes,
        other_writes,
        outcome: outcome(&third),
    });

    // 4. The floor: the same 10,000 items, written raw into another account.
    let floor_account = format!("bench-floor-{}", uuid::Uuid::new_v4().simple());
    let items = after
        .iter()
        .map(|v| {
            Vehicles::item(&Vehicle {
                account_id: floor_account.clone(),
                ..v.clone()
            })
        })
        .collect::<Result<Vec<Item>, StoreError>>()?;
    counter.take();
    let start = Instant::now();
    counter.put_many(items).await?;
    let elapsed = ms(start);
    eprintln!("{store}: a step took {elapsed:.0} ms");
    let (vehicle_writes, other_writes) = counter.take();
    let copied = services.vehicles().all(&floor_account).await?.len();
    expect(
        failures,
        store,
        "the raw put_many writes the 10,000 items",
        copied == count && vehicle_writes == n,
        format!("{copied} stored, {vehicle_writes} writes"),
    );
    rows.push(Row {
        store,
        count: n,
        step: "floor: raw put_many",
        ms: elapsed,
        vehicle_writes,
        other_writes,
        outcome: format!("{copied} items stored"),
    });
    Ok(rows)
}

async fn moto_table() -> BenchResult<Arc<dyn Table>> {
    let config = moto::sdk_config().await;
    let table = DynamoTable::new(
        aws_sdk_dynamodb::Client::new(&config),
        moto::unique_name("stva-bench"),
    );
    table.create_if_missing().await?;
    Ok(Arc::new(table))
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn print(rows: &[Row]) {
    println!("| store | step | time ms | vehicle writes | other writes | result |");
    println!("|---|---|---:|---:|---:|---|");
    for row in rows {
        println!(
            "| {} ({}) | {} | {:.0} | {} | {} | {} |",
            row.store,
            thousands(row.count),
            row.step,
            row.ms,
            thousands(row.vehicle_writes),
            thousands(row.other_writes),
            row.outcome
        );
    }
}

fn main() -> BenchResult<()> {
    // `cargo bench` passes `--bench`; there is nothing to filter.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut failures = Vec::new();
    let rows = runtime.block_on(async {
        let mut rows = Vec::new();
        let embedded = embedded_portal();
        rows.extend(
            scenario(
                "embedded (SQLite)",
                embedded.services.table.clone(),
                VEHICLES,
                &mut failures,
            )
            .await?,
        );
        // moto slows down as its table grows: `STVA_BENCH_MOTO_VEHICLES`
        // runs the DynamoDB scenario with fewer vehicles.
        let on_moto = std::env::var("STVA_BENCH_MOTO_VEHICLES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(VEHICLES);
        rows.extend(
            scenario(
                "DynamoDB (moto)",
                moto_table().await?,
                on_moto,
                &mut failures,
            )
            .await?,
        );
        BenchResult::Ok(rows)
    })?;
    print(&rows);
    if failures.is_empty() {
        println!(
            "\nOK: every vehicle created; the same feed again writes no vehicle; 3 gone = 2 removed + 1 kept in its order, on both stores."
        );
        Ok(())
    } else {
        for failure in &failures {
            eprintln!("FAILED: {failure}");
        }
        std::process::exit(1);
    }
}
