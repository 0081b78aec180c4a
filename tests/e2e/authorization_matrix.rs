//! The authorization matrix: every route x every role x own/other account,
//! with the exact status expected. Kept as data: later routes add rows.
//! Account A is "own" for `group` and `member`; `other_group` and
//! `other_member` belong to account B and must see A's resources as absent.

use std::collections::BTreeSet;

use e2e_tests::{Portal, PortalBackend, address_body};
use reqwest::Method;
use serde_json::{Value, json};
use shared::Services;
use shared::app::quotes::{QuoteInput, QuoteVehicleInput};
use shared::domain::Role;
use shared::policy::Actor;
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

/// The content type of a body that is not JSON, and its bytes.
type RawBody = (&'static str, fn() -> Vec<u8>);

struct Row {
    method: Method,
    /// Placeholders: `{A}` (account A), `{addr}` (an address of A),
    /// `{vehicle}` (a vehicle of A), `{order}` (a quoted order of A),
    /// `{fresh_addr}` / `{fresh_user}` / `{fresh_vehicle}` / `{fresh_order}`
    /// (made anew for each cell; `{fresh_order}` is a quote of A, on a
    /// vehicle of its own), `{pickup}` / `{delivery}` (two addresses of the
    /// caller's account: B's for B's users, A's for the others).
    path: &'static str,
    /// The JSON body; its strings may hold the same placeholders.
    body: Option<fn() -> Value>,
    /// A body that is not JSON: its content type and bytes.
    raw: Option<RawBody>,
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

fn raw_row(method: Method, path: &'static str, raw: RawBody, expected: [u16; 6]) -> Row {
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
/// A lot of one fresh vehicle of A, between two addresses of the caller's
/// account; the plate is corrected on the way (any valid plate).
fn quote_lot() -> Value {
    json!({
        "vehicles": [{"vehicle_id": "{fresh_vehicle}", "make": "Citroën", "model": "C3", "plate": fresh_plate()}],
        "pickup_address_id": "{pickup}",
        "delivery_address_id": "{delivery}",
    })
}
fn accept_terms() -> Value {
    json!({"accept_terms": true})
}
fn cancel_reason() -> Value {
    json!({"reason": "Matrice"})
}
fn invoice_declaration() -> Value {
    json!({"content_type": "application/pdf", "size": 1024})
}
fn unknown_upload() -> Value {
    json!({"upload_id": "0123456789abcdef0123456789abcdef"})
}

fn matrix() -> Vec<Row> {
    use Method as M;
    vec![
        //                                                                anon  mgr  grp  mbr  oGrp oMbr
        row(M::GET, "/api/health", None, [200, 200, 200, 200, 200, 200]),
        row(
            M::GET,
            "/api/openapi.json",
            None,
            [200, 200, 200, 200, 200, 200],
        ),
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
        // The stock connection (managers configure it; its secrets never
        // come back) and the sync. The rows run in order: A is connected
        // by the manager's PUT before the reads; B never is (409 for its
        // own sync, 404 for its own connection and report). The feed URL
        // refuses connections, so each sync is a quick `failed` report.
        row(
            M::PUT,
            "/api/accounts/{A}/stock-connection",
            // A Spider-VO feed whose port (9) refuses connections.
            Some(
                || json!({"provider": "spidervo", "settings": {"url": "http://127.0.0.1:9/export.xml"}}),
            ),
            [401, 200, 403, 403, 404, 404],
        ),
        row(
            M::GET,
            "/api/stock/connection",
            None,
            [401, 422, 200, 200, 404, 404],
        ),
        row(
            M::GET,
            "/api/stock/connection?account_id={A}",
            None,
            [401, 200, 200, 200, 404, 404],
        ),
        row(
            M::POST,
            "/api/stock/sync",
            None,
            [401, 422, 202, 202, 409, 409],
        ),
        row(
            M::POST,
            "/api/stock/sync?account_id={A}",
            None,
            [401, 202, 202, 202, 404, 404],
        ),
        row(
            M::GET,
            "/api/stock/syncs/latest",
            None,
            [401, 422, 200, 200, 404, 404],
        ),
        row(
            M::GET,
            "/api/stock/syncs/latest?account_id={A}",
            None,
            [401, 200, 200, 200, 404, 404],
        ),
        // Ordering. Customers quote and validate; a manager reads every
        // account's orders and cancels them, but neither quotes nor
        // validates (403).
        //
        // B's users quote into their own account (the token's): their own
        // addresses pass, and A's vehicle is "not in your stock", 422
        // `validation_failed` on `vehicles[0].vehicle_id`, the same answer
        // as for an id that exists nowhere (nothing of A leaks). Had the lot
        // named A's addresses, the 422 would name those first: the
        // addresses are checked before the vehicles.
        row(
            M::POST,
            "/api/quotes",
            Some(quote_lot),
            [401, 403, 201, 201, 422, 422],
        ),
        // Without `account_id`, a customer lists its own account (B's users:
        // their own, empty), a manager every account.
        row(M::GET, "/api/orders", None, [401, 200, 200, 200, 200, 200]),
        row(
            M::GET,
            "/api/orders?account_id={A}",
            None,
            [401, 200, 200, 200, 404, 404],
        ),
        row(
            M::GET,
            "/api/orders/export",
            None,
            [401, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/api/orders/export?account_id={A}",
            None,
            [401, 200, 200, 200, 404, 404],
        ),
        row(
            M::GET,
            "/api/orders/{order}",
            None,
            [401, 200, 200, 200, 404, 404],
        ),
        row(
            M::GET,
            "/api/orders/{order}/purchase-order",
            None,
            [401, 200, 200, 200, 404, 404],
        ),
        row(
            M::POST,
            "/api/orders/{fresh_order}/validate",
            Some(accept_terms),
            [401, 403, 200, 200, 404, 404],
        ),
        row(
            M::POST,
            "/api/orders/{fresh_order}/cancel",
            Some(cancel_reason),
            [401, 200, 200, 200, 404, 404],
        ),
        // Invoices: only a manager asks for an upload URL or publishes one
        // (customers 403, whatever the account); publishing an upload that
        // does not exist is a 422 on `upload_id`. The order has no invoice:
        // the download is 404 for everyone (the 302 is in `invoices.rs`).
        row(
            M::POST,
            "/api/orders/{order}/invoice/upload-url",
            Some(invoice_declaration),
            [401, 200, 403, 403, 403, 403],
        ),
        row(
            M::POST,
            "/api/orders/{order}/invoice",
            Some(unknown_upload),
            [401, 422, 403, 403, 403, 403],
        ),
        row(
            M::GET,
            "/api/orders/{order}/invoice",
            None,
            [401, 404, 404, 404, 404, 404],
        ),
        // Back office: the orders needing attention are the managers' only;
        // an invitation is resent by whoever may invite that user, and only
        // while it is pending (`{fresh_user}` is active: 409 `user_not_invited`;
        // the 200 is in `back_office.rs`).
        row(
            M::GET,
            "/api/orders?attention=true",
            None,
            [401, 200, 403, 403, 403, 403],
        ),
        row(
            M::POST,
            "/api/accounts/{A}/users/{fresh_user}/invitation",
            Some(empty),
            [401, 409, 409, 403, 404, 404],
        ),
    ]
}

/// `"METHOD /path"` of every route of the matrix, as API Gateway route keys
/// spell them (`tests/e2e/openapi.rs` checks the document lists them all).
pub(crate) fn matrix_route_keys() -> BTreeSet<String> {
    route_keys(&matrix())
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
                .replace("{vehicle}", "{id}")
                .replace("{fresh_order}", "{id}")
                .replace("{order}", "{id}");
            format!("{} {path}", r.method)
        })
        .collect()
}

#[test]
fn every_route_with_a_sample_event_is_in_the_matrix() {
    // `/internal/...` events are direct Lambda invocations (the first
    // manager's invitation), routed by neither the HTTP API nor CloudFront.
    let keys: BTreeSet<String> = event_route_keys()
        .into_iter()
        .filter(|k| !k.contains(" /internal/"))
        .collect();
    let covered: BTreeSet<String> = route_keys(&matrix()).iter().map(|k| shape(k)).collect();
    let missing: Vec<_> = keys.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "routes without a matrix row: {missing:?}"
    );
}

/// The shapes (see [`shape`]) of the route keys of every sample event.
pub(crate) fn event_route_keys() -> BTreeSet<String> {
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
    keys
}

/// A route key with every `{param}` replaced by `{}`.
pub(crate) fn shape(key: &str) -> String {
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
    order_a: String,
    /// A's group user: the author of A's quotes.
    quoter: User,
    users: Vec<Option<User>>,
    /// `{pickup}` and `{delivery}` of each column.
    places: Vec<(String, String)>,
}

/// Two addresses of an account: Lyon, then Paris.
async fn two_addresses(services: &Services, account_id: &str) -> (String, String) {
    let pickup = shared::app::addresses::create(
        services,
        account_id,
        serde_json::from_value(address()).unwrap(),
    )
    .await
    .unwrap();
    let mut paris = address_body("Matrice Paris");
    paris["postal_code"] = json!("75012");
    paris["city"] = json!("Paris");
    let delivery = shared::app::addresses::create(
        services,
        account_id,
        serde_json::from_value(paris).unwrap(),
    )
    .await
    .unwrap();
    (pickup.id, delivery.id)
}

/// A quote of A on a vehicle of its own, through the use case (the
/// portal's ERP is the built-in simulator): its id.
async fn quoted_order(services: &Services, world: &World) -> String {
    let vehicle = shared::app::vehicles::create(
        services,
        &world.account_a,
        serde_json::from_value(vehicle()).unwrap(),
    )
    .await
    .unwrap()
    .vehicle;
    let (pickup, delivery) = world.places[2].clone();
    let input = QuoteInput {
        vehicles: Some(vec![QuoteVehicleInput {
            vehicle_id: Some(vehicle.id),
            make: Some(vehicle.make),
            model: Some(vehicle.model),
            plate: vehicle.plate,
            vin: None,
        }]),
        pickup_address_id: Some(pickup),
        delivery_address_id: Some(delivery),
        customer_reference: Some("MATRICE".into()),
    };
    let quoter = Actor {
        user_id: world.quoter.id.clone(),
        role: world.quoter.role,
        account_id: world.quoter.account_id.clone(),
    };
    shared::app::quotes::quote(services, &quoter, &world.quoter, input)
        .await
        .unwrap()
        .id
}

/// Puts `value` for `placeholder` in a cell's path and body.
fn put(path: &mut String, body: &mut Option<String>, placeholder: &str, value: &str) {
    *path = path.replace(placeholder, value);
    if let Some(body) = body {
        *body = body.replace(placeholder, value);
    }
}

fn mentions(path: &str, body: &Option<String>, placeholder: &str) -> bool {
    path.contains(placeholder) || body.as_deref().is_some_and(|b| b.contains(placeholder))
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
    let places_a = two_addresses(&services, &a.id).await;
    let places_b = two_addresses(&services, &b.id).await;
    let mut world = World {
        account_a: a.id.clone(),
        address_a: seeded_address.id.clone(),
        vehicle_a: seeded_vehicle.vehicle.id.clone(),
        order_a: String::new(),
        quoter: group.clone(),
        users: vec![
            None,
            Some(manager),
            Some(group),
            Some(member),
            Some(other_group),
            Some(other_member),
        ],
        places: vec![
            places_a.clone(),
            places_a.clone(),
            places_a.clone(),
            places_a,
            places_b.clone(),
            places_b,
        ],
    };
    world.order_a = quoted_order(&services, &world).await;

    let mut failures = Vec::new();
    for row in matrix() {
        for (column, actor) in ACTORS.iter().enumerate() {
            let mut path = row.path.to_owned();
            let mut body = row.body.map(|f| f().to_string());
            let (pickup, delivery) = &world.places[column];
            for (placeholder, value) in [
                ("{A}", &world.account_a),
                ("{addr}", &world.address_a),
                ("{vehicle}", &world.vehicle_a),
                ("{order}", &world.order_a),
                ("{pickup}", pickup),
                ("{delivery}", delivery),
            ] {
                put(&mut path, &mut body, placeholder, value);
            }
            if mentions(&path, &body, "{fresh_addr}") {
                let fresh = shared::app::addresses::create(
                    &services,
                    &a.id,
                    serde_json::from_value(address()).unwrap(),
                )
                .await
                .unwrap();
                put(&mut path, &mut body, "{fresh_addr}", &fresh.id);
            }
            if mentions(&path, &body, "{fresh_vehicle}") {
                let fresh = shared::app::vehicles::create(
                    &services,
                    &a.id,
                    serde_json::from_value(vehicle()).unwrap(),
                )
                .await
                .unwrap();
                put(&mut path, &mut body, "{fresh_vehicle}", &fresh.vehicle.id);
            }
            if mentions(&path, &body, "{fresh_order}") {
                let fresh = quoted_order(&services, &world).await;
                put(&mut path, &mut body, "{fresh_order}", &fresh);
            }
            if mentions(&path, &body, "{fresh_user}") {
                let victim = seed_user(
                    &services,
                    &format!("{}@a.fr", uuid::Uuid::new_v4().simple()),
                    Role::Member,
                    Some(&a.id),
                )
                .await;
                put(&mut path, &mut body, "{fresh_user}", &victim.id);
            }
            let body: Option<Value> = body.map(|b| serde_json::from_str(&b).unwrap());
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
                None => caller.send(row.method.clone(), &path, body).await,
            };
            let expected = row.expected[column];
            // B's 422 on a quote must name A's vehicle, not an address.
            if row.path == "/api/quotes"
                && answer.status == 422
                && answer.body["errors"][0]["field"] != "vehicles[0].vehicle_id"
            {
                failures.push(format!(
                    "{} {} as {actor}: the 422 does not name the vehicle: {}",
                    row.method, row.path, answer.body
                ));
            }
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
