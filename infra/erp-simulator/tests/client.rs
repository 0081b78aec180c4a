//! The portal's ERP client (`shared::adapters::erp_http`) against the
//! simulator on a loopback port: the contract end to end, and the client's
//! behaviour under the simulator's injected faults.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use erp_simulator::{Faults, RunningSimulator, Simulator};
use shared::adapters::erp_http::{ErpTimeouts, HttpErp};
use shared::ports::erp::{
    Erp, ErpAddress, ErpError, ErpStatus, ErpVehicle, EstimateRequest, StatusChange,
};
use time::OffsetDateTime;
use time::macros::datetime;

const KEY: &str = "test-erp-key";
const T0: OffsetDateTime = datetime!(2025-06-02 08:00 UTC);

/// Short timeouts so that fault tests take a moment, not minutes.
fn fast() -> ErpTimeouts {
    ErpTimeouts {
        connect: Duration::from_millis(500),
        request: Duration::from_millis(300),
        backoff_base: Duration::from_millis(10),
        backoff_cap: Duration::from_millis(50),
    }
}

async fn start() -> (RunningSimulator, HttpErp) {
    let running = Simulator::new(KEY)
        .with_frozen_clock(T0)
        .spawn(([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let erp = HttpErp::new(&running.url, KEY, fast()).unwrap();
    (running, erp)
}

fn address(postal_code: &str, city: &str) -> ErpAddress {
    ErpAddress {
        company: Some("Garage du Centre".into()),
        street: "12 avenue de la République".into(),
        postal_code: postal_code.into(),
        city: city.into(),
        country: "FR".into(),
        contact_name: Some("Julie Martin".into()),
        contact_phone: Some("+33 1 23 45 67 89".into()),
        instructions: None,
    }
}

fn lot(reference: &str, vehicles: usize) -> EstimateRequest {
    EstimateRequest {
        reference: reference.into(),
        customer_account_id: "acc_1".into(),
        customer_name: "Garage du Centre".into(),
        vehicles: (0..vehicles)
            .map(|i| ErpVehicle {
                make: "Renault".into(),
                model: "Clio".into(),
                plate: format!("AB{:03}CD", i + 1),
                vin: (i == 0).then(|| "VF1RJA00067123456".into()),
            })
            .collect(),
        pickup: address("75011", "Paris"),
        delivery: address("69003", "Lyon"),
        requested_date: Some(time::macros::date!(2025 - 06 - 10)),
    }
}

#[tokio::test]
async fn estimates_are_deterministic_and_follow_the_tariff() {
    let (running, erp) = start().await;
    let a = erp.estimate(&lot("CMD-1", 3)).await.unwrap();
    let b = erp.estimate(&lot("CMD-1", 3)).await.unwrap();
    assert_ne!(a.estimate_id, b.estimate_id);
    assert_eq!(
        (a.amount_excl_tax_cents, a.vat_cents, a.distance_km),
        (b.amount_excl_tax_cents, b.vat_cents, b.distance_km)
    );
    let tariff = erp_simulator::price(a.distance_km, 3);
    assert_eq!(a.amount_excl_tax_cents, tariff.excl_tax.cents());
    assert_eq!(a.vat_cents, tariff.vat.cents());
    assert_eq!(a.amount_incl_tax_cents, tariff.incl_tax.cents());
    assert_eq!(a.currency, "EUR");
    assert_eq!(a.valid_until, T0 + erp_simulator::ESTIMATE_VALIDITY);
    assert!((430..=500).contains(&a.distance_km), "{}", a.distance_km);
    // A lot the ERP cannot price is a rejection with its message.
    let mut overseas = lot("CMD-2", 1);
    overseas.delivery = address("97400", "Saint-Denis");
    let err = erp.estimate(&overseas).await.unwrap_err();
    assert!(
        matches!(&err, ErpError::Rejected { status: 422, message } if message.contains("unsupported_area")),
        "{err}"
    );
    assert_eq!(running.simulator.stats().estimates, 2);
}

#[tokio::test]
async fn one_idempotency_key_makes_one_order() {
    let (running, erp) = start().await;
    let estimate = erp.estimate(&lot("CMD-1", 2)).await.unwrap();
    let first = erp
        .create_order(&estimate.estimate_id, "CMD-1", "validate-CMD-1")
        .await
        .unwrap();
    let again = erp
        .create_order(&estimate.estimate_id, "CMD-1", "validate-CMD-1")
        .await
        .unwrap();
    assert_eq!(first.erp_order_id, again.erp_order_id);
    assert_eq!(first.status, ErpStatus::Confirmed);
    assert_eq!(first.reference, "CMD-1");
    let stats = running.simulator.stats();
    assert_eq!(stats.orders_created, 1);
    assert_eq!(stats.create_order_calls, 2);
    assert_eq!(stats.idempotent_repeats, 1);
    assert_eq!(stats.orders, 1);
    // The same key for another body is refused, not a second order.
    let other = erp.estimate(&lot("CMD-2", 1)).await.unwrap();
    let err = erp
        .create_order(&other.estimate_id, "CMD-2", "validate-CMD-1")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ErpError::Rejected { status: 409, message } if message.contains("idempotency_key_reused")),
        "{err}"
    );
    // Another key for an estimate already ordered is refused too.
    let err = erp
        .create_order(&estimate.estimate_id, "CMD-1", "another-key")
        .await
        .unwrap_err();
    assert!(
        matches!(err, ErpError::Rejected { status: 409, .. }),
        "{err}"
    );
    assert_eq!(running.simulator.stats().orders_created, 1);
}

#[tokio::test]
async fn expired_or_unknown_estimates_cannot_be_ordered() {
    let (running, erp) = start().await;
    let estimate = erp.estimate(&lot("CMD-1", 1)).await.unwrap();
    let err = erp
        .create_order("est_unknown", "CMD-1", "k1")
        .await
        .unwrap_err();
    assert!(matches!(err, ErpError::EstimateExpired), "{err}");
    running.simulator.advance(8 * 24 * 60);
    let err = erp
        .create_order(&estimate.estimate_id, "CMD-1", "k1")
        .await
        .unwrap_err();
    assert!(matches!(err, ErpError::EstimateExpired), "{err}");
    assert_eq!(running.simulator.stats().orders_created, 0);
}

#[tokio::test]
async fn the_feed_pages_every_status_once_as_the_clock_advances() {
    let (running, erp) = start().await;
    let mut orders = Vec::new();
    for i in 0..3 {
        let reference = format!("CMD-{i}");
        let estimate = erp.estimate(&lot(&reference, 1)).await.unwrap();
        let order = erp
            .create_order(&estimate.estimate_id, &reference, &reference)
            .await
            .unwrap();
        orders.push(order.erp_order_id);
    }
    // Three confirmations so far, in two pages.
    let page = erp.changes(None, 2).await.unwrap();
    assert_eq!(page.changes.len(), 2);
    assert!(page.has_more);
    let rest = erp.changes(Some(&page.cursor), 2).await.unwrap();
    assert_eq!(rest.changes.len(), 1);
    assert!(!rest.has_more);
    let idle = erp.changes(Some(&rest.cursor), 2).await.unwrap();
    assert!(idle.changes.is_empty());
    assert_eq!(idle.cursor, rest.cursor);
    let mut seen: Vec<StatusChange> = page.changes.into_iter().chain(rest.changes).collect();
    assert!(seen.iter().all(|c| c.status == ErpStatus::Confirmed));

    // Two hours on: scheduled. Three days on: delivered.
    running.simulator.advance(120);
    let mut cursor = rest.cursor;
    let scheduled = erp.changes(Some(&cursor), 100).await.unwrap();
    assert_eq!(scheduled.changes.len(), 3);
    assert!(
        scheduled
            .changes
            .iter()
            .all(|c| c.status == ErpStatus::Scheduled)
    );
    cursor = scheduled.cursor;
    seen.extend(scheduled.changes);
    running.simulator.advance(3 * 24 * 60);
    loop {
        let page = erp.changes(Some(&cursor), 4).await.unwrap();
        assert!(page.changes.len() <= 4);
        seen.extend(page.changes);
        cursor = page.cursor;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(seen.len(), 15);
    let chain = [
        ErpStatus::Confirmed,
        ErpStatus::Scheduled,
        ErpStatus::PickedUp,
        ErpStatus::InTransit,
        ErpStatus::Delivered,
    ];
    for id in &orders {
        let history: Vec<ErpStatus> = seen
            .iter()
            .filter(|c| &c.erp_order_id == id)
            .map(|c| c.status)
            .collect();
        assert_eq!(history, chain);
        let order = erp.order(id).await.unwrap();
        assert_eq!(order.status, ErpStatus::Delivered);
        let events: Vec<ErpStatus> = order.events.iter().map(|e| e.status).collect();
        assert_eq!(events, chain);
    }
    assert!(seen.windows(2).all(|w| w[0].at <= w[1].at));
    let stats = running.simulator.stats();
    assert_eq!(stats.changes_served, 15);
    assert_eq!(stats.feed_length, 15);
}

#[tokio::test]
async fn cancellation_before_pickup_is_a_change_and_idempotent() {
    let (running, erp) = start().await;
    let estimate = erp.estimate(&lot("CMD-1", 1)).await.unwrap();
    let order = erp
        .create_order(&estimate.estimate_id, "CMD-1", "k")
        .await
        .unwrap();
    let cancelled = erp
        .cancel_order(&order.erp_order_id, "annulée par le client")
        .await
        .unwrap();
    assert_eq!(cancelled.status, ErpStatus::Cancelled);
    let again = erp
        .cancel_order(&order.erp_order_id, "retry")
        .await
        .unwrap();
    assert_eq!(again, cancelled);
    running.simulator.advance(5 * 24 * 60);
    let page = erp.changes(None, 10).await.unwrap();
    let statuses: Vec<ErpStatus> = page.changes.iter().map(|c| c.status).collect();
    assert_eq!(statuses, vec![ErpStatus::Confirmed, ErpStatus::Cancelled]);
    let err = erp.order("ord_unknown").await.unwrap_err();
    assert!(
        matches!(err, ErpError::Rejected { status: 404, .. }),
        "{err}"
    );
    assert_eq!(running.simulator.stats().cancellations, 1);
}

#[tokio::test]
async fn a_wrong_api_key_is_rejected_401_without_retry() {
    let (running, _) = start().await;
    let erp = HttpErp::new(&running.url, "wrong-key", fast()).unwrap();
    let err = erp.estimate(&lot("CMD-1", 1)).await.unwrap_err();
    assert!(
        matches!(err, ErpError::Rejected { status: 401, .. }),
        "{err}"
    );
    let stats = running.simulator.stats();
    assert_eq!(stats.unauthorized, 1);
    assert_eq!(stats.calls_to("POST /v1/estimates"), 1);
}

#[tokio::test]
async fn errors_make_unavailable_after_exactly_three_attempts() {
    let (running, erp) = start().await;
    let estimate = erp.estimate(&lot("CMD-1", 1)).await.unwrap();
    running.simulator.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::none()
    });
    let err = erp
        .create_order(&estimate.estimate_id, "CMD-1", "k")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ErpError::Unavailable(m) if m.contains("503")),
        "{err}"
    );
    let stats = running.simulator.stats();
    assert_eq!(stats.create_order_calls, 3);
    assert_eq!(stats.injected_errors, 3);
    assert_eq!(stats.orders_created, 0);
    let err = erp.changes(None, 10).await.unwrap_err();
    assert!(matches!(err, ErpError::Unavailable(_)), "{err}");
    assert_eq!(running.simulator.stats().calls_to("GET /v1/changes"), 3);
}

#[tokio::test]
async fn timeouts_make_unavailable_within_the_budget() {
    let (running, erp) = start().await;
    let estimate = erp.estimate(&lot("CMD-1", 1)).await.unwrap();
    running.simulator.set_faults(Faults {
        timeout_rate: 1.0,
        timeout_ms: 2_000,
        ..Faults::none()
    });
    let started = Instant::now();
    let err = erp
        .create_order(&estimate.estimate_id, "CMD-1", "k")
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(&err, ErpError::Unavailable(m) if m.contains("timed out")),
        "{err}"
    );
    assert!(elapsed >= fast().request * 3, "{elapsed:?}");
    assert!(
        elapsed <= fast().budget() + Duration::from_secs(1),
        "{elapsed:?} > budget {:?}",
        fast().budget()
    );
    let stats = running.simulator.stats();
    assert_eq!(stats.create_order_calls, 3);
    assert_eq!(stats.injected_timeouts, 3);
    // The ERP did the work before its answer got lost: one order, and the
    // two later attempts were repeats of the first.
    assert_eq!(stats.orders_created, 1);
    assert_eq!(stats.idempotent_repeats, 2);
    // Once the ERP answers again, the same key gives that order.
    running.simulator.set_faults(Faults::none());
    let order = erp
        .create_order(&estimate.estimate_id, "CMD-1", "k")
        .await
        .unwrap();
    assert_eq!(order.reference, "CMD-1");
    assert_eq!(running.simulator.stats().orders_created, 1);
}

#[tokio::test]
async fn a_malformed_answer_is_a_clear_error() {
    let (running, erp) = start().await;
    running.simulator.set_faults(Faults {
        malformed_rate: 1.0,
        ..Faults::none()
    });
    let err = erp.estimate(&lot("CMD-1", 1)).await.unwrap_err();
    match &err {
        ErpError::Malformed(message) => {
            assert!(message.starts_with("estimate:"), "{message}");
            assert!(message.contains("HTTP 200"), "{message}");
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
    assert!(err.to_string().starts_with("ERP answer malformed"), "{err}");
    let stats = running.simulator.stats();
    assert_eq!(stats.calls_to("POST /v1/estimates"), 1, "no retry");
    assert_eq!(stats.injected_malformed, 1);
}

#[tokio::test]
async fn latency_is_added_to_every_request() {
    let (running, erp) = start().await;
    running.simulator.set_faults(Faults {
        latency_ms: 150,
        ..Faults::none()
    });
    let started = Instant::now();
    erp.changes(None, 1).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
}

/// 50 validations against an ERP failing 30 % of the requests and timing
/// out 30 % of the others, each retried by the caller until it succeeds:
/// exactly 50 ERP orders, each the one its caller got.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_orders_under_errors_and_timeouts_make_fifty_erp_orders() {
    let (running, erp) = start().await;
    let mut estimates = Vec::new();
    for i in 0..50 {
        let reference = format!("CMD-{i:03}");
        let estimate = erp.estimate(&lot(&reference, 1 + i % 4)).await.unwrap();
        estimates.push((reference, estimate.estimate_id));
    }
    running.simulator.set_faults(Faults {
        error_rate: 0.3,
        timeout_rate: 0.3,
        timeout_ms: 1_000,
        seed: Some(42),
        ..Faults::none()
    });
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (reference, estimate_id) in estimates {
        let erp = erp.clone();
        tasks.spawn(async move {
            let key = format!("validate-{reference}");
            let mut calls = 0;
            loop {
                calls += 1;
                match erp.create_order(&estimate_id, &reference, &key).await {
                    Ok(order) => return (reference, order.erp_order_id, calls),
                    Err(ErpError::Unavailable(_) | ErpError::Malformed(_)) if calls < 20 => {}
                    Err(other) => panic!("{reference}: {other}"),
                }
            }
        });
    }
    let mut got: HashMap<String, String> = HashMap::new();
    let mut retried = 0;
    while let Some(result) = tasks.join_next().await {
        let (reference, erp_order_id, calls) = result.unwrap();
        retried += usize::from(calls > 1);
        got.insert(reference, erp_order_id);
    }
    let elapsed = started.elapsed();
    assert_eq!(got.len(), 50);
    let distinct: HashSet<&String> = got.values().collect();
    assert_eq!(distinct.len(), 50);
    let stats = running.simulator.stats();
    assert_eq!(stats.orders_created, 50, "{stats:?}");
    assert_eq!(stats.orders, 50);
    assert!(
        stats.injected_errors > 0 && stats.injected_timeouts > 0,
        "{stats:?}"
    );
    assert!(stats.idempotent_repeats > 0, "{stats:?}");
    // Each caller's order is the ERP's order for its reference.
    running.simulator.set_faults(Faults::none());
    for (reference, erp_order_id) in &got {
        let order = erp.order(erp_order_id).await.unwrap();
        assert_eq!(&order.reference, reference);
    }
    eprintln!(
        "50 orders in {elapsed:?}: {} create_order calls, {} injected errors, {} injected timeouts, {} idempotent repeats, {retried} callers retried",
        stats.create_order_calls,
        stats.injected_errors,
        stats.injected_timeouts,
        stats.idempotent_repeats
    );
}

#[tokio::test]
async fn admin_routes_drive_the_simulator_over_http() {
    let (running, erp) = start().await;
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", running.url);
    let faults: serde_json::Value = http
        .post(url("/_admin/faults"))
        .json(&serde_json::json!({"error_rate": 0.25, "latency_ms": 5}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(faults["error_rate"], 0.25);
    assert_eq!(faults["timeout_ms"], 30_000);
    let bad = http
        .post(url("/_admin/faults"))
        .json(&serde_json::json!({"error_rate": 1.5}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let body: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(body["code"], "invalid_faults");
    http.post(url("/_admin/faults"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();

    let estimate = erp.estimate(&lot("CMD-1", 1)).await.unwrap();
    erp.create_order(&estimate.estimate_id, "CMD-1", "k")
        .await
        .unwrap();
    let clock: serde_json::Value = http
        .post(url("/_admin/advance"))
        .json(&serde_json::json!({"minutes": 4320}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(clock["now"], "2025-06-05T08:00:00Z");
    let stats: serde_json::Value = http
        .get(url("/_admin/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["orders_created"], 1);
    assert_eq!(stats["feed_length"], 5);
    assert_eq!(stats["calls"]["POST /v1/orders"], 1);

    // The contract's errors are JSON, even for a body that is not.
    let raw = http
        .post(url("/v1/orders"))
        .header("x-api-key", KEY)
        .header("idempotency-key", "x")
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let body: serde_json::Value = raw.json().await.unwrap();
    assert_eq!(body["code"], "invalid_json");
    let no_key = http
        .post(url("/v1/orders"))
        .header("x-api-key", KEY)
        .json(&serde_json::json!({"estimate_id": estimate.estimate_id, "reference": "CMD-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_key.status(), 400);

    let wrong_method = http.delete(url("/v1/changes")).send().await.unwrap();
    assert_eq!(wrong_method.status(), 405);
    let body: serde_json::Value = wrong_method.json().await.unwrap();
    assert_eq!(body["code"], "method_not_allowed");
    let nowhere = http.get(url("/v2/nothing")).send().await.unwrap();
    assert_eq!(nowhere.status(), 404);

    let reset = http.post(url("/_admin/reset")).send().await.unwrap();
    assert_eq!(reset.status(), 204);
    assert_eq!(running.simulator.stats().orders, 0);
    // The portal's old cursor reads the new, empty feed from its start.
    let page = erp.changes(Some("ffffffff-5"), 10).await.unwrap();
    assert!(page.changes.is_empty());
    running.shutdown().await;
}
