//! The sample events of `events/orders/` (API Gateway HTTP API, payload 2.0)
//! run through this function's Lambda app as `lambda_http::run` hands them
//! over, their `{{placeholders}}` filled from a seeded embedded portal whose
//! ERP is the simulator on a local port; and every route of `src/lib.rs`
//! has an event (the harness is `shared::testing::lambda_events`). The CSV
//! export and the purchase order are not JSON: they are read as bytes.

use std::sync::Arc;

use erp_simulator::{RunningSimulator, Simulator};
use http::{HeaderMap, StatusCode, header};
use serde_json::json;
use shared::adapters::erp_http::{ErpTimeouts, HttpErp};
use shared::app::quotes::{self, QuoteInput, QuoteVehicleInput};
use shared::app::{addresses, vehicles};
use shared::domain::{AddressInput, Role};
use shared::policy::Actor;
use shared::repo::users::User;
use shared::repo::vehicles::VehicleStatus;
use shared::testing::fixtures;
use shared::testing::lambda_events::{Answer, Events, Portal};
use tower::ServiceExt;

const EVENTS: Events = Events::new("orders", env!("CARGO_MANIFEST_DIR"), orders::routes);

const ERP_KEY: &str = "orders-events-erp-key";

// One of the two checks every function makes of its events.
#[test]
fn every_route_has_a_well_formed_event() {
    EVENTS.assert_every_route_has_a_well_formed_event();
}

/// An account with a member and a quote of one vehicle (Lyon to Paris,
/// reference `LOT-2026-031`) priced by the ERP simulator; the manager; a
/// group user of another account.
struct World {
    portal: Portal,
    _erp: RunningSimulator,
    member: User,
    outsider: User,
    vehicle_id: String,
    order_id: String,
    number: String,
}

/// A non-JSON answer: status, headers and the body's bytes.
struct RawAnswer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

fn address(label: &str, street: &str, postal_code: &str, city: &str) -> AddressInput {
    AddressInput {
        label: Some(label.into()),
        street: Some(street.into()),
        postal_code: Some(postal_code.into()),
        city: Some(city.into()),
        ..AddressInput::default()
    }
}

async fn world() -> World {
    let mut portal = EVENTS.portal("Garage Dupont Automobiles").await;
    let erp = Simulator::new(ERP_KEY)
        .spawn(([127, 0, 0, 1], 0).into())
        .await
        .expect("ERP simulator");
    portal.portal.services.erp =
        Arc::new(HttpErp::new(&erp.url, ERP_KEY, ErpTimeouts::default()).expect("ERP client"));
    let member = portal.user("atelier@garage-dupont.fr", Role::Member).await;
    let services = portal.services();
    let other = fixtures::seed_account(services, "Autos du Rhône").await;
    let outsider =
        fixtures::seed_user(services, "vo@autos-rhone.fr", Role::Group, Some(&other.id)).await;
    let account_id = portal.account.id.as_str();
    let pickup = addresses::create(
        services,
        account_id,
        address("Dépôt Lyon", "12 rue de la République", "69002", "Lyon"),
    )
    .await
    .expect("pickup address");
    let delivery = addresses::create(
        services,
        account_id,
        address("Agence Paris", "40 avenue Daumesnil", "75012", "Paris"),
    )
    .await
    .expect("delivery address");
    let vehicle = vehicles::create(
        services,
        account_id,
        vehicles::VehicleInput {
            make: Some("Citroën".into()),
            model: Some("C3".into()),
            plate: Some("CD-345-EF".into()),
            ..vehicles::VehicleInput::default()
        },
    )
    .await
    .expect("vehicle");
    let input = QuoteInput {
        vehicles: Some(vec![QuoteVehicleInput {
            vehicle_id: Some(vehicle.vehicle.id.clone()),
            make: Some("Citroën".into()),
            model: Some("C3".into()),
            plate: Some("CD-345-EF".into()),
            vin: None,
        }]),
        pickup_address_id: Some(pickup.id),
        delivery_address_id: Some(delivery.id),
        customer_reference: Some("LOT-2026-031".into()),
    };
    let quoter = Actor {
        user_id: member.id.clone(),
        role: member.role,
        account_id: member.account_id.clone(),
    };
    let order = quotes::quote(services, &quoter, &member, input)
        .await
        .expect("quote");
    World {
        portal,
        _erp: erp,
        member,
        outsider,
        vehicle_id: vehicle.vehicle.id,
        order_id: order.id,
        number: order.number,
    }
}

impl World {
    /// The event `name` sent by `caller` about the seeded order.
    async fn send(&self, name: &str, caller: &User) -> Answer {
        let values = [("order_id", self.order_id.as_str())];
        self.portal.send_as(name, caller, &values).await
    }

    /// The event `name` sent by `caller`, its answer read as bytes: what
    /// `lambda_http` would hand back to API Gateway (base64 for a binary
    /// body).
    async fn send_raw(&self, name: &str, caller: &User) -> RawAnswer {
        let token = fixtures::token_for(self.portal.services(), caller);
        let values = [
            ("order_id", self.order_id.as_str()),
            ("token", token.as_str()),
        ];
        let event = EVENTS.event(name, &values);
        let request = lambda_http::request::from_str(&event).expect("an API Gateway event");
        let app = shared::http::lambda_app(orders::routes(), self.portal.services().clone());
        let response = app.oneshot(request).await.expect("infallible");
        let (parts, body) = response.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX)
            .await
            .expect("the answer's body");
        RawAnswer {
            status: parts.status,
            headers: parts.headers,
            body: body.to_vec(),
        }
    }

    async fn vehicle_status(&self) -> VehicleStatus {
        self.portal.vehicle(&self.vehicle_id).await.status
    }
}

#[tokio::test]
async fn a_customer_lists_its_quotes_and_a_manager_every_account() {
    let w = world().await;
    let answer = w.send("list-orders", &w.member).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.ids(), [w.order_id.as_str()]);
    assert_eq!(answer.json["items"][0]["status"], "quoted");
    assert_eq!(answer.json["items"][0]["number"], w.number.as_str());
    // A summary: what the history shows, not the whole order.
    let listed = &answer.json["items"][0];
    assert_eq!(listed["plates"], json!(["CD-345-EF"]));
    assert_eq!(
        listed["pickup"],
        json!({"postal_code": "69002", "city": "Lyon"})
    );
    assert_eq!(
        listed["delivery"],
        json!({"postal_code": "75012", "city": "Paris"})
    );
    assert_eq!(listed["customer_reference"], "LOT-2026-031");
    assert_eq!(
        listed["invoice"],
        json!({"available": false, "uploaded_at": null})
    );
    assert!(
        listed["amount_incl_tax_cents"]
            .as_i64()
            .is_some_and(|c| c > 0),
        "{listed}"
    );
    for whole in ["timeline", "vehicles", "estimate", "needs_attention"] {
        assert!(listed.get(whole).is_none(), "{whole} in {listed}");
    }

    let managed = w.send("list-orders", &w.portal.manager).await;
    assert_eq!(managed.status, StatusCode::OK, "{}", managed.json);
    assert_eq!(managed.ids(), [w.order_id.as_str()]);
    assert_eq!(managed.json["items"][0]["needs_attention"], json!([]));

    // Another account's list is its own: empty.
    let other = w.send("list-orders", &w.outsider).await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.json);
    assert!(other.ids().is_empty(), "{}", other.json);
}

#[tokio::test]
async fn a_customer_exports_its_history_as_csv() {
    let w = world().await;
    let answer = w.send_raw("export-orders", &w.member).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.headers[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        answer.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"commandes-stva.csv\""
    );
    let csv = String::from_utf8(answer.body).expect("UTF-8");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("\u{feff}Numéro;Date;Compte"), "{csv}");
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].starts_with(&format!("\"{}\";", w.number)), "{csv}");
    assert!(lines[1].contains("\"LOT-2026-031\""), "{csv}");
    assert!(lines[1].contains("\"CD-345-EF\""), "{csv}");

    let hidden = w.send_raw("export-orders", &w.outsider).await;
    assert_eq!(hidden.status, StatusCode::OK);
    let csv = String::from_utf8(hidden.body).expect("UTF-8");
    assert_eq!(csv.lines().count(), 1, "only the header: {csv}");
}

#[tokio::test]
async fn a_customer_reads_its_order_and_another_account_cannot() {
    let w = world().await;
    let answer = w.send("get-order", &w.member).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.json["id"], w.order_id.as_str());
    assert_eq!(answer.json["number"], w.number.as_str());
    assert_eq!(answer.json["status"], "quoted");
    assert_eq!(answer.json["timeline"][0]["status"], "quoted");
    assert_eq!(answer.json["vehicles"][0]["plate"], "CD-345-EF");

    let managed = w.send("get-order", &w.portal.manager).await;
    assert_eq!(managed.status, StatusCode::OK, "{}", managed.json);

    let hidden = w.send("get-order", &w.outsider).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.json);
    assert_eq!(
        hidden.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(hidden.json["code"], "not_found");
}

#[tokio::test]
async fn a_customer_cancels_its_quote_and_the_vehicle_is_freed() {
    let w = world().await;
    assert_eq!(w.vehicle_status().await, VehicleStatus::InOrder);
    let hidden = w.send("cancel-order", &w.outsider).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.json);

    let answer = w.send("cancel-order", &w.member).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.json["status"], "cancelled");
    let last = answer.json["timeline"]
        .as_array()
        .and_then(|t| t.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["status"], "cancelled", "{}", answer.json);
    assert!(
        last.to_string().contains("Véhicules vendus entre-temps"),
        "the reason is kept: {last}"
    );
    assert_eq!(w.vehicle_status().await, VehicleStatus::InStock);

    // Cancelled is final.
    let again = w.send("cancel-order", &w.member).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.json);
    assert_eq!(again.json["code"], "order_not_cancellable");
}

#[tokio::test]
async fn a_manager_cancels_an_order() {
    let w = world().await;
    let answer = w.send("cancel-order", &w.portal.manager).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.json["status"], "cancelled");
    assert_eq!(w.vehicle_status().await, VehicleStatus::InStock);
}

impl World {
    /// Rewrites the stored order (as the ERP poll and the delivery would).
    async fn alter(&self, change: impl FnOnce(&mut shared::repo::orders::Order)) {
        let orders = self.portal.services().orders();
        let mut order = orders
            .get(&self.order_id)
            .await
            .expect("read")
            .expect("the order");
        change(&mut order);
        order.revision += 1;
        orders.update(&order).await.expect("saved");
    }
}

#[tokio::test]
async fn a_manager_lists_the_orders_needing_attention() {
    let w = world().await;
    // Customers may not ask for that filter.
    let refused = w.send("list-orders-attention", &w.member).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.json);
    assert_eq!(refused.json["code"], "forbidden");

    // A quote needs nobody's attention.
    let none = w.send("list-orders-attention", &w.portal.manager).await;
    assert_eq!(none.status, StatusCode::OK, "{}", none.json);
    assert!(none.ids().is_empty(), "{}", none.json);

    // Validated an hour ago, still unknown to the ERP.
    w.alter(|o| {
        o.status = shared::domain::OrderStatus::Validated;
        o.validated_at = Some(o.created_at - std::time::Duration::from_secs(3600));
    })
    .await;
    let late = w.send("list-orders-attention", &w.portal.manager).await;
    assert_eq!(late.status, StatusCode::OK, "{}", late.json);
    assert_eq!(late.ids(), [w.order_id.as_str()]);
    assert_eq!(late.json["items"][0]["needs_attention"][0], "awaiting_erp");

    // Delivered without an invoice.
    w.alter(|o| o.status = shared::domain::OrderStatus::Delivered)
        .await;
    let read = w.send("get-order", &w.portal.manager).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.json);
    assert_eq!(
        read.json["needs_attention"],
        serde_json::json!(["invoice_missing"])
    );
    // Customers never see the field.
    let own = w.send("get-order", &w.member).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.json);
    assert!(own.json.get("needs_attention").is_none(), "{}", own.json);
}

#[tokio::test]
async fn the_purchase_order_is_a_pdf() {
    let w = world().await;
    let answer = w.send_raw("purchase-order", &w.member).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(
        answer.headers[header::CONTENT_DISPOSITION],
        format!("inline; filename=\"bon-de-commande-{}.pdf\"", w.number).as_str()
    );
    assert!(answer.body.starts_with(b"%PDF-"), "not a PDF");

    let managed = w.send_raw("purchase-order", &w.portal.manager).await;
    assert_eq!(managed.status, StatusCode::OK);
    assert!(managed.body.starts_with(b"%PDF-"), "not a PDF");

    let hidden = w.send("purchase-order", &w.outsider).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.json);
    assert_eq!(hidden.json["code"], "not_found");
}

// The other check every function makes of its events.
#[tokio::test]
async fn signed_events_without_their_token_answer_401() {
    EVENTS.assert_signed_events_need_a_token().await;
}
