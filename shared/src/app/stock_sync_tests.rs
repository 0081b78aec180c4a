//! The stock sync against the embedded store, with canned feeds.

use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use serde_json::json;
use tokio::sync::Notify;

use super::*;
use crate::ports::table::{Item, Key, QueryPage, QueryRequest, Table};
use crate::stock::connectors::CannedFetcher;
use crate::stock::connectors::generate::{self, FeedVehicle};
use crate::testing::fixtures::{TestPortal, embedded_portal, seed_account};

const URL_A: &str = "https://feeds.test/a/export.xml?token=s3cr3t-a";
const URL_B: &str = "https://feeds.test/b/export.xml?token=s3cr3t-b";

/// Counts the vehicle items written (puts, transaction writes, batches)
/// and the largest transaction.
struct Counting {
    inner: Arc<dyn Table>,
    vehicle_writes: AtomicUsize,
    largest_transaction: AtomicUsize,
}

fn is_vehicle(key: &Key) -> bool {
    key.sk.starts_with("VEHICLE#")
}

#[async_trait]
impl Table for Counting {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }
    async fn put(&self, item: Item, condition: crate::ports::Condition) -> Result<(), StoreError> {
        if is_vehicle(&item.key) {
            self.vehicle_writes.fetch_add(1, Ordering::SeqCst);
        }
        self.inner.put(item, condition).await
    }
    async fn delete(
        &self,
        key: &Key,
        condition: crate::ports::Condition,
    ) -> Result<(), StoreError> {
        if is_vehicle(key) {
            self.vehicle_writes.fetch_add(1, Ordering::SeqCst);
        }
        self.inner.delete(key, condition).await
    }
    async fn query(&self, request: QueryRequest) -> Result<QueryPage, StoreError> {
        self.inner.query(request).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        self.largest_transaction
            .fetch_max(writes.len(), Ordering::SeqCst);
        let vehicles = writes
            .iter()
            .filter(|w| match w {
                Write::Put { item, .. } => is_vehicle(&item.key),
                Write::Delete { key, .. } => is_vehicle(key),
                Write::Check { .. } => false,
            })
            .count();
        let result = self.inner.transact(writes).await;
        if result.is_ok() {
            self.vehicle_writes.fetch_add(vehicles, Ordering::SeqCst);
        }
        result
    }
    async fn put_many(&self, items: Vec<Item>) -> Result<(), StoreError> {
        let vehicles = items.iter().filter(|i| is_vehicle(&i.key)).count();
        self.vehicle_writes.fetch_add(vehicles, Ordering::SeqCst);
        self.inner.put_many(items).await
    }
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.inner.get_many(keys).await
    }
    async fn increment(&self, key: &Key, attribute: &str, by: u64) -> Result<u64, StoreError> {
        self.inner.increment(key, attribute, by).await
    }
}

struct World {
    portal: TestPortal,
    services: Services,
    counter: Arc<Counting>,
    a: String,
    b: String,
}

async fn world() -> World {
    let portal = embedded_portal();
    let counter = Arc::new(Counting {
        inner: portal.services.table.clone(),
        vehicle_writes: AtomicUsize::new(0),
        largest_transaction: AtomicUsize::new(0),
    });
    let mut services = portal.services.clone();
    services.table = counter.clone();
    let a = seed_account(&services, "Garage Dupont").await.id;
    let b = seed_account(&services, "Autos Martin").await.id;
    for (account, url) in [(&a, URL_A), (&b, URL_B)] {
        connect(&services, account, json!({"url": url})).await;
    }
    World {
        portal,
        services,
        counter,
        a,
        b,
    }
}

async fn connect(services: &Services, account: &str, settings: Value) -> ConnectionView {
    put_connection(
        services,
        account,
        "manager-1",
        ConnectionInput {
            provider: Some("spidervo".into()),
            settings: settings.as_object().cloned(),
        },
    )
    .await
    .unwrap()
}

fn fetcher(url: &str, vehicles: &[FeedVehicle]) -> Arc<dyn FeedFetcher> {
    Arc::new(CannedFetcher::new().answer(url, 200, generate::spidervo_xml(vehicles)))
}

async fn sync(world: &World, account: &str, fetcher: Arc<dyn FeedFetcher>) -> SyncReport {
    match sync_account(&world.services, fetcher, account)
        .await
        .unwrap()
    {
        SyncOutcome::Ran(report) => *report,
        SyncOutcome::AlreadyRunning => panic!("the sync did not run"),
    }
}

fn writes(world: &World) -> usize {
    world.counter.vehicle_writes.swap(0, Ordering::SeqCst)
}

async fn stock(world: &World, account: &str) -> Vec<Vehicle> {
    world.services.vehicles().all(account).await.unwrap()
}

async fn reserve(world: &World, vehicle: &Vehicle) {
    let mut next = vehicle.clone();
    next.status = VehicleStatus::InOrder;
    next.order_id = Some("order-1".into());
    next.revision += 1;
    world.services.vehicles().update(&next).await.unwrap();
}

#[tokio::test]
async fn a_first_sync_creates_and_a_second_writes_nothing() {
    let world = world().await;
    let vehicles = generate::vehicles(60);
    let report = sync(&world, &world.a, fetcher(URL_A, &vehicles)).await;
    assert_eq!(report.status, SyncStatus::Succeeded, "{report:?}");
    assert_eq!(
        (
            report.created,
            report.updated,
            report.unchanged,
            report.removed
        ),
        (60, 0, 0, 0)
    );
    assert_eq!(report.writes, 60);
    assert_eq!(writes(&world), 60);
    assert!(world.counter.largest_transaction.load(Ordering::SeqCst) <= MAX_WRITES_PER_BATCH);
    assert_eq!(report.source, "spidervo");
    assert_eq!(report.provider, "spidervo");
    let stored = stock(&world, &world.a).await;
    assert_eq!(stored.len(), 60);
    assert!(stored.iter().any(|v| v.make == "Škoda"));
    assert!(stored.iter().any(|v| v.make == "Citroën"));
    let latest = latest_report(&world.services, &world.a).await.unwrap();
    assert_eq!(latest, report);

    let again = sync(&world, &world.a, fetcher(URL_A, &vehicles)).await;
    assert_eq!(
        (again.created, again.updated, again.unchanged, again.removed),
        (0, 0, 60, 0),
        "{again:?}"
    );
    assert_eq!(writes(&world), 0, "an unchanged feed writes no vehicle");

    // One vehicle changes: one write.
    let mut changed = vehicles.clone();
    changed[7].mileage_km += 1_000;
    let third = sync(&world, &world.a, fetcher(URL_A, &changed)).await;
    assert_eq!((third.updated, third.unchanged), (1, 59), "{third:?}");
    assert_eq!(writes(&world), 1);
}

#[tokio::test]
async fn vehicles_gone_are_removed_except_one_in_an_active_order() {
    let world = world().await;
    let vehicles = generate::vehicles(30);
    sync(&world, &world.a, fetcher(URL_A, &vehicles)).await;
    writes(&world);
    let stored = stock(&world, &world.a).await;
    let by_ref = |r: &str| stored.iter().find(|v| v.external_ref.as_deref() == Some(r));
    let gone: Vec<String> = vehicles[10..13]
        .iter()
        .map(|v| v.reference.clone())
        .collect();
    let reserved = by_ref(&gone[1]).unwrap().clone();
    reserve(&world, &reserved).await;
    writes(&world);

    let mut remaining = vehicles.clone();
    remaining.drain(10..13);
    let report = sync(&world, &world.a, fetcher(URL_A, &remaining)).await;
    assert_eq!(
        (report.removed, report.kept_in_order, report.unchanged),
        (2, 1, 27),
        "{report:?}"
    );
    assert_eq!(writes(&world), 2);
    let now = stock(&world, &world.a).await;
    for vehicle in &now {
        let reference = vehicle.external_ref.clone().unwrap_or_default();
        let expected = if reference == gone[1] {
            VehicleStatus::InOrder
        } else if gone.contains(&reference) {
            VehicleStatus::Removed
        } else {
            VehicleStatus::InStock
        };
        assert_eq!(vehicle.status, expected, "{reference}");
    }

    // A changed vehicle in an order is left as it is.
    let mut changed = remaining.clone();
    changed.push(vehicles[11].clone());
    changed.last_mut().unwrap().model = "Autre modèle".into();
    let report = sync(&world, &world.a, fetcher(URL_A, &changed)).await;
    assert_eq!(report.kept_in_order, 1, "{report:?}");
    assert_eq!(report.updated, 0);
    let kept = world
        .services
        .vehicles()
        .get(&world.a, &reserved.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.model, reserved.model);
    assert_eq!(kept.status, VehicleStatus::InOrder);

    // A removed vehicle back in the feed comes back in stock.
    let report = sync(&world, &world.a, fetcher(URL_A, &vehicles)).await;
    assert_eq!(report.updated, 2, "{report:?}");
    assert_eq!(
        stock(&world, &world.a)
            .await
            .iter()
            .filter(|v| v.status == VehicleStatus::Removed)
            .count(),
        0
    );
}

#[tokio::test]
async fn a_broken_feed_keeps_the_good_records_and_names_the_bad_ones() {
    let world = world().await;
    let vehicles = generate::vehicles(5);
    let xml = String::from_utf8(generate::spidervo_xml(&vehicles)).unwrap();
    let xml = xml.replace(
        "</vehicules>",
        "<vehicule><reference>BAD-1</reference><marque>Renault</marque></vehicule>\
         <vehicule><reference>BAD-2</reference><marque>Dacia</marque><modele>Duster</modele>\
         <immatriculation>#!</immatriculation></vehicule></vehicules>",
    );
    let fetcher: Arc<dyn FeedFetcher> =
        Arc::new(CannedFetcher::new().answer(URL_A, 200, xml.into_bytes()));
    let report = sync(&world, &world.a, fetcher).await;
    assert_eq!(report.status, SyncStatus::CompletedWithErrors);
    assert_eq!(report.created, 5, "{report:?}");
    let named: Vec<&str> = report.errors.iter().map(|e| e.record.as_str()).collect();
    assert_eq!(named, ["BAD-1", "BAD-2"], "{report:?}");
    assert!(report.errors[0].reason.contains("modèle"), "{report:?}");
    assert_eq!(stock(&world, &world.a).await.len(), 5);

    // A feed that cannot be read fails the sync and changes nothing.
    writes(&world);
    let broken: Arc<dyn FeedFetcher> = Arc::new(CannedFetcher::new().answer(URL_A, 500, ""));
    let report = sync(&world, &world.a, broken).await;
    assert_eq!(report.status, SyncStatus::Failed);
    assert!(report.message.as_deref().unwrap().contains("HTTP 500"));
    assert_eq!(writes(&world), 0);
    assert_eq!(
        latest_report(&world.services, &world.a)
            .await
            .unwrap()
            .status,
        SyncStatus::Failed
    );

    // An empty export does not wipe the stock.
    let empty = fetcher_of(URL_A, &[]);
    let report = sync(&world, &world.a, empty).await;
    assert_eq!(report.removed, 0, "{report:?}");
    assert_eq!(report.warnings.len(), 1, "{report:?}");
    assert_eq!(writes(&world), 0);
}

fn fetcher_of(url: &str, vehicles: &[FeedVehicle]) -> Arc<dyn FeedFetcher> {
    fetcher(url, vehicles)
}

/// A fetcher that waits for the test's signal before answering.
struct Gated {
    inner: CannedFetcher,
    called: Arc<Notify>,
    open: Arc<Notify>,
}

#[async_trait]
impl FeedFetcher for Gated {
    async fn get(&self, request: &FetchRequest) -> Result<FetchResponse, FeedError> {
        self.called.notify_one();
        self.open.notified().await;
        self.inner.get(request).await
    }
}

#[tokio::test]
async fn two_syncs_of_one_account_never_run_at_once() {
    let world = world().await;
    let called = Arc::new(Notify::new());
    let open = Arc::new(Notify::new());
    let gated: Arc<dyn FeedFetcher> = Arc::new(Gated {
        inner: CannedFetcher::new().answer(
            URL_A,
            200,
            generate::spidervo_xml(&generate::vehicles(3)),
        ),
        called: called.clone(),
        open: open.clone(),
    });
    let services = world.services.clone();
    let account = world.a.clone();
    let first =
        tokio::spawn(async move { sync_account(&services, gated, &account).await.unwrap() });
    called.notified().await;
    let second = sync_account(&world.services, fetcher(URL_A, &[]), &world.a)
        .await
        .unwrap();
    assert_eq!(second, SyncOutcome::AlreadyRunning);
    // Another account is not held up.
    let other = sync_account(&world.services, fetcher(URL_B, &[]), &world.b)
        .await
        .unwrap();
    assert!(matches!(other, SyncOutcome::Ran(_)));
    open.notify_one();
    let first = first.await.unwrap();
    let SyncOutcome::Ran(report) = first else {
        panic!("the first sync ran");
    };
    assert_eq!(report.created, 3);
    // The lease is released: the next one runs.
    let third = sync_account(
        &world.services,
        fetcher(URL_A, &generate::vehicles(3)),
        &world.a,
    )
    .await
    .unwrap();
    assert!(matches!(third, SyncOutcome::Ran(_)));
}

#[tokio::test]
async fn nothing_of_one_accounts_feed_lands_in_another() {
    let world = world().await;
    let vehicles = generate::vehicles(20);
    // Both feeds share references and plates (5..10).
    let canned: Arc<dyn FeedFetcher> = Arc::new(
        CannedFetcher::new()
            .answer(URL_A, 200, generate::spidervo_xml(&vehicles[0..10]))
            .answer(URL_B, 200, generate::spidervo_xml(&vehicles[5..20])),
    );
    let summary = sync_all(&world.services, canned.clone()).await.unwrap();
    assert_eq!((summary.accounts, summary.synced), (2, 2), "{summary:?}");
    assert_eq!(summary.created, 25);
    let a = stock(&world, &world.a).await;
    let b = stock(&world, &world.b).await;
    assert_eq!((a.len(), b.len()), (10, 15));
    assert!(a.iter().all(|v| v.account_id == world.a));
    assert!(b.iter().all(|v| v.account_id == world.b));
    let a_ids: std::collections::HashSet<&str> = a.iter().map(|v| v.id.as_str()).collect();
    assert!(b.iter().all(|v| !a_ids.contains(v.id.as_str())));
    // Syncing A again touches nothing of B.
    writes(&world);
    let report = sync(&world, &world.a, canned).await;
    assert_eq!(report.unchanged, 10);
    assert_eq!(stock(&world, &world.b).await, b);
    assert_eq!(writes(&world), 0);
    drop(world.portal);
}

#[tokio::test]
async fn a_connection_keeps_its_secrets_to_itself() {
    let world = world().await;
    let view = put_connection(
        &world.services,
        &world.a,
        "manager-1",
        ConnectionInput {
            provider: Some("radarvo".into()),
            settings: json!({"base_url": "https://api.radarvo.example", "api_key": "rk-live-123"})
                .as_object()
                .cloned(),
        },
    )
    .await
    .unwrap();
    let shown = serde_json::to_string(&view).unwrap();
    assert!(!shown.contains("rk-live-123"), "{shown}");
    assert_eq!(view.settings["api_key"], json!({"configured": true}));
    assert_eq!(view.source, "radarvo");
    let read = get_connection(&world.services, &world.a).await.unwrap();
    assert_eq!(read, view);
    // Stored, for the sync; never in Debug.
    let stored = world
        .services
        .stock_connections()
        .get(&world.a)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.settings["api_key"], "rk-live-123");
    assert!(!format!("{stored:?}").contains("rk-live"));

    // A feed URL's token is hidden too.
    let b = get_connection(&world.services, &world.b).await.unwrap();
    assert!(!serde_json::to_string(&b).unwrap().contains("s3cr3t"));

    // Bad settings are refused, naming the field at fault (account B's
    // connection is a feed: no RadarVO key of its own to keep).
    for (provider, settings, field) in [
        (
            "radarvo",
            json!({"base_url": "https://api.radarvo.example"}),
            "settings.api_key",
        ),
        (
            "radarvo",
            json!({"base_url": "https://x", "api_key": "k", "dealer": 1}),
            "settings.dealer",
        ),
        ("spidervo", json!({"url": "ftp://x"}), "settings"),
        ("feed", json!({"url": "https://x.test/a.csv"}), "settings"),
        (
            "csv_feed",
            json!({"url": "https://x.test/a.csv"}),
            "settings.mapping",
        ),
        ("inconnu", json!({}), "provider"),
    ] {
        let err = put_connection(
            &world.services,
            &world.b,
            "manager-1",
            ConnectionInput {
                provider: Some(provider.into()),
                settings: settings.as_object().cloned(),
            },
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&err, AppError::Validation(e) if e[0].field == field),
            "{provider}: {err:?}"
        );
    }
    let err = put_connection(
        &world.services,
        "no-such-account",
        "manager-1",
        ConnectionInput {
            provider: Some("spidervo".into()),
            settings: json!({"url": URL_A}).as_object().cloned(),
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AppError::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn an_account_without_a_connection_cannot_sync() {
    let portal = embedded_portal();
    let account = seed_account(&portal.services, "Sans flux").await.id;
    let err = sync_account(&portal.services, Arc::new(CannedFetcher::new()), &account)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        AppError::Conflict {
            code: "no_stock_connection",
            ..
        }
    ));
    assert!(matches!(
        latest_report(&portal.services, &account).await.unwrap_err(),
        AppError::NotFound { .. }
    ));
}

#[tokio::test]
async fn named_tools_are_feeds_with_their_preset_and_secrets_are_kept() {
    let world = world().await;
    let put = |provider: &'static str, settings: Value| {
        let services = world.services.clone();
        let account = world.a.clone();
        async move {
            put_connection(
                &services,
                &account,
                "manager-1",
                ConnectionInput {
                    provider: Some(provider.into()),
                    settings: settings.as_object().cloned(),
                },
            )
            .await
        }
    };
    for (provider, source) in [
        ("planetvo", "planetvo"),
        ("cardiff", "cardiff"),
        ("v12", "v12"),
        ("eurolinea", "eurolinea"),
    ] {
        let view = put(
            provider,
            json!({"url": "https://outil.test/export.csv", "username": "stva", "password": "pw-1"}),
        )
        .await
        .unwrap();
        assert_eq!(view.provider, provider);
        assert_eq!(view.source, source);
        assert_eq!(view.settings["preset"], provider);
    }
    // The same tool again without the password, or with it as shown:
    // the stored one stays.
    for password in [None, Some(json!({"configured": true}))] {
        let mut settings = json!({"url": "https://outil.test/autre.csv", "username": "stva"});
        if let Some(shown) = password {
            settings["password"] = shown;
        }
        let view = put("eurolinea", settings).await.unwrap();
        assert_eq!(view.settings["password"], json!({"configured": true}));
        let stored = world
            .services
            .stock_connections()
            .get(&world.a)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.settings["password"], json!("pw-1"));
        assert_eq!(
            stored.settings["url"],
            json!("https://outil.test/autre.csv")
        );
    }
    // Another tool does not inherit it.
    let view = put("cardiff", json!({"url": "https://outil.test/c.csv"}))
        .await
        .unwrap();
    assert!(view.settings.get("password").is_none(), "{view:?}");
    // A CSV feed with a mapping of its own.
    let view = put(
        "csv_feed",
        json!({"url": "https://outil.test/f.csv", "mapping": {
            "source": "outil-maison",
            "format": {"type": "csv", "separator": ";"},
            "fields": {"make": ["Marque"], "model": ["Modele"], "plate": ["Immat"], "external_ref": ["Ref"]}
        }}),
    )
    .await
    .unwrap();
    assert_eq!(view.provider, "csv_feed");
    assert_eq!(view.source, "outil-maison");
}
