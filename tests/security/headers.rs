//! Security headers on every kind of response (JSON, problem+json of each
//! status, the frontend's pages), HSTS and `Secure` cookies outside local
//! runs, and the session cookie's flags.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use e2e_tests::{Portal, PortalBackend};
use serde_json::json;
use shared::config::Config;
use shared::domain::Role;
use shared::testing::fixtures::{PASSWORD, embedded_portal, seed_user};
use tower::ServiceExt;

const ALWAYS: [&str; 4] = [
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
];

fn check(what: &str, headers: &reqwest::header::HeaderMap) {
    for name in ALWAYS {
        assert!(headers.contains_key(name), "{what}: missing {name}");
    }
    assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
    let csp = headers["content-security-policy"].to_str().expect("ascii");
    assert!(csp.contains("default-src 'self'"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    // Local runs are plain HTTP: no HSTS there.
    assert!(
        !headers.contains_key("strict-transport-security"),
        "{what}: HSTS on a local run"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_response_carries_the_security_headers() {
    crate::capture::logs();
    let portal = Portal::start(PortalBackend::Embedded).await;
    let http = &portal.http;
    let cases: Vec<(&str, reqwest::RequestBuilder, u16)> = vec![
        ("health", http.get(portal.url("/api/health")), 200),
        ("not signed in", http.get(portal.url("/api/me")), 401),
        (
            "unknown API route",
            http.get(portal.url("/api/nowhere")),
            404,
        ),
        ("wrong method", http.delete(portal.url("/api/health")), 405),
        (
            "malformed JSON",
            http.post(portal.url("/api/auth/login"))
                .header("content-type", "application/json")
                .body("{"),
            400,
        ),
        (
            "body too large",
            http.post(portal.url("/api/auth/login"))
                .header("content-type", "application/json")
                // One byte over: the server reads it all before answering,
                // so closing leaves nothing unread that would reset the
                // connection under the client's feet.
                .body(vec![b' '; shared::http::extract::MAX_JSON_BODY + 1]),
            413,
        ),
        (
            "wrong password",
            http.post(portal.url("/api/auth/login"))
                .json(&json!({"email": "personne@stva.fr", "password": "pas-le-bon-mot"})),
            401,
        ),
        ("the frontend's home page", http.get(portal.url("/")), 200),
        (
            "a page of the frontend",
            http.get(portal.url("/commandes/123")),
            200,
        ),
    ];
    for (what, request, status) in cases {
        let response = request.send().await.expect("request");
        assert_eq!(response.status().as_u16(), status, "{what}");
        check(what, response.headers());
    }

    // The session cookie: HttpOnly, SameSite=Strict, not Secure on http://.
    let login = http
        .post(portal.url("/api/auth/login"))
        .json(&json!({
            "email": portal.server.bootstrap.email,
            "password": portal.server.bootstrap.password.clone().expect("password"),
        }))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status().as_u16(), 200);
    let cookie = login.headers()["set-cookie"].to_str().expect("ascii");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
    check("sign-in", login.headers());
    portal.server.stop().await;
}

/// Outside local runs (`STVA_SECURE_COOKIES`, the default): HSTS on every
/// answer and a `Secure` session cookie, through a Lambda's own app.
#[tokio::test]
async fn deployed_functions_add_hsts_and_secure_cookies() {
    crate::capture::logs();
    let portal = embedded_portal();
    let mut services = portal.services.clone();
    services.config = Arc::new(Config {
        secure_cookies: true,
        ..(*services.config).clone()
    });
    seed_user(&services, "chef@garage.fr", Role::Group, Some("acc-1")).await;
    let app = shared::http::app::lambda_app(auth::routes(), services);

    let login = Request::post("/api/auth/login")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"email": "chef@garage.fr", "password": PASSWORD}).to_string(),
        ))
        .expect("request");
    let answer = app.clone().oneshot(login).await.expect("answer");
    assert_eq!(answer.status(), StatusCode::OK);
    let cookie = answer.headers()["set-cookie"].to_str().expect("ascii");
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    assert!(
        answer.headers()["strict-transport-security"]
            .to_str()
            .expect("ascii")
            .starts_with("max-age=")
    );

    let unknown = Request::get("/api/nowhere")
        .body(Body::empty())
        .expect("request");
    let answer = app.oneshot(unknown).await.expect("answer");
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    assert!(answer.headers().contains_key("strict-transport-security"));
    assert!(answer.headers().contains_key("content-security-policy"));
}
