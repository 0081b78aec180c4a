//! `docs/openapi.json` (what the frontend generates its types from, and
//! what the `auth` Lambda serves) is the document generated from the code.
#![allow(clippy::expect_used, clippy::panic)]

use dev_server::openapi::{REGENERATE, committed_path, openapi_json};

#[test]
fn the_committed_document_is_the_generated_one() {
    let generated = openapi_json();
    let path = committed_path();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .map_or_else(|| "its length".to_owned(), |i| format!("line {}", i + 1));
        panic!(
            "docs/openapi.json is not the document generated from the code (it differs at {line}): \
             regenerate it with `{REGENERATE}` and commit it"
        );
    }
}

#[test]
fn the_document_is_stable() {
    assert_eq!(openapi_json(), openapi_json());
}
