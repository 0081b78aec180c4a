//! The sample event of `events/status-poll/` (what the EventBridge schedule
//! sends) deserialised as `lambda_runtime::run` does and handed to
//! `status_poll::handle`, against an embedded portal whose ERP is the
//! simulator on a local port: one run follows the ERP's feed, and two runs
//! at once do the work once.

use std::path::Path;
use std::sync::Arc;

use erp_simulator::{RunningSimulator, Simulator};
use lambda_runtime::{Context, LambdaEvent};
use serde_json::Value;
use shared::Services;
use shared::adapters::erp_http::{ErpTimeouts, HttpErp};
use shared::adapters::no_erp::NoErp;
use shared::app::quotes::{self, QuoteInput, QuoteVehicleInput};
use shared::app::status_poll::PollSummary;
use shared::app::validation::{self, ValidateInput};
use shared::app::{addresses, vehicles};
use shared::domain::{AddressInput, OrderStatus, Role};
use shared::policy::Actor;
use shared::repo::orders::Order;
use shared::repo::users::User;
use shared::testing::fixtures::{self, TestPortal};
use shared::testing::iam;

const ERP_KEY: &str = "status-poll-erp-key";

/// The portal's ports as this function gets them once deployed: confined
/// to its IAM role in `template.yaml`.
fn as_deployed(services: &Services) -> Services {
    iam::confine(services, "status-poll")
}

/// `events/status-poll/scheduled.json` as the runtime hands it over: the
/// JSON payload and the invocation's context.
fn scheduled_event() -> LambdaEvent<Value> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/status-poll/scheduled.json");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("event {}: {e}", path.display()));
    let payload: Value = serde_json::from_str(&text).expect("the event is JSON");
    LambdaEvent::new(payload, Context::default())
}

#[test]
fn the_sample_is_an_eventbridge_scheduled_event() {
    let event = scheduled_event().payload;
    assert_eq!(event["source"], "aws.events");
    assert_eq!(event["detail-type"], "Scheduled Event");
    assert_eq!(event["version"], "0");
    assert!(
        event["id"].is_string() && event["time"].is_string(),
        "{event}"
    );
    assert!(
        event["resources"][0]
            .as_str()
            .is_some_and(|arn| arn.starts_with("arn:aws:events:")),
        "{event}"
    );
    assert!(event["detail"].is_object(), "{event}");
}

/// An embedded portal on the ERP simulator, with a customer whose quote of
/// one vehicle (Lyon to Paris) the ERP priced.
struct World {
    portal: TestPortal,
    erp: RunningSimulator,
    customer: User,
    order_id: String,
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
    let mut portal = fixtures::embedded_portal();
    let erp = Simulator::new(ERP_KEY)
        .spawn(([127, 0, 0, 1], 0).into())
        .await
        .expect("ERP simulator");
    portal.services.erp =
        Arc::new(HttpErp::new(&erp.url, ERP_KEY, ErpTimeouts::default()).expect("ERP client"));
    let services = &portal.services;
    let account = fixtures::seed_account(services, "Garage Dupont Automobiles").await;
    let customer = fixtures::seed_user(
        services,
        "jean.dupont@garage-dupont.fr",
        Role::Group,
        Some(&account.id),
    )
    .await;
    let pickup = addresses::create(
        services,
        &account.id,
        address("Dépôt Lyon", "12 rue de la République", "69002", "Lyon"),
    )
    .await
    .expect("pickup address");
    let delivery = addresses::create(
        services,
        &account.id,
        address("Agence Paris", "40 avenue Daumesnil", "75012", "Paris"),
    )
    .await
    .expect("delivery address");
    let vehicle = vehicles::create(
        services,
        &account.id,
        vehicles::VehicleInput {
            make: Some("Peugeot".into()),
            model: Some("308".into()),
            plate: Some("AB-123-CD".into()),
            ..vehicles::VehicleInput::default()
        },
    )
    .await
    .expect("vehicle");
    let input = QuoteInput {
        vehicles: Some(vec![QuoteVehicleInput {
            vehicle_id: Some(vehicle.vehicle.id),
            make: Some("Peugeot".into()),
            model: Some("308".into()),
            plate: Some("AB-123-CD".into()),
            vin: None,
        }]),
        pickup_address_id: Some(pickup.id),
        delivery_address_id: Some(delivery.id),
        customer_reference: None,
    };
    let order = quotes::quote(services, &actor(&customer), &customer, input)
        .await
        .expect("quote");
    World {
        portal,
        erp,
        customer,
        order_id: order.id,
    }
}

impl World {
    /// The customer validates the quote through `services` (whose ERP may
    /// be down).
    async fn validate(&self, services: &Services) {
        let accept = ValidateInput {
            accept_terms: Some(true),
        };
        let order = validation::validate(
            services,
            &actor(&self.customer),
            &self.customer,
            &self.order_id,
            accept,
        )
        .await
        .expect("validate");
        assert_ne!(order.status, OrderStatus::Quoted);
    }

    async fn order(&self) -> Order {
        self.portal
            .services
            .orders()
            .get(&self.order_id)
            .await
            .expect("read")
            .expect("order")
    }

    fn mails_about(&self, word: &str) -> usize {
        let mails = self.portal.outbox.list().expect("the outbox");
        mails.iter().filter(|m| m.subject.contains(word)).count()
    }
}

/// The statuses of the order's timeline, in order.
fn steps(order: &Order) -> Vec<OrderStatus> {
    order.timeline.iter().map(|entry| entry.status).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_run_follows_the_erp_to_delivery() {
    let w = world().await;
    w.validate(&w.portal.services).await;
    assert_eq!(w.order().await.status, OrderStatus::Confirmed);
    // The ERP's clock moves past the delivery (Lyon-Paris takes a day and
    // a half).
    w.erp.simulator.advance(3 * 24 * 60);

    let summary = status_poll::handle(&as_deployed(&w.portal.services), scheduled_event())
        .await
        .expect("the poll runs");
    assert!(summary.ran, "{summary:?}");
    assert!(summary.errors.is_empty(), "{summary:?}");
    assert!(summary.changes_read >= 4, "{summary:?}");
    assert_eq!(summary.pending_sent, 0, "{summary:?}");
    // Picked up and delivered: the two milestones the customer hears of
    // after the confirmation.
    assert_eq!(summary.emails_sent, 2, "{summary:?}");
    let order = w.order().await;
    assert_eq!(order.status, OrderStatus::Delivered);
    assert_eq!(
        steps(&order),
        [
            OrderStatus::Quoted,
            OrderStatus::Validated,
            OrderStatus::Confirmed,
            OrderStatus::Scheduled,
            OrderStatus::PickedUp,
            OrderStatus::InTransit,
            OrderStatus::Delivered,
        ]
    );

    // The next run finds nothing new.
    let next = status_poll::handle(&as_deployed(&w.portal.services), scheduled_event())
        .await
        .expect("the poll runs again");
    assert!(next.ran, "{next:?}");
    assert_eq!(next.changes_applied, 0, "{next:?}");
    assert_eq!(next.emails_sent, 0, "{next:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runs_at_once_hand_a_queued_order_to_the_erp_once() {
    let w = world().await;
    // Validated while the ERP is unreachable: queued for the poll.
    let mut offline = w.portal.services.clone();
    offline.erp = Arc::new(NoErp {
        reason: "ERP down during the validation",
    });
    w.validate(&offline).await;
    let queued = w.order().await;
    assert_eq!(queued.status, OrderStatus::Validated);
    assert_eq!(queued.erp_order_id, None);
    assert_eq!(w.erp.simulator.stats().create_order_calls, 0);

    let services = &as_deployed(&w.portal.services);
    let (first, second) = tokio::join!(
        status_poll::handle(services, scheduled_event()),
        status_poll::handle(services, scheduled_event()),
    );
    let runs = [
        first.expect("the first run"),
        second.expect("the second run"),
    ];
    let ran = runs.iter().filter(|s| s.ran).count();
    assert!(ran >= 1, "{runs:?}");
    if ran == 1 {
        // The other saw the lease and did nothing.
        let idle = runs.iter().find(|s| !s.ran).expect("an idle run");
        assert_eq!(*idle, PollSummary::default());
    }
    // However they met: one hand-over, one ERP order, one e-mail each.
    assert!(runs.iter().all(|s| s.errors.is_empty()), "{runs:?}");
    assert_eq!(
        runs.iter().map(|s| s.pending_sent).sum::<usize>(),
        1,
        "{runs:?}"
    );
    let stats = w.erp.simulator.stats();
    assert_eq!(stats.orders_created, 1, "{stats:?}");
    assert_eq!(stats.create_order_calls, 1, "{stats:?}");
    let order = w.order().await;
    assert_eq!(order.status, OrderStatus::Confirmed);
    assert!(order.erp_order_id.is_some());
    assert_eq!(
        steps(&order),
        [
            OrderStatus::Quoted,
            OrderStatus::Validated,
            OrderStatus::Confirmed
        ]
    );
    assert_eq!(w.mails_about("validée"), 1);
    assert_eq!(w.mails_about("confirmée"), 1);

    // Nothing is left queued: a later run sends nothing.
    let later = status_poll::handle(services, scheduled_event())
        .await
        .expect("a later run");
    assert!(later.ran, "{later:?}");
    assert_eq!(later.pending_sent, 0, "{later:?}");
    assert_eq!(w.erp.simulator.stats().create_order_calls, 1);
}
