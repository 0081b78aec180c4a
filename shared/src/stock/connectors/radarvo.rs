//! RadarVO, the aggregator that normalises dealers' stock tools: its HTTP
//! JSON API, with the account's API key. The contract implemented here is
//! in `docs/stock-connectors.md`:
//!
//! `GET {base_url}/v1/stock?page={n}&per_page={size}` with
//! `Authorization: Bearer {api_key}`, answering
//! `{"data": [vehicle, ...], "meta": {"page": n, "per_page": size,
//! "total": count, "total_pages": pages}}`; a vehicle's fields in English
//! or French (`make`/`marque`, `plate`/`immatriculation`, ...), numbers as
//! numbers or strings, the site and photos as text or objects.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::Value;

use crate::stock::fold::fold_alphanumeric;

use super::{
    FeedBuilder, FeedError, FeedFetcher, FeedResult, FetchAuth, FetchRequest, Field,
    MAX_FEED_BYTES, RawRecord, RecordError, Secret, StockSource, check_url,
};

/// The `source` of RadarVO records.
pub const SOURCE: &str = "radarvo";
/// Vehicles asked per page when the settings say nothing.
pub const DEFAULT_PER_PAGE: u32 = 500;
/// Most vehicles asked per page.
pub const MAX_PER_PAGE: u32 = 1_000;
/// Most pages read for one account.
pub const MAX_PAGES: u32 = 1_000;

/// A RadarVO connection.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RadarVoSettings {
    /// `https://api.radarvo.example` (no trailing `/v1`).
    pub base_url: String,
    pub api_key: Secret,
    #[serde(default)]
    pub per_page: Option<u32>,
}

/// The names each field goes by in RadarVO answers, in order of preference.
const FIELDS: [(Field, &[&str]); 12] = [
    (
        Field::ExternalRef,
        &["id", "reference", "ref", "stock_id", "numero_stock"],
    ),
    (Field::Make, &["make", "brand", "marque"]),
    (Field::Model, &["model", "modele"]),
    (Field::Version, &["version", "trim", "finition"]),
    (
        Field::Plate,
        &[
            "plate",
            "registration",
            "license_plate",
            "immatriculation",
            "immat",
        ],
    ),
    (Field::Vin, &["vin", "numero_serie"]),
    (
        Field::MileageKm,
        &["mileage_km", "mileage", "kilometrage", "km"],
    ),
    (
        Field::FirstRegistration,
        &[
            "first_registration",
            "first_registration_date",
            "date_mec",
            "date_premiere_immatriculation",
        ],
    ),
    (Field::Fuel, &["fuel", "energy", "energie", "carburant"]),
    (
        Field::Colour,
        &["colour", "color", "couleur", "couleur_exterieure"],
    ),
    (
        Field::Location,
        &["location", "site", "agence", "lieu", "point_de_vente"],
    ),
    (
        Field::PhotoUrl,
        &["photo_url", "photos", "images", "pictures", "photo"],
    ),
];

fn date_formats() -> Vec<String> {
    ["yyyy-mm-dd", "dd/mm/yyyy"].map(str::to_owned).to_vec()
}

/// What a page says of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageInfo {
    /// Vehicles in the page, good and bad.
    pub count: usize,
    pub total_pages: Option<u64>,
}

/// A JSON value as text: strings and numbers as they are, an object by its
/// `name`/`label`/`url`-like member, an array by its first element.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Array(items) => items.iter().find_map(scalar),
        Value::Object(members) => ["url", "name", "nom", "label", "libelle", "value", "code"]
            .iter()
            .find_map(|key| members.get(*key).and_then(scalar)),
        Value::Bool(_) | Value::Null => None,
    }
}

fn raw_of(vehicle: &serde_json::Map<String, Value>) -> RawRecord {
    let keys: HashMap<String, &Value> = vehicle
        .iter()
        .map(|(key, value)| (fold_alphanumeric(key), value))
        .collect();
    let mut raw = RawRecord::default();
    for (field, names) in FIELDS {
        if let Some(text) = names
            .iter()
            .filter_map(|name| keys.get(&fold_alphanumeric(name)))
            .find_map(|value| scalar(value).filter(|t| !t.trim().is_empty()))
        {
            raw.set(field, &text);
        }
    }
    raw
}

/// Reads one page into `builder`; its vehicles are numbered from `offset + 1`.
fn read_page(
    bytes: &[u8],
    builder: &mut FeedBuilder,
    offset: usize,
) -> Result<PageInfo, FeedError> {
    if bytes.len() > MAX_FEED_BYTES {
        return Err(FeedError::TooLarge);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(FeedError::Empty);
    }
    let document: Value = serde_json::from_slice(bytes)
        .map_err(|err| FeedError::NotAFeed(format!("JSON illisible ({err}).")))?;
    let (vehicles, total_pages) = match &document {
        Value::Array(items) => (items, None),
        Value::Object(members) => {
            let items = ["data", "vehicles", "vehicules", "items", "results", "stock"]
                .iter()
                .find_map(|key| members.get(*key).and_then(Value::as_array))
                .ok_or_else(|| {
                    FeedError::NotAFeed("la réponse ne contient pas de liste « data ».".into())
                })?;
            let meta = members.get("meta").unwrap_or(&Value::Null);
            let total_pages = ["total_pages", "last_page", "pages"]
                .iter()
                .find_map(|key| {
                    meta.get(*key)
                        .or_else(|| members.get(*key))
                        .and_then(Value::as_u64)
                });
            (items, total_pages)
        }
        _ => {
            return Err(FeedError::NotAFeed(
                "la réponse n'est ni un objet ni une liste.".into(),
            ));
        }
    };
    for (index, vehicle) in vehicles.iter().enumerate() {
        let position = format!("véhicule n° {}", offset + index + 1);
        match vehicle {
            Value::Object(members) => builder.push(&position, &raw_of(members))?,
            _ => builder.error(RecordError::new(
                position,
                "Cette fiche n'est pas un objet JSON.",
            )),
        }
    }
    Ok(PageInfo {
        count: vehicles.len(),
        total_pages,
    })
}

/// Parses one page of the API. Pure.
pub fn parse(bytes: &[u8]) -> FeedResult {
    let mut builder = FeedBuilder::new(SOURCE, "UTF-8", date_formats());
    read_page(bytes, &mut builder, 0)?;
    Ok(builder.finish())
}

/// An account's RadarVO stock.
pub struct RadarVo {
    base_url: String,
    auth: FetchAuth,
    per_page: u32,
    fetcher: Arc<dyn FeedFetcher>,
}

impl RadarVo {
    pub fn new(
        settings: RadarVoSettings,
        fetcher: Arc<dyn FeedFetcher>,
    ) -> Result<Self, FeedError> {
        check_url(&settings.base_url)?;
        if settings.api_key.expose().trim().is_empty() {
            return Err(FeedError::Config("la clé d'API RadarVO est vide.".into()));
        }
        let per_page = settings
            .per_page
            .unwrap_or(DEFAULT_PER_PAGE)
            .clamp(1, MAX_PER_PAGE);
        Ok(Self {
            base_url: settings.base_url.trim_end_matches('/').to_owned(),
            auth: FetchAuth::Bearer(settings.api_key),
            per_page,
            fetcher,
        })
    }

    /// The URL of page `page`.
    pub fn page_url(&self, page: u32) -> String {
        format!(
            "{}/v1/stock?page={page}&per_page={}",
            self.base_url, self.per_page
        )
    }
}

#[async_trait]
impl StockSource for RadarVo {
    fn source(&self) -> &str {
        SOURCE
    }

    /// Every page, in order; a page that fails fails the fetch (a partial
    /// stock would make the sync remove vehicles that are still there).
    async fn fetch(&self) -> FeedResult {
        let mut builder = FeedBuilder::new(SOURCE, "UTF-8", date_formats());
        let mut offset = 0usize;
        for page in 1..=MAX_PAGES {
            let request = FetchRequest {
                url: self.page_url(page),
                auth: self.auth.clone(),
            };
            let body = self.fetcher.get(&request).await?.ok_body()?;
            let info = read_page(&body, &mut builder, offset)?;
            offset += info.count;
            let last = match info.total_pages {
                Some(total) => u64::from(page) >= total,
                None => info.count < usize::try_from(self.per_page).unwrap_or(usize::MAX),
            };
            if info.count == 0 || last {
                return Ok(builder.finish());
            }
        }
        Err(FeedError::TooManyRecords)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stock::connectors::{CannedFetcher, generate};
    use proptest::prelude::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/stock/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn settings(per_page: u32) -> RadarVoSettings {
        RadarVoSettings {
            base_url: "https://api.radarvo.example/".into(),
            api_key: Secret::new("rv_live_s3cr3t"),
            per_page: Some(per_page),
        }
    }

    #[test]
    fn a_page_in_english_and_french_fields() {
        let feed = parse(&fixture("radarvo-page1.json")).unwrap();
        assert_eq!(feed.records.len(), 3, "{:?}", feed.errors);
        let first = &feed.records[0];
        assert_eq!(first.source, "radarvo");
        assert_eq!(first.external_ref.as_deref(), Some("RV-9001"));
        assert_eq!(first.make, "Citroën");
        assert_eq!(first.model, "Berlingo");
        assert_eq!(first.plate.as_ref().map(|p| p.as_str()), Some("AB123CD"));
        assert_eq!(first.mileage_km, Some(61_000));
        assert_eq!(first.first_registration.as_deref(), Some("2019-05-20"));
        assert_eq!(first.location.as_deref(), Some("Lyon Sud"));
        assert_eq!(
            first.photo_url.as_deref(),
            Some("https://cdn.radarvo.example/9001/1.jpg")
        );
        // French field names, numeric id, string mileage, dd/mm/yyyy.
        let second = &feed.records[1];
        assert_eq!(second.external_ref.as_deref(), Some("9002"));
        assert_eq!(second.make, "Škoda");
        assert_eq!(second.mileage_km, Some(15_000));
        assert_eq!(second.first_registration.as_deref(), Some("2022-02-01"));
        assert_eq!(second.colour.as_deref(), Some("Bleu Énergie"));
        let errors: Vec<&str> = feed.errors.iter().map(|e| e.record.as_str()).collect();
        assert_eq!(
            errors,
            ["RV-9004", "véhicule n° 5", "RV-9001"],
            "{:?}",
            feed.errors
        );
        assert!(feed.errors[0].reason.contains("La marque est obligatoire"));
        assert!(feed.errors[1].reason.contains("objet JSON"));
        assert!(feed.errors[2].reason.contains("plusieurs fois"));
    }

    #[test]
    fn not_the_api_is_refused_whole() {
        assert!(matches!(parse(b"<html/>"), Err(FeedError::NotAFeed(_))));
        assert!(matches!(
            parse(b"{\"error\":\"quota\"}"),
            Err(FeedError::NotAFeed(_))
        ));
        assert_eq!(parse(b""), Err(FeedError::Empty));
        assert!(parse(b"[]").unwrap().records.is_empty());
    }

    #[tokio::test]
    async fn fetch_reads_every_page_with_the_bearer_key() {
        let fetcher = Arc::new(
            CannedFetcher::new()
                .answer(
                    "https://api.radarvo.example/v1/stock?page=1&per_page=5",
                    200,
                    fixture("radarvo-page1.json"),
                )
                .answer(
                    "https://api.radarvo.example/v1/stock?page=2&per_page=5",
                    200,
                    fixture("radarvo-page2.json"),
                ),
        );
        let source = RadarVo::new(settings(5), fetcher.clone()).unwrap();
        let feed = source.fetch().await.unwrap();
        assert_eq!(feed.records.len(), 4, "{:?}", feed.errors);
        assert_eq!(feed.records[3].external_ref.as_deref(), Some("RV-9006"));
        // Page 2's duplicate of page 1's plate is reported, named by reference.
        assert!(
            feed.errors
                .iter()
                .any(|e| e.record == "RV-9007" && e.reason.contains("AB-123-CD"))
        );
        let requests = fetcher.requests();
        assert_eq!(requests.len(), 2);
        assert!(
            requests
                .iter()
                .all(|r| r.auth == FetchAuth::Bearer(Secret::new("rv_live_s3cr3t")))
        );
        assert!(!format!("{requests:?}").contains("s3cr3t"));
    }

    #[tokio::test]
    async fn a_refused_key_or_a_failed_page_fails_the_fetch() {
        let url = "https://api.radarvo.example/v1/stock?page=1&per_page=5";
        let source = RadarVo::new(
            settings(5),
            Arc::new(CannedFetcher::new().answer(url, 401, "{}")),
        )
        .unwrap();
        assert_eq!(source.fetch().await, Err(FeedError::Unauthorized(401)));
        // Page 2 missing: no partial stock.
        let source = RadarVo::new(
            settings(5),
            Arc::new(CannedFetcher::new().answer(url, 200, fixture("radarvo-page1.json"))),
        )
        .unwrap();
        assert!(matches!(source.fetch().await, Err(FeedError::Network(_))));
        assert!(
            RadarVo::new(
                RadarVoSettings {
                    base_url: "ftp://x".into(),
                    api_key: Secret::new("k"),
                    per_page: None
                },
                Arc::new(CannedFetcher::new())
            )
            .is_err()
        );
    }

    #[tokio::test]
    async fn ten_thousand_vehicles_over_twenty_pages() {
        let vehicles = generate::vehicles(10_000);
        let mut fetcher = CannedFetcher::new();
        let pages: Vec<&[generate::FeedVehicle]> = vehicles.chunks(500).collect();
        for (i, chunk) in pages.iter().enumerate() {
            fetcher = fetcher.answer(
                &format!(
                    "https://api.radarvo.example/v1/stock?page={}&per_page=500",
                    i + 1
                ),
                200,
                generate::radarvo_page(chunk, i + 1, pages.len()),
            );
        }
        let source = RadarVo::new(settings(500), Arc::new(fetcher)).unwrap();
        let started = std::time::Instant::now();
        let feed = source.fetch().await.unwrap();
        eprintln!(
            "radarvo: 10,000 vehicles in 20 pages, fetched and parsed in {:?}",
            started.elapsed()
        );
        assert_eq!(feed.records.len(), 10_000, "{:?}", feed.errors.first());
        generate::assert_matches(&vehicles, &feed.records);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
            let _ = parse(&bytes);
        }

        #[test]
        fn arbitrary_json_never_panics(text in "[\\[\\]{}:,\"a-z0-9é .-]{0,300}") {
            let _ = parse(format!("{{\"data\":[{text}]}}").as_bytes());
        }

        #[test]
        fn a_generated_page_round_trips(vehicles in generate::arbitrary_vehicles(30)) {
            let feed = parse(&generate::radarvo_page(&vehicles, 1, 1)).unwrap();
            prop_assert!(feed.errors.is_empty(), "{:?}", feed.errors);
            generate::assert_matches(&vehicles, &feed.records);
        }
    }
}
