//! The OpenAPI 3.1 document (`GET /api/openapi.json`): what every function's
//! document starts from (info, security schemes, the problem+json answers
//! the handlers name, `/api/health`), and how the parts are merged.
//!
//! Each function documents its routes next to its handlers
//! (`#[utoipa::path]`, registered with `utoipa_axum::routes!`), so a route
//! and its documentation are declared once. A handler that may refuse names
//! the answers below, e.g. `(status = 404, response = problem::NotFound)`.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi as _};

use crate::http::cookie;

/// The security scheme names `#[utoipa::path(security(...))]` refers to:
/// every signed-in route accepts either.
pub const BEARER: &str = "bearer";
pub const COOKIE: &str = "cookie";

/// The reusable problem+json answers (`components.responses`).
pub mod problem {
    use utoipa::ToResponse;

    use crate::http::problem::Problem;

    /// 400: malformed JSON (`malformed_json`), a wrong query parameter
    /// (`invalid_query`), a tampered cursor (`invalid_cursor`), an unknown
    /// link (`link_invalid`), or a refusal of the ERP (`erp_rejected`,
    /// `unsupported_area`).
    #[derive(ToResponse)]
    #[response(
        description = "Requête invalide (problem+json).",
        content_type = "application/problem+json"
    )]
    pub struct BadRequest(pub Problem);

    /// 401: no session (`not_authenticated`), an expired or revoked one
    /// (`invalid_session`), or wrong credentials (`invalid_credentials`).
    #[derive(ToResponse)]
    #[response(
        description = "Authentification requise (problem+json).",
        content_type = "application/problem+json",
        headers(("WWW-Authenticate" = String, description = "`Bearer`"))
    )]
    pub struct Unauthenticated(pub Problem);

    /// 403 `forbidden`: the caller's role may not do this.
    #[derive(ToResponse)]
    #[response(
        description = "Action non autorisée pour ce rôle (problem+json, `forbidden`).",
        content_type = "application/problem+json"
    )]
    pub struct Forbidden(pub Problem);

    /// 404 `not_found`: missing, or another account's.
    #[derive(ToResponse)]
    #[response(
        description = "Introuvable, ou d'un autre compte (problem+json, `not_found`).",
        content_type = "application/problem+json"
    )]
    pub struct NotFound(pub Problem);

    /// 409: the request conflicts with the data (`code` says how).
    #[derive(ToResponse)]
    #[response(
        description = "Conflit avec l'état des données (problem+json; `code` précise lequel).",
        content_type = "application/problem+json"
    )]
    pub struct Conflict(pub Problem);

    /// 410: a link already used, expired, or whose user was disabled.
    #[derive(ToResponse)]
    #[response(
        description = "Lien inutilisable (problem+json: `link_used`, `link_expired`, `user_disabled`).",
        content_type = "application/problem+json"
    )]
    pub struct Gone(pub Problem);

    /// 413 `payload_too_large`.
    #[derive(ToResponse)]
    #[response(
        description = "Corps de requête trop volumineux (problem+json, `payload_too_large`).",
        content_type = "application/problem+json"
    )]
    pub struct PayloadTooLarge(pub Problem);

    /// 415 `unsupported_media_type`.
    #[derive(ToResponse)]
    #[response(
        description = "Type de contenu non pris en charge (problem+json, `unsupported_media_type`).",
        content_type = "application/problem+json"
    )]
    pub struct UnsupportedMediaType(pub Problem);

    /// 422 `validation_failed`, the faulty fields in `errors`.
    #[derive(ToResponse)]
    #[response(
        description = "Données invalides (problem+json, `validation_failed`; les champs en cause dans `errors`).",
        content_type = "application/problem+json"
    )]
    pub struct ValidationFailed(pub Problem);

    /// 429 `too_many_attempts`.
    #[derive(ToResponse)]
    #[response(
        description = "Trop de tentatives (problem+json, `too_many_attempts`).",
        content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Secondes à attendre avant de réessayer."))
    )]
    pub struct TooManyRequests(pub Problem);

    /// 502 `upstream_unavailable`: the store, the mailer or the ERP failed.
    #[derive(ToResponse)]
    #[response(
        description = "Un service dont dépend le portail ne répond pas (problem+json, `upstream_unavailable`).",
        content_type = "application/problem+json"
    )]
    pub struct UpstreamUnavailable(pub Problem);
}

/// The bearer token of `POST /api/auth/login`, or its session cookie.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "The `token` of `POST /api/auth/login` (or `/api/auth/refresh`).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            COOKIE,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                cookie::NAME,
                "The HttpOnly session cookie set by `POST /api/auth/login`.",
            ))),
        );
    }
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Portail STVA",
        description = "The STVA customer portal's HTTP API. JSON fields are snake_case, dates RFC 3339 UTC, money integer cents (EUR). Errors are `application/problem+json` (RFC 9457) with a stable `code` and a French `detail`.",
        version = "1.0.0"
    ),
    paths(crate::http::app::health),
    components(
        schemas(crate::http::problem::Problem, crate::domain::FieldError),
        responses(
            problem::BadRequest,
            problem::Unauthenticated,
            problem::Forbidden,
            problem::NotFound,
            problem::Conflict,
            problem::Gone,
            problem::PayloadTooLarge,
            problem::UnsupportedMediaType,
            problem::ValidationFailed,
            problem::TooManyRequests,
            problem::UpstreamUnavailable,
        )
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "health", description = "Liveness."),
        (name = "auth", description = "Sign-in, sessions, the current user, password reset, this document."),
        (name = "accounts", description = "Customer accounts and their users."),
        (name = "user-invite", description = "Invitations of customer users and managers."),
        (name = "address-book", description = "Pickup and delivery addresses of an account."),
        (name = "stock", description = "Vehicles, the CSV import, the stock connection and its sync."),
        (name = "quote", description = "Quotes: the ERP prices a lot of vehicles."),
        (name = "validate-order", description = "Validation of a quoted order."),
        (name = "orders", description = "Order history, one order, cancellation, purchase order, CSV export."),
        (name = "invoice-upload", description = "Invoices: upload, publication, download."),
    )
)]
struct Base;

/// The document every part is merged into: info, tags, security schemes,
/// the problem+json schemas and answers, `/api/health`.
pub fn base() -> OpenApi {
    Base::openapi()
}

/// The whole API: [`base`] with every function's part merged in.
pub fn document(parts: impl IntoIterator<Item = OpenApi>) -> OpenApi {
    let mut openapi = base();
    for part in parts {
        openapi.merge(part);
    }
    openapi
}

/// The document as committed in `docs/openapi.json`: pretty JSON, one
/// trailing newline. Paths and schemas are sorted by name, properties keep
/// their declaration order: the same code always gives the same text.
pub fn to_pretty_json(openapi: &OpenApi) -> String {
    let mut text = openapi
        .to_pretty_json()
        .unwrap_or_else(|err| format!("{{\"error\": \"{err}\"}}"));
    text.push('\n');
    text
}

/// A document to serve at `GET /api/openapi.json` instead of the committed
/// one (the dev server's, generated at start-up), as a request extension.
#[derive(Debug, Clone)]
pub struct Document(pub Bytes);

/// `GET /api/openapi.json`: `document` (already JSON) as `application/json`.
pub fn serve(document: Bytes) -> Response {
    let mut response = document.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
