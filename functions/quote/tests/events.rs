//! The sample events of `events/quote/` (API Gateway HTTP API, payload 2.0)
//! run through this function's Lambda app as `lambda_http::run` hands them
//! over, their `{{placeholders}}` filled from a seeded embedded portal whose
//! ERP is the simulator on a local port; and every route of `src/lib.rs`
//! has an event (the harness is `shared::testing::lambda_events`).

use std::sync::Arc;

use erp_simulator::{RunningSimulator, Simulator};
use http::{StatusCode, header};
use shared::adapters::erp_http::{ErpTimeouts, HttpErp};
use shared::app::{addresses, vehicles};
use shared::domain::{AddressInput, Role};
use shared::repo::users::User;
use shared::repo::vehicles::VehicleStatus;
use shared::testing::lambda_events::{Answer, Events, Portal};

const EVENTS: Events = Events::new("quote", env!("CARGO_MANIFEST_DIR"), quote::routes);

const ERP_KEY: &str = "quote-events-erp-key";

// One of the two checks every function makes of its events.
#[test]
fn every_route_has_a_well_formed_event() {
    EVENTS.assert_every_route_has_a_well_formed_event();
}

/// An account with a member, a vehicle in stock (a Peugeot 308) and two
/// addresses (Lyon, Paris); the manager; the ERP simulator pricing.
struct World {
    portal: Portal,
    erp: RunningSimulator,
    member: User,
    vehicle_id: String,
    pickup_id: String,
    delivery_id: String,
}

fn address(label: &str, street: &str, postal_code: &str, city: &str) -> AddressInput {
    AddressInput {
        label: Some(label.into()),
        company: Some("Garage Dupont Automobiles".into()),
        street: Some(street.into()),
        postal_code: Some(postal_code.into()),
        city: Some(city.into()),
        contact_name: Some("Jean Dupont".into()),
        contact_phone: Some("06 12 34 56 78".into()),
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
    let services = portal.services();
    let account_id = portal.account.id.clone();
    let pickup = addresses::create(
        services,
        &account_id,
        address("Dépôt Lyon", "12 rue de la République", "69002", "Lyon"),
    )
    .await
    .expect("pickup address");
    let delivery = addresses::create(
        services,
        &account_id,
        address("Agence Paris", "40 avenue Daumesnil", "75012", "Paris"),
    )
    .await
    .expect("delivery address");
    let vehicle = vehicles::create(
        services,
        &account_id,
        vehicles::VehicleInput {
            make: Some("Peugeot".into()),
            model: Some("308".into()),
            plate: Some("AB-123-CD".into()),
            ..vehicles::VehicleInput::default()
        },
    )
    .await
    .expect("vehicle");
    World {
        member: portal.user("atelier@garage-dupont.fr", Role::Member).await,
        vehicle_id: vehicle.vehicle.id,
        pickup_id: pickup.id,
        delivery_id: delivery.id,
        portal,
        erp,
    }
}

impl World {
    /// The event `name` sent by `caller` about the seeded vehicle and
    /// addresses.
    async fn send(&self, name: &str, caller: &User) -> Answer {
        let values = [
            ("vehicle_id", self.vehicle_id.as_str()),
            ("pickup_address_id", self.pickup_id.as_str()),
            ("delivery_address_id", self.delivery_id.as_str()),
        ];
        self.portal.send_as(name, caller, &values).await
    }
}

#[tokio::test]
async fn a_customer_quotes_a_lot_that_the_erp_prices() {
    let w = world().await;
    let answer = w.send("quote", &w.member).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
    let order = &answer.json;
    assert_eq!(order["status"], "quoted");
    assert_eq!(order["account_id"], w.portal.account.id.as_str());
    assert_eq!(order["customer_reference"], "LOT-2026-031");
    assert!(
        order["number"]
            .as_str()
            .is_some_and(|n| n.starts_with("BC-")),
        "{order}"
    );
    assert_eq!(order["vehicles"][0]["vehicle_id"], w.vehicle_id.as_str());
    assert_eq!(order["vehicles"][0]["model"], "308 SW");
    assert_eq!(order["vehicles"][0]["plate"], "AB-123-CD");
    assert_eq!(order["vehicles"][0]["vin"], "VF3LBYHZ3JS123456");
    assert_eq!(order["pickup"]["address_id"], w.pickup_id.as_str());
    assert_eq!(order["delivery"]["address_id"], w.delivery_id.as_str());

    // The estimate is the simulator's: one priced, Lyon to Paris.
    let estimate = &order["estimate"];
    let excl = estimate["amount_excl_tax_cents"].as_i64().expect("HT");
    let vat = estimate["vat_cents"].as_i64().expect("TVA");
    assert!(excl > 0, "{estimate}");
    assert_eq!(
        Some(excl + vat),
        estimate["amount_incl_tax_cents"].as_i64(),
        "{estimate}"
    );
    assert!(
        estimate["estimate_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
        "{estimate}"
    );
    assert!(
        estimate["distance_km"].as_u64().is_some_and(|km| km > 300),
        "Lyon-Paris: {estimate}"
    );
    let stats = w.erp.simulator.stats();
    assert_eq!(stats.estimates, 1, "{stats:?}");
    assert_eq!(stats.orders_created, 0, "a quote orders nothing");

    // The vehicle is reserved, with the lot's correction.
    let vehicle = w.portal.vehicle(&w.vehicle_id).await;
    assert_eq!(vehicle.status, VehicleStatus::InOrder);
    assert_eq!(vehicle.order_id.as_deref(), order["id"].as_str());
    assert_eq!(vehicle.model, "308 SW");

    // The same event again: the vehicle is taken; the ERP is not asked.
    let again = w.send("quote", &w.member).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.json);
    assert_eq!(again.json["code"], "vehicle_unavailable");
    assert_eq!(w.erp.simulator.stats().estimates, 1);
}

#[tokio::test]
async fn a_manager_does_not_quote() {
    let w = world().await;
    let answer = w.send("quote", &w.portal.manager).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.json);
    assert_eq!(
        answer.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(answer.json["code"], "forbidden");
    assert_eq!(w.erp.simulator.stats().estimates, 0);
}

// The other check every function makes of its events.
#[tokio::test]
async fn signed_events_without_their_token_answer_401() {
    EVENTS.assert_signed_events_need_a_token().await;
}
