//! The stock sync over HTTP on `stva-dev`, on both backends: a manager
//! configures a `feed` connection (PlanetVO preset) pointing at a local
//! HTTP server serving a `;`-separated Windows-1252 export with accents and
//! a broken row; the customer never sees the feed's password nor its
//! token; `POST /api/stock/sync` imports the good rows with their accents,
//! the report counts them and names the bad one; a second sync writes
//! nothing; a row gone from the feed is removed; another account sees
//! nothing of it; `/_dev/run/stock-sync` runs the hourly sync.

use e2e_tests::{Caller, Portal, PortalBackend, feed_server};
use reqwest::Method;
use serde_json::{Value, json};
use shared::domain::Role;
use shared::testing::fixtures::{PASSWORD, seed_account, seed_user};
use tokio::sync::watch;

const EXPORT: &str = "Référence;Marque;Modèle;Version;Immatriculation;Kilométrage;Date 1ère MEC;Couleur\r\n\
PV-101;Citroën;C5 Aircross;Shine Pack;AB-123-CD;12 500;15/03/2021;Blanc Nacré\r\n\
PV-102;Renault;Mégane Estate;E-Tech;BC-234-DE;38000;01/2020;Gris Métal\r\n\
PV-103;;Clio;;CD-345-EF;1000;;\r\n\
PV-104;Peugeot;208;Allure;DE-456-FG;9 000;2022-06-30;Rouge\r\n";

/// Windows-1252 for the Latin-1 letters this test uses.
fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match u8::try_from(u32::from(c)) {
            Ok(b) if !(0x80..0xA0).contains(&b) => b,
            _ => panic!("{c:?} is not in this test's Windows-1252"),
        })
        .collect()
}

async fn customer(portal: &Portal, account: &str, email: &str) -> Caller {
    seed_user(&portal.server.services, email, Role::Group, Some(account)).await;
    portal.sign_in(email, PASSWORD).await
}

fn items(answer: &e2e_tests::Answer) -> Vec<Value> {
    answer.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {}", answer.body))
        .clone()
}

async fn journey(backend: PortalBackend) {
    let (feed, body) = watch::channel(windows_1252(EXPORT));
    assert!(
        std::str::from_utf8(&feed.borrow()).is_err(),
        "really Windows-1252"
    );
    let url = feed_server(body, std::time::Duration::ZERO).await;
    let portal = Portal::start(backend).await;
    let services = portal.server.services.clone();
    let account = seed_account(&services, "Garage Dupont").await;
    let other = seed_account(&services, "Autos Martin").await;
    let dupont = customer(&portal, &account.id, "vo@dupont.fr").await;
    let martin = customer(&portal, &other.id, "vo@martin.fr").await;
    let manager = portal.manager().await;

    // Nothing configured yet.
    dupont
        .get("/api/stock/connection")
        .await
        .expect_problem(404, "not_found");
    dupont
        .send(Method::POST, "/api/stock/sync", None)
        .await
        .expect_problem(409, "no_stock_connection");

    // The manager configures the feed; a customer may not.
    let connection = json!({
        "provider": "feed",
        "settings": {"url": url, "preset": "planetvo", "username": "stva", "password": "pw-feed-secret"},
    });
    let path = format!("/api/accounts/{}/stock-connection", account.id);
    dupont
        .put(&path, connection.clone())
        .await
        .expect_problem(403, "forbidden");
    martin
        .put(&path, connection.clone())
        .await
        .expect_problem(404, "not_found");
    manager
        .put(
            &path,
            json!({"provider": "feed", "settings": {"url": "ftp://x"}}),
        )
        .await
        .expect_problem(422, "validation_failed");
    let saved = manager.put(&path, connection).await;
    saved.expect(200);
    assert_eq!(saved.body["source"], "planetvo");
    let shown = dupont.get("/api/stock/connection").await;
    shown.expect(200);
    assert_eq!(shown.body["provider"], "feed");
    assert_eq!(shown.body["settings"]["preset"], "planetvo");
    assert_eq!(
        shown.body["settings"]["password"],
        json!({"configured": true})
    );
    let text = shown.body.to_string();
    assert!(
        !text.contains("pw-feed-secret") && !text.contains("tok-e2e-42"),
        "{text}"
    );

    // The sync: 3 vehicles, the broken row named.
    let report = dupont.send(Method::POST, "/api/stock/sync", None).await;
    report.expect(202);
    assert_eq!(report.body["created"], 3, "{}", report.body);
    assert_eq!(report.body["status"], "completed_with_errors");
    assert_eq!(
        report.body["errors"][0]["record"], "PV-103",
        "{}",
        report.body
    );
    let stock = dupont.get("/api/vehicles").await;
    stock.expect(200);
    let vehicles = items(&stock);
    assert_eq!(vehicles.len(), 3);
    let citroen = vehicles
        .iter()
        .find(|v| v["external_ref"] == "PV-101")
        .unwrap();
    assert_eq!(citroen["make"], "Citroën");
    assert_eq!(citroen["colour"], "Blanc Nacré");
    assert_eq!(citroen["mileage_km"], 12500);
    assert_eq!(citroen["first_registration"], "2021-03-15");
    assert_eq!(citroen["source"], "planetvo");
    let megane = vehicles
        .iter()
        .find(|v| v["external_ref"] == "PV-102")
        .unwrap();
    assert_eq!(megane["model"], "Mégane Estate");
    assert_eq!(megane["colour"], "Gris Métal");
    let latest = dupont.get("/api/stock/syncs/latest").await;
    latest.expect(200);
    assert_eq!(latest.body["created"], 3);
    assert_eq!(latest.body["encoding"], "windows-1252");
    assert!(latest.body["duration_ms"].is_u64());

    // Again: nothing written.
    let again = manager
        .send(
            Method::POST,
            &format!("/api/stock/sync?account_id={}", account.id),
            None,
        )
        .await;
    again.expect(202);
    assert_eq!(again.body["unchanged"], 3, "{}", again.body);
    assert_eq!(again.body["writes"], 0);

    // The Peugeot leaves the feed: removed by the hourly run.
    let without: String = EXPORT
        .lines()
        .filter(|line| !line.starts_with("PV-104"))
        .map(|line| format!("{line}\r\n"))
        .collect();
    feed.send(windows_1252(&without)).unwrap();
    let run = portal
        .anonymous()
        .send(Method::POST, "/_dev/run/stock-sync", None)
        .await;
    run.expect(200);
    assert_eq!(run.body["accounts"], 1, "{}", run.body);
    assert_eq!(run.body["removed"], 1, "{}", run.body);
    let active = dupont.get("/api/vehicles").await;
    assert_eq!(items(&active).len(), 2);

    // The other account sees none of it.
    assert!(items(&martin.get("/api/vehicles").await).is_empty());
    martin
        .get("/api/stock/syncs/latest")
        .await
        .expect_problem(404, "not_found");
    martin
        .get(&format!(
            "/api/stock/syncs/latest?account_id={}",
            account.id
        ))
        .await
        .expect_problem(404, "not_found");

    portal.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_sync_on_the_embedded_backend() {
    journey(PortalBackend::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_sync_on_aws_with_the_local_emulator() {
    journey(PortalBackend::Aws).await;
}
