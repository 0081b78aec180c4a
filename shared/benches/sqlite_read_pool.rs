//! How many read connections should the embedded SQLite store keep open?
//! `cargo bench -p shared --bench sqlite_read_pool`.
//!
//! For each pool size (0, 1, 2, 4 and 8 read connections; 0 makes reads
//! share the writer's connection), 32 clients each read 200 pages of 50
//! items while one writer keeps writing for 500 ms, as the dev server would
//! see them. It prints the pages read per second, the page latency (p50 and
//! p99) and how many writes got through. The default pool size is
//! `READ_CONNECTIONS` in `shared/src/adapters/sqlite.rs`.

use std::error::Error;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use shared::adapters::sqlite::SqliteTable;
use shared::ports::table::{Condition, Item, Key, QueryRequest, Table};

type BenchResult<T> = Result<T, Box<dyn Error + Send + Sync>>;

/// Pool sizes measured.
const READERS: [usize; 5] = [0, 1, 2, 4, 8];
/// Concurrent readers.
const CLIENTS: usize = 32;
/// Pages each reader asks for.
const PAGES_PER_CLIENT: usize = 200;
/// Items per page.
const PAGE_SIZE: usize = 50;
/// Items stored before the measurement.
const ITEMS: u64 = 2_000;
/// Partitions the items are spread over.
const ACCOUNTS: u64 = 20;
/// How long the writer keeps writing.
const WRITE_FOR: Duration = Duration::from_millis(500);

fn item(pk: &str, sk: &str, attrs: Value) -> Item {
    Item::new(
        Key::new(pk, sk),
        attrs.as_object().cloned().unwrap_or_default(),
    )
}

async fn measure(readers: usize) -> BenchResult<()> {
    let dir = tempfile::tempdir()?;
    let table = SqliteTable::open_with_readers(&dir.path().join("bench.sqlite3"), readers)?;
    let items: Vec<Item> = (0..ITEMS)
        .map(|n| {
            item(
                &format!("ACCOUNT#{}", n % ACCOUNTS),
                &format!("ORDER#{n:06}"),
                json!({"label": "Commande de plaques", "amount_cents": n * 100, "n": n}),
            )
        })
        .collect();
    table.put_many(items).await?;

    let started = Instant::now();
    let writer = {
        let table = table.clone();
        tokio::spawn(async move {
            let mut writes = 0_u64;
            let deadline = Instant::now() + WRITE_FOR;
            while Instant::now() < deadline {
                let stored = item("WRITER", &format!("{writes}"), json!({"x": writes}));
                table.put(stored, Condition::NotExists).await?;
                writes += 1;
            }
            Ok::<_, shared::ports::table::StoreError>(writes)
        })
    };
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let table = table.clone();
        clients.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(PAGES_PER_CLIENT);
            for page in 0..PAGES_PER_CLIENT {
                let account = (client + page) as u64 % ACCOUNTS;
                let request = QueryRequest::table(format!("ACCOUNT#{account}"))
                    .begins_with("ORDER#")
                    .limit(PAGE_SIZE);
                let asked = Instant::now();
                let page = table.query(request).await?;
                latencies.push(asked.elapsed());
                if page.items.len() != PAGE_SIZE {
                    return Err(
                        format!("a page held {} items, not {PAGE_SIZE}", page.items.len()).into(),
                    );
                }
            }
            Ok::<_, Box<dyn Error + Send + Sync>>(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for client in clients {
        latencies.extend(client.await??);
    }
    latencies.sort();
    let elapsed = started.elapsed();
    let writes = writer.await??;
    let pages = CLIENTS * PAGES_PER_CLIENT;
    println!(
        "readers={readers}: {:.0} pages/s, page p50 {:?} p99 {:?}, {writes} writes in {} ms",
        pages as f64 / elapsed.as_secs_f64(),
        latencies[latencies.len() / 2],
        latencies[latencies.len() * 99 / 100],
        WRITE_FOR.as_millis(),
    );
    Ok(())
}

fn main() -> BenchResult<()> {
    // `cargo bench` passes `--bench`; there is nothing to filter.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    for readers in READERS {
        runtime.block_on(measure(readers))?;
    }
    Ok(())
}
