//! Stock connectors: reading one dealer account's current stock from its
//! stock tool, as normalised [`StockRecord`]s.
//!
//! Each connector is two halves:
//! - a pure `parse(bytes) -> FeedResult` (no I/O: unit tests, property tests
//!   and fuzz targets call it);
//! - a [`StockSource`] that fetches the feed through a [`FeedFetcher`]
//!   (reqwest in [`http_fetch`], a canned one in the tests) and parses it.
//!
//! A feed gives its good records, and a French [`RecordError`] for each bad
//! one, named by its reference (or its line / position): a bad record never
//! stops the others. A feed that cannot be read at all (network, refused
//! key, not a stock export, required columns missing) is a [`FeedError`].
//! A feed read only in part (truncated XML) is marked `complete: false`:
//! the sync must then not remove the vehicles it does not see.
//!
//! Connectors: [`radarvo`] (the aggregator's JSON API, the main path),
//! [`spidervo`] (its public XML export), and [`feed`], the CSV/XML importer
//! driven by a [`feed::FeedMapping`] with presets for PlanetVO, Cardiff,
//! V12 and Eurolinea; [`manual`] shows an uploaded manual CSV as a feed.
//! See `docs/stock-connectors.md`.

pub mod feed;
#[cfg(any(test, feature = "testing"))]
pub mod generate;
pub mod http_fetch;
pub mod manual;
pub mod radarvo;
pub mod spidervo;
mod xml;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::domain::{Plate, Vin};
use crate::stock::csv::{MAX_DETAIL_CHARS, MAX_NAME_CHARS};

/// Largest feed body read (a 10,000-vehicle feed is about 5 MB).
pub const MAX_FEED_BYTES: usize = 64 * 1024 * 1024;
/// Most records in one feed (good and bad together).
pub const MAX_RECORDS: usize = 100_000;
/// Most warnings kept for one feed (errors are all kept).
pub const MAX_WARNINGS: usize = 1_000;

/// One vehicle of a dealer's feed, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockRecord {
    /// The connector or preset (`radarvo`, `spidervo`, `planetvo`, ...):
    /// with `external_ref`, the key the sync matches on first.
    pub source: String,
    /// The tool's own reference for the vehicle.
    pub external_ref: Option<String>,
    pub make: String,
    pub model: String,
    /// The trim ("version", "finition").
    pub version: Option<String>,
    /// Normalised by [`Plate::parse`]; its warning is in the feed's warnings.
    pub plate: Option<Plate>,
    pub vin: Option<Vin>,
    pub mileage_km: Option<u32>,
    /// ISO date `YYYY-MM-DD` (the day is 01 when the feed gives a month).
    pub first_registration: Option<String>,
    pub fuel: Option<String>,
    pub colour: Option<String>,
    /// The site / agency holding the vehicle.
    pub location: Option<String>,
    /// The first photo, an `http(s)` URL.
    pub photo_url: Option<String>,
}

impl StockRecord {
    /// How the record is named in messages: its reference, its plate, its VIN.
    pub fn label(&self) -> String {
        self.external_ref
            .clone()
            .or_else(|| self.plate.as_ref().map(Plate::display))
            .or_else(|| self.vin.as_ref().map(|v| v.as_str().to_owned()))
            .unwrap_or_default()
    }
}

/// A French message about one record of a feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecordError {
    /// The record's reference when it has one, else where it is
    /// (`ligne 12`, `véhicule n° 3`).
    pub record: String,
    pub reason: String,
}

impl RecordError {
    pub fn new(record: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            record: record.into(),
            reason: reason.into(),
        }
    }
}

/// One account's feed, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    pub source: String,
    /// The good records, in feed order.
    pub records: Vec<StockRecord>,
    /// The bad records, in feed order: each left out, the others kept.
    pub errors: Vec<RecordError>,
    /// Kept records with something doubtful (a foreign plate, a VIN check
    /// digit, an unreadable mileage dropped), at most [`MAX_WARNINGS`].
    pub warnings: Vec<RecordError>,
    /// False when the feed was cut short (truncated XML): the records seen
    /// are good, but a vehicle missing from them may still be in stock.
    pub complete: bool,
    /// `UTF-8`, `windows-1252`, `UTF-16LE`, ... (what the bytes were read as).
    pub encoding: &'static str,
}

/// What a parser or a source gives.
pub type FeedResult = Result<Feed, FeedError>;

/// A feed that cannot be read at all. French, for the sync report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    #[error("Le flux de stock est vide.")]
    Empty,
    #[error("Le flux de stock dépasse {} Mo.", MAX_FEED_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("Le flux de stock compte plus de {} véhicules.", MAX_RECORDS)]
    TooManyRecords,
    #[error("Le flux n'est pas un export de stock lisible : {0}")]
    NotAFeed(String),
    #[error("Colonnes obligatoires absentes du flux : {}.", .0.join(", "))]
    MissingColumns(Vec<String>),
    #[error(
        "Le fournisseur de stock refuse l'accès (HTTP {0}) : vérifiez la clé ou le mot de passe."
    )]
    Unauthorized(u16),
    #[error("Le fournisseur de stock répond par une erreur (HTTP {0}).")]
    Http(u16),
    #[error("Le fournisseur de stock est injoignable : {0}")]
    Network(String),
    #[error("La connexion de stock est mal configurée : {0}")]
    Config(String),
}

/// A password or an API key: never printed, never serialised.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How a request authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchAuth {
    None,
    Bearer(Secret),
    Basic { username: String, password: Secret },
}

/// One `GET` of a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRequest {
    pub url: String,
    pub auth: FetchAuth,
}

/// The answer: its status and its body (at most [`MAX_FEED_BYTES`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

impl FetchResponse {
    /// The body of a 2xx answer; 401/403 as [`FeedError::Unauthorized`].
    pub fn ok_body(self) -> Result<Vec<u8>, FeedError> {
        match self.status {
            200..=299 => Ok(self.body),
            401 | 403 => Err(FeedError::Unauthorized(self.status)),
            status => Err(FeedError::Http(status)),
        }
    }
}

/// Gets a feed over the network: [`http_fetch::HttpFetcher`], or a canned
/// one in the tests.
#[async_trait]
pub trait FeedFetcher: Send + Sync {
    async fn get(&self, request: &FetchRequest) -> Result<FetchResponse, FeedError>;
}

/// One account's stock tool. Object-safe: the sync holds a
/// `Box<dyn StockSource>` made by [`StockConnection::source`].
#[async_trait]
pub trait StockSource: Send + Sync {
    /// The `source` of its records.
    fn source(&self) -> &str;
    /// The account's whole current stock.
    async fn fetch(&self) -> FeedResult;
}

/// The `provider` of a stock connection, as the API names it: the main
/// path (`radarvo`), Spider-VO's export, a named tool's export (a `feed`
/// with that tool's preset), a CSV feed with its own column mapping
/// (`csv_feed`), or a `feed` with a preset or mapping given in the settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    Radarvo,
    Spidervo,
    Planetvo,
    Cardiff,
    V12,
    Eurolinea,
    CsvFeed,
    Feed,
}

impl Provider {
    pub const ALL: [Provider; 8] = [
        Provider::Radarvo,
        Provider::Spidervo,
        Provider::Planetvo,
        Provider::Cardiff,
        Provider::V12,
        Provider::Eurolinea,
        Provider::CsvFeed,
        Provider::Feed,
    ];

    pub fn parse(name: &str) -> Option<Provider> {
        serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
    }

    pub fn name(self) -> &'static str {
        match self {
            Provider::Radarvo => "radarvo",
            Provider::Spidervo => "spidervo",
            Provider::Planetvo => "planetvo",
            Provider::Cardiff => "cardiff",
            Provider::V12 => "v12",
            Provider::Eurolinea => "eurolinea",
            Provider::CsvFeed => "csv_feed",
            Provider::Feed => "feed",
        }
    }

    /// The tag of [`StockConnection`] it is read as.
    pub fn tag(self) -> &'static str {
        match self {
            Provider::Radarvo => "radarvo",
            Provider::Spidervo => "spidervo",
            _ => "feed",
        }
    }

    /// The feed preset a named tool implies.
    pub fn preset(self) -> Option<&'static str> {
        match self {
            Provider::Planetvo => Some("planetvo"),
            Provider::Cardiff => Some("cardiff"),
            Provider::V12 => Some("v12"),
            Provider::Eurolinea => Some("eurolinea"),
            _ => None,
        }
    }
}

/// An account's stock connection, as a manager configures it (the secrets
/// deserialise but never serialise back).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "provider", rename_all = "snake_case")]
pub enum StockConnection {
    Radarvo(radarvo::RadarVoSettings),
    Spidervo(spidervo::SpiderVoSettings),
    Feed(feed::FeedSettings),
}

impl StockConnection {
    /// The source its records carry.
    pub fn source_name(&self) -> Result<String, FeedError> {
        Ok(match self {
            StockConnection::Radarvo(_) => radarvo::SOURCE.to_owned(),
            StockConnection::Spidervo(_) => spidervo::SOURCE.to_owned(),
            StockConnection::Feed(settings) => settings.mapping()?.source,
        })
    }

    /// The connector, fetching through `fetcher`.
    pub fn source(&self, fetcher: Arc<dyn FeedFetcher>) -> Result<Box<dyn StockSource>, FeedError> {
        Ok(match self {
            StockConnection::Radarvo(settings) => {
                Box::new(radarvo::RadarVo::new(settings.clone(), fetcher)?)
            }
            StockConnection::Spidervo(settings) => {
                Box::new(spidervo::SpiderVo::new(settings.clone(), fetcher)?)
            }
            StockConnection::Feed(settings) => {
                Box::new(feed::FeedSource::new(settings.clone(), fetcher)?)
            }
        })
    }
}

/// An `http(s)` URL, or a configuration error.
pub(crate) fn check_url(url: &str) -> Result<(), FeedError> {
    match url::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Ok(()),
        _ => Err(FeedError::Config(
            "l'adresse du flux doit être une URL http(s).".into(),
        )),
    }
}

// ---- what every connector shares: fields, and the record builder ----

/// A field of [`StockRecord`], as mappings name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    ExternalRef,
    Make,
    Model,
    Version,
    Plate,
    Vin,
    MileageKm,
    FirstRegistration,
    Fuel,
    Colour,
    Location,
    PhotoUrl,
}

impl Field {
    pub const ALL: [Field; 12] = [
        Field::ExternalRef,
        Field::Make,
        Field::Model,
        Field::Version,
        Field::Plate,
        Field::Vin,
        Field::MileageKm,
        Field::FirstRegistration,
        Field::Fuel,
        Field::Colour,
        Field::Location,
        Field::PhotoUrl,
    ];

    /// The French name, for messages.
    pub fn label_fr(self) -> &'static str {
        match self {
            Field::ExternalRef => "référence",
            Field::Make => "marque",
            Field::Model => "modèle",
            Field::Version => "version",
            Field::Plate => "immatriculation",
            Field::Vin => "VIN",
            Field::MileageKm => "kilométrage",
            Field::FirstRegistration => "date de première immatriculation",
            Field::Fuel => "énergie",
            Field::Colour => "couleur",
            Field::Location => "site",
            Field::PhotoUrl => "photo",
        }
    }
}

/// The raw text of one record's fields, before checking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RawRecord {
    values: BTreeMap<Field, String>,
}

impl RawRecord {
    /// Keeps the first non-blank value of a field.
    pub(crate) fn set(&mut self, field: Field, value: &str) {
        let value = value.trim();
        if !value.is_empty() {
            self.values.entry(field).or_insert_with(|| value.to_owned());
        }
    }

    pub(crate) fn get(&self, field: Field) -> Option<&str> {
        self.values.get(&field).map(String::as_str)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Collects a feed's records: checks each, reports the bad ones, and the
/// second of two records with one reference, plate or VIN.
pub(crate) struct FeedBuilder {
    feed: Feed,
    date_formats: Vec<String>,
    references: std::collections::HashSet<String>,
    plates: HashMap<String, String>,
    vins: HashMap<String, String>,
    count: usize,
}

impl FeedBuilder {
    pub(crate) fn new(source: &str, encoding: &'static str, date_formats: Vec<String>) -> Self {
        Self {
            feed: Feed {
                source: source.to_owned(),
                records: Vec::new(),
                errors: Vec::new(),
                warnings: Vec::new(),
                complete: true,
                encoding,
            },
            date_formats,
            references: std::collections::HashSet::new(),
            plates: HashMap::new(),
            vins: HashMap::new(),
            count: 0,
        }
    }

    pub(crate) fn mark_incomplete(&mut self) {
        self.feed.complete = false;
    }

    pub(crate) fn error(&mut self, error: RecordError) {
        self.feed.errors.push(error);
    }

    fn warn(&mut self, record: &str, reason: String) {
        if self.feed.warnings.len() < MAX_WARNINGS {
            self.feed.warnings.push(RecordError::new(record, reason));
        }
    }

    /// Checks one record; `position` names it when it has no reference.
    pub(crate) fn push(&mut self, position: &str, raw: &RawRecord) -> Result<(), FeedError> {
        self.count += 1;
        if self.count > MAX_RECORDS {
            return Err(FeedError::TooManyRecords);
        }
        let name = raw
            .get(Field::ExternalRef)
            .map(|r| truncate(r, MAX_DETAIL_CHARS))
            .unwrap_or_else(|| position.to_owned());
        match self.check(raw) {
            Ok((record, warnings)) => {
                if let Some(reason) = self.duplicate(&record) {
                    self.feed.errors.push(RecordError::new(name, reason));
                    return Ok(());
                }
                for warning in warnings {
                    self.warn(&name, warning);
                }
                self.feed.records.push(record);
            }
            Err(reasons) => self
                .feed
                .errors
                .push(RecordError::new(name, reasons.join(" "))),
        }
        Ok(())
    }

    /// Why the record repeats an earlier one, after noting its keys.
    fn duplicate(&mut self, record: &StockRecord) -> Option<String> {
        let label = record.label();
        if let Some(reference) = &record.external_ref
            && self.references.contains(reference)
        {
            return Some(format!(
                "La référence « {reference} » figure plusieurs fois dans le flux : seule la première fiche est gardée."
            ));
        }
        if let Some(plate) = &record.plate
            && let Some(first) = self.plates.get(plate.as_str())
        {
            return Some(format!(
                "L'immatriculation {} est déjà celle du véhicule « {first} » du flux.",
                plate.display()
            ));
        }
        if let Some(vin) = &record.vin
            && let Some(first) = self.vins.get(vin.as_str())
        {
            return Some(format!(
                "Le VIN {} est déjà celui du véhicule « {first} » du flux.",
                vin.as_str()
            ));
        }
        if let Some(reference) = &record.external_ref {
            self.references.insert(reference.clone());
        }
        if let Some(plate) = &record.plate {
            self.plates.insert(plate.as_str().to_owned(), label.clone());
        }
        if let Some(vin) = &record.vin {
            self.vins.insert(vin.as_str().to_owned(), label);
        }
        None
    }

    /// The record and its warnings, or every reason it is refused.
    fn check(&self, raw: &RawRecord) -> Result<(StockRecord, Vec<String>), Vec<String>> {
        let mut reasons = Vec::new();
        let mut warnings = Vec::new();
        let mut required = |field: Field, what: &str| match raw.get(field) {
            None => {
                reasons.push(format!("{what} est obligatoire."));
                None
            }
            Some(text) if text.chars().count() > MAX_NAME_CHARS => {
                reasons.push(format!("{what} dépasse {MAX_NAME_CHARS} caractères."));
                None
            }
            Some(text) => Some(text.to_owned()),
        };
        let make = required(Field::Make, "La marque");
        let model = required(Field::Model, "Le modèle");
        let mut detail = |field: Field, what: &str| match raw.get(field) {
            Some(text) if text.chars().count() > MAX_DETAIL_CHARS => {
                reasons.push(format!("{what} dépasse {MAX_DETAIL_CHARS} caractères."));
                None
            }
            other => other.map(str::to_owned),
        };
        let external_ref = detail(Field::ExternalRef, "La référence");
        let version = detail(Field::Version, "La version");
        let plate = match raw.get(Field::Plate) {
            None => None,
            Some(text) => match Plate::parse(text) {
                Ok(parsed) => {
                    warnings.extend(parsed.warning);
                    Some(parsed.plate)
                }
                Err(err) => {
                    reasons.push(err.to_string());
                    None
                }
            },
        };
        let vin = match raw.get(Field::Vin) {
            None => None,
            Some(text) => match Vin::parse(text) {
                Ok(parsed) => {
                    warnings.extend(parsed.warning);
                    Some(parsed.vin)
                }
                Err(err) => {
                    reasons.push(err.to_string());
                    None
                }
            },
        };
        if external_ref.is_none()
            && plate.is_none()
            && vin.is_none()
            && raw.get(Field::Plate).is_none()
            && raw.get(Field::Vin).is_none()
        {
            reasons.push(
                "Le véhicule n'a ni référence, ni immatriculation, ni VIN : il ne peut pas être suivi."
                    .to_owned(),
            );
        }
        // The other fields: a bad value is dropped with a warning.
        let mileage_km = raw.get(Field::MileageKm).and_then(|text| {
            let parsed = parse_mileage(text);
            if parsed.is_none() {
                warnings.push(format!(
                    "Kilométrage « {} » illisible : il est ignoré.",
                    truncate(text, 30)
                ));
            }
            parsed
        });
        let first_registration = raw.get(Field::FirstRegistration).and_then(|text| {
            let parsed = parse_date(text, &self.date_formats);
            if parsed.is_none() {
                warnings.push(format!(
                    "Date de première immatriculation « {} » illisible : elle est ignorée.",
                    truncate(text, 30)
                ));
            }
            parsed
        });
        let mut optional = |field: Field| match raw.get(field) {
            Some(text) if text.chars().count() > MAX_DETAIL_CHARS => {
                warnings.push(format!(
                    "Le champ {} dépasse {MAX_DETAIL_CHARS} caractères : il est ignoré.",
                    field.label_fr()
                ));
                None
            }
            other => other.map(str::to_owned),
        };
        let fuel = optional(Field::Fuel);
        let colour = optional(Field::Colour);
        let location = optional(Field::Location);
        let photo_url = raw.get(Field::PhotoUrl).and_then(|text| {
            let url = first_url(text);
            if url.is_none() {
                warnings.push(
                    "L'adresse de la photo n'est pas une URL http(s) : elle est ignorée."
                        .to_owned(),
                );
            }
            url
        });
        match (make, model) {
            (Some(make), Some(model)) if reasons.is_empty() => Ok((
                StockRecord {
                    source: self.feed.source.clone(),
                    external_ref,
                    make,
                    model,
                    version,
                    plate,
                    vin,
                    mileage_km,
                    first_registration,
                    fuel,
                    colour,
                    location,
                    photo_url,
                },
                warnings,
            )),
            _ => Err(reasons),
        }
    }

    pub(crate) fn finish(self) -> Feed {
        self.feed
    }
}

/// At most `max` characters of `text`.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// A mileage as tools write it: `12500`, `12 500 km`, `12.500`, `12500.0`.
pub fn parse_mileage(text: &str) -> Option<u32> {
    let mut cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
        .collect();
    let lower = cleaned.to_ascii_lowercase();
    if lower.ends_with("km") {
        cleaned.truncate(cleaned.len() - 2);
    }
    if cleaned.is_empty()
        || !cleaned
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    {
        return None;
    }
    let groups: Vec<&str> = cleaned.split(['.', ',']).collect();
    let digits = match groups.as_slice() {
        [whole] => (*whole).to_owned(),
        // Thousands separators: 12.500, 1,234,567.
        [first, rest @ ..]
            if (1..=3).contains(&first.len()) && rest.iter().all(|g| g.len() == 3) =>
        {
            groups.concat()
        }
        // Decimals: 12500.0, 12500,50.
        [whole, decimals] if !whole.is_empty() && (1..=2).contains(&decimals.len()) => {
            (*whole).to_owned()
        }
        _ => return None,
    };
    digits.parse().ok()
}

/// Formats tried for dates when a mapping gives none.
pub fn default_date_formats() -> Vec<String> {
    [
        "dd/mm/yyyy",
        "yyyy-mm-dd",
        "dd-mm-yyyy",
        "dd.mm.yyyy",
        "mm/yyyy",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// A date in the first of `formats` that reads it (`dd`, `mm`, `yyyy`
/// for the day, month and year, anything else literal; a time after a
/// space or a `T` is ignored), as ISO `YYYY-MM-DD`.
pub fn parse_date(text: &str, formats: &[String]) -> Option<String> {
    let text = text.trim();
    let date = text.split_once([' ', 'T']).map_or(text, |(date, _)| date);
    formats.iter().find_map(|format| date_in(date, format))
}

fn date_in(text: &str, format: &str) -> Option<String> {
    let text = text.as_bytes();
    let format = format.as_bytes();
    let (mut day, mut month, mut year) = (1u32, None, None);
    let (mut t, mut f) = (0usize, 0usize);
    while f < format.len() {
        let c = format[f];
        if matches!(c, b'd' | b'm' | b'y') {
            let run = format[f..].iter().take_while(|b| **b == c).count();
            f += run;
            let max = if c == b'y' { 4 } else { 2 };
            let min = if c == b'y' { 4 } else { 1 };
            let digits = text
                .get(t..)?
                .iter()
                .take(max)
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits < min {
                return None;
            }
            let value: u32 = std::str::from_utf8(text.get(t..t + digits)?)
                .ok()?
                .parse()
                .ok()?;
            t += digits;
            match c {
                b'd' => day = value,
                b'm' => month = Some(value),
                _ => year = Some(value),
            }
        } else {
            if text.get(t) != Some(&c) {
                return None;
            }
            t += 1;
            f += 1;
        }
    }
    if t != text.len() {
        return None;
    }
    let (year, month) = (year?, month?);
    if !(1900..=2100).contains(&year) {
        return None;
    }
    let month_enum = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date = time::Date::from_calendar_date(
        i32::try_from(year).ok()?,
        month_enum,
        u8::try_from(day).ok()?,
    )
    .ok()?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}

/// The first `http(s)` URL of a cell that may list several (`|`, `,`,
/// `;` or spaces between them).
pub(crate) fn first_url(text: &str) -> Option<String> {
    text.split(['|', ',', ';', ' ', '\n', '\t'])
        .map(str::trim)
        .find(|part| {
            url::Url::parse(part)
                .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .unwrap_or(false)
        })
        .filter(|url| url.len() <= 2048)
        .map(str::to_owned)
}

/// A fetcher answering from a table of URLs, recording what it was asked:
/// for tests, here and in the sync's.
#[cfg(any(test, feature = "testing"))]
#[derive(Default)]
pub struct CannedFetcher {
    answers: std::sync::Mutex<HashMap<String, FetchResponse>>,
    requests: std::sync::Mutex<Vec<FetchRequest>>,
}

#[cfg(any(test, feature = "testing"))]
impl CannedFetcher {
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers `url` with `status` and `body`.
    pub fn answer(self, url: &str, status: u16, body: impl Into<Vec<u8>>) -> Self {
        if let Ok(mut answers) = self.answers.lock() {
            answers.insert(
                url.to_owned(),
                FetchResponse {
                    status,
                    body: body.into(),
                },
            );
        }
        self
    }

    /// The requests made so far.
    pub fn requests(&self) -> Vec<FetchRequest> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

#[cfg(any(test, feature = "testing"))]
#[async_trait]
impl FeedFetcher for CannedFetcher {
    async fn get(&self, request: &FetchRequest) -> Result<FetchResponse, FeedError> {
        if let Ok(mut requests) = self.requests.lock() {
            requests.push(request.clone());
        }
        let answer = self
            .answers
            .lock()
            .ok()
            .and_then(|answers| answers.get(&request.url).cloned());
        answer.ok_or_else(|| FeedError::Network("connexion refusée".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every documented provider reads as a `StockConnection`.
    #[test]
    fn every_provider_is_a_stock_connection() {
        for provider in Provider::ALL {
            assert_eq!(Provider::parse(provider.name()), Some(provider));
            let tagged = serde_json::json!({ "provider": provider.tag() });
            let err = serde_json::from_value::<StockConnection>(tagged)
                .expect_err("settings are missing")
                .to_string();
            assert!(!err.contains("unknown variant"), "{provider:?}: {err}");
        }
        let unknown = serde_json::json!({ "provider": "minitel" });
        let err = serde_json::from_value::<StockConnection>(unknown).expect_err("unknown");
        assert!(err.to_string().contains("unknown variant"), "{err}");
    }

    fn formats() -> Vec<String> {
        default_date_formats()
    }

    #[test]
    fn dates_in_french_and_iso_forms() {
        assert_eq!(
            parse_date("15/03/2019", &formats()).as_deref(),
            Some("2019-03-15")
        );
        assert_eq!(
            parse_date("5/3/2019", &formats()).as_deref(),
            Some("2019-03-05")
        );
        assert_eq!(
            parse_date("2019-03-15", &formats()).as_deref(),
            Some("2019-03-15")
        );
        assert_eq!(
            parse_date("2019-03-15T00:00:00Z", &formats()).as_deref(),
            Some("2019-03-15")
        );
        assert_eq!(
            parse_date("15/03/2019 00:00:00", &formats()).as_deref(),
            Some("2019-03-15")
        );
        assert_eq!(
            parse_date("15.03.2019", &formats()).as_deref(),
            Some("2019-03-15")
        );
        assert_eq!(
            parse_date("03/2019", &formats()).as_deref(),
            Some("2019-03-01")
        );
        assert_eq!(parse_date("31/02/2019", &formats()), None);
        assert_eq!(parse_date("hier", &formats()), None);
        assert_eq!(parse_date("", &formats()), None);
    }

    #[test]
    fn mileages_as_tools_write_them() {
        assert_eq!(parse_mileage("12500"), Some(12_500));
        assert_eq!(parse_mileage("12 500 km"), Some(12_500));
        assert_eq!(parse_mileage("12\u{a0}500 KM"), Some(12_500));
        assert_eq!(parse_mileage("12.500"), Some(12_500));
        assert_eq!(parse_mileage("1,234,567"), Some(1_234_567));
        assert_eq!(parse_mileage("12500.0"), Some(12_500));
        assert_eq!(parse_mileage("12500,50"), Some(12_500));
        assert_eq!(parse_mileage("-3"), None);
        assert_eq!(parse_mileage("beaucoup"), None);
        assert_eq!(parse_mileage("99999999999"), None);
    }

    #[test]
    fn photo_cells_give_their_first_url() {
        assert_eq!(
            first_url("https://a.example/1.jpg|https://a.example/2.jpg").as_deref(),
            Some("https://a.example/1.jpg")
        );
        assert_eq!(first_url("photo1.jpg"), None);
        assert_eq!(first_url("javascript:alert(1)"), None);
    }

    #[test]
    fn secrets_do_not_print() {
        let secret = Secret::new("sk_live_123");
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        let auth = FetchAuth::Bearer(secret);
        assert!(!format!("{auth:?}").contains("sk_live"));
    }

    #[test]
    fn a_connection_deserialises_and_hides_its_key() {
        let connection: StockConnection = serde_json::from_str(
            r#"{"provider":"radarvo","base_url":"https://api.radarvo.example","api_key":"k-123"}"#,
        )
        .unwrap();
        assert!(!format!("{connection:?}").contains("k-123"));
        assert_eq!(connection.source_name().unwrap(), "radarvo");
        let feed: StockConnection = serde_json::from_str(
            r#"{"provider":"feed","url":"https://x.example/export.csv","preset":"planetvo"}"#,
        )
        .unwrap();
        assert_eq!(feed.source_name().unwrap(), "planetvo");
        let fetcher: Arc<dyn FeedFetcher> = Arc::new(CannedFetcher::new());
        assert!(connection.source(fetcher.clone()).is_ok());
        assert!(feed.source(fetcher).is_ok());
    }
}
