//! The sample events of `events/accounts/` (API Gateway HTTP API, payload
//! 2.0) run through this function's Lambda app as `lambda_http::run` hands
//! them over, their `{{placeholders}}` filled from a seeded embedded portal;
//! and every route of `src/lib.rs` has an event (the harness is
//! `shared::testing::lambda_events`).

use http::StatusCode;
use shared::domain::{Role, UserStatus};
use shared::repo::users::User;
use shared::testing::fixtures;
use shared::testing::lambda_events::{Events, Portal};

const EVENTS: Events = Events::new("accounts", env!("CARGO_MANIFEST_DIR"), accounts::routes);

/// The manager, and an account with a group user and a member.
struct World {
    portal: Portal,
    group: User,
    member: User,
}

// One of the two checks every function makes of its events.
#[test]
fn every_route_has_a_well_formed_event() {
    EVENTS.assert_every_route_has_a_well_formed_event();
}

async fn world() -> World {
    let portal = EVENTS.portal("Transports Lefèvre").await;
    World {
        group: portal.user("direction@lefevre.fr", Role::Group).await,
        member: portal.user("atelier@lefevre.fr", Role::Member).await,
        portal,
    }
}

#[tokio::test]
async fn a_manager_lists_the_accounts() {
    let w = world().await;
    let answer = w
        .portal
        .send_as("list-accounts", &w.portal.manager, &[])
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.ids(), [w.portal.account.id.as_str()]);
    assert!(answer.json["next_cursor"].is_null());
    // The overview: two active users, no stock feed, no order yet.
    let item = &answer.json["items"][0];
    assert_eq!(
        item["users"],
        serde_json::json!({"invited": 0, "active": 2, "disabled": 0})
    );
    assert!(item["stock_connection"].is_null(), "{item}");
    assert!(item["last_sync"].is_null(), "{item}");
    assert_eq!(
        item["orders"],
        serde_json::json!({"count": 0, "count_capped": false, "last_order_at": null})
    );
}

#[tokio::test]
async fn a_manager_creates_an_account() {
    let w = world().await;
    let answer = w
        .portal
        .send_as("create-account", &w.portal.manager, &[])
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
    assert_eq!(answer.json["name"], "Garage Dupont Automobiles");
    assert_eq!(answer.json["siret"], "73282932000074");
    let id = answer.json["id"].as_str().expect("id");
    assert!(
        w.portal
            .services()
            .accounts()
            .get(id)
            .await
            .expect("store")
            .is_some()
    );
}

#[tokio::test]
async fn a_group_user_reads_its_account_and_no_other() {
    let w = world().await;
    let answer = w.portal.send_as("get-account", &w.group, &[]).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.json["id"], w.portal.account.id.as_str());
    assert_eq!(answer.json["name"], w.portal.account.name.as_str());

    let other = fixtures::seed_account(w.portal.services(), "Autre client").await;
    let answer = w
        .portal
        .send_as("get-account", &w.group, &[("account_id", &other.id)])
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.json["code"], "not_found");
}

#[tokio::test]
async fn a_group_user_lists_the_users_of_its_account() {
    let w = world().await;
    let answer = w.portal.send_as("list-users", &w.group, &[]).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    let mut listed = answer.ids();
    listed.sort_unstable();
    let mut expected = [w.group.id.as_str(), w.member.id.as_str()];
    expected.sort_unstable();
    assert_eq!(listed, expected);
}

#[tokio::test]
async fn a_group_user_disables_a_member() {
    let w = world().await;
    let answer = w
        .portal
        .send_as("disable-user", &w.group, &[("user_id", &w.member.id)])
        .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.json);
    let stored = w
        .portal
        .services()
        .users()
        .get(&w.member.id)
        .await
        .expect("store");
    assert_eq!(stored.expect("member").status, UserStatus::Disabled);
    let answer = w.portal.send_as("get-account", &w.member, &[]).await;
    assert_eq!(
        answer.status,
        StatusCode::UNAUTHORIZED,
        "the member's sessions end"
    );
}

// The other check every function makes of its events.
#[tokio::test]
async fn signed_events_without_their_token_answer_401() {
    EVENTS.assert_signed_events_need_a_token().await;
}
