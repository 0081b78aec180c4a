//! The sample events of `events/auth/` (API Gateway HTTP API, payload 2.0)
//! run through this function's Lambda app as `lambda_http::run` hands them
//! over, their `{{placeholders}}` filled from a seeded embedded portal; and
//! every route of `src/lib.rs` has an event.

use std::collections::BTreeSet;
use std::path::PathBuf;

use http::{HeaderMap, StatusCode, header};
use serde_json::Value;
use shared::Services;
use shared::domain::Role;
use shared::repo::accounts::Account;
use shared::repo::users::User;
use shared::testing::fixtures::{self, TestPortal};
use tower::ServiceExt;

// ---- the event harness (the same in every function crate) ----

const FUNCTION: &str = "auth";

fn app(services: &Services) -> axum::Router {
    shared::http::lambda_app(auth::routes(), services.clone())
}

fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../events")
        .join(FUNCTION)
}

/// Every event of this function: file stem and raw text, by name.
fn all_events() -> Vec<(String, String)> {
    let mut events: Vec<(String, String)> = std::fs::read_dir(events_dir())
        .expect("events folder")
        .map(|entry| entry.expect("events folder entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| {
            let name = path
                .file_stem()
                .expect("file name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read_to_string(&path).expect("event file"))
        })
        .collect();
    events.sort();
    events
}

/// `text` with every `{{name}}` replaced by `value(name)`.
fn fill(text: &str, value: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let end = rest[start..].find("}}").expect("closed placeholder") + start;
        out.push_str(&rest[..start]);
        out.push_str(&value(&rest[start + 2..end]));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// The event `name`, its placeholders filled from `values` (first match wins).
fn event(name: &str, values: &[(&str, &str)]) -> String {
    let path = events_dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).expect("event file");
    fill(&text, |key| {
        let found = values.iter().find(|(k, _)| *k == key);
        found
            .unwrap_or_else(|| panic!("{name}: no value for {{{{{key}}}}}"))
            .1
            .to_owned()
    })
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    json: Value,
}

/// One Lambda invocation: the event as lambda_http parses it, through the app.
async fn invoke(services: &Services, event: &str) -> Answer {
    let request = lambda_http::request::from_str(event).expect("an API Gateway event");
    let response = app(services).oneshot(request).await.expect("infallible");
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.expect("body");
    let json = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("a JSON answer")
    };
    Answer {
        status: parts.status,
        headers: parts.headers,
        json,
    }
}

/// `METHOD /path` of every `.route(...)` in `src/lib.rs`.
fn declared_routes() -> BTreeSet<String> {
    let source = include_str!("../src/lib.rs");
    let mut routes = BTreeSet::new();
    for (at, call) in source.match_indices(".route(") {
        let mut depth = 1;
        let body = &source[at + call.len()..];
        let end = body
            .char_indices()
            .find(|&(_, c)| {
                depth += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .expect("closed .route(")
            .0;
        let call = &body[..end];
        let path = call.split('"').nth(1).expect("route path");
        for method in ["get", "post", "put", "patch", "delete"] {
            let called = call
                .match_indices(&format!("{method}("))
                .any(|(i, _)| !call[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_'));
            if called {
                routes.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    routes
}

/// The parts of a payload 2.0 event that must agree with each other.
fn check_shape(name: &str, event: &Value) {
    let route = event["routeKey"].as_str().expect("routeKey");
    let (method, template) = route.split_once(' ').expect("METHOD /path");
    let context = &event["requestContext"];
    let raw_path = event["rawPath"].as_str().expect("rawPath");
    assert_eq!(event["version"], "2.0", "{name}");
    assert_eq!(context["routeKey"], route, "{name}");
    assert_eq!(context["stage"], "$default", "{name}");
    assert_eq!(context["http"]["method"], method, "{name}");
    assert_eq!(context["http"]["path"], raw_path, "{name}");
    assert!(
        context["requestId"].is_string() && context["timeEpoch"].is_i64(),
        "{name}"
    );
    assert_eq!(event["isBase64Encoded"], false, "{name}");
    let (segments, raw): (Vec<_>, Vec<_>) =
        (template.split('/').collect(), raw_path.split('/').collect());
    assert_eq!(
        segments.len(),
        raw.len(),
        "{name}: {raw_path} is not {template}"
    );
    for (segment, value) in segments.iter().zip(&raw) {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => assert_eq!(event["pathParameters"][param], *value, "{name}"),
            None => assert_eq!(segment, value, "{name}: {raw_path} is not {template}"),
        }
    }
    let body = event.get("body").and_then(Value::as_str);
    let json_type = event["headers"]["content-type"] == "application/json";
    assert_eq!(
        body.is_some(),
        json_type,
        "{name}: a body goes with its content type"
    );
    if let Some(body) = body {
        serde_json::from_str::<Value>(body).expect("the body is JSON");
    }
}

#[test]
fn every_route_has_a_well_formed_event() {
    let declared = declared_routes();
    assert!(!declared.is_empty(), "no route found in src/lib.rs");
    let mut covered = BTreeSet::new();
    for (name, text) in all_events() {
        let event: Value = serde_json::from_str(&text).expect("event JSON");
        check_shape(&name, &event);
        let route = event["routeKey"].as_str().expect("routeKey").to_owned();
        assert!(
            declared.contains(&route),
            "{name}: {route} is not in src/lib.rs"
        );
        covered.insert(route);
    }
    let missing: Vec<_> = declared.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "no event in events/{FUNCTION}/ for {missing:?}"
    );
}

#[tokio::test]
async fn signed_events_without_their_token_answer_401() {
    let portal = fixtures::embedded_portal();
    for (name, text) in all_events() {
        let mut event: Value = serde_json::from_str(&fill(&text, |_| "x".into())).expect("JSON");
        let headers = event["headers"].as_object_mut().expect("headers");
        if headers.remove("authorization").is_none() {
            continue;
        }
        let answer = invoke(&portal.services, &event.to_string()).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{name}");
        assert_eq!(
            answer.headers[header::CONTENT_TYPE],
            "application/problem+json",
            "{name}"
        );
        assert_eq!(answer.json["code"], "not_authenticated", "{name}");
    }
}

// ---- this function's events ----

struct World {
    portal: TestPortal,
    account: Account,
    user: User,
    token: String,
}

async fn world() -> World {
    let portal = fixtures::embedded_portal();
    let services = &portal.services;
    let account = fixtures::seed_account(services, "Garage Dupont Automobiles").await;
    let user = fixtures::seed_user(
        services,
        "jean.dupont@garage-dupont.fr",
        Role::Group,
        Some(&account.id),
    )
    .await;
    let token = fixtures::token_for(services, &user);
    World {
        portal,
        account,
        user,
        token,
    }
}

async fn login(w: &World, password: &str) -> Answer {
    let login = event("login", &[("email", &w.user.email), ("password", password)]);
    invoke(&w.portal.services, &login).await
}

/// The secret of the last e-mailed link.
fn link_token(portal: &TestPortal) -> String {
    let mail = portal
        .outbox
        .list()
        .expect("outbox")
        .into_iter()
        .next()
        .expect("a mail");
    let start = mail.text.find("?token=").expect("a link") + "?token=".len();
    mail.text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect()
}

#[tokio::test]
async fn login_answers_a_token_and_sets_the_cookie() {
    let w = world().await;
    let answer = login(&w, fixtures::PASSWORD).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert!(answer.json["token"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(answer.json["user"]["email"], w.user.email.as_str());
    let cookie = answer.headers[header::SET_COOKIE].to_str().expect("ASCII");
    assert!(cookie.starts_with("stva_session=") && cookie.contains("HttpOnly"));
}

#[tokio::test]
async fn me_names_the_user_and_the_account() {
    let w = world().await;
    let answer = invoke(&w.portal.services, &event("me", &[("token", &w.token)])).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.json["email"], w.user.email.as_str());
    assert_eq!(answer.json["role"], "group");
    assert_eq!(answer.json["account_name"], w.account.name.as_str());
}

#[tokio::test]
async fn refresh_answers_a_new_token() {
    let w = world().await;
    let answer = invoke(
        &w.portal.services,
        &event("refresh", &[("token", &w.token)]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert!(answer.json["token"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(answer.json["user"]["id"], w.user.id.as_str());
}

#[tokio::test]
async fn logout_ends_the_session() {
    let w = world().await;
    let services = &w.portal.services;
    let answer = invoke(services, &event("logout", &[("token", &w.token)])).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert!(
        answer.headers[header::SET_COOKIE]
            .to_str()
            .expect("ASCII")
            .contains("Max-Age=0")
    );
    let me = invoke(services, &event("me", &[("token", &w.token)])).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.json["code"], "invalid_session");
}

#[tokio::test]
async fn password_reset_mails_a_link_and_confirm_sets_the_password() {
    let w = world().await;
    let services = &w.portal.services;
    let request = event("password-reset", &[("email", &w.user.email)]);
    assert_eq!(
        invoke(services, &request).await.status,
        StatusCode::ACCEPTED
    );
    let mails = w.portal.outbox.list().expect("outbox");
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, w.user.email);

    let confirm = event(
        "password-reset-confirm",
        &[("reset_token", &link_token(&w.portal))],
    );
    let answer = invoke(services, &confirm).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.json);
    let sent: Value = serde_json::from_str(&confirm).expect("JSON");
    let body: Value = serde_json::from_str(sent["body"].as_str().expect("body")).expect("JSON");
    let new_password = body["password"].as_str().expect("password");
    assert_eq!(login(&w, new_password).await.status, StatusCode::OK);
    assert_eq!(
        login(&w, fixtures::PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    let again = invoke(services, &confirm).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert_eq!(again.json["code"], "link_used");
}
