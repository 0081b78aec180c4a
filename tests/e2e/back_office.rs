//! The managers' back office over HTTP on `stva-dev` (embedded, and AWS on moto):
//! the orders needing attention (`?attention=true`, `needs_attention`), the
//! accounts overview (users by status, stock connection, last sync, orders)
//! and resending a pending invitation (a fresh link that works, mailed to
//! `/_dev/mail`; nothing to resend once accepted).

use e2e_tests::{Caller, Portal, PortalBackend};
use serde_json::{Value, json};
use shared::domain::{OrderStatus, Role};
use shared::repo::orders::Order;
use shared::repo::stock_connections::StoredConnection;
use shared::testing::fixtures::{PASSWORD, seed_account, seed_user};

const INVITEE: &str = "atelier@dupont.fr";
const FEED_SECRET: &str = "cle-secrete-du-flux-123";

/// Rewrites the stored order as the ERP and the carrier would, retrying
/// if the background work changed it meanwhile.
async fn alter(portal: &Portal, order_id: &str, change: impl Fn(&mut Order)) {
    let orders = portal.server.services.orders();
    for _ in 0..10 {
        let mut order = orders.get(order_id).await.expect("read").expect("order");
        change(&mut order);
        order.revision += 1;
        if orders.update(&order).await.is_ok() {
            return;
        }
    }
    panic!("the order could not be altered");
}

fn ids(answer: &Value) -> Vec<&str> {
    answer["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect()
}

async fn attention(portal: &Portal, manager: &Caller, customer: &Caller, order_id: &str) {
    customer
        .get("/api/orders?attention=true")
        .await
        .expect_problem(403, "forbidden");
    manager
        .get("/api/orders?attention=maybe")
        .await
        .expect_problem(422, "validation_failed");

    // Validated an hour ago and still unknown to the ERP.
    alter(portal, order_id, |o| {
        o.status = OrderStatus::Validated;
        o.erp_order_id = None;
        o.validated_at = Some(o.created_at - std::time::Duration::from_secs(3600));
    })
    .await;
    let late = manager.get("/api/orders?attention=true").await;
    late.expect(200);
    assert_eq!(ids(&late.body), [order_id], "{}", late.body);
    assert_eq!(
        late.body["items"][0]["needs_attention"],
        json!(["awaiting_erp"])
    );

    // Delivered without an invoice.
    alter(portal, order_id, |o| {
        o.status = OrderStatus::Delivered;
        o.erp_order_id = Some("ERP-E2E-1".into());
    })
    .await;
    let missing = manager.get("/api/orders?attention=true").await;
    missing.expect(200);
    assert_eq!(ids(&missing.body), [order_id], "{}", missing.body);
    let read = manager.get(&format!("/api/orders/{order_id}")).await;
    read.expect(200);
    assert_eq!(read.body["needs_attention"], json!(["invoice_missing"]));
    let own = customer.get(&format!("/api/orders/{order_id}")).await;
    own.expect(200);
    assert!(own.body.get("needs_attention").is_none(), "{}", own.body);
    // Every order is listed without the filter, each with its reasons.
    let all = manager.get("/api/orders").await;
    all.expect(200);
    assert!(all.body["items"][0]["needs_attention"].is_array());
}

async fn overview(portal: &Portal, manager: &Caller, account_id: &str, order: &Value) {
    let services = &portal.server.services;
    // One user of each status: the group user (active), an invitee, a
    // disabled member.
    manager
        .post(
            &format!("/api/accounts/{account_id}/users"),
            json!({"email": INVITEE, "name": "Atelier Dupont", "role": "member"}),
        )
        .await
        .expect(201);
    let gone = seed_user(services, "ancien@dupont.fr", Role::Member, Some(account_id)).await;
    manager
        .delete(&format!("/api/accounts/{account_id}/users/{}", gone.id))
        .await
        .expect(204);
    let mut settings = serde_json::Map::new();
    settings.insert("provider".into(), json!("csv_url"));
    settings.insert("url".into(), json!("https://flux.dupont.fr/stock.csv"));
    settings.insert("api_key".into(), json!(FEED_SECRET));
    services
        .stock_connections()
        .put(&StoredConnection {
            account_id: account_id.to_owned(),
            provider: "csv_url".into(),
            settings,
            updated_at: time::OffsetDateTime::now_utc(),
            updated_by: "e2e".into(),
        })
        .await
        .expect("connection stored");
    services
        .stock_connections()
        .put_report(
            account_id,
            &json!({"account_id": account_id, "finished_at": "2026-03-12T09:00:00Z", "status": "succeeded"}),
        )
        .await
        .expect("report stored");

    let listed = manager.get("/api/accounts?limit=50").await;
    listed.expect(200);
    assert!(
        !listed.body.to_string().contains(FEED_SECRET),
        "no secret in the overview: {}",
        listed.body
    );
    let items = listed.body["items"].as_array().expect("items");
    let item = items
        .iter()
        .find(|i| i["id"] == account_id)
        .expect("the account");
    assert_eq!(
        item["users"],
        json!({"invited": 1, "active": 1, "disabled": 1})
    );
    assert_eq!(item["stock_connection"], json!({"provider": "csv_url"}));
    assert_eq!(item["last_sync"]["status"], "succeeded");
    assert_eq!(item["last_sync"]["finished_at"], "2026-03-12T09:00:00Z");
    assert_eq!(item["orders"]["count"], 1);
    assert_eq!(item["orders"]["count_capped"], false);
    assert_eq!(item["orders"]["last_order_at"], order["created_at"]);
    let other = items
        .iter()
        .find(|i| i["id"] != account_id)
        .expect("the other account");
    assert!(other["stock_connection"].is_null(), "{other}");
    assert!(other["last_sync"].is_null(), "{other}");
    assert_eq!(other["orders"]["count"], 0);
}

async fn resend(portal: &Portal, manager: &Caller, customer: &Caller, account_id: &str) {
    let users = manager
        .get(&format!("/api/accounts/{account_id}/users?limit=50"))
        .await;
    users.expect(200);
    let invitee = users.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|u| u["email"] == INVITEE)
        .expect("the invitee")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let resend_path = format!("/api/accounts/{account_id}/users/{invitee}/invitation");
    let first = portal.link_token(INVITEE, "/invitation").await;
    assert_eq!(portal.mails_to(INVITEE).await.len(), 1);

    let sent = manager.post(&resend_path, json!({})).await;
    sent.expect(200);
    assert_eq!(sent.body["user"]["status"], "invited");
    assert!(sent.body["expires_at"].is_string(), "{}", sent.body);
    // The group user may resend to a member of its account too.
    customer.post(&resend_path, json!({})).await.expect(200);
    let mails = portal.mails_to(INVITEE).await;
    assert_eq!(mails.len(), 3);
    let fresh = portal.link_token(INVITEE, "/invitation").await;
    assert_ne!(fresh, first, "a fresh link");

    let accepted = portal
        .anonymous()
        .post(
            "/api/auth/invitations/accept",
            json!({"token": fresh, "name": "Claire Atelier", "password": "Trois convois partent de Lyon"}),
        )
        .await;
    accepted.expect(200);
    manager
        .post(&resend_path, json!({}))
        .await
        .expect_problem(409, "user_not_invited");
    // Older links are spent once the invitation is accepted.
    portal
        .anonymous()
        .post(
            "/api/auth/invitations/accept",
            json!({"token": first, "name": "X", "password": "Trois convois partent de Lyon"}),
        )
        .await
        .expect_problem(410, "link_used");
}

async fn journey(backend: PortalBackend) {
    let portal = Portal::start(backend).await;
    let services = portal.server.services.clone();
    let account = seed_account(&services, "Garage Dupont").await;
    seed_account(&services, "Autos Martin").await;
    seed_user(&services, "chef@dupont.fr", Role::Group, Some(&account.id)).await;
    let customer = portal.sign_in("chef@dupont.fr", PASSWORD).await;
    let manager = portal.manager().await;

    let order = e2e_tests::validated_order(&customer).await;
    let order_id = order["id"].as_str().expect("id").to_owned();
    attention(&portal, &manager, &customer, &order_id).await;
    overview(&portal, &manager, &account.id, &order).await;
    resend(&portal, &manager, &customer, &account.id).await;

    portal.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_office_on_the_embedded_backend() {
    journey(PortalBackend::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_office_on_aws_with_the_local_emulator() {
    journey(PortalBackend::Aws).await;
}
