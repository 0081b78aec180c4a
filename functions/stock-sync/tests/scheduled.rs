//! The sample event of `events/stock-sync/` (what the hourly EventBridge
//! schedule sends) deserialised as `lambda_runtime::run` does and handed to
//! `stock_sync::handle_with`, against an embedded portal with two connected
//! accounts and canned feeds: every connected account is synced, into its
//! own stock only, and a second run writes nothing.

use std::path::Path;
use std::sync::Arc;

use lambda_runtime::{Context, LambdaEvent};
use serde_json::{Value, json};
use shared::app::stock_sync::{self, ConnectionInput};
use shared::stock::connectors::generate;
use shared::stock::connectors::{CannedFetcher, FeedFetcher};
use shared::testing::{fixtures, iam};

fn scheduled_event() -> LambdaEvent<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/stock-sync/scheduled.json");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("event {}: {e}", path.display()));
    let payload: Value = serde_json::from_str(&text).expect("the event is JSON");
    LambdaEvent::new(payload, Context::default())
}

#[test]
fn the_sample_is_an_eventbridge_scheduled_event() {
    let event = scheduled_event().payload;
    assert_eq!(event["source"], "aws.events");
    assert_eq!(event["detail-type"], "Scheduled Event");
    assert!(
        event["resources"][0]
            .as_str()
            .is_some_and(|arn| arn.ends_with("rule/stva-stock-sync")),
        "{event}"
    );
    assert!(event["detail"].is_object(), "{event}");
}

#[tokio::test]
async fn the_scheduled_run_syncs_every_connected_account() {
    let portal = fixtures::embedded_portal();
    let services = &portal.services;
    let a = fixtures::seed_account(services, "Garage Dupont").await.id;
    let b = fixtures::seed_account(services, "Autos Martin").await.id;
    let unconnected = fixtures::seed_account(services, "Sans flux").await.id;
    for (account, url) in [
        (&a, "https://feeds.test/a.xml"),
        (&b, "https://feeds.test/b.xml"),
    ] {
        stock_sync::put_connection(
            services,
            account,
            "manager",
            ConnectionInput {
                provider: Some("spidervo".into()),
                settings: json!({ "url": url }).as_object().cloned(),
            },
        )
        .await
        .expect("connection");
    }
    let vehicles = generate::vehicles(12);
    let fetcher: Arc<dyn FeedFetcher> = Arc::new(
        CannedFetcher::new()
            .answer(
                "https://feeds.test/a.xml",
                200,
                generate::spidervo_xml(&vehicles[..4]),
            )
            .answer(
                "https://feeds.test/b.xml",
                200,
                generate::spidervo_xml(&vehicles[2..]),
            ),
    );

    // The function's ports once deployed: confined to its IAM role.
    let deployed = iam::confine(services, "stock-sync");
    let summary = ::stock_sync::handle_with(&deployed, fetcher.clone(), scheduled_event())
        .await
        .expect("the run");
    assert_eq!(summary.accounts, 2, "{summary:?}");
    assert_eq!(summary.synced, 2);
    assert_eq!(summary.created, 14);
    assert!(summary.errors.is_empty(), "{summary:?}");
    let stock =
        |account: String| async move { services.vehicles().all(&account).await.expect("stock") };
    assert_eq!(stock(a.clone()).await.len(), 4);
    assert_eq!(stock(b.clone()).await.len(), 10);
    assert!(stock(unconnected.clone()).await.is_empty());
    assert!(stock(b.clone()).await.iter().all(|v| v.account_id == b));

    let again = ::stock_sync::handle_with(&deployed, fetcher, scheduled_event())
        .await
        .expect("the run");
    assert_eq!((again.created, again.updated, again.removed), (0, 0, 0));
    let report = stock_sync::latest_report(services, &a)
        .await
        .expect("report");
    assert_eq!(report.unchanged, 4);
    assert_eq!(report.writes, 0);
}
