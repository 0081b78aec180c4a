//! The configurable feed importer: a CSV or XML export read through a
//! [`FeedMapping`] (which column or element is which field, the
//! separator, the encoding, the date formats). A new tool, or a renamed
//! column, is a new mapping (JSON), not new code. Presets give the
//! mappings of PlanetVO, Cardiff, V12 and Eurolinea exports.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::stock::csv::{decode, detect_separator};
use crate::stock::fold::fold_alphanumeric;

use super::xml;
use super::{
    FeedBuilder, FeedError, FeedFetcher, FeedResult, FetchAuth, FetchRequest, Field,
    MAX_FEED_BYTES, RawRecord, RecordError, Secret, StockSource, check_url, default_date_formats,
};

/// How a feed's bytes are text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedEncoding {
    /// UTF-8 (BOM or not) when valid, UTF-16 with its BOM, else Windows-1252.
    #[default]
    Auto,
    /// UTF-8, invalid bytes replaced.
    #[serde(rename = "utf8", alias = "utf-8")]
    Utf8,
    /// Windows-1252 (Latin-1 as French Windows writes it).
    #[serde(rename = "windows_1252", alias = "windows-1252", alias = "cp1252")]
    Windows1252,
}

/// CSV (separator detected when not given) or XML (records are the
/// elements named `record`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FeedFormat {
    Csv {
        #[serde(default)]
        separator: Option<char>,
    },
    Xml {
        record: String,
    },
}

/// How to read one tool's export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedMapping {
    /// The `source` of the records (`[a-z0-9_-]`, at most 32 characters).
    pub source: String,
    pub format: FeedFormat,
    #[serde(default)]
    pub encoding: FeedEncoding,
    /// `dd`, `mm`, `yyyy` and literals; the first that reads a date wins.
    #[serde(default = "default_date_formats")]
    pub date_formats: Vec<String>,
    /// For each field, the column (CSV header) or element names that hold
    /// it, compared without case, accents, spaces or punctuation; in XML a
    /// name is a path below the record (`photos/photo`, `@id`) or the last
    /// element of one (`photo`). The first name found wins.
    pub fields: BTreeMap<Field, Vec<String>>,
}

impl FeedMapping {
    /// Refuses a mapping that cannot give a record.
    pub fn validate(&self) -> Result<(), FeedError> {
        let source_ok = !self.source.is_empty()
            && self.source.len() <= 32
            && self
                .source
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !source_ok {
            return Err(FeedError::Config(
                "le nom de la source doit être fait de minuscules, de chiffres, de « - » ou « _ » (32 au plus).".into(),
            ));
        }
        for field in [Field::Make, Field::Model] {
            if self.fields.get(&field).is_none_or(Vec::is_empty) {
                return Err(FeedError::Config(format!(
                    "la correspondance ne dit pas où lire la {}.",
                    field.label_fr()
                )));
            }
        }
        if [Field::ExternalRef, Field::Plate, Field::Vin]
            .iter()
            .all(|f| self.fields.get(f).is_none_or(Vec::is_empty))
        {
            return Err(FeedError::Config(
                "la correspondance doit lire une référence, une immatriculation ou un VIN.".into(),
            ));
        }
        match &self.format {
            FeedFormat::Csv {
                separator: Some(separator),
            } if !separator.is_ascii()
                || separator.is_ascii_alphanumeric()
                || *separator == '"' =>
            {
                Err(FeedError::Config("séparateur CSV invalide.".into()))
            }
            FeedFormat::Xml { record } if record.trim().is_empty() => Err(FeedError::Config(
                "le nom de l'élément XML d'un véhicule est vide.".into(),
            )),
            _ => Ok(()),
        }
    }

    /// The mapping's fields as `field -> names` from a list of pairs.
    pub(crate) fn fields_of(pairs: &[(Field, &[&str])]) -> BTreeMap<Field, Vec<String>> {
        pairs
            .iter()
            .map(|(field, names)| (*field, names.iter().map(|n| (*n).to_owned()).collect()))
            .collect()
    }
}

/// The tools whose exports have a built-in mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    Planetvo,
    Cardiff,
    V12,
    Eurolinea,
}

impl Preset {
    pub const ALL: [Preset; 4] = [
        Preset::Planetvo,
        Preset::Cardiff,
        Preset::V12,
        Preset::Eurolinea,
    ];

    /// The preset's mapping (documented in `docs/stock-connectors.md`).
    pub fn mapping(self) -> FeedMapping {
        use Field::*;
        let csv = FeedFormat::Csv { separator: None };
        match self {
            Preset::Planetvo => FeedMapping {
                source: "planetvo".into(),
                format: csv,
                encoding: FeedEncoding::Auto,
                date_formats: default_date_formats(),
                fields: FeedMapping::fields_of(&[
                    (ExternalRef, &["Référence", "Ref", "N° stock"]),
                    (Make, &["Marque"]),
                    (Model, &["Modèle", "Famille"]),
                    (Version, &["Version", "Finition"]),
                    (Plate, &["Immatriculation", "Immat"]),
                    (Vin, &["VIN", "N° de série"]),
                    (MileageKm, &["Kilométrage", "Km"]),
                    (
                        FirstRegistration,
                        &["Date 1ère MEC", "Date MEC", "Mise en circulation"],
                    ),
                    (Fuel, &["Energie", "Carburant"]),
                    (Colour, &["Couleur", "Couleur extérieure"]),
                    (Location, &["Site", "Lieu de stockage"]),
                    (PhotoUrl, &["Photo 1", "Photos", "URL photo"]),
                ]),
            },
            Preset::Cardiff => FeedMapping {
                source: "cardiff".into(),
                format: csv,
                encoding: FeedEncoding::Auto,
                date_formats: default_date_formats(),
                fields: FeedMapping::fields_of(&[
                    (ExternalRef, &["NumeroStock", "N° stock", "NumeroDossier"]),
                    (Make, &["Marque"]),
                    (Model, &["Modele"]),
                    (Version, &["Finition", "Version"]),
                    (Plate, &["Immat", "Immatriculation"]),
                    (Vin, &["NumeroSerie", "VIN"]),
                    (MileageKm, &["Km", "Kilometrage"]),
                    (FirstRegistration, &["DateMiseEnCirculation", "DateMEC"]),
                    (Fuel, &["Carburant", "Energie"]),
                    (Colour, &["CouleurExterieure", "Couleur"]),
                    (Location, &["Concession", "Site"]),
                    (PhotoUrl, &["UrlPhoto", "Photos"]),
                ]),
            },
            Preset::V12 => FeedMapping {
                source: "v12".into(),
                format: FeedFormat::Xml {
                    record: "Annonce".into(),
                },
                encoding: FeedEncoding::Auto,
                date_formats: ["yyyy-mm-dd", "dd/mm/yyyy"].map(str::to_owned).to_vec(),
                fields: FeedMapping::fields_of(&[
                    (ExternalRef, &["Reference", "@id"]),
                    (Make, &["Marque"]),
                    (Model, &["Modele"]),
                    (Version, &["Version"]),
                    (Plate, &["Immatriculation"]),
                    (Vin, &["NumeroSerie", "VIN"]),
                    (MileageKm, &["Kilometrage"]),
                    (
                        FirstRegistration,
                        &["DatePremiereMiseEnCirculation", "DateMEC"],
                    ),
                    (Fuel, &["Energie"]),
                    (Colour, &["Couleur"]),
                    (Location, &["PointDeVente/Nom", "PointDeVente"]),
                    (PhotoUrl, &["Photos/Photo", "Photo"]),
                ]),
            },
            Preset::Eurolinea => FeedMapping {
                source: "eurolinea".into(),
                format: csv,
                encoding: FeedEncoding::Auto,
                date_formats: ["dd/mm/yyyy", "dd.mm.yyyy", "yyyy-mm-dd"]
                    .map(str::to_owned)
                    .to_vec(),
                fields: FeedMapping::fields_of(&[
                    (ExternalRef, &["REF_VEHICULE", "REFERENCE"]),
                    (Make, &["MARQUE"]),
                    (Model, &["MODELE"]),
                    (Version, &["VERSION"]),
                    (Plate, &["IMMATRICULATION"]),
                    (Vin, &["NUM_SERIE", "VIN"]),
                    (MileageKm, &["KILOMETRAGE"]),
                    (FirstRegistration, &["DATE_MEC"]),
                    (Fuel, &["CARBURANT", "ENERGIE"]),
                    (Colour, &["COULEUR"]),
                    (Location, &["LIEU_STOCKAGE", "SITE"]),
                    (PhotoUrl, &["PHOTOS", "PHOTO"]),
                ]),
            },
        }
    }
}

/// A feed connection: where the export is, and how to read it (a preset
/// or a mapping of its own).
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedSettings {
    pub url: String,
    #[serde(default)]
    pub preset: Option<Preset>,
    #[serde(default)]
    pub mapping: Option<FeedMapping>,
    /// HTTP basic authentication, when the export is protected.
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<Secret>,
}

impl std::fmt::Debug for FeedSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeedSettings")
            .field("url", &"(hidden)")
            .field("preset", &self.preset)
            .field("mapping", &self.mapping)
            .field("username", &self.username)
            .field("password", &self.password)
            .finish()
    }
}

impl FeedSettings {
    /// The mapping given, else the preset's.
    pub fn mapping(&self) -> Result<FeedMapping, FeedError> {
        let mapping = match (&self.mapping, self.preset) {
            (Some(mapping), _) => mapping.clone(),
            (None, Some(preset)) => preset.mapping(),
            (None, None) => {
                return Err(FeedError::Config(
                    "choisissez un outil (preset) ou donnez une correspondance des colonnes."
                        .into(),
                ));
            }
        };
        mapping.validate()?;
        Ok(mapping)
    }
}

/// Fetches a feed with its settings and parses it with its mapping.
pub struct FeedSource {
    url: String,
    auth: FetchAuth,
    mapping: FeedMapping,
    fetcher: Arc<dyn FeedFetcher>,
}

impl FeedSource {
    pub fn new(settings: FeedSettings, fetcher: Arc<dyn FeedFetcher>) -> Result<Self, FeedError> {
        check_url(&settings.url)?;
        let mapping = settings.mapping()?;
        let auth = match (settings.username, settings.password) {
            (Some(username), Some(password)) => FetchAuth::Basic { username, password },
            (None, None) => FetchAuth::None,
            _ => {
                return Err(FeedError::Config(
                    "l'identifiant et le mot de passe du flux vont ensemble.".into(),
                ));
            }
        };
        Ok(Self {
            url: settings.url,
            auth,
            mapping,
            fetcher,
        })
    }

    /// Fetches `url` and parses it with `mapping`: what the feed-based
    /// connectors share.
    pub(crate) async fn fetch_with(
        fetcher: &dyn FeedFetcher,
        url: &str,
        auth: &FetchAuth,
        mapping: &FeedMapping,
    ) -> FeedResult {
        let request = FetchRequest {
            url: url.to_owned(),
            auth: auth.clone(),
        };
        let body = fetcher.get(&request).await?.ok_body()?;
        parse(mapping, &body)
    }
}

#[async_trait]
impl StockSource for FeedSource {
    fn source(&self) -> &str {
        &self.mapping.source
    }

    async fn fetch(&self) -> FeedResult {
        Self::fetch_with(self.fetcher.as_ref(), &self.url, &self.auth, &self.mapping).await
    }
}

/// The text of `bytes` in `encoding`, and the encoding's name.
fn text_of(bytes: &[u8], encoding: FeedEncoding) -> (String, &'static str) {
    match encoding {
        FeedEncoding::Auto => decode(bytes),
        FeedEncoding::Utf8 => {
            let (text, _) = encoding_rs::UTF_8.decode_with_bom_removal(bytes);
            (text.replace("\r\n", "\n"), "UTF-8")
        }
        FeedEncoding::Windows1252 => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.replace("\r\n", "\n"), "windows-1252")
        }
    }
}

/// Parses an export with `mapping`. Pure.
pub fn parse(mapping: &FeedMapping, bytes: &[u8]) -> FeedResult {
    mapping.validate()?;
    if bytes.len() > MAX_FEED_BYTES {
        return Err(FeedError::TooLarge);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(FeedError::Empty);
    }
    let (text, encoding) = text_of(bytes, mapping.encoding);
    let mut builder = FeedBuilder::new(&mapping.source, encoding, mapping.date_formats.clone());
    match &mapping.format {
        FeedFormat::Csv { separator } => parse_csv(mapping, *separator, &text, &mut builder)?,
        FeedFormat::Xml { record } => parse_xml(mapping, record, &text, &mut builder)?,
    }
    Ok(builder.finish())
}

/// Excel's optional first line `sep=;`.
fn excel_separator_line(text: &str) -> Option<(u8, &str)> {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let first = first.trim_end();
    match first.as_bytes() {
        [s, e, p, b'=', sep] if [*s, *e, *p].eq_ignore_ascii_case(b"sep") => Some((*sep, rest)),
        _ => None,
    }
}

fn parse_csv(
    mapping: &FeedMapping,
    separator: Option<char>,
    text: &str,
    builder: &mut FeedBuilder,
) -> Result<(), FeedError> {
    let (separator, body) = match (separator, excel_separator_line(text)) {
        (_, Some((sep, rest))) => (sep, rest),
        (Some(sep), None) => (u8::try_from(sep).unwrap_or(b';'), text),
        (None, None) => {
            let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            (detect_separator(header), text)
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator)
        .from_reader(body.as_bytes());
    let mut records = reader.records();
    let header = loop {
        match records.next() {
            None => return Err(FeedError::Empty),
            Some(Ok(record)) if record.iter().all(|c| c.trim().is_empty()) => {}
            Some(Ok(record)) => break record,
            Some(Err(_)) => {}
        }
    };
    let header: Vec<String> = header.iter().map(fold_alphanumeric).collect();
    // For each field, the column of its first listed name found.
    let mut columns: Vec<(Field, usize)> = Vec::new();
    for field in Field::ALL {
        let Some(names) = mapping.fields.get(&field) else {
            continue;
        };
        let found = names.iter().find_map(|name| {
            let name = fold_alphanumeric(name);
            header.iter().position(|cell| *cell == name)
        });
        if let Some(index) = found {
            columns.push((field, index));
        }
    }
    let has = |field: Field| columns.iter().any(|(f, _)| *f == field);
    let mut missing: Vec<String> = [Field::Make, Field::Model]
        .into_iter()
        .filter(|f| !has(*f))
        .map(|f| f.label_fr().to_owned())
        .collect();
    if ![Field::ExternalRef, Field::Plate, Field::Vin]
        .into_iter()
        .any(has)
    {
        missing.push("référence, immatriculation ou VIN".to_owned());
    }
    if !missing.is_empty() {
        return Err(FeedError::MissingColumns(missing));
    }
    let mut last_line = 1u64;
    for result in records {
        match result {
            Ok(record) => {
                let line = record.position().map_or(last_line + 1, |p| p.line());
                last_line = line;
                let mut raw = RawRecord::default();
                for (field, index) in &columns {
                    if let Some(value) = record.get(*index) {
                        raw.set(*field, value);
                    }
                }
                if raw.is_empty() {
                    continue;
                }
                builder.push(&format!("ligne {line}"), &raw)?;
            }
            Err(_) => builder.error(RecordError::new(
                format!("ligne {}", last_line + 1),
                "Cette ligne est illisible.",
            )),
        }
    }
    Ok(())
}

fn parse_xml(
    mapping: &FeedMapping,
    record: &str,
    text: &str,
    builder: &mut FeedBuilder,
) -> Result<(), FeedError> {
    let out = xml::records(text, record)?;
    let matcher = XmlMatcher::new(&mapping.fields);
    for (index, values) in out.records.iter().enumerate() {
        let raw = matcher.raw(values);
        builder.push(&format!("véhicule n° {}", index + 1), &raw)?;
    }
    if let Some((why, partial)) = out.broken {
        builder.mark_incomplete();
        let position = format!("véhicule n° {}", out.records.len() + 1);
        let name = partial
            .as_ref()
            .map(|values| matcher.raw(values))
            .and_then(|raw| raw.get(Field::ExternalRef).map(str::to_owned))
            .unwrap_or(position);
        builder.error(RecordError::new(
            name,
            format!("Le flux s'arrête au milieu de ce véhicule : {why} Les véhicules suivants n'ont pas pu être lus."),
        ));
    }
    Ok(())
}

/// Which field an XML value is: its full path first, else its last part.
struct XmlMatcher {
    /// (field, folded names) in mapping order.
    fields: Vec<(Field, Vec<String>)>,
}

impl XmlMatcher {
    fn new(fields: &BTreeMap<Field, Vec<String>>) -> Self {
        Self {
            fields: fields
                .iter()
                .map(|(field, names)| (*field, names.iter().map(|n| fold_path(n)).collect()))
                .collect(),
        }
    }

    fn raw(&self, record: &xml::XmlRecord) -> RawRecord {
        let values: Vec<(String, String, &str)> = record
            .values
            .iter()
            .map(|(path, value)| {
                let last = path.rsplit('/').next().unwrap_or(path);
                (fold_path(path), fold_path(last), value.as_str())
            })
            .collect();
        let mut raw = RawRecord::default();
        for (field, names) in &self.fields {
            let found = names.iter().find_map(|name| {
                values
                    .iter()
                    .find(|(path, _, value)| path == name && !value.trim().is_empty())
                    .or_else(|| {
                        values
                            .iter()
                            .find(|(_, last, value)| last == name && !value.trim().is_empty())
                    })
            });
            if let Some((_, _, value)) = found {
                raw.set(*field, value);
            }
        }
        raw
    }
}

/// A path folded part by part (`Photos/Photo` -> `photos/photo`).
fn fold_path(path: &str) -> String {
    path.split('/')
        .map(|part| {
            let attribute = part.starts_with('@');
            let folded = fold_alphanumeric(part);
            if attribute {
                format!("@{folded}")
            } else {
                folded
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stock::connectors::generate;
    use proptest::prelude::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/stock/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn parse_ok(preset: Preset, bytes: &[u8]) -> super::super::Feed {
        parse(&preset.mapping(), bytes).unwrap_or_else(|e| panic!("{preset:?}: {e}"))
    }

    #[test]
    fn presets_are_valid_and_deserialise_from_json() {
        for preset in Preset::ALL {
            preset.mapping().validate().unwrap();
            let json = serde_json::to_string(&preset.mapping()).unwrap();
            let back: FeedMapping = serde_json::from_str(&json).unwrap();
            assert_eq!(back, preset.mapping());
        }
    }

    #[test]
    fn planetvo_windows_1252_keeps_accents_and_reports_bad_lines() {
        let bytes = fixture("planetvo-windows-1252.csv");
        assert!(std::str::from_utf8(&bytes).is_err(), "really Windows-1252");
        let feed = parse_ok(Preset::Planetvo, &bytes);
        assert_eq!(feed.encoding, "windows-1252");
        assert_eq!(feed.source, "planetvo");
        let citroen = &feed.records[0];
        assert_eq!(citroen.make, "Citroën");
        assert_eq!(citroen.model, "C3 Aircross");
        assert_eq!(citroen.external_ref.as_deref(), Some("PV-1001"));
        assert_eq!(citroen.plate.as_ref().map(|p| p.as_str()), Some("AB123CD"));
        assert_eq!(citroen.mileage_km, Some(45_200));
        assert_eq!(citroen.first_registration.as_deref(), Some("2019-03-15"));
        assert_eq!(citroen.fuel.as_deref(), Some("Diesel"));
        assert_eq!(citroen.colour.as_deref(), Some("Gris Platinium"));
        assert_eq!(citroen.location.as_deref(), Some("Lyon Vénissieux"));
        assert_eq!(
            citroen.photo_url.as_deref(),
            Some("https://photos.planetvo.example/PV-1001/1.jpg")
        );
        assert!(feed.records.iter().any(|r| r.make == "Škoda"));
        let names: Vec<&str> = feed.errors.iter().map(|e| e.record.as_str()).collect();
        assert_eq!(
            names,
            ["PV-1004", "PV-1005", "PV-1001"],
            "{:?}",
            feed.errors
        );
        assert!(feed.errors[0].reason.contains("La marque est obligatoire"));
        assert!(feed.errors[2].reason.contains("plusieurs fois"));
        assert_eq!(feed.records.len(), 3);
        assert!(feed.complete);
    }

    #[test]
    fn cardiff_utf8_comma_export() {
        let feed = parse_ok(Preset::Cardiff, &fixture("cardiff-utf8.csv"));
        assert_eq!(feed.encoding, "UTF-8");
        assert_eq!(feed.records.len(), 2, "{:?}", feed.errors);
        assert_eq!(feed.records[0].make, "Škoda");
        assert_eq!(
            feed.records[0].version.as_deref(),
            Some("Style 2.0 TDI, DSG")
        );
        assert_eq!(feed.records[1].make, "Citroën");
        assert_eq!(feed.errors.len(), 1);
        assert_eq!(feed.errors[0].record, "CA-3");
        assert!(
            feed.errors[0].reason.contains("immatriculation"),
            "{:?}",
            feed.errors
        );
    }

    #[test]
    fn v12_xml_export() {
        let feed = parse_ok(Preset::V12, &fixture("v12.xml"));
        assert_eq!(feed.records.len(), 2, "{:?}", feed.errors);
        let first = &feed.records[0];
        assert_eq!(first.external_ref.as_deref(), Some("V12-77"));
        assert_eq!(first.make, "Citroën");
        assert_eq!(first.first_registration.as_deref(), Some("2020-06-01"));
        assert_eq!(first.location.as_deref(), Some("Villeurbanne"));
        assert_eq!(
            first.photo_url.as_deref(),
            Some("https://img.v12.example/77-a.jpg")
        );
        // A record with no reference element is named by its id attribute.
        assert_eq!(feed.records[1].external_ref.as_deref(), Some("78"));
    }

    #[test]
    fn eurolinea_upper_case_columns_and_pipe_photos() {
        let feed = parse_ok(Preset::Eurolinea, &fixture("eurolinea.csv"));
        assert_eq!(feed.records.len(), 2, "{:?}", feed.errors);
        assert_eq!(
            feed.records[0].first_registration.as_deref(),
            Some("2018-11-02")
        );
        assert_eq!(
            feed.records[0].photo_url.as_deref(),
            Some("https://eurolinea.example/p/EL1-1.jpg")
        );
        assert_eq!(feed.records[1].mileage_km, Some(112_000));
        // A bad mileage is a warning, not an error.
        assert_eq!(feed.warnings.len(), 1, "{:?}", feed.warnings);
        assert_eq!(feed.warnings[0].record, "EL-2");
    }

    #[test]
    fn missing_columns_refuse_the_feed() {
        let err = parse(
            &Preset::Planetvo.mapping(),
            &fixture("planetvo-missing-columns.csv"),
        )
        .expect_err("missing");
        assert_eq!(
            err,
            FeedError::MissingColumns(vec![
                "modèle".into(),
                "référence, immatriculation ou VIN".into()
            ])
        );
        assert!(err.to_string().contains("modèle"));
        assert_eq!(
            parse(&Preset::Planetvo.mapping(), b"  \n"),
            Err(FeedError::Empty)
        );
    }

    #[test]
    fn a_renamed_column_is_configuration() {
        let text = "Ref;Marque;Modèle;Plaque minéralogique\nR1;Renault;Clio;AB-123-CD\n";
        let feed = parse(&Preset::Planetvo.mapping(), text.as_bytes()).unwrap();
        assert_eq!(feed.records[0].plate, None);
        let mut mapping = Preset::Planetvo.mapping();
        mapping
            .fields
            .entry(Field::Plate)
            .or_default()
            .push("Plaque minéralogique".into());
        let feed = parse(&mapping, text.as_bytes()).unwrap();
        assert_eq!(
            feed.records[0].plate.as_ref().map(|p| p.as_str()),
            Some("AB123CD")
        );
        // A whole new tool, in JSON.
        let mapping: FeedMapping = serde_json::from_str(
            r#"{"source":"autoplus","format":{"type":"csv","separator":"|"},"encoding":"windows_1252",
               "date_formats":["yyyy/mm/dd"],
               "fields":{"external_ref":["code"],"make":["fabricant"],"model":["gamme"],"first_registration":["mec"]}}"#,
        )
        .unwrap();
        let (bytes, _, _) = encoding_rs::WINDOWS_1252
            .encode("code|fabricant|gamme|mec\nX1|Citroën|Berlingo|2021/04/30\n");
        let feed = parse(&mapping, &bytes).unwrap();
        assert_eq!(feed.records[0].make, "Citroën");
        assert_eq!(
            feed.records[0].first_registration.as_deref(),
            Some("2021-04-30")
        );
        assert_eq!(feed.records[0].source, "autoplus");
    }

    #[test]
    fn invalid_mappings_are_refused() {
        let mut mapping = Preset::Cardiff.mapping();
        mapping.source = "Cardiff Pro".into();
        assert!(matches!(mapping.validate(), Err(FeedError::Config(_))));
        let mut mapping = Preset::Cardiff.mapping();
        mapping.fields.remove(&Field::Make);
        assert!(mapping.validate().is_err());
        assert!(
            serde_json::from_str::<FeedMapping>(
                r#"{"source":"x","format":{"type":"json"},"fields":{}}"#
            )
            .is_err()
        );
    }

    #[test]
    fn a_large_generated_feed_parses_whole() {
        let vehicles = generate::vehicles(10_000);
        let bytes = generate::planetvo_csv(&vehicles, true);
        assert!(bytes.len() > 1_000_000, "{} bytes", bytes.len());
        let started = std::time::Instant::now();
        let feed = parse_ok(Preset::Planetvo, &bytes);
        eprintln!(
            "planetvo: 10,000 vehicles, {} bytes, parsed in {:?}",
            bytes.len(),
            started.elapsed()
        );
        assert_eq!(feed.records.len(), 10_000, "{:?}", feed.errors.first());
        assert!(feed.errors.is_empty());
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        generate::assert_matches(&vehicles, &feed.records);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
            for preset in Preset::ALL {
                if let Ok(feed) = parse(&preset.mapping(), &bytes) {
                    for error in &feed.errors {
                        prop_assert!(!error.reason.is_empty());
                    }
                }
            }
        }

        #[test]
        fn csv_like_text_never_panics(text in "[a-zA-Z0-9;,\"\n\r éŠ|/-]{0,400}") {
            let with_header = format!("Référence;Marque;Modèle;Immatriculation;Date MEC;Km\n{text}");
            let _ = parse(&Preset::Planetvo.mapping(), with_header.as_bytes());
            let _ = parse(&Preset::Eurolinea.mapping(), text.as_bytes());
        }

        #[test]
        fn a_generated_csv_feed_round_trips(
            vehicles in generate::arbitrary_vehicles(30),
            cp1252 in any::<bool>(),
        ) {
            let bytes = generate::planetvo_csv(&vehicles, cp1252);
            let feed = parse(&Preset::Planetvo.mapping(), &bytes).unwrap();
            prop_assert!(feed.errors.is_empty(), "{:?}", feed.errors);
            generate::assert_matches(&vehicles, &feed.records);
        }
    }
}
