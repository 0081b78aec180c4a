//! Unsent e-mails: recorded without their content, retried, given up.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;

use super::*;
use crate::ports::{MailError, Mailer};
use crate::testing::fixtures::embedded_portal;

/// A mail service that is down while `down` holds.
struct Flaky {
    down: AtomicBool,
    inner: Arc<dyn Mailer>,
}

#[async_trait]
impl Mailer for Flaky {
    async fn send(&self, email: &Email) -> Result<String, MailError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(MailError::Unavailable("the mail service is down".into()));
        }
        self.inner.send(email).await
    }
}

fn services_with_flaky_mail() -> (crate::testing::fixtures::TestPortal, Services, Arc<Flaky>) {
    let portal = embedded_portal();
    let flaky = Arc::new(Flaky {
        down: AtomicBool::new(true),
        inner: portal.services.mailer.clone(),
    });
    let mut services = portal.services.clone();
    services.mailer = flaky.clone();
    (portal, services, flaky)
}

fn mail_with_link() -> Email {
    Email {
        to: "nouveau@garage.fr".into(),
        subject: "Votre accès au portail client STVA".into(),
        text: "Lien : https://portail/invitation?token=SECRET-LINK-TOKEN".into(),
        html: "<a href=\"https://portail/invitation?token=SECRET-LINK-TOKEN\">".into(),
        attachments: Vec::new(),
    }
}

#[tokio::test]
async fn a_sent_mail_leaves_no_record() {
    let (_portal, services, flaky) = services_with_flaky_mail();
    flaky.down.store(false, Ordering::SeqCst);
    let job = MailJob::Invitation {
        user_id: "u1".into(),
    };
    assert!(send(&services, job, &mail_with_link()).await);
    let (pending, failed) = unsent(&services).await.unwrap();
    assert!(pending.is_empty() && failed.is_empty());
}

#[tokio::test]
async fn a_link_mail_that_fails_is_recorded_as_failed_without_its_link() {
    let (portal, services, _flaky) = services_with_flaky_mail();
    let job = MailJob::Invitation {
        user_id: "u1".into(),
    };
    assert!(!send(&services, job.clone(), &mail_with_link()).await);
    let (pending, failed) = unsent(&services).await.unwrap();
    assert!(pending.is_empty(), "a link cannot be rebuilt: not retried");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].job, job);
    assert_eq!(failed[0].to, "nouveau@garage.fr");
    assert!(failed[0].last_error.contains("down"));
    let stored = portal
        .services
        .table
        .query(QueryRequest::table(FAILED))
        .await
        .unwrap();
    let raw = serde_json::to_string(&stored.items[0].attrs).unwrap();
    assert!(!raw.contains("SECRET-LINK-TOKEN"), "{raw}");
    // Nothing reached the outbox.
    assert!(portal.outbox.list().unwrap().is_empty());
}

#[tokio::test]
async fn an_order_mail_is_retried_then_given_up() {
    let (_portal, services, flaky) = services_with_flaky_mail();
    // An order e-mail whose order is gone: it can never be built, so
    // every retry fails, even once the mail service is back.
    let job = MailJob::OrderStatus {
        order_id: "no-such-order".into(),
        status: OrderStatus::Delivered,
    };
    assert!(!send_job(&services, job.clone()).await);
    flaky.down.store(false, Ordering::SeqCst);
    let (pending, failed) = unsent(&services).await.unwrap();
    assert_eq!((pending.len(), failed.len()), (1, 0));
    for round in 2..=MAX_ATTEMPTS {
        let summary = retry_pending(&services).await.unwrap();
        assert_eq!(summary.retried, 1);
        assert_eq!(summary.sent, 0);
        let (pending, failed) = unsent(&services).await.unwrap();
        if round < MAX_ATTEMPTS {
            assert_eq!(pending[0].attempts, round);
            assert!(failed.is_empty());
        } else {
            assert_eq!(summary.given_up, 1);
            assert!(pending.is_empty());
            assert_eq!(failed[0].attempts, MAX_ATTEMPTS);
            assert_eq!(failed[0].job, job);
        }
    }
    // Nothing left to retry.
    assert_eq!(retry_pending(&services).await.unwrap().retried, 0);
}
