//! The sample events of `events/validate-order/` (API Gateway HTTP API,
//! payload 2.0) run through this function's Lambda app as `lambda_http::run`
//! hands them over, their `{{placeholders}}` filled from a seeded embedded
//! portal whose ERP is the simulator on a local port; and every route of
//! `src/lib.rs` has an event (the harness is `shared::testing::lambda_events`).

use std::sync::Arc;

use erp_simulator::{RunningSimulator, Simulator};
use http::{StatusCode, header};
use serde_json::Value;
use shared::adapters::erp_http::{ErpTimeouts, HttpErp};
use shared::app::quotes::{self, QuoteInput, QuoteVehicleInput};
use shared::app::{addresses, vehicles};
use shared::domain::{AddressInput, Role};
use shared::policy::Actor;
use shared::repo::users::User;
use shared::repo::vehicles::VehicleStatus;
use shared::testing::fixtures::{self, Later};
use shared::testing::lambda_events::{Answer, Events, Portal};
use std::time::Duration;

const EVENTS: Events = Events::new(
    "validate-order",
    env!("CARGO_MANIFEST_DIR"),
    validate_order::routes,
);

const ERP_KEY: &str = "validate-events-erp-key";

/// Where a validated order may be once the ERP has it.
const VALIDATED_OR_LATER: [&str; 6] = [
    "validated",
    "confirmed",
    "scheduled",
    "picked_up",
    "in_transit",
    "delivered",
];

// One of the two checks every function makes of its events.
#[test]
fn every_route_has_a_well_formed_event() {
    EVENTS.assert_every_route_has_a_well_formed_event();
}

/// An account with a group user and a quote of one vehicle (Lyon to
/// Paris), priced by the ERP simulator; the manager.
struct World {
    portal: Portal,
    erp: RunningSimulator,
    customer: User,
    order_id: String,
    vehicle_id: String,
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

fn actor(user: &User) -> Actor {
    Actor {
        user_id: user.id.clone(),
        role: user.role,
        account_id: user.account_id.clone(),
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
    let customer = portal
        .user("jean.dupont@garage-dupont.fr", Role::Group)
        .await;
    let services = portal.services();
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
            make: Some("Renault".into()),
            model: Some("Clio".into()),
            plate: Some("BC-234-DE".into()),
            ..vehicles::VehicleInput::default()
        },
    )
    .await
    .expect("vehicle");
    let vehicle_id = vehicle.vehicle.id;
    let input = QuoteInput {
        vehicles: Some(vec![QuoteVehicleInput {
            vehicle_id: Some(vehicle_id.clone()),
            make: Some("Renault".into()),
            model: Some("Clio".into()),
            plate: Some("BC-234-DE".into()),
            vin: None,
        }]),
        pickup_address_id: Some(pickup.id),
        delivery_address_id: Some(delivery.id),
        customer_reference: Some("LOT-42".into()),
    };
    let order = quotes::quote(services, &actor(&customer), &customer, input)
        .await
        .expect("quote");
    World {
        order_id: order.id,
        vehicle_id,
        portal,
        erp,
        customer,
    }
}

impl World {
    async fn send(&self, caller: &User) -> Answer {
        let values = [("order_id", self.order_id.as_str())];
        self.portal.send_as("validate-order", caller, &values).await
    }

    async fn status(&self) -> String {
        let order = self
            .portal
            .services()
            .orders()
            .get(&self.order_id)
            .await
            .expect("read")
            .expect("order");
        order.status.to_string()
    }
}

#[tokio::test]
async fn a_customer_validates_and_the_erp_gets_one_order() {
    let w = world().await;
    let answer = w.send(&w.customer).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    let order = &answer.json;
    assert_eq!(order["id"], w.order_id.as_str());
    let status = order["status"].as_str().expect("status");
    assert!(VALIDATED_OR_LATER.contains(&status), "{order}");
    assert!(order["validated_at"].is_string(), "{order}");
    assert!(order["erp_order_id"].is_string(), "handed over: {order}");
    let steps: Vec<&str> = order["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|entry| entry["status"].as_str())
        .collect();
    assert_eq!(steps[..2], ["quoted", "validated"], "{order}");
    let stats = w.erp.simulator.stats();
    assert_eq!(stats.orders_created, 1, "{stats:?}");

    // The confirmation, with the purchase order.
    let mails = w.portal.mails();
    let validated: Vec<_> = mails
        .iter()
        .filter(|m| m.subject.contains("validée"))
        .collect();
    assert_eq!(validated.len(), 1, "{mails:?}");
    assert_eq!(validated[0].to, w.customer.email);
    assert_eq!(validated[0].attachments[0].content_type, "application/pdf");

    // Sent again (a second click, a retry): the order as it is, no second
    // ERP order, no second e-mail.
    let again = w.send(&w.customer).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.json);
    assert_eq!(again.json["erp_order_id"], order["erp_order_id"]);
    assert_eq!(w.erp.simulator.stats().orders_created, 1);
    let mails = w.portal.mails();
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.subject.contains("validée"))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_quote_past_its_validity_expires_and_frees_its_vehicles() {
    let mut w = world().await;
    w.portal.portal.services.clock = Arc::new(Later(Duration::from_secs(365 * 24 * 3600)));
    let answer = w.send(&w.customer).await;
    assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.json);
    assert_eq!(answer.json["code"], "quote_expired", "{}", answer.json);
    assert_eq!(w.status().await, "expired");
    assert_eq!(
        w.portal.vehicle(&w.vehicle_id).await.status,
        VehicleStatus::InStock
    );
    assert_eq!(w.erp.simulator.stats().orders_created, 0);
}

#[tokio::test]
async fn a_manager_does_not_validate() {
    let w = world().await;
    let answer = w.send(&w.portal.manager).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.json);
    assert_eq!(
        answer.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(answer.json["code"], "forbidden");
    assert_eq!(w.status().await, "quoted");
    assert_eq!(w.erp.simulator.stats().orders_created, 0);
}

#[tokio::test]
async fn another_account_sees_no_such_order() {
    let w = world().await;
    let services = w.portal.services();
    let other = fixtures::seed_account(services, "Autos du Rhône").await;
    let outsider =
        fixtures::seed_user(services, "vo@autos-rhone.fr", Role::Group, Some(&other.id)).await;
    let values = [
        ("order_id", w.order_id.as_str()),
        ("account_id", other.id.as_str()),
    ];
    let answer = w.portal.send_as("validate-order", &outsider, &values).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.json);
    assert_eq!(answer.json["code"], "not_found");
    assert_eq!(w.status().await, "quoted");
    assert_eq!(w.erp.simulator.stats().orders_created, 0);
}

#[tokio::test]
async fn terms_not_accepted_answer_422() {
    let w = world().await;
    let token = fixtures::token_for(w.portal.services(), &w.customer);
    let values = [("order_id", w.order_id.as_str()), ("token", token.as_str())];
    let mut event: Value =
        serde_json::from_str(&EVENTS.event("validate-order", &values)).expect("event JSON");
    event["body"] = Value::String("{\"accept_terms\":false}".into());
    let answer = w.portal.invoke(&event.to_string()).await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.json
    );
    assert_eq!(answer.json["code"], "validation_failed");
    assert_eq!(answer.json["errors"][0]["field"], "accept_terms");
    assert_eq!(w.status().await, "quoted");
}

// The other check every function makes of its events.
#[tokio::test]
async fn signed_events_without_their_token_answer_401() {
    EVENTS.assert_signed_events_need_a_token().await;
}
