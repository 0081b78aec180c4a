//! The session cookie: `HttpOnly; SameSite=Strict; Path=/`, and `Secure`
//! everywhere but plain-HTTP local runs.

use axum::http::HeaderValue;

use crate::config::Config;

pub const NAME: &str = "stva_session";

pub fn set(config: &Config, token: &str) -> Option<HeaderValue> {
    let max_age = config.session_ttl.as_secs();
    let secure = if config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{NAME}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}"
    ))
    .ok()
}

pub fn clear(config: &Config) -> HeaderValue {
    let value = if config.secure_cookies {
        "stva_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Secure"
    } else {
        "stva_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"
    };
    HeaderValue::from_static(value)
}

/// A new session as the API answers it: the grant as JSON, and the cookie.
pub fn grant_response(
    config: &Config,
    grant: &crate::app::views::SessionGrant,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut response = axum::Json(grant).into_response();
    if let Some(value) = set(config, &grant.token) {
        response
            .headers_mut()
            .insert(axum::http::header::SET_COOKIE, value);
    }
    response
}
