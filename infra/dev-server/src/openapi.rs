//! The OpenAPI document of the whole API: every function's documented
//! routes merged, as the dev server serves them. `docs/openapi.json` is this
//! document (`cargo run -p dev-server --bin stva-openapi` writes it; a test
//! fails when it is stale).

use std::path::{Path, PathBuf};

use shared::Services;
use utoipa_axum::router::OpenApiRouter;

/// Every function's routes with their documentation, merged as API Gateway
/// routes them.
pub fn function_api() -> OpenApiRouter<Services> {
    OpenApiRouter::new()
        .merge(auth::api())
        .merge(accounts::api())
        .merge(user_invite::api())
        .merge(address_book::api())
        .merge(stock::api())
        .merge(quote::api())
        .merge(validate_order::api())
        .merge(orders::api())
        .merge(invoice_upload::api())
}

/// The whole API's document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    shared::http::openapi::document([function_api().into_openapi()])
}

/// The document as `docs/openapi.json` holds it (pretty, stable order).
pub fn openapi_json() -> String {
    shared::http::openapi::to_pretty_json(&openapi())
}

/// `docs/openapi.json` of the workspace.
pub fn committed_path() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap_or(Path::new("."));
    workspace.join("docs/openapi.json")
}

/// The command that rewrites `docs/openapi.json`.
pub const REGENERATE: &str = "cargo run -p dev-server --bin stva-openapi";
