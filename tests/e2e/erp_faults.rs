//! With the ERP failing 30 % of requests and timing out on another 30 %,
//! 50 validations end with exactly 50 ERP orders and none lost, after
//! enough polls.

use e2e_tests::{Portal, PortalBackend, address_body};
use futures_util::future::join_all;
use serde_json::json;
use shared::domain::Role;
use shared::testing::fixtures::{PASSWORD, seed_account, seed_user};

const ORDERS: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_validations_through_a_faulty_erp_make_fifty_erp_orders() {
    let portal = Portal::start_with(PortalBackend::Embedded, |options| {
        options.erp_timeout_ms = 150;
    })
    .await;
    let services = portal.server.services.clone();
    let account = seed_account(&services, "Garage Fiable").await;
    seed_user(&services, "chef@fiable.fr", Role::Group, Some(&account.id)).await;
    let customer = portal.sign_in("chef@fiable.fr", PASSWORD).await;
    let pickup = customer.post("/api/addresses", address_body("Dépôt")).await;
    let mut elsewhere = address_body("Client");
    elsewhere["postal_code"] = json!("13008");
    elsewhere["city"] = json!("Marseille");
    let delivery = customer.post("/api/addresses", elsewhere).await;

    let mut order_ids = Vec::new();
    for n in 0..ORDERS {
        let plate = format!("FA-{:03}-LT", n + 100);
        let vehicle = customer
            .post(
                "/api/vehicles",
                json!({"make": "Renault", "model": "Master", "plate": plate}),
            )
            .await;
        vehicle.expect(201);
        let quote = customer
            .post(
                "/api/quotes",
                json!({
                    "vehicles": [{"vehicle_id": vehicle.str("id"), "make": "Renault", "model": "Master", "plate": plate}],
                    "pickup_address_id": pickup.str("id"),
                    "delivery_address_id": delivery.str("id"),
                }),
            )
            .await;
        quote.expect(201);
        order_ids.push(quote.str("id"));
    }

    customer
        .post(
            "/_dev/erp/faults",
            json!({"error_rate": 0.3, "timeout_rate": 0.3, "timeout_ms": 400, "seed": 7}),
        )
        .await
        .expect(200);

    // Every validation is accepted, whatever the ERP does.
    let paths: Vec<String> = order_ids
        .iter()
        .map(|id| format!("/api/orders/{id}/validate"))
        .collect();
    let answers = join_all(
        paths
            .iter()
            .map(|path| customer.post(path, json!({"accept_terms": true}))),
    )
    .await;
    for answer in &answers {
        answer.expect(200);
        assert_ne!(answer.body["status"], "quoted");
    }

    // The poll delivers what the ERP missed, faults and all.
    let mut delivered = 0;
    for _ in 0..40 {
        customer.post("/_dev/run/status-poll", json!({})).await;
        delivered = 0;
        for id in &order_ids {
            let order = customer.get(&format!("/api/orders/{id}")).await;
            if order.status == 200 && order.body["erp_order_id"].is_string() {
                delivered += 1;
            }
        }
        if delivered == ORDERS {
            break;
        }
    }
    assert_eq!(delivered, ORDERS, "orders still waiting for the ERP");
    let stats = customer.get("/_dev/erp/stats").await;
    assert_eq!(stats.body["orders_created"], ORDERS, "{}", stats.body);
    assert!(stats.body["injected_errors"].as_u64().unwrap() > 0);
    assert!(stats.body["injected_timeouts"].as_u64().unwrap() > 0);

    portal.server.stop().await;
}
