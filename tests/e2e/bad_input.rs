//! Bad input answers a French problem+json 4xx, never a 500, and changes
//! nothing.

use e2e_tests::{Portal, PortalBackend, address_body};
use reqwest::Method;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_clearly_and_changes_nothing() {
    let portal = Portal::start(PortalBackend::Embedded).await;
    let manager = portal.manager().await;
    let account = manager
        .post("/api/accounts", json!({"name": "Garage Test"}))
        .await;
    account.expect(201);
    let book = format!("/api/addresses?account_id={}", account.str("id"));

    // Malformed JSON.
    manager
        .raw(
            Method::POST,
            &book,
            "application/json",
            b"{\"label\": \"x\",".to_vec(),
        )
        .await
        .expect_problem(400, "malformed_json");
    // Not JSON at all.
    manager
        .raw(Method::POST, &book, "text/plain", b"label=x".to_vec())
        .await
        .expect_problem(415, "unsupported_media_type");
    // A JSON array instead of an object.
    manager
        .raw(
            Method::POST,
            &book,
            "application/json",
            b"[1, 2, 3]".to_vec(),
        )
        .await
        .expect_problem(422, "validation_failed");
    // Missing fields: each is named.
    let missing = manager.post(&book, json!({"label": "Dépôt"})).await;
    missing.expect_problem(422, "validation_failed");
    let fields: Vec<&str> = missing.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    for field in ["street", "postal_code", "city"] {
        assert!(
            fields.contains(&field),
            "{field} not named in {}",
            missing.body
        );
    }
    // A bad postal code, in French, next to its field.
    let mut bad_code = address_body("Dépôt");
    bad_code["postal_code"] = json!("6900");
    let refused = manager.post(&book, bad_code).await;
    refused.expect_problem(422, "validation_failed");
    assert_eq!(refused.body["errors"][0]["field"], "postal_code");
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("code postal"),
        "{}",
        refused.body
    );
    // A field of the wrong type.
    let mut wrong_type = address_body("Dépôt");
    wrong_type["city"] = json!(75);
    let typed = manager.post(&book, wrong_type).await;
    typed.expect_problem(422, "validation_failed");
    assert_eq!(typed.body["errors"][0]["field"], "city");
    // An oversized body.
    let mut huge = address_body("Dépôt");
    huge["instructions"] = json!("x".repeat(200 * 1024));
    manager
        .post(&book, huge)
        .await
        .expect_problem(413, "payload_too_large");
    // Bad pagination parameters.
    manager
        .get(&format!("{book}&limit=beaucoup"))
        .await
        .expect_problem(400, "invalid_query");
    manager
        .get(&format!("{book}&cursor=n-importe-quoi"))
        .await
        .expect_problem(400, "invalid_cursor");
    // Login without fields, and with garbage.
    portal
        .anonymous()
        .post("/api/auth/login", json!({}))
        .await
        .expect_problem(422, "validation_failed");
    portal
        .anonymous()
        .raw(
            Method::POST,
            "/api/auth/login",
            "application/json",
            vec![0xff, 0xfe, 0x00],
        )
        .await
        .expect_problem(400, "malformed_json");
    // Account creation with a bad SIRET and e-mail.
    let bad_account = manager
        .post(
            "/api/accounts",
            json!({"name": "X", "siret": "123", "billing_email": "pas-un-email"}),
        )
        .await;
    bad_account.expect_problem(422, "validation_failed");
    assert_eq!(bad_account.body["errors"].as_array().map(Vec::len), Some(3));
    // Unknown routes and methods.
    manager
        .get("/api/nothing-here")
        .await
        .expect_problem(404, "route_not_found");
    manager
        .send(Method::PATCH, "/api/addresses", None)
        .await
        .expect_problem(405, "method_not_allowed");

    // Nothing was created by any of it.
    let listed = manager.get(&book).await;
    listed.expect(200);
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(0));
    let accounts = manager.get("/api/accounts").await;
    assert_eq!(accounts.body["items"].as_array().map(Vec::len), Some(1));

    portal.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_carry_security_headers() {
    let portal = Portal::start(PortalBackend::Embedded).await;
    let answer = portal.anonymous().get("/api/health").await;
    answer.expect(200);
    for header in [
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
        "x-frame-options",
    ] {
        assert!(answer.headers.contains_key(header), "missing {header}");
    }
    // Local runs are plain HTTP: no HSTS, no Secure cookie.
    assert!(!answer.headers.contains_key("strict-transport-security"));
    portal.server.stop().await;
}
