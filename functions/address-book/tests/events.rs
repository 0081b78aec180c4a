//! The sample events of `events/address-book/` (API Gateway HTTP API,
//! payload 2.0) run through this function's Lambda app as `lambda_http::run`
//! hands them over, their `{{placeholders}}` filled from a seeded embedded
//! portal; and every route of `src/lib.rs` has an event (the harness is
//! `shared::testing::lambda_events`).

use http::{StatusCode, header};
use shared::app::addresses;
use shared::domain::{AddressInput, Role};
use shared::repo::addresses::Address;
use shared::repo::users::User;
use shared::testing::lambda_events::{Answer, Events, Portal};

const EVENTS: Events = Events::new(
    "address-book",
    env!("CARGO_MANIFEST_DIR"),
    address_book::routes,
);

/// An account with a member and one address, and the manager.
struct World {
    portal: Portal,
    member: User,
    address: Address,
}

impl World {
    /// The event `name` sent by the member about the seeded account and
    /// address.
    async fn send(&self, name: &str) -> Answer {
        let values = [("address_id", self.address.id.as_str())];
        self.portal.send_as(name, &self.member, &values).await
    }
}

// One of the two checks every function makes of its events.
#[test]
fn every_route_has_a_well_formed_event() {
    EVENTS.assert_every_route_has_a_well_formed_event();
}

async fn world() -> World {
    let portal = EVENTS.portal("Garage Dupont Automobiles").await;
    let input = AddressInput {
        label: Some("Dépôt Vénissieux".into()),
        street: Some("3 boulevard Joliot-Curie".into()),
        postal_code: Some("69200".into()),
        city: Some("Vénissieux".into()),
        ..AddressInput::default()
    };
    let address = addresses::create(portal.services(), &portal.account.id, input)
        .await
        .expect("seed address");
    World {
        member: portal.user("atelier@garage-dupont.fr", Role::Member).await,
        address,
        portal,
    }
}

#[tokio::test]
async fn a_customer_lists_its_addresses() {
    let w = world().await;
    let answer = w.send("list-addresses").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.ids(), [w.address.id.as_str()]);
}

#[tokio::test]
async fn a_manager_lists_the_addresses_of_the_account_it_names() {
    let w = world().await;
    let manager = &w.portal.manager;
    let answer = w
        .portal
        .send_as("list-addresses-manager", manager, &[])
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.ids(), [w.address.id.as_str()]);
}

#[tokio::test]
async fn a_customer_creates_an_address() {
    let w = world().await;
    let answer = w.send("create-address").await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
    assert_eq!(answer.json["postal_code"], "69007");
    assert_eq!(answer.json["country"], "FR");
    assert_eq!(answer.json["account_id"], w.portal.account.id.as_str());
    let listed = w.send("list-addresses").await;
    assert_eq!(listed.ids().len(), 2);
}

#[tokio::test]
async fn a_customer_reads_an_address() {
    let w = world().await;
    let answer = w.send("get-address").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.json["id"], w.address.id.as_str());
    assert_eq!(answer.json["label"], "Dépôt Vénissieux");
}

#[tokio::test]
async fn a_customer_updates_an_address() {
    let w = world().await;
    let answer = w.send("update-address").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.json["id"], w.address.id.as_str());
    assert_eq!(answer.json["label"], "Atelier Lyon Gerland (quai 3)");
    assert_eq!(answer.json["postal_code"], "69007");
}

#[tokio::test]
async fn a_customer_deletes_an_address() {
    let w = world().await;
    let answer = w.send("delete-address").await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.json);
    let gone = w.send("get-address").await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(
        gone.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(gone.json["code"], "not_found");
    let again = w.send("delete-address").await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

// The other check every function makes of its events.
#[tokio::test]
async fn signed_events_without_their_token_answer_401() {
    EVENTS.assert_signed_events_need_a_token().await;
}
