//! Races, on both backends: 50 concurrent validations of one order (one
//! ERP order), 50 concurrent acceptances of one invitation (one success),
//! two overlapping stock syncs (one runs, nothing duplicated) and two
//! overlapping status polls (no lost update, each status once).

use std::collections::HashSet;
use std::time::Duration;

use e2e_tests::{Caller, Portal, PortalBackend, feed_server, quoted_order};
use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};
use shared::domain::Role;
use shared::testing::fixtures::{PASSWORD, seed_account, seed_user};
use tokio::sync::watch;

const RACERS: usize = 50;

async fn customer(portal: &Portal, email: &str) -> (String, Caller) {
    let services = &portal.server.services;
    let account = seed_account(services, "Garage de la Course").await;
    seed_user(services, email, Role::Group, Some(&account.id)).await;
    (account.id, portal.sign_in(email, PASSWORD).await)
}

async fn validations(backend: PortalBackend) {
    let portal = Portal::start(backend).await;
    let (_, caller) = customer(&portal, "chef@course.fr").await;
    let order = quoted_order(&caller, "AB-123-CD").await;
    let path = format!("/api/orders/{}/validate", order["id"].as_str().unwrap());
    let answers =
        join_all((0..RACERS).map(|_| caller.post(&path, json!({"accept_terms": true})))).await;
    for answer in &answers {
        assert!(
            answer.status == 200 || answer.status == 409,
            "{}: {}",
            answer.status,
            answer.body
        );
    }
    assert!(answers.iter().any(|a| a.status == 200));
    let stats = caller.get("/_dev/erp/stats").await;
    assert_eq!(stats.body["orders_created"], 1, "{}", stats.body);
    let stored = caller
        .get(&format!("/api/orders/{}", order["id"].as_str().unwrap()))
        .await;
    // Validated once (the ERP may have confirmed it since).
    let steps: Vec<&str> = timeline(&stored.body);
    assert_eq!(steps[..2], ["quoted", "validated"], "{}", stored.body);
    assert_eq!(
        steps.iter().filter(|s| **s == "validated").count(),
        1,
        "{}",
        stored.body
    );
    portal.server.stop().await;
}

async fn acceptances(backend: PortalBackend) {
    let portal = Portal::start(backend).await;
    let manager = portal.manager().await;
    let account = manager
        .post("/api/accounts", json!({"name": "Garage de l'Invitation"}))
        .await;
    account.expect(201);
    manager
        .post(
            &format!("/api/accounts/{}/users", account.str("id")),
            json!({"email": "invite@course.fr", "name": "Invité", "role": "member"}),
        )
        .await
        .expect(201);
    let token = portal.link_token("invite@course.fr", "/invitation").await;
    let anonymous = portal.anonymous();
    let answers = join_all((0..RACERS).map(|n| {
        anonymous.post(
            "/api/auth/invitations/accept",
            json!({"token": token, "name": format!("Invité {n}"), "password": format!("Course-Invitation-{n:02}-2026")}),
        )
    }))
    .await;
    let winners: Vec<usize> = answers
        .iter()
        .enumerate()
        .filter(|(_, a)| a.status == 200)
        .map(|(n, _)| n)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one acceptance wins");
    for answer in answers.iter().filter(|a| a.status != 200) {
        answer.expect_problem(410, "link_used");
    }
    // The winner's name and password are the ones kept.
    let winner = winners[0];
    let signed_in = portal
        .sign_in(
            "invite@course.fr",
            &format!("Course-Invitation-{winner:02}-2026"),
        )
        .await;
    let me = signed_in.get("/api/me").await;
    assert_eq!(me.body["name"], format!("Invité {winner}"));
    portal.server.stop().await;
}

/// A PlanetVO-style export of `count` vehicles (UTF-8).
fn export(count: usize) -> Vec<u8> {
    let mut csv = String::from("Référence;Marque;Modèle;Immatriculation\r\n");
    for n in 0..count {
        csv.push_str(&format!("RACE-{n};Škoda;Octavia;AB-{:03}-CD\r\n", n + 100));
    }
    csv.into_bytes()
}

async fn overlapping_syncs(backend: PortalBackend) {
    const VEHICLES: usize = 20;
    let (_feed, body) = watch::channel(export(VEHICLES));
    // A slow tool, so that the two syncs overlap.
    let url = feed_server(body, Duration::from_millis(600)).await;
    let portal = Portal::start(backend).await;
    let (account_id, caller) = customer(&portal, "vo@course.fr").await;
    portal
        .manager()
        .await
        .put(
            &format!("/api/accounts/{account_id}/stock-connection"),
            json!({"provider": "feed", "settings": {"url": url, "preset": "planetvo"}}),
        )
        .await
        .expect(200);
    let hourly = portal.anonymous();
    let (on_demand, scheduled) =
        tokio::join!(caller.send(Method::POST, "/api/stock/sync", None), async {
            tokio::time::sleep(Duration::from_millis(150)).await;
            hourly
                .send(Method::POST, "/_dev/run/stock-sync", None)
                .await
        });
    // One of the two ran; the other found the lease taken.
    scheduled.expect(200);
    match on_demand.status {
        202 => {
            assert_eq!(on_demand.body["created"], VEHICLES, "{}", on_demand.body);
            assert_eq!(scheduled.body["already_running"], 1, "{}", scheduled.body);
        }
        409 => {
            on_demand.expect_problem(409, "stock_sync_running");
            assert_eq!(scheduled.body["created"], VEHICLES, "{}", scheduled.body);
        }
        other => panic!("unexpected {other}: {}", on_demand.body),
    }
    // Each vehicle once.
    let stock = caller.get("/api/vehicles?limit=100").await;
    stock.expect(200);
    let references: Vec<&str> = stock.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["external_ref"].as_str().unwrap())
        .collect();
    assert_eq!(references.len(), VEHICLES);
    assert_eq!(references.iter().collect::<HashSet<_>>().len(), VEHICLES);
    assert!(
        stock.body["items"][0]["make"]
            .as_str()
            .unwrap()
            .starts_with('Š')
    );
    // And the lease is free again: a sync runs now.
    caller
        .send(Method::POST, "/api/stock/sync", None)
        .await
        .expect(202);
    portal.server.stop().await;
}

fn timeline(order: &Value) -> Vec<&str> {
    order["timeline"]
        .as_array()
        .unwrap_or_else(|| panic!("no timeline: {order}"))
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect()
}

async fn overlapping_polls(backend: PortalBackend) {
    const ORDERS: usize = 4;
    let portal = Portal::start(backend).await;
    let (_, caller) = customer(&portal, "suivi@course.fr").await;
    let mut ids = Vec::new();
    for n in 0..ORDERS {
        let order = quoted_order(&caller, &format!("BC-{:03}-DE", n + 100)).await;
        let id = order["id"].as_str().unwrap().to_owned();
        caller
            .post(
                &format!("/api/orders/{id}/validate"),
                json!({"accept_terms": true}),
            )
            .await
            .expect(200);
        ids.push(id);
    }
    let runner = portal.anonymous();
    for _ in 0..10 {
        caller
            .post("/_dev/erp/advance", json!({"minutes": 600}))
            .await
            .expect(200);
        let (a, b) = tokio::join!(
            runner.post("/_dev/run/status-poll", json!({})),
            runner.post("/_dev/run/status-poll", json!({}))
        );
        a.expect(200);
        b.expect(200);
    }
    // A last poll alone: whatever the racing pair missed, it catches up;
    // the timelines hold every status once, in order.
    runner
        .post("/_dev/run/status-poll", json!({}))
        .await
        .expect(200);
    let order_of = [
        "quoted",
        "validated",
        "confirmed",
        "scheduled",
        "picked_up",
        "in_transit",
        "delivered",
    ];
    for id in &ids {
        let order = caller.get(&format!("/api/orders/{id}")).await;
        order.expect(200);
        let steps = timeline(&order.body);
        assert_eq!(order.body["status"], "delivered", "{}", order.body);
        assert_eq!(steps, order_of, "{}", order.body);
    }
    portal.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn races_on_the_embedded_backend() {
    validations(PortalBackend::Embedded).await;
    acceptances(PortalBackend::Embedded).await;
    overlapping_syncs(PortalBackend::Embedded).await;
    overlapping_polls(PortalBackend::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn races_on_aws_with_the_local_emulator() {
    validations(PortalBackend::Aws).await;
    acceptances(PortalBackend::Aws).await;
    overlapping_syncs(PortalBackend::Aws).await;
    overlapping_polls(PortalBackend::Aws).await;
}
