//! The sample events of `events/invoice-upload/` (API Gateway HTTP API,
//! payload 2.0) run through this function's Lambda app, their
//! `{{placeholders}}` filled from a seeded embedded portal; and every route
//! of `src/lib.rs` has an event (the harness is
//! `shared::testing::lambda_events`). The browser's PUT to the presigned URL
//! is played by a plain `put` to the blob store at the URL's key; the
//! upload over real HTTP is in `tests/e2e/invoices.rs`.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use http::{StatusCode, header};
use serde_json::json;
use shared::app::invoices::object_key;
use shared::domain::Role;
use shared::repo::orders::{Order, Orders};
use shared::repo::users::User;
use shared::testing::fixtures;
use shared::testing::lambda_events::{Answer, Events, Portal};

const EVENTS: Events = Events::new(
    "invoice-upload",
    env!("CARGO_MANIFEST_DIR"),
    invoice_upload::routes,
);

/// The size `invoice-upload-url.json` declares.
const DECLARED: usize = 1024;

// One of the two checks every function makes of its events.
#[test]
fn every_route_has_a_well_formed_event() {
    EVENTS.assert_every_route_has_a_well_formed_event();
}

// The other check every function makes of its events.
#[tokio::test]
async fn signed_events_without_their_token_answer_401() {
    EVENTS.assert_signed_events_need_a_token().await;
}

struct World {
    portal: Portal,
    member: User,
    outsider: User,
    order: Order,
}

fn place(label: &str, postal_code: &str, city: &str) -> serde_json::Value {
    json!({
        "address_id": format!("addr-{label}"),
        "label": label,
        "company": null,
        "street": "12 rue de la République",
        "postal_code": postal_code,
        "city": city,
        "contact_name": null,
        "contact_phone": null,
        "instructions": null
    })
}

/// A delivered order of the account, written straight to the table.
async fn world() -> World {
    let portal = EVENTS.portal("Garage Dupont Automobiles").await;
    let member = portal.user("atelier@garage-dupont.fr", Role::Member).await;
    let services = portal.services();
    let other = fixtures::seed_account(services, "Autos du Rhône").await;
    let outsider =
        fixtures::seed_user(services, "vo@autos-rhone.fr", Role::Group, Some(&other.id)).await;
    let now = "2026-03-17T10:00:00Z";
    let order: Order = serde_json::from_value(json!({
        "id": "0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
        "number": "BC-2026-000031",
        "account_id": portal.account.id,
        "account_name": portal.account.name,
        "created_by": member.id,
        "created_by_name": member.name,
        "created_by_email": "atelier@garage-dupont.fr",
        "customer_reference": "LOT-2026-031",
        "status": "delivered",
        "vehicles": [{"vehicle_id": "v-1", "make": "Citroën", "model": "C3", "plate": "CD345EF", "vin": null}],
        "pickup": place("Dépôt Lyon", "69002", "Lyon"),
        "delivery": place("Agence Paris", "75012", "Paris"),
        "estimate": {
            "estimate_id": "e-1",
            "amount_excl_tax_cents": 45000,
            "vat_cents": 9000,
            "amount_incl_tax_cents": 54000,
            "currency": "EUR",
            "valid_until": now,
            "distance_km": 465
        },
        "erp_order_id": "ERP-31",
        "timeline": [],
        "invoice": null,
        "created_at": now,
        "updated_at": now,
        "validated_at": now,
        "erp_attempts": 0,
        "revision": 1
    }))
    .expect("an order");
    services
        .table
        .transact(Orders::create_writes(&order).expect("items"))
        .await
        .expect("order written");
    World {
        portal,
        member,
        outsider,
        order,
    }
}

impl World {
    async fn send(&self, name: &str, caller: &User, upload_id: &str) -> Answer {
        let values = [
            ("order_id", self.order.id.as_str()),
            ("upload_id", upload_id),
        ];
        self.portal.send_as(name, caller, &values).await
    }

    /// Asks for an upload URL as the manager and plays the browser's PUT.
    async fn upload(&self, bytes: Vec<u8>) -> String {
        let ticket = self
            .send("invoice-upload-url", &self.portal.manager, "")
            .await;
        assert_eq!(ticket.status, StatusCode::OK, "{}", ticket.json);
        let upload_id = ticket.json["upload_id"].as_str().expect("upload_id");
        let key = object_key(&self.order.account_id, &self.order.id, upload_id);
        self.portal
            .services()
            .blobs
            .put(&key, bytes, "application/pdf")
            .await
            .expect("uploaded");
        upload_id.to_owned()
    }
}

fn pdf(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.resize(len, b' ');
    bytes
}

#[tokio::test]
async fn the_upload_url_is_a_signed_put_under_the_accounts_prefix() {
    let w = world().await;
    let answer = w.send("invoice-upload-url", &w.portal.manager, "").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.json["method"], "PUT");
    assert_eq!(answer.json["headers"]["content-type"], "application/pdf");
    assert_eq!(answer.json["headers"]["content-length"], "1024");
    let upload_id = answer.json["upload_id"].as_str().expect("upload_id");
    let url = url::Url::parse(answer.json["url"].as_str().expect("url")).expect("a URL");
    let prefix = format!(
        "accounts/{}/orders/{}/invoices/",
        w.order.account_id, w.order.id
    );
    assert!(
        url.path().ends_with(&format!("{prefix}{upload_id}.pdf")),
        "{url}"
    );
    let expires = answer.json["expires_at"].as_str().expect("expires_at");
    let expires =
        time::OffsetDateTime::parse(expires, &time::format_description::well_known::Rfc3339)
            .expect("RFC 3339");
    let ttl = expires - time::OffsetDateTime::now_utc();
    assert!(ttl <= time::Duration::minutes(15), "{ttl}");
    assert!(ttl > time::Duration::minutes(14), "{ttl}");

    // Customers may not upload, whichever account they belong to.
    for caller in [&w.member, &w.outsider] {
        let refused = w.send("invoice-upload-url", caller, "").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.json);
    }
}

#[tokio::test]
async fn a_published_invoice_is_mailed_and_downloaded_by_the_customer() {
    let w = world().await;
    let none = w.send("download-invoice", &w.member, "").await;
    assert_eq!(none.status, StatusCode::NOT_FOUND, "{}", none.json);

    let upload_id = w.upload(pdf(DECLARED)).await;
    // Customers may not publish.
    let refused = w.send("publish-invoice", &w.member, &upload_id).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.json);

    let published = w
        .send("publish-invoice", &w.portal.manager, &upload_id)
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.json);
    assert_eq!(published.json["invoice"]["available"], true);
    let last = published.json["timeline"]
        .as_array()
        .and_then(|t| t.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["label"], "Facture disponible", "{last}");
    assert_eq!(last["by"], w.portal.manager.name.as_str(), "{last}");
    // A repeat answers the same.
    let again = w
        .send("publish-invoice", &w.portal.manager, &upload_id)
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.json);

    let mails = w.portal.mails();
    let mail = mails.first().expect("a mail");
    assert_eq!(mail.to, "atelier@garage-dupont.fr");
    assert!(
        mail.subject.contains("Votre facture est disponible"),
        "{}",
        mail.subject
    );
    assert!(
        mail.text.contains(&format!("/commandes/{}", w.order.id)),
        "{}",
        mail.text
    );

    let download = w.send("download-invoice", &w.member, "").await;
    assert_eq!(download.status, StatusCode::FOUND, "{}", download.json);
    let location = download.headers[header::LOCATION]
        .to_str()
        .expect("a location");
    let url = url::Url::parse(location).expect("a URL");
    assert!(url.path().ends_with(&format!("{upload_id}.pdf")), "{url}");
    let dn = url
        .query_pairs()
        .find(|(k, _)| k == "dn")
        .map(|(_, v)| v.into_owned());
    assert_eq!(dn.as_deref(), Some("facture-BC-2026-000031.pdf"));
    let expires: i64 = url
        .query_pairs()
        .find(|(k, _)| k == "expires")
        .and_then(|(_, v)| v.parse().ok())
        .expect("expires");
    assert!(expires - time::OffsetDateTime::now_utc().unix_timestamp() <= 300);

    let managed = w.send("download-invoice", &w.portal.manager, "").await;
    assert_eq!(managed.status, StatusCode::FOUND, "{}", managed.json);
    let hidden = w.send("download-invoice", &w.outsider, "").await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.json);
    assert_eq!(hidden.json["code"], "not_found");
}

#[tokio::test]
async fn a_non_pdf_or_a_size_mismatch_is_refused_deleted_and_not_published() {
    let w = world().await;
    for bytes in [vec![b'x'; DECLARED], pdf(DECLARED - 1)] {
        let upload_id = w.upload(bytes).await;
        let refused = w
            .send("publish-invoice", &w.portal.manager, &upload_id)
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.json
        );
        assert_eq!(refused.json["code"], "validation_failed");
        let key = object_key(&w.order.account_id, &w.order.id, &upload_id);
        let kept = w.portal.services().blobs.head(&key).await.expect("head");
        assert_eq!(kept, None, "a rejected upload is deleted");
    }
    let none = w.send("download-invoice", &w.member, "").await;
    assert_eq!(none.status, StatusCode::NOT_FOUND, "{}", none.json);
    assert!(w.portal.mails().is_empty());
}
