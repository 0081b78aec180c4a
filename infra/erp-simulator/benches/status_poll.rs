//! What one run of the status poll costs, against the open orders it must
//! NOT look at: `cargo bench -p erp-simulator --bench status_poll`.
//!
//! For N open orders (1,000 and 10,000) that the ERP never mentions, plus
//! 100 real orders whose transport the simulator moves on by exactly one
//! status, it runs `shared::app::status_poll::run` once and reports the ERP
//! calls, the store operations (counted by a wrapper around the embedded
//! SQLite store), the e-mails and the wall time. It fails (non-zero exit)
//! unless the ERP calls and store operations are the same for both N and
//! all 100 changes were applied: the poll's cost follows the changes, not
//! the open orders. See `docs/performance.md`, "Status poll".

use std::collections::BTreeMap;
use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use erp_simulator::{RunningSimulator, Simulator, Stats};
use shared::Services;
use shared::adapters::erp_http::{ErpTimeouts, HttpErp};
use shared::adapters::local_blobs::LocalBlobStore;
use shared::adapters::outbox::OutboxMailer;
use shared::adapters::sqlite::SqliteTable;
use shared::app::status_poll::{self, PollSummary};
use shared::domain::{AddressFields, Country, OrderStatus, PostalCode};
use shared::ports::erp::{ErpAddress, ErpVehicle, EstimateRequest};
use shared::ports::{
    Condition, Item, Key, QueryPage, QueryRequest, StoreError, SystemClock, Table, Write,
};
use shared::repo::orders::{Order, OrderEstimate, OrderPlace, OrderVehicle, Orders, TimelineEntry};
use shared::security::session_tokens::SessionTokens;
use shared::testing::fixtures::{TOKEN_SECRET, test_config};
use time::OffsetDateTime;

type BenchResult<T> = Result<T, Box<dyn Error>>;

const API_KEY: &str = "bench-erp-key";
/// Open orders the ERP never mentions, per scenario.
const OPEN_ORDERS: [usize; 2] = [1_000, 10_000];
/// Orders whose transport moves on during the measured poll.
const CHANGED_ORDERS: usize = 100;
/// The simulator's schedule (`erp_simulator::progress_schedule`): confirmed
/// at creation, scheduled after 60 min, picked up after 60 + 24 h, in
/// transit an hour later. Before the warm-up poll the orders reach
/// `scheduled`; before the measured poll, `picked_up` and nothing more.
const TO_SCHEDULED_MINUTES: u32 = 60;
const TO_PICKED_UP_MINUTES: u32 = 24 * 60;

// --- A store that counts ------------------------------------------------

#[derive(Debug, Default)]
struct Counters {
    get: AtomicU64,
    get_many_calls: AtomicU64,
    get_many_items: AtomicU64,
    query_calls: AtomicU64,
    query_items: AtomicU64,
    put: AtomicU64,
    delete: AtomicU64,
    transact_calls: AtomicU64,
    transact_writes: AtomicU64,
    put_many_calls: AtomicU64,
    put_many_items: AtomicU64,
}

/// A snapshot of [`Counters`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    get: u64,
    get_many_calls: u64,
    get_many_items: u64,
    query_calls: u64,
    query_items: u64,
    put: u64,
    delete: u64,
    transact_calls: u64,
    transact_writes: u64,
    put_many_calls: u64,
    put_many_items: u64,
}

impl Counts {
    /// Items or pages asked of the store: gets, items of `get_many`, queries.
    fn reads(&self) -> u64 {
        self.get + self.get_many_items + self.query_calls
    }

    /// Items written or deleted (a transaction's `Check`s included).
    fn writes(&self) -> u64 {
        self.put + self.transact_writes + self.delete + self.put_many_items
    }
}

fn count(counter: &AtomicU64, by: usize) {
    counter.fetch_add(u64::try_from(by).unwrap_or(u64::MAX), Ordering::Relaxed);
}

/// The [`Table`] port around another one, counting calls and items.
struct CountingTable<T> {
    inner: T,
    counters: Counters,
}

impl<T: Table> CountingTable<T> {
    fn new(inner: T) -> Self {
        Self {
            inner,
            counters: Counters::default(),
        }
    }

    fn reset(&self) {
        for counter in self.all() {
            counter.store(0, Ordering::Relaxed);
        }
    }

    fn all(&self) -> [&AtomicU64; 11] {
        let c = &self.counters;
        [
            &c.get,
            &c.get_many_calls,
            &c.get_many_items,
            &c.query_calls,
            &c.query_items,
            &c.put,
            &c.delete,
            &c.transact_calls,
            &c.transact_writes,
            &c.put_many_calls,
            &c.put_many_items,
        ]
    }

    fn counts(&self) -> Counts {
        let [
            get,
            get_many_calls,
            get_many_items,
            query_calls,
            query_items,
            put,
            delete,
            transact_calls,
            transact_writes,
            put_many_calls,
            put_many_items,
        ] = self.all().map(|c| c.load(Ordering::Relaxed));
        Counts {
            get,
            get_many_calls,
            get_many_items,
            query_calls,
            query_items,
            put,
            delete,
            transact_calls,
            transact_writes,
            put_many_calls,
            put_many_items,
        }
    }
}

#[async_trait]
impl<T: Table> Table for CountingTable<T> {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        count(&self.counters.get, 1);
        self.inner.get(key).await
    }

    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        count(&self.counters.put, 1);
        self.inner.put(item, condition).await
    }

    async fn delete(&self, key: &Key, condition: Condition) -> Result<(), StoreError> {
        count(&self.counters.delete, 1);
        self.inner.delete(key, condition).await
    }

    async fn query(&self, request: QueryRequest) -> Result<QueryPage, StoreError> {
        count(&self.counters.query_calls, 1);
        let page = self.inner.query(request).await?;
        count(&self.counters.query_items, page.items.len());
        Ok(page)
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        count(&self.counters.transact_calls, 1);
        count(&self.counters.transact_writes, writes.len());
        self.inner.transact(writes).await
    }

    async fn put_many(&self, items: Vec<Item>) -> Result<(), StoreError> {
        count(&self.counters.put_many_calls, 1);
        count(&self.counters.put_many_items, items.len());
        self.inner.put_many(items).await
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        count(&self.counters.get_many_calls, 1);
        let items = self.inner.get_many(keys).await?;
        count(&self.counters.get_many_items, items.len());
        Ok(items)
    }

    /// Counted as a put: one single-item write.
    async fn increment(&self, key: &Key, attribute: &str, by: u64) -> Result<u64, StoreError> {
        count(&self.counters.put, 1);
        self.inner.increment(key, attribute, by).await
    }
}

// --- The portal, the ERP, the orders -------------------------------------

struct Bench {
    services: Services,
    table: Arc<CountingTable<SqliteTable>>,
    outbox: OutboxMailer,
    simulator: RunningSimulator,
    _dir: tempfile::TempDir,
}

async fn start() -> BenchResult<Bench> {
    let dir = tempfile::tempdir()?;
    // Whole seconds, as the ERP's clock reads.
    let t0 = OffsetDateTime::now_utc().replace_nanosecond(0)?;
    let simulator = Simulator::new(API_KEY)
        .with_frozen_clock(t0)
        .spawn(([127, 0, 0, 1], 0).into())
        .await?;
    let erp = HttpErp::new(&simulator.url, API_KEY, ErpTimeouts::default())?;
    let table = Arc::new(CountingTable::new(SqliteTable::open(
        &dir.path().join("stva.sqlite3"),
    )?));
    let outbox = OutboxMailer::new(dir.path().join("outbox"));
    let config = test_config("http://portal.test");
    let tokens = SessionTokens::new(TOKEN_SECRET, config.session_ttl)
        .map_err(|e| format!("session tokens: {e:?}"))?;
    let services = Services {
        table: table.clone(),
        blobs: Arc::new(LocalBlobStore::new(
            dir.path().join("blobs"),
            "http://portal.test/_dev/blobs",
            b"blob-secret-blob-secret-blob-secret".to_vec(),
        )),
        mailer: Arc::new(outbox.clone()),
        clock: Arc::new(SystemClock),
        erp: Arc::new(erp),
        tokens: Arc::new(tokens),
        config: Arc::new(config),
    };
    Ok(Bench {
        services,
        table,
        outbox,
        simulator,
        _dir: dir,
    })
}

fn place(postal_code: &str, city: &str) -> BenchResult<OrderPlace> {
    Ok(OrderPlace {
        address_id: uuid::Uuid::now_v7().to_string(),
        fields: AddressFields {
            label: format!("Site de {city}"),
            company: Some("Garage du Centre".into()),
            street: "12 avenue de la République".into(),
            postal_code: PostalCode::parse(postal_code, Country::FRANCE)?,
            city: city.into(),
            country: Country::FRANCE,
            contact_name: Some("Julie Martin".into()),
            contact_phone: Some("+33 1 23 45 67 89".into()),
            instructions: None,
        },
    })
}

fn erp_address(place: &OrderPlace) -> ErpAddress {
    let f = &place.fields;
    ErpAddress {
        company: f.company.clone(),
        street: f.street.clone(),
        postal_code: f.postal_code.as_str().to_owned(),
        city: f.city.clone(),
        country: f.country.as_str().to_owned(),
        contact_name: f.contact_name.clone(),
        contact_phone: f.contact_phone.clone(),
        instructions: f.instructions.clone(),
    }
}

/// An order of one vehicle, Paris to Lyon, in `status` (its timeline runs
/// from the quote to `status`).
fn order(seq: usize, status: OrderStatus, now: OffsetDateTime) -> BenchResult<Order> {
    let id = uuid::Uuid::now_v7().to_string();
    let timeline = [OrderStatus::Quoted, OrderStatus::Validated, status]
        .into_iter()
        .scan(None, |last, s| {
            let fresh = *last != Some(s);
            *last = Some(s);
            Some(fresh.then_some(s))
        })
        .flatten()
        .map(|s| TimelineEntry {
            at: now,
            status: s,
            label: s.label_fr().to_owned(),
            by: None,
        })
        .collect();
    Ok(Order {
        number: format!("BC-{}-{:06}", now.year(), seq + 1),
        account_id: "acc_bench".into(),
        account_name: "Garage du Centre".into(),
        created_by: "usr_bench".into(),
        created_by_name: "Julie Martin".into(),
        created_by_email: "julie.martin@garage-du-centre.fr".into(),
        customer_reference: None,
        status,
        vehicles: vec![OrderVehicle {
            vehicle_id: format!("veh_{id}"),
            make: "Renault".into(),
            model: "Clio".into(),
            plate: format!("AB{:03}CD", seq % 1000),
            vin: None,
        }],
        pickup: place("75011", "Paris")?,
        delivery: place("69003", "Lyon")?,
        estimate: OrderEstimate {
            estimate_id: format!("est_{id}"),
            amount_excl_tax_cents: 50_000,
            vat_cents: 10_000,
            amount_incl_tax_cents: 60_000,
            currency: "EUR".into(),
            valid_until: now,
            distance_km: 470,
        },
        erp_order_id: None,
        timeline,
        invoice: None,
        created_at: now,
        updated_at: now,
        validated_at: Some(now),
        erp_attempts: 0,
        revision: 2,
        id,
    })
}

/// `open` confirmed orders with an ERP order id the ERP does not know.
async fn seed_open_orders(services: &Services, open: usize) -> BenchResult<()> {
    let now = OffsetDateTime::now_utc();
    let mut items = Vec::with_capacity(open);
    for seq in 0..open {
        let mut order = order(seq, OrderStatus::Confirmed, now)?;
        order.erp_order_id = Some(format!("ERP-FAKE-{seq:06}"));
        items.extend(Orders::items(&order)?);
    }
    services.table.put_many(items).await?;
    Ok(())
}

/// Orders made in the ERP through the port (estimate, then order with the
/// order id as reference and idempotency key), stored as `validated` with
/// their ERP order id.
async fn seed_erp_orders(services: &Services, offset: usize) -> BenchResult<Vec<String>> {
    let now = OffsetDateTime::now_utc();
    let mut items = Vec::with_capacity(CHANGED_ORDERS);
    let mut ids = Vec::with_capacity(CHANGED_ORDERS);
    for seq in offset..offset + CHANGED_ORDERS {
        let mut order = order(seq, OrderStatus::Validated, now)?;
        let request = EstimateRequest {
            reference: order.id.clone(),
            customer_account_id: order.account_id.clone(),
            customer_name: order.account_name.clone(),
            vehicles: order
                .vehicles
                .iter()
                .map(|v| ErpVehicle {
                    make: v.make.clone(),
                    model: v.model.clone(),
                    plate: v.plate.clone(),
                    vin: v.vin.clone(),
                })
                .collect(),
            pickup: erp_address(&order.pickup),
            delivery: erp_address(&order.delivery),
            requested_date: None,
        };
        let estimate = services.erp.estimate(&request).await?;
        let created = services
            .erp
            .create_order(&estimate.estimate_id, &order.id, &order.id)
            .await?;
        order.estimate.estimate_id = estimate.estimate_id;
        order.estimate.amount_excl_tax_cents = estimate.amount_excl_tax_cents;
        order.estimate.vat_cents = estimate.vat_cents;
        order.estimate.amount_incl_tax_cents = estimate.amount_incl_tax_cents;
        order.estimate.valid_until = estimate.valid_until;
        order.estimate.distance_km = estimate.distance_km;
        order.erp_order_id = Some(created.erp_order_id);
        ids.push(order.id.clone());
        items.extend(Orders::items(&order)?);
    }
    services.table.put_many(items).await?;
    Ok(ids)
}

fn check(condition: bool, what: impl FnOnce() -> String) -> BenchResult<()> {
    if condition {
        Ok(())
    } else {
        Err(what().into())
    }
}

fn check_clean(summary: &PollSummary, changes: usize, what: &str) -> BenchResult<()> {
    check(
        summary.ran
            && summary.errors.is_empty()
            && summary.changes_read == changes
            && summary.changes_applied == changes
            && summary.pending_sent == 0
            && summary.pending_failed == 0
            && summary.quotes_expired == 0,
        || format!("{what}: expected {changes} changes applied and nothing else, got {summary:?}"),
    )
}

/// Requests per endpoint between two readings of the simulator's stats.
fn calls_between(before: &Stats, after: &Stats) -> BTreeMap<String, u64> {
    after
        .calls
        .iter()
        .map(|(endpoint, n)| (endpoint.clone(), n - before.calls_to(endpoint)))
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn outbox_len(outbox: &OutboxMailer) -> BenchResult<usize> {
    Ok(outbox.list()?.len())
}

struct Measure {
    open: usize,
    summary: PollSummary,
    erp_calls: BTreeMap<String, u64>,
    counts: Counts,
    elapsed: Duration,
}

async fn scenario(open: usize) -> BenchResult<Measure> {
    let bench = start().await?;
    let services = &bench.services;
    let simulator = &bench.simulator.simulator;

    seed_open_orders(services, open).await?;
    let changed = seed_erp_orders(services, open).await?;

    // Warm-up (not measured): the poll reads the feed from its start, the
    // creations (`confirmed`) and the first step (`scheduled`), and stores
    // its cursor; connections and caches are warm afterwards.
    simulator.advance(TO_SCHEDULED_MINUTES);
    let warm_up = status_poll::run(services).await?;
    check_clean(&warm_up, 2 * CHANGED_ORDERS, "warm-up poll")?;

    // Nothing due but the feed: no queued validation, no open quote.
    let now = OffsetDateTime::now_utc();
    check(services.orders().pending_erp(1).await?.is_empty(), || {
        "the ERP#PENDING queue is not empty".into()
    })?;
    check(
        services.orders().expired_quotes(now, 1).await?.is_empty(),
        || "a quote is due to expire".into(),
    )?;

    // Each of the 100 reaches exactly one new status: picked up.
    let feed_before = simulator.stats().feed_length;
    simulator.advance(TO_PICKED_UP_MINUTES);
    let stats_before = simulator.stats();
    let new_changes = stats_before.feed_length - feed_before;
    check(new_changes == CHANGED_ORDERS as u64, || {
        format!("the feed holds {new_changes} new changes, expected {CHANGED_ORDERS}")
    })?;
    let mails_before = outbox_len(&bench.outbox)?;

    bench.table.reset();
    let started = Instant::now();
    let summary = status_poll::run(services).await?;
    let elapsed = started.elapsed();
    let counts = bench.table.counts();
    let stats_after = simulator.stats();

    check_clean(&summary, CHANGED_ORDERS, "measured poll")?;
    let erp_calls = calls_between(&stats_before, &stats_after);
    let served: u64 = erp_calls.values().sum();
    check(served == summary.erp_calls as u64, || {
        format!(
            "the poll counted {} ERP calls, the simulator served {served}: {erp_calls:?}",
            summary.erp_calls
        )
    })?;
    let mails = outbox_len(&bench.outbox)? - mails_before;
    check(mails == summary.emails_sent, || {
        format!(
            "{mails} e-mails in the outbox, the poll counted {}",
            summary.emails_sent
        )
    })?;
    for id in &changed {
        let status = services.orders().get(id).await?.map(|o| o.status);
        check(status == Some(OrderStatus::PickedUp), || {
            format!("order {id} is {status:?}, expected picked_up")
        })?;
    }

    bench.simulator.shutdown().await;
    Ok(Measure {
        open,
        summary,
        erp_calls,
        counts,
        elapsed,
    })
}

// --- Report ----------------------------------------------------------------

fn thousands(n: usize) -> String {
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

fn build_profile() -> String {
    let folder = std::env::current_exe()
        .ok()
        .and_then(|exe| {
            // target/<profile>/deps/status_poll-<hash>
            let folder = exe.parent()?.parent()?.file_name()?;
            folder.to_str().map(str::to_owned)
        })
        .unwrap_or_else(|| "?".into());
    // `cargo bench` builds with the `bench` profile, which inherits
    // `release` and shares its folder; `--profile dev` lands in `debug`.
    let profile = match folder.as_str() {
        "release" => "bench (inherits release)",
        "debug" => "dev",
        other => other,
    };
    let assertions = if cfg!(debug_assertions) {
        "debug assertions on"
    } else {
        "debug assertions off"
    };
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{profile}, target/{folder}, {assertions}; {cores} cores")
}

fn report(measures: &[Measure]) {
    println!();
    println!("Build profile: {}", build_profile());
    println!();
    println!(
        "| open orders | changes | ERP calls: poll (simulator) | store reads | store writes | e-mails | poll time (ms) |"
    );
    println!("|---:|---:|---|---:|---:|---:|---:|");
    for m in measures {
        let per_endpoint: Vec<String> = m
            .erp_calls
            .iter()
            .map(|(endpoint, n)| format!("{endpoint} ×{n}"))
            .collect();
        println!(
            "| {} | {} | {} ({}) | {} | {} | {} | {:.1} |",
            thousands(m.open),
            m.summary.changes_applied,
            m.summary.erp_calls,
            per_endpoint.join(", "),
            m.counts.reads(),
            m.counts.writes(),
            m.summary.emails_sent,
            m.elapsed.as_secs_f64() * 1000.0,
        );
    }
    println!();
    println!(
        "| open orders | get | get_many (calls / items) | query (calls / items) | put | delete | transact (calls / writes) | put_many (calls / items) |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for m in measures {
        let c = &m.counts;
        println!(
            "| {} | {} | {} / {} | {} / {} | {} | {} | {} / {} | {} / {} |",
            thousands(m.open),
            c.get,
            c.get_many_calls,
            c.get_many_items,
            c.query_calls,
            c.query_items,
            c.put,
            c.delete,
            c.transact_calls,
            c.transact_writes,
            c.put_many_calls,
            c.put_many_items,
        );
    }
    println!();
}

fn same_cost(measures: &[Measure]) -> BenchResult<()> {
    let Some((first, rest)) = measures.split_first() else {
        return Ok(());
    };
    for m in rest {
        check(
            m.counts == first.counts
                && m.erp_calls == first.erp_calls
                && m.summary.erp_calls == first.summary.erp_calls,
            || {
                format!(
                    "the poll's cost depends on the open orders: {} open: {:?} {:?}; {} open: {:?} {:?}",
                    first.open, first.counts, first.erp_calls, m.open, m.counts, m.erp_calls
                )
            },
        )?;
    }
    Ok(())
}

fn main() -> BenchResult<()> {
    // `cargo bench` passes `--bench`; there is nothing to filter.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let measures = runtime.block_on(async {
        let mut measures = Vec::new();
        for open in OPEN_ORDERS {
            measures.push(scenario(open).await?);
        }
        BenchResult::Ok(measures)
    })?;
    report(&measures);
    same_cost(&measures)?;
    println!(
        "OK: same ERP calls and store operations for {} open orders; all {CHANGED_ORDERS} changes applied.",
        OPEN_ORDERS.map(thousands).join(" and ")
    );
    Ok(())
}
