//! The OpenAPI document of the whole API: every function's documented
//! routes merged, as the dev server serves them. `docs/openapi.json` is this
//! document (`cargo run -p dev-server --bin stva-openapi` writes it; a test
//! fails when it is stale).

use std::path::{Path, PathBuf};

use shared::Services;
use utoipa_axum::router::OpenApiRouter;

/// A function's documented routes (its crate's `api`).
pub type FunctionApi = fn() -> OpenApiRouter<Services>;

/// The functions behind API Gateway: each one's name (its crate) and its
/// documented routes.
pub const FUNCTIONS: [(&str, FunctionApi); 9] = [
    ("auth", auth::api),
    ("accounts", accounts::api),
    ("user-invite", user_invite::api),
    ("address-book", address_book::api),
    ("stock", stock::api),
    ("quote", quote::api),
    ("validate-order", validate_order::api),
    ("orders", orders::api),
    ("invoice-upload", invoice_upload::api),
];

/// Every function's routes with their documentation, merged as API Gateway
/// routes them.
pub fn function_api() -> OpenApiRouter<Services> {
    FUNCTIONS
        .iter()
        .fold(OpenApiRouter::new(), |all, (_, api)| all.merge(api()))
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
