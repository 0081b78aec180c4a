//! The stock connection and sync events of `events/stock/` through this
//! function's Lambda app: a manager configures a `feed` connection (a
//! Windows-1252 `;` PlanetVO export served on a local port), a member reads
//! it with its password masked, the manager syncs the account (202), and
//! the latest report counts the vehicles; a member may not configure.

use http::StatusCode;
use shared::app::vehicles::{self, VehicleQuery};
use shared::domain::Role;
use shared::testing::lambda_events::Events;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const EVENTS: Events = Events::new("stock", env!("CARGO_MANIFEST_DIR"), stock::routes);

const EXPORT: &str = "R\u{e9}f\u{e9}rence;Marque;Mod\u{e8}le;Immatriculation;Kilom\u{e9}trage\r\n\
PV-1;Citro\u{eb}n;C5 Aircross;AB-123-CD;12 500\r\n\
PV-2;Renault;M\u{e9}gane Estate;BC-234-DE;38000\r\n\
PV-3;;Clio;CD-345-EF;1000\r\n";

/// A one-answer HTTP server on a local port serving `body`, forever.
async fn serve(body: Vec<u8>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a local port");
    let address = listener.local_addr().expect("its address");
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let body = body.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/csv; charset=windows-1252\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(&body).await;
            });
        }
    });
    format!("http://{address}/export/stock.csv?token=feed-token-1")
}

#[tokio::test]
async fn a_manager_configures_and_syncs_a_feed() {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(EXPORT);
    assert!(!unmappable);
    let url = serve(bytes.into_owned()).await;
    let portal = EVENTS.portal("Garage Dupont Automobiles").await;
    let member = portal.user("atelier@garage-dupont.fr", Role::Member).await;
    let manager = portal.manager.clone();
    let values = [
        ("feed_url", url.as_str()),
        ("feed_password", "mot-de-passe-du-flux"),
    ];

    let refused = portal
        .send_as("put-stock-connection", &member, &values)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.json);

    let saved = portal
        .send_as("put-stock-connection", &manager, &values)
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.json);
    assert_eq!(saved.json["provider"], "feed");
    assert_eq!(saved.json["source"], "planetvo");
    assert_eq!(saved.json["settings"]["password"]["configured"], true);

    let read = portal.send_as("get-stock-connection", &member, &[]).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.json);
    let text = read.json.to_string();
    assert!(!text.contains("mot-de-passe-du-flux"), "{text}");
    assert!(!text.contains("feed-token-1"), "{text}");

    let none = portal.send_as("latest-stock-sync", &member, &[]).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND, "{}", none.json);

    let synced = portal.send_as("sync-stock", &manager, &[]).await;
    assert_eq!(synced.status, StatusCode::ACCEPTED, "{}", synced.json);
    assert_eq!(synced.json["created"], 2, "{}", synced.json);
    assert_eq!(synced.json["errors"][0]["record"], "PV-3");
    assert_eq!(synced.json["status"], "completed_with_errors");

    let latest = portal.send_as("latest-stock-sync", &member, &[]).await;
    assert_eq!(latest.status, StatusCode::OK, "{}", latest.json);
    assert_eq!(latest.json["created"], 2);
    assert_eq!(latest.json["encoding"], "windows-1252");

    let stock = vehicles::list(
        portal.services(),
        &portal.account.id,
        VehicleQuery::default(),
    )
    .await
    .unwrap();
    let mut makes: Vec<&str> = stock.items.iter().map(|v| v.make.as_str()).collect();
    makes.sort_unstable();
    assert_eq!(makes, ["Citroën", "Renault"]);
    assert!(stock.items.iter().any(|v| v.model == "Mégane Estate"));

    // The same feed again: nothing written.
    let again = portal.send_as("sync-stock", &manager, &[]).await;
    assert_eq!(again.status, StatusCode::ACCEPTED, "{}", again.json);
    assert_eq!(again.json["unchanged"], 2, "{}", again.json);
    assert_eq!(again.json["writes"], 0);
}
