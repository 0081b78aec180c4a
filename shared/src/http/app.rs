//! What wraps every router: `/api/health`, security headers, body limit,
//! request tracing, and problem+json for unknown routes and methods.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::http::extract::MAX_JSON_BODY;
use crate::http::problem::Problem;
use crate::services::Services;

const CSP: &str = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; \
                   connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

/// `{"status": "ok"}`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Health {
    /// Always `ok`.
    #[schema(value_type = String, example = "ok")]
    status: &'static str,
}

/// The API answers.
#[utoipa::path(
    get,
    path = "/api/health",
    tag = "health",
    operation_id = "health",
    responses((status = 200, description = "The API answers.", body = Health))
)]
pub(crate) async fn health() -> impl IntoResponse {
    axum::Json(Health { status: "ok" })
}

pub async fn not_found() -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "route_not_found",
        "Introuvable",
        "Cette adresse ne correspond à aucune ressource du portail.",
    )
}

async fn method_not_allowed() -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Méthode non autorisée",
        "Cette méthode HTTP n'est pas acceptée pour cette adresse.",
    )
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// The headers every answer carries, the API's and the frontend's pages
/// alike; HSTS outside local runs (`secure`, as for `Secure` cookies).
pub fn security_headers<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    secure: bool,
) -> Router<S> {
    let router = router
        .layer(header_layer(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::REFERRER_POLICY, "no-referrer"))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"));
    if secure {
        router.layer(header_layer(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        ))
    } else {
        router
    }
}

/// The function routes with the layers every response needs.
pub fn api_router(routes: Router<Services>, config: &Config) -> Router<Services> {
    let router = routes
        .route("/api/health", get(health))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY))
        .layer(header_layer(header::CACHE_CONTROL, "no-store"));
    security_headers(router, config.secure_cookies).layer(TraceLayer::new_for_http())
}

/// One Lambda's whole app: its routes, the shared layers, a problem+json
/// 404 for anything else.
pub fn lambda_app(routes: Router<Services>, services: Services) -> Router {
    let config = services.config.clone();
    // The fallback goes in before the layers, so its 404 carries the
    // security headers too.
    api_router(routes.fallback(not_found), &config).with_state(services)
}
