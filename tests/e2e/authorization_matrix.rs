//! The authorization matrix: every route x every role x own/other account,
//! with the exact status expected. Kept as data: later routes add rows.
//! Account A is "own" for `group` and `member`; `other_group` and
//! `other_member` belong to account B and must see A's resources as absent.

use std::collections::BTreeSet;

use e2e_tests::{Portal, PortalBackend, address_body};
use reqwest::Method;
use serde_json::{Value, json};
use shared::domain::Role;
use shared::repo::users::User;
use shared::testing::fixtures::{seed_account, seed_user, token_for};

/// Column order of the expected statuses.
const ACTORS: [&str; 6] = [
    "anonymous",
    "manager",
    "group",
    "member",
    "other_group",
    "other_member",
];

struct Row {
    method: Method,
    /// Placeholders: `{A}` (account A), `{addr}` (an address of A),
    /// `{vehicle}` (a vehicle of A), `{fresh_addr}` / `{fresh_user}` /
    /// `{fresh_vehicle}` (made anew for each cell).
    path: &'static str,
    body: Option<fn() -> Value>,
    /// A body that is not JSON: its content type and bytes.
    raw: Option<(&'static str, fn() -> Vec<u8>)>,
    expected: [u16; 6],
}

fn row(method: Method, path: &'static str, body: Option<fn() -> Value>, expected: [u16; 6]) -> Row {
    Row {
        method,
        path,
        body,
        raw: None,
        expected,
    }
}

fn raw_row(
    method: Method,
    path: &'static str,
    raw: (&'static str, fn() -> Vec<u8>),
    expected: [u16; 6],
) -> Row {
    Row {
        raw: Some(raw),
        ..row(method, path, None, expected)
    }
}

fn new_account() -> Value {
    json!({"name": "Compte de la matrice"})
}
fn new_member() -> Value {
    json!({"email": format!("{}@matrice.fr", uuid::Uuid::new_v4().simple()), "name": "Membre", "role": "member"})
}
fn new_manager() -> Value {
    json!({"email": format!("{}@stva.fr", uuid::Uuid::new_v4().simple()), "name": "Gestionnaire"})
}
fn address() -> Value {
    address_body("Matrice")
}
/// A plate no other vehicle has (`AB-123-CD` shape).
fn fresh_plate() -> String {
    const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRTVWXYZ";
    let bytes = uuid::Uuid::new_v4().into_bytes();
    let letter = |i: usize| char::from(LETTERS[usize::from(bytes[i]) % LETTERS.len()]);
    let number = u16::from_be_bytes([bytes[4], bytes[5]]) % 999 + 1;
    format!(
        "{}{}-{number:03}-{}{}",
        letter(0),
        letter(1),
        letter(2),
        letter(3)
    )
}
fn vehicle() -> Value {
    json!({"make": "Citroën", "model": "C3", "plate": fresh_plate()})
}
fn vehicle_patch() -> Value {
    json!({"model": "C3 Aircross"})
}
fn stock_csv() -> Vec<u8> {
    b"marque;modele;immatriculation\nRenault;Clio;GH-404-JK\n".to_vec()
}
fn empty() -> Value {
    json!({})
}
fn bad_login() -> Value {
    // A new address each time: the sixth failure in a row would be throttled.
    let email = format!("{}@nulle-part.fr", uuid::Uuid::new_v4().simple());
    json!({"email": email, "password": "pas-le-bon-mot-de-passe"})
}
fn reset_request() -> Value {
    json!({"email": "personne@nulle-part.fr"})
}
fn reset_confirm() -> Value {
    json!({"token": "inconnu", "password": "Un-Mot-De-Passe-Solide-1"})
}
fn accept() -> Value {
    json!({"token": "inconnu", "name": "X", "password": "Un-Mot-De-Passe-Solide-1"})
}

fn matrix() -> Vec<Row> {
    use Method as M;
    vec![
        //                                                                anon  mgr  grp  mbr  oGrp oMbr
        row(M::GET, "/api/health", None, [200, 200, 200, 200, 200, 200]),
        row(
            M::POST,
            "/api/auth/login",
            Some(bad_login),
            [401, 401, 401, 401, 401, 401],
        ),
        row(
            M::POST,
            "/api/auth/logout",
            Some(empty),
            [401, 204, 204, 204, 204, 204],
        ),
        row(
            M::POST,
            "/api/auth/refresh",
            Some(empty),
            [401, 200, 200, 200, 200, 200],
        ),
        row(M::GET, "/api/me", None, [401, 200, 200, 200, 200, 200]),
        row(
            M::POST,
            "/api/auth/password-reset",
            Some(reset_request),
            [202, 202, 202, 202, 202, 202],
        ),
        row(
            M::POST,
            "/api/auth/password-reset/confirm",
            Some(reset_confirm),
            [400, 400, 400, 400, 400, 400],
        ),
        row(
            M::POST,
            "/api/auth/invitations/accept",
            Some(accept),
            [400, 400, 400, 400, 400, 400],
        ),
        row(
            M::GET,
            "/api/accounts",
            None,
            [401, 200, 403, 403, 403, 403],
        ),
        row(
            M::POST,
            "/api/accounts",
            Some(new_account),
            [401, 201, 403, 403, 403, 403],
        ),
        row(
            M::GET,
            "/api/accounts/{A}",
            None,
            [401, 200, 200, 200, 404, 404],
        ),
        row(
            M::GET,
            "/api/accounts/{A}/users",
            None,
            [401, 200, 200, 403, 404, 404],
        ),
        row(
            M::POST,
            "/api/accounts/{A}/users",
            Some(new_member),
            [401, 201, 201, 403, 404, 404],
        ),
        row(
            M::DELETE,
            "/api/accounts/{A}/users/{fresh_user}",
            None,
            [401, 204, 204, 403, 404, 404],
        ),
        row(
            M::POST,
            "/api/managers",
            Some(new_manager),
            [401, 201, 403, 403, 403, 403],
        ),
        row(
            M::GET,
            "/api/addresses",
            None,
            [401, 422, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/api/addresses?account_id={A}",
            None,
            [401, 200, 200, 200, 404, 404],
        ),
        row(
            M::POST,
            "/api/addresses",
            Some(address),
            [401, 422, 201, 201, 201, 201],
        ),
        row(
            M::POST,
            "/api/addresses?account_id={A}",
            Some(address),
            [401, 201, 201, 201, 404, 404],
        ),
        row(
            M::GET,
            "/api/addresses/{addr}",
            None,
            [401, 422, 200, 200, 404, 404],
        ),
        row(
            M::GET,
            "/api/addresses/{addr}?account_id={A}",
            None,
            [401, 200, 200, 200, 404, 404],
        ),
        row(
            M::PUT,
            "/api/addresses/{addr}",
            Some(address),
            [401, 422, 200, 200, 404, 404],
        ),
        row(
            M::PUT,
            "/api/addresses/{addr}?account_id={A}",
            Some(address),
            [401, 200, 200, 200, 404, 404],
        ),
        row(
            M::DELETE,
            "/api/addresses/{fresh_addr}",
            None,
            [401, 422, 204, 204, 404, 404],
        ),
        row(
            M::DELETE,
            "/api/addresses/{fresh_addr}?account_id={A}",
            None,
            [401, 204, 204, 204, 404, 404],
        ),
        row(
            M::GET,
            "/api/vehicles",
            None,
            [401, 422, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/api/vehicles?account_id={A}",
            None,
            [401, 200, 200, 200, 404, 404],
        ),
        row(
            M::POST,
            "/api/vehicles",
            Some(vehicle),
            [401, 422, 201, 201, 201, 201],
        ),
        row(
            M::POST,
            "/api/vehicles?account_id={A}",
            Some(vehicle),
            [401, 201, 201, 201, 404, 404],
        ),
        row(
            M::GET,
            "/api/vehicles/{vehicle}",
            None,
            [401, 422, 200, 200, 404, 404],
        ),
        row(
            M::GET,
            "/api/vehicles/{vehicle}?account_id={A}",
            None,
            [401, 200, 200, 200, 404, 404],
        ),
        row(
            M::PATCH,
            "/api/vehicles/{fresh_vehicle}",
            Some(vehicle_patch),
            [401, 422, 200, 200, 404, 404],
        ),
        row(
            M::PATCH,
            "/api/vehicles/{fresh_vehicle}?account_id={A}",
            Some(vehicle_patch),
            [401, 200, 200, 200, 404, 404],
        ),
        raw_row(
            M::POST,
            "/api/vehicles/import",
            ("text/csv", stock_csv),
            [401, 422, 200, 200, 200, 200],
        ),
        raw_row(
            M::POST,
            "/api/vehicles/import?account_id={A}",
            ("text/csv", stock_csv),
            [401, 200, 200, 200, 404, 404],
        ),
    ]
}

/// `"METHOD /path"` of every row, without query strings, as API Gateway
/// route keys spell them.
fn route_keys(rows: &[Row]) -> BTreeSet<String> {
    rows.iter()
        .map(|r| {
            let path = r.path.split('?').next().unwrap_or(r.path);
            let path = path
                .replace("{A}", "{account_id}")
                .replace("{fresh_user}", "{user_id}")
                .replace("{fresh_addr}", "{id}")
                .replace("{addr}", "{id}")
                .replace("{fresh_vehicle}", "{id}")
                .replace("{vehicle}", "{id}");
            format!("{} {path}", r.method)
        })
        .collect()
}

#[test]
fn every_route_with_a_sample_event_is_in_the_matrix() {
    let events = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../events");
    let mut keys = BTreeSet::new();
    for function in std::fs::read_dir(&events).expect("events folder") {
        let function = function.expect("entry").path();
        if !function.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&function).expect("function folder") {
            let file = file.expect("entry").path();
            if file.extension().is_some_and(|e| e == "json") {
                let event: Value =
                    serde_json::from_str(&std::fs::read_to_string(&file).expect("read"))
                        .expect("json");
                if let Some(key) = event["routeKey"].as_str() {
                    // Path parameter names differ per route; compare shapes.
                    keys.insert(shape(key));
                }
            }
        }
    }
    assert!(!keys.is_empty(), "no events found in {}", events.display());
    let covered: BTreeSet<String> = route_keys(&matrix()).iter().map(|k| shape(k)).collect();
    let missing: Vec<_> = keys.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "routes without a matrix row: {missing:?}"
    );
}

/// A route key with every `{param}` replaced by `{}`.
fn shape(key: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in key.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

struct World {
    account_a: String,
    address_a: String,
    vehicle_a: String,
    users: Vec<Option<User>>,
}

async fn fresh_token(portal: &Portal, user: &User) -> String {
    let services = &portal.server.services;
    let current = services.users().get(&user.id).await.unwrap().unwrap();
    token_for(services, &current)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_matrix() {
    let portal = Portal::start(PortalBackend::Embedded).await;
    let services = portal.server.services.clone();
    let a = seed_account(&services, "Compte A").await;
    let b = seed_account(&services, "Compte B").await;
    let manager = seed_user(&services, "manager@stva.fr", Role::Manager, None).await;
    let group = seed_user(&services, "group@a.fr", Role::Group, Some(&a.id)).await;
    let member = seed_user(&services, "member@a.fr", Role::Member, Some(&a.id)).await;
    let other_group = seed_user(&services, "group@b.fr", Role::Group, Some(&b.id)).await;
    let other_member = seed_user(&services, "member@b.fr", Role::Member, Some(&b.id)).await;
    let seeded_address = shared::app::addresses::create(
        &services,
        &a.id,
        serde_json::from_value(address()).unwrap(),
    )
    .await
    .unwrap();
    let seeded_vehicle =
        shared::app::vehicles::create(&services, &a.id, serde_json::from_value(vehicle()).unwrap())
            .await
            .unwrap();
    let world = World {
        account_a: a.id.clone(),
        address_a: seeded_address.id.clone(),
        vehicle_a: seeded_vehicle.vehicle.id.clone(),
        users: vec![
            None,
            Some(manager),
            Some(group),
            Some(member),
            Some(other_group),
            Some(other_member),
        ],
    };

    let mut failures = Vec::new();
    for row in matrix() {
        for (column, actor) in ACTORS.iter().enumerate() {
            let mut path = row
                .path
                .replace("{A}", &world.account_a)
                .replace("{addr}", &world.address_a)
                .replace("{vehicle}", &world.vehicle_a);
            if path.contains("{fresh_addr}") {
                let fresh = shared::app::addresses::create(
                    &services,
                    &a.id,
                    serde_json::from_value(address()).unwrap(),
                )
                .await
                .unwrap();
                path = path.replace("{fresh_addr}", &fresh.id);
            }
            if path.contains("{fresh_vehicle}") {
                let fresh = shared::app::vehicles::create(
                    &services,
                    &a.id,
                    serde_json::from_value(vehicle()).unwrap(),
                )
                .await
                .unwrap();
                path = path.replace("{fresh_vehicle}", &fresh.vehicle.id);
            }
            if path.contains("{fresh_user}") {
                let victim = seed_user(
                    &services,
                    &format!("{}@a.fr", uuid::Uuid::new_v4().simple()),
                    Role::Member,
                    Some(&a.id),
                )
                .await;
                path = path.replace("{fresh_user}", &victim.id);
            }
            let caller = match &world.users[column] {
                None => portal.anonymous(),
                Some(user) => portal.with_token(&fresh_token(&portal, user).await),
            };
            let answer = match row.raw {
                Some((content_type, body)) => {
                    caller
                        .raw(row.method.clone(), &path, content_type, body())
                        .await
                }
                None => {
                    caller
                        .send(row.method.clone(), &path, row.body.map(|f| f()))
                        .await
                }
            };
            let expected = row.expected[column];
            if answer.status != expected {
                failures.push(format!(
                    "{} {} as {actor}: expected {expected}, got {} {}",
                    row.method, row.path, answer.status, answer.body
                ));
            }
            if answer.status >= 400 && answer.status != 405 {
                let content_type = answer
                    .headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                if content_type != "application/problem+json" {
                    failures.push(format!(
                        "{} {} as {actor}: not problem+json",
                        row.method, row.path
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix:\n{}",
        failures.join("\n")
    );
    portal.server.stop().await;
}
