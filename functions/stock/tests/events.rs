//! The sample events of `events/stock/` (API Gateway HTTP API, payload 2.0)
//! run through this function's Lambda app as `lambda_http::run` hands them
//! over, their `{{placeholders}}` filled from a seeded embedded portal; and
//! every route of `src/lib.rs` has an event (the harness is
//! `shared::testing::lambda_events`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::{StatusCode, header};
use serde_json::Value;
use shared::app::vehicles::{self, VehicleInput};
use shared::domain::Role;
use shared::repo::accounts::Account;
use shared::repo::users::User;
use shared::repo::vehicles::VehicleStatus;
use shared::testing::fixtures::{self, TestPortal};
use shared::testing::lambda_events::{Answer, Events};

const EVENTS: Events = Events::new("stock", env!("CARGO_MANIFEST_DIR"), stock::routes);

#[test]
fn every_route_has_a_well_formed_event() {
    EVENTS.assert_every_route_has_a_well_formed_event();
}

// ---- this function's events ----

/// An account with a member and one vehicle (a Citroën), a manager, and a
/// member of another account.
struct World {
    portal: TestPortal,
    account: Account,
    manager: User,
    member: User,
    outsider: User,
    vehicle_id: String,
}

async fn world() -> World {
    let portal = fixtures::embedded_portal();
    let services = &portal.services;
    let account = fixtures::seed_account(services, "Garage Dupont Automobiles").await;
    let other = fixtures::seed_account(services, "Autos du Rhône").await;
    let manager = fixtures::seed_user(services, "gestion@stva.fr", Role::Manager, None).await;
    let member = fixtures::seed_user(
        services,
        "atelier@garage-dupont.fr",
        Role::Member,
        Some(&account.id),
    )
    .await;
    let outsider =
        fixtures::seed_user(services, "vo@autos-rhone.fr", Role::Group, Some(&other.id)).await;
    let input = VehicleInput {
        make: Some("Citroën".into()),
        model: Some("C3 Aircross".into()),
        plate: Some("AB-123-CD".into()),
        version: Some("Shine".into()),
        ..VehicleInput::default()
    };
    let saved = vehicles::create(services, &account.id, input)
        .await
        .expect("seed vehicle");
    World {
        portal,
        account,
        manager,
        member,
        outsider,
        vehicle_id: saved.vehicle.id,
    }
}

impl World {
    fn event(&self, name: &str, caller: &User) -> String {
        let token = fixtures::token_for(&self.portal.services, caller);
        let values = [
            ("token", token.as_str()),
            ("account_id", self.account.id.as_str()),
            ("vehicle_id", self.vehicle_id.as_str()),
        ];
        EVENTS.event(name, &values)
    }

    /// The event `name` sent by `caller` about the seeded account and vehicle.
    async fn send(&self, name: &str, caller: &User) -> Answer {
        let event = self.event(name, caller);
        EVENTS.invoke(&self.portal.services, &event).await
    }

    /// The event, changed by `edit` before it is sent.
    async fn send_edited(
        &self,
        name: &str,
        caller: &User,
        edit: impl FnOnce(&mut Value),
    ) -> Answer {
        let mut event: Value = serde_json::from_str(&self.event(name, caller)).expect("event JSON");
        edit(&mut event);
        EVENTS
            .invoke(&self.portal.services, &event.to_string())
            .await
    }
}

#[tokio::test]
async fn a_customer_searches_its_stock_without_accents() {
    let w = world().await;
    let answer = w.send("list-vehicles", &w.member).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.ids(), [w.vehicle_id.as_str()]);
    let vehicle = &answer.json["items"][0];
    assert_eq!(vehicle["make"], "Citroën");
    assert_eq!(vehicle["plate"], "AB-123-CD");
    assert_eq!(vehicle["status"], "in_stock");
    assert!(vehicle.get("revision").is_none(), "{vehicle}");
    assert_eq!(answer.json["next_cursor"], Value::Null);
}

#[tokio::test]
async fn a_manager_lists_the_stock_of_the_account_it_names() {
    let w = world().await;
    let answer = w.send("list-vehicles-manager", &w.manager).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.ids(), [w.vehicle_id.as_str()]);
}

#[tokio::test]
async fn a_customer_enters_a_vehicle_by_hand() {
    let w = world().await;
    let answer = w.send("create-vehicle", &w.member).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
    assert_eq!(answer.json["make"], "Renault");
    assert_eq!(answer.json["model"], "Mégane Estate");
    assert_eq!(answer.json["plate"], "FG-789-HJ");
    assert_eq!(answer.json["vin"], "VF1RFB00X56789012");
    assert_eq!(answer.json["source"], "manual");
    assert_eq!(answer.json["account_id"], w.account.id.as_str());
    assert!(answer.json["warnings"].is_array(), "{}", answer.json);
    assert!(answer.json.get("revision").is_none());
    // The same plate again: 409.
    let again = w.send("create-vehicle", &w.member).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.json);
    assert_eq!(again.json["code"], "plate_exists");
}

#[tokio::test]
async fn a_customer_reads_a_vehicle_and_another_account_cannot() {
    let w = world().await;
    let answer = w.send("get-vehicle", &w.member).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.json["id"], w.vehicle_id.as_str());
    assert_eq!(answer.json["version"], "Shine");
    let hidden = w.send("get-vehicle", &w.outsider).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(
        hidden.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
}

#[tokio::test]
async fn a_customer_corrects_a_vehicle_but_not_one_in_an_order() {
    let w = world().await;
    let answer = w.send("update-vehicle", &w.member).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.json["model"], "C3 Aircross Shine");
    assert_eq!(answer.json["plate"], "AB-123-CE");
    assert_eq!(answer.json["version"], Value::Null);
    assert_eq!(answer.json["make"], "Citroën", "untouched");

    // Reserved by an order (as the quote does): the correction is refused.
    let repo = w.portal.services.vehicles();
    let mut vehicle = repo
        .get(&w.account.id, &w.vehicle_id)
        .await
        .expect("read")
        .expect("vehicle");
    vehicle.status = VehicleStatus::InOrder;
    vehicle.order_id = Some("order-1".into());
    vehicle.revision += 1;
    repo.update(&vehicle).await.expect("reserve");
    let refused = w.send("update-vehicle", &w.member).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.json);
    assert_eq!(refused.json["code"], "vehicle_in_order");
    let outsider = w.send("update-vehicle", &w.outsider).await;
    assert_eq!(outsider.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_customer_imports_a_csv_file() {
    let w = world().await;
    let answer = w.send("import-vehicles", &w.member).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.json["created"], 2);
    assert_eq!(answer.json["updated"], 0);
    assert_eq!(answer.json["unchanged"], 0);
    assert_eq!(answer.json["errors"][0]["line"], 4);
    assert_eq!(
        answer.json["errors"][0]["message"],
        "L'immatriculation est obligatoire."
    );
    let again = w.send("import-vehicles", &w.member).await;
    assert_eq!(again.json["created"], 0, "{}", again.json);
    assert_eq!(again.json["unchanged"], 2);
    let page = vehicles::list(
        &w.portal.services,
        &w.account.id,
        vehicles::VehicleQuery {
            q: Some("citroen berlingo".into()),
            ..Default::default()
        },
    )
    .await
    .expect("list");
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].make, "Citroën");
    assert_eq!(page.items[0].external_ref.as_deref(), Some("VO-1001"));
    assert_eq!(page.items[0].source, "csv");
}

#[tokio::test]
async fn an_import_in_windows_1252_keeps_its_accents_and_other_types_answer_415() {
    let w = world().await;
    let text = "Marque;Modèle;Immatriculation\r\nRenault;Mégane;KL-456-MN\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    // A binary body, as API Gateway hands it over: base64.
    let encoded = STANDARD.encode(&bytes);
    let answer = w
        .send_edited("import-vehicles", &w.member, |event| {
            event["body"] = Value::String(encoded);
            event["isBase64Encoded"] = Value::Bool(true);
        })
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.json["created"], 1, "{}", answer.json);
    let vehicle = w
        .portal
        .services
        .vehicles()
        .find_by_plate(&w.account.id, "KL456MN")
        .await
        .expect("find");
    assert_eq!(vehicle[0].model, "Mégane");

    let refused = w
        .send_edited("import-vehicles", &w.member, |event| {
            event["headers"]["content-type"] = Value::String("application/json".into());
        })
        .await;
    assert_eq!(refused.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(refused.json["code"], "unsupported_media_type");
}

#[tokio::test]
async fn signed_events_without_their_token_answer_401() {
    EVENTS.assert_signed_events_need_a_token().await;
}
