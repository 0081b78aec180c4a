//! `GET /api/openapi.json`: the document generated from the code lists
//! every route the portal answers (the authorization matrix's and the
//! sample events'), every route it lists is answered, it is OpenAPI 3.1 as
//! utoipa reads it, and every operation that can fail names its
//! problem+json answers.

use std::collections::BTreeSet;

use e2e_tests::{Portal, PortalBackend};
use reqwest::Method;
use serde_json::Value;

use crate::authorization_matrix::{event_route_keys, matrix_route_keys, shape};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The routes that cannot fail: no session, no input.
const INFALLIBLE: [&str; 2] = ["GET /api/health", "GET /api/openapi.json"];

/// `("METHOD /path", operation)` of every operation of `doc`.
fn operations(doc: &Value) -> Vec<(String, &Value)> {
    let paths = doc["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS.iter().filter_map(move |method| {
                item.get(*method)
                    .map(|op| (format!("{} {path}", method.to_uppercase()), op))
            })
        })
        .collect()
}

/// A response, through its `$ref` to `components.responses` if it has one.
fn resolve<'a>(doc: &'a Value, response: &'a Value) -> &'a Value {
    match response["$ref"].as_str() {
        Some(reference) => {
            let name = reference
                .strip_prefix("#/components/responses/")
                .unwrap_or_else(|| panic!("not a response reference: {reference}"));
            &doc["components"]["responses"][name]
        }
        None => response,
    }
}

/// Every `$ref` in `value`.
fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(reference)) => found.push(reference.clone()),
                    _ => references(inner, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, found)),
        _ => {}
    }
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_and_its_errors() {
    let portal = Portal::start(PortalBackend::Embedded).await;
    let answer = portal
        .anonymous()
        .send(Method::GET, "/api/openapi.json", None)
        .await;
    answer.expect(200);
    let doc = answer.body;

    // The dev server serves the document generated from this code.
    let generated: Value =
        serde_json::from_str(&dev_server::openapi::openapi_json()).expect("generated JSON");
    assert_eq!(
        doc, generated,
        "the served document is not the generated one"
    );

    // OpenAPI 3.1, and utoipa's own types read it back unchanged.
    assert_eq!(doc["openapi"], "3.1.0");
    let parsed: utoipa::openapi::OpenApi =
        serde_json::from_value(doc.clone()).expect("an OpenAPI document");
    assert_eq!(
        serde_json::to_value(&parsed).expect("serialise"),
        doc,
        "the document does not round-trip through utoipa's types"
    );

    let mut failures = Vec::new();

    // Every route of the matrix and of the sample events (the HTTP API's,
    // under /api/) is documented.
    let documented: BTreeSet<String> = operations(&doc).iter().map(|(k, _)| shape(k)).collect();
    let routed: BTreeSet<String> = matrix_route_keys()
        .iter()
        .map(|k| shape(k))
        .chain(event_route_keys())
        .filter(|k| k.split(' ').nth(1).is_some_and(|p| p.starts_with("/api/")))
        .collect();
    for missing in routed.difference(&documented) {
        failures.push(format!(
            "{missing}: answered but not in the OpenAPI document"
        ));
    }
    for extra in documented.difference(&routed) {
        failures.push(format!(
            "{extra}: documented but in neither the authorization matrix nor events/"
        ));
    }

    let mut operation_ids = BTreeSet::new();
    for (key, op) in operations(&doc) {
        // Every documented route is answered (whatever the refusal).
        let (method, path) = key.split_once(' ').expect("METHOD /path");
        let concrete = path
            .split('/')
            .map(|part| if part.starts_with('{') { "x" } else { part })
            .collect::<Vec<_>>()
            .join("/");
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let probe = portal.anonymous().send(method, &concrete, None).await;
        if probe.status == 405 || probe.body["code"] == "route_not_found" {
            failures.push(format!(
                "{key}: documented but not routed ({})",
                probe.status
            ));
        }

        match op["operationId"].as_str() {
            Some(id) if operation_ids.insert(id.to_owned()) => {}
            other => failures.push(format!("{key}: operationId {other:?} missing or repeated")),
        }
        if op["tags"].as_array().is_none_or(Vec::is_empty) {
            failures.push(format!("{key}: no tag"));
        }

        let responses = op["responses"].as_object().expect("responses");
        let problems: BTreeSet<u16> = responses
            .iter()
            .filter(|(_, r)| {
                resolve(&doc, r)["content"]
                    .get("application/problem+json")
                    .is_some()
            })
            .filter_map(|(status, _)| status.parse().ok())
            .collect();
        if INFALLIBLE.contains(&key.as_str()) {
            continue;
        }
        if problems.is_empty() {
            failures.push(format!("{key}: no problem+json error response"));
        }
        if problems.iter().any(|s| *s < 400) {
            failures.push(format!("{key}: a problem+json answer below 400"));
        }
        let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
        if secured && !problems.contains(&401) {
            failures.push(format!("{key}: signed-in only, without its 401"));
        }
        if op["requestBody"]["content"]
            .get("application/json")
            .is_some()
        {
            for status in [400, 413, 415, 422] {
                if !problems.contains(&status) {
                    failures.push(format!("{key}: a JSON body, without its {status}"));
                }
            }
        }
    }

    // Every reference resolves.
    let mut found = Vec::new();
    references(&doc, &mut found);
    for reference in found {
        let pointer = reference.strip_prefix('#').unwrap_or(&reference);
        if doc.pointer(pointer).is_none() {
            failures.push(format!("dangling reference {reference}"));
        }
    }

    assert!(
        failures.is_empty(),
        "OpenAPI document:\n{}",
        failures.join("\n")
    );
    portal.server.stop().await;
}
