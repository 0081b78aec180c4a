//! Failure drills, on both backends: the ERP down for a whole run then
//! back (the pending validations reach it, each once); the mail service
//! down (the actions complete, the e-mails are sent by a later poll or
//! recorded as failed, never dropped); the store failing at every possible
//! write of a quote, of a validation and of a stock sync, as a function
//! killed there would (nothing half-written; the next run repairs).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use e2e_tests::{Caller, Portal, PortalBackend, feed_server, quoted_order};
use serde_json::{Value, json};
use shared::Services;
use shared::app::quotes::{QuoteInput, QuoteVehicleInput};
use shared::app::stock_sync::{self, SyncOutcome};
use shared::app::validation::ValidateInput;
use shared::app::{quotes, validation};
use shared::domain::Role;
use shared::policy::Actor;
use shared::ports::{Condition, Item, Key, QueryPage, QueryRequest, StoreError, Table, Write};
use shared::repo::users::User;
use shared::testing::fixtures::{Later, PASSWORD, seed_account, seed_user};
use tokio::sync::watch;

async fn customer(portal: &Portal, email: &str) -> (User, Caller) {
    let services = &portal.server.services;
    let account = seed_account(services, "Garage des Exercices").await;
    let user = seed_user(services, email, Role::Group, Some(&account.id)).await;
    (user, portal.sign_in(email, PASSWORD).await)
}

fn actor(user: &User) -> Actor {
    Actor {
        user_id: user.id.clone(),
        role: user.role,
        account_id: user.account_id.clone(),
    }
}

// ---- The ERP down, then back ----

async fn erp_down_then_back(backend: PortalBackend) {
    let portal = Portal::start(backend).await;
    let (_, caller) = customer(&portal, "erp@exercices.fr").await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let order = quoted_order(&caller, &format!("EF-{:03}-GH", n + 100)).await;
        ids.push(order["id"].as_str().unwrap().to_owned());
    }
    caller
        .post("/_dev/erp/faults", json!({"error_rate": 1.0}))
        .await
        .expect(200);
    for id in &ids {
        let validated = caller
            .post(
                &format!("/api/orders/{id}/validate"),
                json!({"accept_terms": true}),
            )
            .await;
        validated.expect(200);
        assert_eq!(validated.body["status"], "validated");
        assert!(validated.body["erp_order_id"].is_null());
    }
    for _ in 0..2 {
        let poll = caller.post("/_dev/run/status-poll", json!({})).await;
        poll.expect(200);
        assert_eq!(poll.body["pending_sent"], 0, "{}", poll.body);
    }
    caller
        .post("/_dev/erp/faults", json!({"error_rate": 0.0}))
        .await
        .expect(200);
    let poll = caller.post("/_dev/run/status-poll", json!({})).await;
    poll.expect(200);
    assert_eq!(poll.body["pending_sent"], 3, "{}", poll.body);
    let again = caller.post("/_dev/run/status-poll", json!({})).await;
    assert_eq!(again.body["pending_sent"], 0, "{}", again.body);
    for id in &ids {
        let order = caller.get(&format!("/api/orders/{id}")).await;
        assert!(order.body["erp_order_id"].is_string(), "{}", order.body);
    }
    let stats = caller.get("/_dev/erp/stats").await;
    assert_eq!(stats.body["orders_created"], 3, "{}", stats.body);
    portal.server.stop().await;
}

// ---- The mail service down ----

async fn mail_down(backend: PortalBackend) {
    let portal = Portal::start(backend).await;
    let (_, caller) = customer(&portal, "courrier@exercices.fr").await;
    let manager = portal.manager().await;
    let order = quoted_order(&caller, "FG-100-HJ").await;
    let id = order["id"].as_str().unwrap();
    let drills = portal.anonymous();
    drills
        .post("/_dev/mail/faults", json!({"down": true}))
        .await
        .expect(200);

    // The actions complete.
    caller
        .post(
            &format!("/api/orders/{id}/validate"),
            json!({"accept_terms": true}),
        )
        .await
        .expect(200);
    let account = caller.get("/api/me").await.str("account_id");
    let invited = manager
        .post(
            &format!("/api/accounts/{account}/users"),
            json!({"email": "nouveau@exercices.fr", "name": "Nouveau", "role": "member"}),
        )
        .await;
    invited.expect(201);
    assert!(portal.mails_to("courrier@exercices.fr").await.is_empty());

    // Nothing is lost: the order's e-mail waits, the invitation (its link
    // cannot be rebuilt) is recorded as failed.
    let unsent = drills.get("/_dev/mail/unsent").await;
    unsent.expect(200);
    // The validation's e-mail (and the ERP's confirmation, when it came
    // at once) wait for the poll.
    let pending = unsent.body["pending"].as_array().unwrap().clone();
    assert!(
        pending
            .iter()
            .any(|m| m["job"]["kind"] == "order_validated" && m["job"]["order_id"] == id),
        "{}",
        unsent.body
    );
    assert!(pending.iter().all(|m| m["job"]["order_id"] == id));
    let failed = unsent.body["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1, "{}", unsent.body);
    assert_eq!(failed[0]["job"]["kind"], "invitation");
    assert_eq!(failed[0]["to"], "nouveau@exercices.fr");

    // Still down: the poll tries again and keeps it.
    let poll = drills.post("/_dev/run/status-poll", json!({})).await;
    assert_eq!(poll.body["emails_retried"], pending.len(), "{}", poll.body);
    assert_eq!(poll.body["emails_recovered"], 0, "{}", poll.body);

    // Back: the next poll sends it, once, with its purchase order.
    drills
        .post("/_dev/mail/faults", json!({"down": false}))
        .await
        .expect(200);
    let poll = drills.post("/_dev/run/status-poll", json!({})).await;
    assert_eq!(
        poll.body["emails_recovered"],
        pending.len(),
        "{}",
        poll.body
    );
    drills.post("/_dev/run/status-poll", json!({})).await;
    let mails = portal.mails_to("courrier@exercices.fr").await;
    let validated: Vec<&Value> = mails
        .iter()
        .filter(|m| m["subject"].as_str().unwrap().contains("validée"))
        .collect();
    assert_eq!(validated.len(), 1, "{mails:?}");
    assert_eq!(mails.len(), pending.len(), "each e-mail once: {mails:?}");
    assert_eq!(
        validated[0]["attachments"][0]["content_type"],
        "application/pdf"
    );
    let unsent = drills.get("/_dev/mail/unsent").await;
    assert_eq!(unsent.body["pending"].as_array().map(Vec::len), Some(0));
    // The manager sends the invitation again; it goes now.
    manager
        .post(
            &format!(
                "/api/accounts/{account}/users/{}/invitation",
                invited.str("id")
            ),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(portal.mails_to("nouveau@exercices.fr").await.len(), 1);
    portal.server.stop().await;
}

// ---- The store failing at the n-th write ----

/// The store of a function killed after `budget` writes: every write past
/// it fails as if the process had died there (a transaction is one write:
/// all or nothing; a batch put writes its items one by one up to the
/// budget, as a batch cut short would).
struct Crashing {
    inner: Arc<dyn Table>,
    budget: AtomicI64,
}

impl Crashing {
    fn services(services: &Services, budget: i64) -> Services {
        let mut crashing = services.clone();
        crashing.table = Arc::new(Crashing {
            inner: services.table.clone(),
            budget: AtomicI64::new(budget),
        });
        crashing
    }

    fn take(&self) -> Result<(), StoreError> {
        if self.budget.fetch_sub(1, Ordering::SeqCst) > 0 {
            Ok(())
        } else {
            Err(StoreError::Unavailable("the function was killed".into()))
        }
    }
}

#[async_trait]
impl Table for Crashing {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }
    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        self.take()?;
        self.inner.put(item, condition).await
    }
    async fn delete(&self, key: &Key, condition: Condition) -> Result<(), StoreError> {
        self.take()?;
        self.inner.delete(key, condition).await
    }
    async fn query(&self, request: QueryRequest) -> Result<QueryPage, StoreError> {
        self.inner.query(request).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        self.take()?;
        self.inner.transact(writes).await
    }
    async fn put_many(&self, items: Vec<Item>) -> Result<(), StoreError> {
        for item in items {
            self.take()?;
            self.inner.put_many(vec![item]).await?;
        }
        Ok(())
    }
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.inner.get_many(keys).await
    }
    async fn increment(&self, key: &Key, attribute: &str, by: u64) -> Result<u64, StoreError> {
        self.take()?;
        self.inner.increment(key, attribute, by).await
    }
}

async fn vehicle_status(caller: &Caller, id: &str) -> String {
    let vehicle = caller.get(&format!("/api/vehicles/{id}")).await;
    vehicle.expect(200);
    vehicle.str("status")
}

async fn killed_mid_quote_and_validation(backend: PortalBackend) {
    let portal = Portal::start(backend).await;
    let services = portal.server.services.clone();
    let (user, caller) = customer(&portal, "crash@exercices.fr").await;
    // An order to take the addresses from, and a fresh vehicle to quote.
    let first = quoted_order(&caller, "GH-100-JK").await;
    let vehicle = caller
        .post(
            "/api/vehicles",
            json!({"make": "Dacia", "model": "Sandero", "plate": "GH-200-JK"}),
        )
        .await;
    vehicle.expect(201);
    let vehicle_id = vehicle.str("id");
    let input = QuoteInput {
        vehicles: Some(vec![QuoteVehicleInput {
            vehicle_id: Some(vehicle_id.clone()),
            make: Some("Dacia".into()),
            model: Some("Sandero Stepway".into()),
            plate: Some("GH-200-JK".into()),
            vin: None,
        }]),
        pickup_address_id: first["pickup"]["address_id"].as_str().map(str::to_owned),
        delivery_address_id: first["delivery"]["address_id"].as_str().map(str::to_owned),
        customer_reference: None,
    };
    assert!(input.pickup_address_id.is_some(), "{first}");

    // A quote killed at each write in turn: no order, or a whole one.
    let mut order_id = None;
    for budget in 0..10 {
        let crashing = Crashing::services(&services, budget);
        let result = quotes::quote(&crashing, &actor(&user), &user, input.clone()).await;
        let orders = caller.get("/api/orders?limit=100").await;
        let count = orders.body["items"].as_array().unwrap().len();
        match result {
            Err(_) => {
                assert_eq!(count, 1, "a killed quote left an order (budget {budget})");
                assert_eq!(vehicle_status(&caller, &vehicle_id).await, "in_stock");
            }
            Ok(order) => {
                assert_eq!(count, 2);
                assert_eq!(vehicle_status(&caller, &vehicle_id).await, "in_order");
                order_id = Some(order.id);
                break;
            }
        }
    }
    let order_id = order_id.expect("the quote went through with enough writes");

    // A validation killed at each write in turn: the order is quoted or
    // validated, never in between; the poll hands what was validated to
    // the ERP; the ERP gets the order once.
    let accept = ValidateInput {
        accept_terms: Some(true),
    };
    for budget in 0..10 {
        let crashing = Crashing::services(&services, budget);
        let result =
            validation::validate(&crashing, &actor(&user), &user, &order_id, accept.clone()).await;
        let order = caller.get(&format!("/api/orders/{order_id}")).await;
        let status = order.str("status");
        assert!(
            status == "quoted" || status == "validated",
            "budget {budget}: {status}"
        );
        if result.is_ok() || status == "validated" {
            break;
        }
    }
    caller
        .post("/_dev/run/status-poll", json!({}))
        .await
        .expect(200);
    // The customer clicks again, as one would after an error page.
    caller
        .post(
            &format!("/api/orders/{order_id}/validate"),
            json!({"accept_terms": true}),
        )
        .await
        .expect(200);
    caller
        .post("/_dev/run/status-poll", json!({}))
        .await
        .expect(200);
    let order = caller.get(&format!("/api/orders/{order_id}")).await;
    assert!(order.body["erp_order_id"].is_string(), "{}", order.body);
    let stats = caller.get("/_dev/erp/stats").await;
    assert_eq!(stats.body["orders_created"], 1, "{}", stats.body);
    portal.server.stop().await;
}

async fn killed_mid_sync(backend: PortalBackend) {
    const VEHICLES: usize = 60;
    let mut csv = String::from("Référence;Marque;Modèle;Immatriculation\r\n");
    for n in 0..VEHICLES {
        csv.push_str(&format!("KILL-{n};Citroën;C3;JK-{:03}-LM\r\n", n + 100));
    }
    let (_feed, body) = watch::channel(csv.into_bytes());
    let url = feed_server(body, Duration::ZERO).await;
    let portal = Portal::start(backend).await;
    let (user, caller) = customer(&portal, "sync@exercices.fr").await;
    let account_id = user.account_id.clone().unwrap();
    portal
        .manager()
        .await
        .put(
            &format!("/api/accounts/{account_id}/stock-connection"),
            json!({"provider": "feed", "settings": {"url": url, "preset": "planetvo"}}),
        )
        .await
        .expect(200);
    let fetcher = stock_sync::http_fetcher().expect("fetcher");
    let mut services = portal.server.services.clone();
    // Killed after the lease and 25 new vehicles, then the next run after
    // the lease and 10 more: each later run starts past the lease the
    // killed one could not release.
    for (run, budget) in [(1u64, 26), (2, 11)] {
        let crashing = Crashing::services(&services, budget);
        let outcome = stock_sync::sync_account(&crashing, fetcher.clone(), &account_id).await;
        assert!(outcome.is_err(), "run {run} was killed: {outcome:?}");
        services.clock = Arc::new(Later(Duration::from_secs(run * 16 * 60)));
    }
    let stock = caller.get("/api/vehicles?limit=100").await;
    assert_eq!(stock.body["items"].as_array().unwrap().len(), 35);
    // The next run repairs: every vehicle once.
    match stock_sync::sync_account(&services, fetcher, &account_id)
        .await
        .expect("the repairing sync")
    {
        SyncOutcome::Ran(report) => {
            assert_eq!(report.created, VEHICLES - 35, "{report:?}");
            assert_eq!(report.unchanged, 35, "{report:?}");
        }
        SyncOutcome::AlreadyRunning => panic!("the killed run's lease was not past"),
    }
    let stock = caller.get("/api/vehicles?limit=100").await;
    let items = stock.body["items"].as_array().unwrap();
    assert_eq!(items.len(), VEHICLES);
    let mut references: Vec<&str> = items
        .iter()
        .map(|v| v["external_ref"].as_str().unwrap())
        .collect();
    references.sort_unstable();
    references.dedup();
    assert_eq!(references.len(), VEHICLES);
    portal.server.stop().await;
}

async fn all_drills(backend: PortalBackend) {
    erp_down_then_back(backend).await;
    mail_down(backend).await;
    killed_mid_quote_and_validation(backend).await;
    killed_mid_sync(backend).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drills_on_the_embedded_backend() {
    all_drills(PortalBackend::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drills_on_aws_with_the_local_emulator() {
    all_drills(PortalBackend::Aws).await;
}
