//! The ordering journey of the ordering issue over HTTP on `stva-dev`, on
//! both backends: stock, quote, purchase order, validation (twice and
//! concurrently: one ERP order), the ERP's clock advanced and the poll run
//! until delivery, the e-mails, and the history.

use e2e_tests::{Caller, Portal, PortalBackend, address_body};
use serde_json::{Value, json};
use shared::domain::Role;
use shared::testing::fixtures::{PASSWORD, seed_account, seed_user};

async fn customer(portal: &Portal, account: &str, email: &str) -> Caller {
    let services = &portal.server.services;
    seed_user(services, email, Role::Group, Some(account)).await;
    portal.sign_in(email, PASSWORD).await
}

async fn vehicle(caller: &Caller, make: &str, model: &str, plate: &str) -> String {
    let created = caller
        .post(
            "/api/vehicles",
            json!({"make": make, "model": model, "plate": plate}),
        )
        .await;
    created.expect(201);
    created.str("id")
}

async fn journey(backend: PortalBackend) {
    let portal = Portal::start(backend).await;
    let services = portal.server.services.clone();
    let account = seed_account(&services, "Garage Dupont").await;
    let other = seed_account(&services, "Autos Martin").await;
    let dupont = customer(&portal, &account.id, "chef@dupont.fr").await;
    let martin = customer(&portal, &other.id, "chef@martin.fr").await;

    let pickup = dupont
        .post("/api/addresses", address_body("Dépôt Lyon"))
        .await;
    pickup.expect(201);
    let mut paris = address_body("Agence Paris");
    paris["postal_code"] = json!("75012");
    paris["city"] = json!("Paris");
    let delivery = dupont.post("/api/addresses", paris).await;
    delivery.expect(201);

    let v1 = vehicle(&dupont, "Peugeot", "308", "AB-123-CD").await;
    let v2 = vehicle(&dupont, "Renault", "Clio", "BC-234-DE").await;
    let v3 = vehicle(&dupont, "Citroën", "C3", "CD-345-EF").await;

    // Quote a lot of 3, correcting one vehicle on the way.
    let lot = json!({
        "vehicles": [
            {"vehicle_id": v1, "make": "Peugeot", "model": "308 SW", "plate": "AB-123-CD"},
            {"vehicle_id": v2, "make": "Renault", "model": "Clio", "plate": "BC-234-DE"},
            {"vehicle_id": v3, "make": "Citroën", "model": "C3", "plate": "cd345ef"},
        ],
        "pickup_address_id": pickup.str("id"),
        "delivery_address_id": delivery.str("id"),
        "customer_reference": "LOT-42",
    });
    let quoted = dupont.post("/api/quotes", lot.clone()).await;
    quoted.expect(201);
    assert_eq!(quoted.body["status"], "quoted");
    let estimate = &quoted.body["estimate"];
    let ht = estimate["amount_excl_tax_cents"].as_i64().unwrap();
    let vat = estimate["vat_cents"].as_i64().unwrap();
    assert!(ht > 0);
    assert_eq!(
        ht + vat,
        estimate["amount_incl_tax_cents"].as_i64().unwrap()
    );
    assert!(
        estimate["distance_km"].as_u64().unwrap() > 300,
        "Lyon-Paris: {estimate}"
    );
    let order_id = quoted.str("id");
    let number = quoted.str("number");
    assert!(number.starts_with("BC-"), "{number}");

    // The correction reached the stock, and the vehicles are reserved.
    let corrected = dupont.get(&format!("/api/vehicles/{v1}")).await;
    corrected.expect(200);
    assert_eq!(corrected.body["model"], "308 SW");
    assert_eq!(corrected.body["status"], "in_order");
    dupont
        .post("/api/quotes", lot.clone())
        .await
        .expect_problem(409, "vehicle_unavailable");

    // The purchase order.
    let pdf = portal
        .http
        .get(portal.url(&format!("/api/orders/{order_id}/purchase-order")))
        .bearer_auth(dupont.token.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));

    // Another account sees nothing of it.
    martin
        .get(&format!("/api/orders/{order_id}"))
        .await
        .expect_problem(404, "not_found");
    martin
        .post(
            &format!("/api/orders/{order_id}/validate"),
            json!({"accept_terms": true}),
        )
        .await
        .expect_problem(404, "not_found");

    // Terms must be accepted.
    dupont
        .post(&format!("/api/orders/{order_id}/validate"), json!({}))
        .await
        .expect_problem(422, "validation_failed");

    // Validate twice at once, then once more: one ERP order.
    let path = format!("/api/orders/{order_id}/validate");
    let (a, b) = tokio::join!(
        dupont.post(&path, json!({"accept_terms": true})),
        dupont.post(&path, json!({"accept_terms": true}))
    );
    a.expect(200);
    b.expect(200);
    dupont
        .post(&path, json!({"accept_terms": true}))
        .await
        .expect(200);
    let stats = dupont.get("/_dev/erp/stats").await;
    assert_eq!(stats.body["orders_created"], 1, "{}", stats.body);

    // The ERP moves the transport along; the poll follows it to delivery.
    let mut status = Value::Null;
    for _ in 0..10 {
        dupont
            .post("/_dev/erp/advance", json!({"minutes": 600}))
            .await
            .expect(200);
        let summary = dupont.post("/_dev/run/status-poll", json!({})).await;
        summary.expect(200);
        let order = dupont.get(&format!("/api/orders/{order_id}")).await;
        status = order.body["status"].clone();
        if status == "delivered" {
            let steps: Vec<&str> = order.body["timeline"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["status"].as_str().unwrap())
                .collect();
            assert_eq!(
                steps,
                [
                    "quoted",
                    "validated",
                    "confirmed",
                    "scheduled",
                    "picked_up",
                    "in_transit",
                    "delivered"
                ]
            );
            break;
        }
    }
    assert_eq!(status, "delivered");

    // The customer's outbox: the validation (with the purchase order) and
    // the three milestones.
    let mails = portal.mails_to("chef@dupont.fr").await;
    let subjects: Vec<&str> = mails
        .iter()
        .map(|m| m["subject"].as_str().unwrap())
        .collect();
    for expected in ["validée", "confirmée", "enlevés", "livrée"] {
        assert!(
            subjects.iter().any(|s| s.contains(expected)),
            "no e-mail about {expected}: {subjects:?}"
        );
    }
    let validated_mail = mails
        .iter()
        .find(|m| m["subject"].as_str().unwrap().contains("validée"))
        .unwrap();
    assert_eq!(
        validated_mail["attachments"][0]["content_type"],
        "application/pdf"
    );

    // Delivered: the vehicles are free again; the history finds the order.
    let freed = dupont.get(&format!("/api/vehicles/{v2}")).await;
    assert_eq!(freed.body["status"], "in_stock");
    let history = dupont.get("/api/orders?q=BC-234").await;
    history.expect(200);
    assert_eq!(history.body["items"].as_array().map(Vec::len), Some(1));
    let none = dupont.get("/api/orders?status=quoted").await;
    assert_eq!(none.body["items"].as_array().map(Vec::len), Some(0));
    let csv = portal
        .http
        .get(portal.url("/api/orders/export"))
        .bearer_auth(dupont.token.clone().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains(&number) && csv.contains("LOT-42"), "{csv}");
    assert_eq!(
        martin.get("/api/orders").await.body["items"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );

    // A quote can be cancelled by the customer; its vehicle is freed.
    let second = dupont
        .post(
            "/api/quotes",
            json!({
                "vehicles": [{"vehicle_id": v1, "make": "Peugeot", "model": "308 SW", "plate": "AB-123-CD"}],
                "pickup_address_id": pickup.str("id"),
                "delivery_address_id": delivery.str("id"),
            }),
        )
        .await;
    second.expect(201);
    let cancelled = dupont
        .post(
            &format!("/api/orders/{}/cancel", second.str("id")),
            json!({}),
        )
        .await;
    cancelled.expect(200);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(
        dupont.get(&format!("/api/vehicles/{v1}")).await.body["status"],
        "in_stock"
    );

    portal.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ordering_on_the_embedded_backend() {
    journey(PortalBackend::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ordering_on_aws_with_the_local_emulator() {
    journey(PortalBackend::Aws).await;
}
