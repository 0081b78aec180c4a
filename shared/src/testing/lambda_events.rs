//! The sample events of `events/<function>/` (API Gateway HTTP API, payload
//! 2.0) run through a function's Lambda app as `lambda_http::run` hands them
//! over, their `{{placeholders}}` filled by the test; and the checks every
//! function crate makes of its events: each route of its `src/lib.rs` has a
//! well-formed event, and no signed event gets in without its token.
//!
//! ```text
//! const EVENTS: Events = Events::new("auth", env!("CARGO_MANIFEST_DIR"), auth::routes);
//!
//! #[test]
//! fn every_route_has_a_well_formed_event() {
//!     EVENTS.assert_every_route_has_a_well_formed_event();
//! }
//!
//! #[tokio::test]
//! async fn me_names_the_user() {
//!     let portal = EVENTS.portal("Garage Dupont Automobiles").await;
//!     let user = portal.user("jean.dupont@garage-dupont.fr", Role::Group).await;
//!     let answer = portal.send_as("me", &user, &[]).await;
//!     assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
//! }
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use axum::Router;
use http::{HeaderMap, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt;

use crate::Services;
use crate::adapters::outbox::OutboxMessage;
use crate::domain::Role;
use crate::repo::accounts::Account;
use crate::repo::users::User;
use crate::repo::vehicles::Vehicle;
use crate::testing::fixtures::{self, TestPortal};
use crate::testing::iam;

/// The events of one function, and the routes they go through.
pub struct Events {
    /// The function's name: its folder under `events/`.
    function: &'static str,
    /// The function crate's folder (`env!("CARGO_MANIFEST_DIR")`), two
    /// levels below the workspace's.
    crate_dir: &'static str,
    /// The function's routes, as its `main` hands them to `lambda_app`.
    routes: fn() -> Router<Services>,
}

/// What the Lambda app answered to one event.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body as JSON; `Value::Null` when the body is empty.
    pub json: Value,
}

impl Answer {
    /// The `id` of every item of a page answer (`{"items": [...]}`).
    pub fn ids(&self) -> Vec<&str> {
        let items = self.json["items"]
            .as_array()
            .unwrap_or_else(|| panic!("no items in the answer {}", self.json));
        items
            .iter()
            .filter_map(|item| item["id"].as_str())
            .collect()
    }
}

impl Events {
    /// The events of `events/<function>/` for the crate at `crate_dir`
    /// (`env!("CARGO_MANIFEST_DIR")`) whose routes are `routes`.
    pub const fn new(
        function: &'static str,
        crate_dir: &'static str,
        routes: fn() -> Router<Services>,
    ) -> Self {
        Self {
            function,
            crate_dir,
            routes,
        }
    }

    /// A fresh embedded portal with STVA's manager and one customer
    /// account named `account_name`, to send these events to.
    pub async fn portal(&'static self, account_name: &str) -> Portal {
        let portal = fixtures::embedded_portal();
        let services = &portal.services;
        let account = fixtures::seed_account(services, account_name).await;
        let manager = fixtures::seed_user(services, "gestion@stva.fr", Role::Manager, None).await;
        Portal {
            events: self,
            portal,
            account,
            manager,
        }
    }

    fn events_dir(&self) -> PathBuf {
        Path::new(self.crate_dir)
            .join("../../events")
            .join(self.function)
    }

    /// The event `name`, its placeholders filled from `values` (first match
    /// wins); a placeholder without a value panics.
    pub fn event(&self, name: &str, values: &[(&str, &str)]) -> String {
        let path = self.events_dir().join(format!("{name}.json"));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("event {}: {e}", path.display()));
        fill(&text, |key| {
            let found = values.iter().find(|(k, _)| *k == key);
            found
                .unwrap_or_else(|| panic!("{name}: no value for {{{{{key}}}}}"))
                .1
                .to_owned()
        })
    }

    /// One Lambda invocation: the event as `lambda_http` parses it, through
    /// `shared::http::lambda_app` with this function's routes, its ports
    /// confined to the function's IAM role in `template.yaml`.
    pub async fn invoke(&self, services: &Services, event: &str) -> Answer {
        let request = lambda_http::request::from_str(event)
            .unwrap_or_else(|e| panic!("not an API Gateway event ({e}): {event}"));
        let services = iam::confine(services, self.function);
        let app = crate::http::lambda_app((self.routes)(), services);
        let response = app.oneshot(request).await.expect("infallible");
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .expect("the answer's body");
        let json = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                panic!(
                    "not a JSON answer ({e}): {}",
                    String::from_utf8_lossy(&bytes)
                )
            })
        };
        Answer {
            status: parts.status,
            headers: parts.headers,
            json,
        }
    }

    /// Every event of the function is well formed and names a route of
    /// `src/lib.rs`, and every route of `src/lib.rs` has an event.
    pub fn assert_every_route_has_a_well_formed_event(&self) {
        let declared = self.declared_routes();
        assert!(
            !declared.is_empty(),
            "no route found in {}/src/lib.rs",
            self.crate_dir
        );
        let mut covered = BTreeSet::new();
        for (name, text) in self.all_events() {
            let event: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: not JSON ({e})"));
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
            "no event in events/{}/ for {missing:?}",
            self.function
        );
    }

    /// Every event that carries an `authorization` header, sent without it
    /// (its placeholders filled with anything) to an embedded portal, is
    /// answered 401 `not_authenticated` as problem+json.
    pub async fn assert_signed_events_need_a_token(&self) {
        let portal = fixtures::embedded_portal();
        for (name, text) in self.all_events() {
            let mut event: Value = serde_json::from_str(&fill(&text, |_| "x".into()))
                .unwrap_or_else(|e| panic!("{name}: not JSON ({e})"));
            let headers = event["headers"]
                .as_object_mut()
                .unwrap_or_else(|| panic!("{name}: no headers"));
            if headers.remove("authorization").is_none() {
                continue;
            }
            let answer = self.invoke(&portal.services, &event.to_string()).await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{name}");
            assert_eq!(
                answer.headers[header::CONTENT_TYPE],
                "application/problem+json",
                "{name}"
            );
            assert_eq!(answer.json["code"], "not_authenticated", "{name}");
        }
    }

    /// Every event of this function: file stem and raw text, by name.
    fn all_events(&self) -> Vec<(String, String)> {
        let dir = self.events_dir();
        let mut events: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("events folder {}: {e}", dir.display()))
            .map(|entry| entry.expect("events folder entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .map(|path| {
                let name = path
                    .file_stem()
                    .expect("file name")
                    .to_string_lossy()
                    .into_owned();
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("event {}: {e}", path.display()));
                (name, text)
            })
            .collect();
        events.sort();
        events
    }

    /// `METHOD /path` of every `.route(...)` and every documented handler
    /// (`#[utoipa::path(method, path = "...")]`, routed by `routes!`) in
    /// the crate's `src/lib.rs`.
    fn declared_routes(&self) -> BTreeSet<String> {
        let lib = Path::new(self.crate_dir).join("src/lib.rs");
        let source =
            std::fs::read_to_string(&lib).unwrap_or_else(|e| panic!("{}: {e}", lib.display()));
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
        for (at, attribute) in source.match_indices("#[utoipa::path(") {
            let body = &source[at + attribute.len()..];
            let method = body.split(',').next().expect("utoipa::path method").trim();
            let path = body
                .split_once("path = \"")
                .and_then(|(_, rest)| rest.split('"').next())
                .expect("utoipa::path path");
            routes.insert(format!("{} {path}", method.to_uppercase()));
        }
        routes
    }
}

/// An embedded portal with STVA's manager and one customer account, and
/// the events of one function to send to it.
pub struct Portal {
    events: &'static Events,
    pub portal: TestPortal,
    /// The customer account: `{{account_id}}` of the events sent as a user.
    pub account: Account,
    /// `gestion@stva.fr`, STVA staff: every account, none of their own.
    pub manager: User,
}

impl Portal {
    pub fn services(&self) -> &Services {
        &self.portal.services
    }

    /// An active user with [`fixtures::PASSWORD`]: a manager belongs to no
    /// account, any other role to the customer account.
    pub async fn user(&self, email: &str, role: Role) -> User {
        let account_id = (role != Role::Manager).then_some(self.account.id.as_str());
        fixtures::seed_user(self.services(), email, role, account_id).await
    }

    /// The customer account's vehicle `vehicle_id`, as stored.
    pub async fn vehicle(&self, vehicle_id: &str) -> Vehicle {
        self.services()
            .vehicles()
            .get(&self.account.id, vehicle_id)
            .await
            .expect("read")
            .unwrap_or_else(|| panic!("no vehicle {vehicle_id}"))
    }

    /// The event `name`, its placeholders filled from `values` only.
    pub async fn send(&self, name: &str, values: &[(&str, &str)]) -> Answer {
        self.invoke(&self.events.event(name, values)).await
    }

    /// The event `name` sent by `caller` (`{{token}}`, a fresh session
    /// token of theirs) about the customer account (`{{account_id}}`),
    /// unless `values` fill these placeholders first.
    pub async fn send_as(&self, name: &str, caller: &User, values: &[(&str, &str)]) -> Answer {
        let token = fixtures::token_for(self.services(), caller);
        let mut values = values.to_vec();
        values.extend([
            ("token", token.as_str()),
            ("account_id", self.account.id.as_str()),
        ]);
        self.send(name, &values).await
    }

    /// An event as it is, already filled.
    pub async fn invoke(&self, event: &str) -> Answer {
        self.events.invoke(self.services(), event).await
    }

    /// The mails sent so far, newest first.
    pub fn mails(&self) -> Vec<OutboxMessage> {
        self.portal.outbox.list().expect("the outbox")
    }

    /// The secret of the `?token=` link in the newest mail.
    pub fn link_token(&self) -> String {
        let mails = self.mails();
        link_token(&mails.first().expect("a mail").text)
    }
}

/// The secret of the first `?token=` link in a mail's text.
fn link_token(text: &str) -> String {
    let start = text
        .find("?token=")
        .unwrap_or_else(|| panic!("no link in the mail: {text}"))
        + "?token=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect()
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
    let content_type = event["headers"]["content-type"].as_str();
    assert_eq!(
        body.is_some(),
        content_type.is_some(),
        "{name}: a body goes with its content type"
    );
    if let (Some(body), Some("application/json")) = (body, content_type) {
        serde_json::from_str::<Value>(body)
            .unwrap_or_else(|e| panic!("{name}: the body is not JSON ({e})"));
    }
}
