//! The stock over HTTP on `stva-dev`, on both backends: a `;`-separated
//! Windows-1252 CSV with accented makes imported with its accents intact
//! and its broken row reported by line, a second import that changes
//! nothing, search, a correction, and another account's user kept out.

use e2e_tests::{Answer, Caller, Portal, PortalBackend};
use reqwest::Method;
use serde_json::{Value, json};
use shared::domain::Role;
use shared::testing::fixtures::{PASSWORD, seed_account, seed_user};

/// The file as Excel writes it on a French Windows ("CSV (séparateur:
/// point-virgule)"): Windows-1252, `;`, CRLF.
const STOCK_CSV: &str = "Marque;Modèle;Immatriculation;VIN;Référence;Version\r\n\
Citroën;C5 Aircross;AB-123-CD;VF7SXHMZ6KT512345;VO-2041;Shine Pack\r\n\
Renault;Mégane Estate;bc 234 de;;VO-2042;E-Tech plug-in\r\n\
;Clio;CD-345-EF;;VO-2043;\r\n\
Peugeot;208;DE-456-FG;;VO-2044;Allure\r\n\
Citroën;Berlingo;;;VO-2045;\r\n";

/// Windows-1252 for the Latin-1 letters this test uses (U+00A0-U+00FF are
/// the same bytes in both).
fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match u8::try_from(u32::from(c)) {
            Ok(b) if !(0x80..0xA0).contains(&b) => b,
            _ => panic!("{c:?} is not in this test's Windows-1252"),
        })
        .collect()
}

async fn customer(portal: &Portal, account: &str, email: &str) -> Caller {
    seed_user(&portal.server.services, email, Role::Group, Some(account)).await;
    portal.sign_in(email, PASSWORD).await
}

async fn import(caller: &Caller, path: &str, bytes: Vec<u8>) -> Answer {
    caller.raw(Method::POST, path, "text/csv", bytes).await
}

fn items(answer: &Answer) -> &Vec<Value> {
    answer.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {}", answer.body))
}

async fn journey(backend: PortalBackend) {
    let portal = Portal::start(backend).await;
    let services = portal.server.services.clone();
    let account = seed_account(&services, "Garage Dupont").await;
    let other = seed_account(&services, "Autos Martin").await;
    let dupont = customer(&portal, &account.id, "vo@dupont.fr").await;
    let martin = customer(&portal, &other.id, "vo@martin.fr").await;

    // The import: 3 vehicles, 2 broken rows named by their line.
    let bytes = windows_1252(STOCK_CSV);
    assert!(std::str::from_utf8(&bytes).is_err(), "really Windows-1252");
    let report = import(&dupont, "/api/vehicles/import", bytes.clone()).await;
    report.expect(200);
    assert_eq!(report.body["created"], 3, "{}", report.body);
    assert_eq!(report.body["updated"], 0);
    assert_eq!(report.body["unchanged"], 0);
    let errors = report.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{}", report.body);
    assert_eq!(errors[0]["line"], 4);
    assert_eq!(errors[0]["message"], "La marque est obligatoire.");
    assert_eq!(errors[1]["line"], 6);
    assert_eq!(errors[1]["message"], "L'immatriculation est obligatoire.");

    // The accents survived, and the plates are shown in their usual layout.
    let stock = dupont.get("/api/vehicles").await;
    stock.expect(200);
    assert_eq!(items(&stock).len(), 3);
    let megane = items(&stock)
        .iter()
        .find(|v| v["external_ref"] == "VO-2042")
        .unwrap()
        .clone();
    assert_eq!(megane["make"], "Renault");
    assert_eq!(megane["model"], "Mégane Estate");
    assert_eq!(megane["plate"], "BC-234-DE");
    assert_eq!(megane["source"], "csv");
    assert_eq!(megane["status"], "in_stock");
    assert!(megane.get("revision").is_none());

    // The same file again: nothing to do.
    let again = import(&dupont, "/api/vehicles/import", bytes.clone()).await;
    again.expect(200);
    assert_eq!(again.body["created"], 0, "{}", again.body);
    assert_eq!(again.body["updated"], 0);
    assert_eq!(again.body["unchanged"], 3);

    // Search without accents, by plate with separators, by reference.
    let found = dupont.get("/api/vehicles?q=citroen").await;
    found.expect(200);
    assert_eq!(items(&found).len(), 1);
    assert_eq!(items(&found)[0]["make"], "Citroën");
    assert_eq!(items(&found)[0]["model"], "C5 Aircross");
    let by_plate = dupont.get("/api/vehicles?q=ab-123").await;
    assert_eq!(items(&by_plate).len(), 1);
    assert_eq!(items(&by_plate)[0]["plate"], "AB-123-CD");
    let accented = dupont.get("/api/vehicles?q=M%C3%89GANE").await;
    assert_eq!(items(&accented)[0]["external_ref"], "VO-2042");
    let paged = dupont.get("/api/vehicles?limit=2").await;
    assert_eq!(items(&paged).len(), 2);
    let cursor = paged.str("next_cursor");
    let rest = dupont
        .get(&format!("/api/vehicles?limit=2&cursor={cursor}"))
        .await;
    rest.expect(200);
    assert_eq!(items(&rest).len(), 1);
    assert_eq!(rest.body["next_cursor"], Value::Null);
    dupont
        .get("/api/vehicles?status=sold")
        .await
        .expect_problem(400, "invalid_query");

    // A correction; the next import brings the file's values back.
    let id = megane["id"].as_str().unwrap().to_owned();
    let path = format!("/api/vehicles/{id}");
    let corrected = dupont
        .send(
            Method::PATCH,
            &path,
            Some(json!({"model": "Mégane IV Estate", "vin": "VF1RFB00X56789012"})),
        )
        .await;
    corrected.expect(200);
    assert_eq!(corrected.body["model"], "Mégane IV Estate");
    assert_eq!(corrected.body["vin"], "VF1RFB00X56789012");
    assert!(corrected.body["warnings"].is_array());
    let read = dupont.get(&path).await;
    read.expect(200);
    assert_eq!(read.body["model"], "Mégane IV Estate");
    let reimport = import(&dupont, "/api/vehicles/import", bytes).await;
    assert_eq!(reimport.body["updated"], 1, "{}", reimport.body);
    assert_eq!(reimport.body["unchanged"], 2);

    // Hand entry of a plate already in stock: 409.
    dupont
        .post(
            "/api/vehicles",
            json!({"make": "Peugeot", "model": "208", "plate": "DE-456-FG"}),
        )
        .await
        .expect_problem(409, "plate_exists");

    // Another account's user: the vehicle does not exist for it.
    martin.get(&path).await.expect_problem(404, "not_found");
    martin
        .send(Method::PATCH, &path, Some(json!({"model": "Twingo"})))
        .await
        .expect_problem(404, "not_found");
    assert!(items(&martin.get("/api/vehicles").await).is_empty());
    martin
        .get(&format!("/api/vehicles?account_id={}", account.id))
        .await
        .expect_problem(404, "not_found");

    // A manager works on the account it names.
    let manager = portal.manager().await;
    let managed = manager
        .get(&format!(
            "/api/vehicles?account_id={}&q=peugeot",
            account.id
        ))
        .await;
    managed.expect(200);
    assert_eq!(items(&managed).len(), 1);

    // Not CSV: 415; too large: 413; not a stock table: 400. All French.
    dupont
        .raw(
            Method::POST,
            "/api/vehicles/import",
            "application/vnd.ms-excel",
            b"marque;modele;immatriculation\n".to_vec(),
        )
        .await
        .expect_problem(415, "unsupported_media_type");
    let huge = vec![b'a'; 5 * 1024 * 1024 + 1];
    import(&dupont, "/api/vehicles/import", huge)
        .await
        .expect_problem(413, "payload_too_large");
    import(
        &dupont,
        "/api/vehicles/import",
        b"nom;prenom\nDupont;Jean\n".to_vec(),
    )
    .await
    .expect_problem(400, "invalid_csv");

    portal.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_on_the_embedded_backend() {
    journey(PortalBackend::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_on_aws_with_the_local_emulator() {
    journey(PortalBackend::Aws).await;
}
