//! Spider-VO's public XML export: `<vehicules><vehicule>` with CDATA
//! fields (`reference`, `marque`, `modele`, `version`, `energie`,
//! `kilometrage`, `date_mec` as `dd/mm/yyyy`, `couleurexterieur`,
//! `immatriculation`, `vin`, `photos/photo`). A fixed [`FeedMapping`] of the
//! feed importer: the export's URL is all a manager gives.

use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;

use super::feed::{FeedEncoding, FeedFormat, FeedMapping, FeedSource};
use super::{FeedError, FeedFetcher, FeedResult, FetchAuth, Field, StockSource, check_url};

/// The `source` of Spider-VO records.
pub const SOURCE: &str = "spidervo";

/// A Spider-VO connection: the URL of the dealer's export.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpiderVoSettings {
    pub url: String,
}

impl std::fmt::Debug for SpiderVoSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The export's URL often carries the dealer's token.
        f.write_str("SpiderVoSettings { url: (hidden) }")
    }
}

/// How the export is read.
pub fn mapping() -> FeedMapping {
    use Field::*;
    FeedMapping {
        source: SOURCE.into(),
        format: FeedFormat::Xml {
            record: "vehicule".into(),
        },
        encoding: FeedEncoding::Auto,
        date_formats: ["dd/mm/yyyy", "yyyy-mm-dd", "mm/yyyy"]
            .map(str::to_owned)
            .to_vec(),
        fields: FeedMapping::fields_of(&[
            (ExternalRef, &["reference", "@reference", "@id"]),
            (Make, &["marque"]),
            (Model, &["modele"]),
            (Version, &["version", "finition"]),
            (Plate, &["immatriculation", "immat"]),
            (Vin, &["vin", "numero_serie"]),
            (MileageKm, &["kilometrage"]),
            (FirstRegistration, &["date_mec", "date_1ere_mec"]),
            (Fuel, &["energie", "carburant"]),
            (Colour, &["couleurexterieur", "couleur"]),
            (Location, &["lieu", "agence", "site"]),
            (PhotoUrl, &["photos/photo", "photo"]),
        ]),
    }
}

/// Parses an export. Pure.
pub fn parse(bytes: &[u8]) -> FeedResult {
    super::feed::parse(&mapping(), bytes)
}

/// Fetches a dealer's export.
pub struct SpiderVo {
    settings: SpiderVoSettings,
    mapping: FeedMapping,
    fetcher: Arc<dyn FeedFetcher>,
}

impl SpiderVo {
    pub fn new(
        settings: SpiderVoSettings,
        fetcher: Arc<dyn FeedFetcher>,
    ) -> Result<Self, FeedError> {
        check_url(&settings.url)?;
        Ok(Self {
            settings,
            mapping: mapping(),
            fetcher,
        })
    }
}

#[async_trait]
impl StockSource for SpiderVo {
    fn source(&self) -> &str {
        SOURCE
    }

    async fn fetch(&self) -> FeedResult {
        FeedSource::fetch_with(
            self.fetcher.as_ref(),
            &self.settings.url,
            &FetchAuth::None,
            &self.mapping,
        )
        .await
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

    #[test]
    fn the_export_is_read_with_its_cdata_and_accents() {
        let feed = parse(&fixture("spidervo.xml")).unwrap();
        assert!(feed.complete);
        assert_eq!(feed.records.len(), 3, "{:?}", feed.errors);
        let first = &feed.records[0];
        assert_eq!(first.source, "spidervo");
        assert_eq!(first.external_ref.as_deref(), Some("SP-501"));
        assert_eq!(first.make, "Citroën");
        assert_eq!(first.model, "C5 Aircross");
        assert_eq!(first.version.as_deref(), Some("Shine <BlueHDi> 130 S&S"));
        assert_eq!(first.fuel.as_deref(), Some("Diesel"));
        assert_eq!(first.mileage_km, Some(38_500));
        assert_eq!(first.first_registration.as_deref(), Some("2020-01-31"));
        assert_eq!(first.colour.as_deref(), Some("Blanc Nacré"));
        assert_eq!(
            first.plate.as_ref().map(|p| p.display()),
            Some("FG-456-HJ".into())
        );
        assert_eq!(
            first.vin.as_ref().map(|v| v.as_str()),
            Some("VR3UHZKXZLT123456")
        );
        assert_eq!(
            first.photo_url.as_deref(),
            Some("https://photos.spider-vo.example/501/1.jpg")
        );
        assert_eq!(feed.records[1].make, "Škoda");
        // Bad records are named by their reference, with a French reason.
        let errors: Vec<(&str, &str)> = feed
            .errors
            .iter()
            .map(|e| (e.record.as_str(), e.reason.as_str()))
            .collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].0, "SP-503");
        assert!(
            errors[0].1.contains("Le modèle est obligatoire"),
            "{errors:?}"
        );
        assert_eq!(errors[1].0, "SP-501");
        assert!(errors[1].1.contains("plusieurs fois"), "{errors:?}");
    }

    #[test]
    fn a_truncated_export_keeps_what_it_read_and_says_it_is_incomplete() {
        let feed = parse(&fixture("spidervo-truncated.xml")).unwrap();
        assert!(!feed.complete);
        assert_eq!(feed.records.len(), 2);
        assert_eq!(feed.errors.len(), 1, "{:?}", feed.errors);
        assert_eq!(feed.errors[0].record, "SP-603");
        assert!(
            feed.errors[0].reason.contains("tronqué"),
            "{:?}",
            feed.errors
        );
    }

    #[test]
    fn a_windows_1252_export_declared_utf8_keeps_its_accents() {
        let bytes = fixture("spidervo-wrong-encoding.xml");
        assert!(std::str::from_utf8(&bytes).is_err());
        let feed = parse(&bytes).unwrap();
        assert_eq!(feed.encoding, "windows-1252");
        assert_eq!(feed.records[0].make, "Citroën");
        assert_eq!(
            feed.records[0].colour.as_deref(),
            Some("Gris Acier Métallisé")
        );
    }

    #[test]
    fn not_an_export_is_refused_whole() {
        assert!(matches!(
            parse(b"<html><body>Erreur 500</body></html>"),
            Err(FeedError::NotAFeed(_))
        ));
        assert!(matches!(
            parse(b"{\"vehicules\":[]}"),
            Err(FeedError::NotAFeed(_))
        ));
        let empty = parse(b"<?xml version=\"1.0\"?><vehicules/>").unwrap();
        assert!(empty.records.is_empty() && empty.complete);
    }

    #[tokio::test]
    async fn the_source_fetches_the_url_without_credentials() {
        let url = "https://export.spider-vo.example/flux/abc123.xml";
        let fetcher = Arc::new(CannedFetcher::new().answer(url, 200, fixture("spidervo.xml")));
        let source = SpiderVo::new(SpiderVoSettings { url: url.into() }, fetcher.clone()).unwrap();
        let feed = source.fetch().await.unwrap();
        assert_eq!(feed.records.len(), 3);
        assert_eq!(fetcher.requests()[0].auth, FetchAuth::None);
        let gone = Arc::new(CannedFetcher::new().answer(url, 404, ""));
        let source = SpiderVo::new(SpiderVoSettings { url: url.into() }, gone).unwrap();
        assert_eq!(source.fetch().await, Err(FeedError::Http(404)));
        assert!(!format!("{:?}", SpiderVoSettings { url: url.into() }).contains("abc123"));
    }

    #[test]
    fn a_large_export_parses_whole() {
        let vehicles = generate::vehicles(10_000);
        let bytes = generate::spidervo_xml(&vehicles);
        assert!(
            (4_000_000..8_000_000).contains(&bytes.len()),
            "{} bytes",
            bytes.len()
        );
        let started = std::time::Instant::now();
        let feed = parse(&bytes).unwrap();
        eprintln!(
            "spidervo: 10,000 vehicles, {} bytes, parsed in {:?}",
            bytes.len(),
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
        fn xml_like_text_never_panics(text in "(<vehicule>|</vehicule>|<marque>|</marque>|<!\\[CDATA\\[|\\]\\]>|&amp;|&#[0-9]{1,7};|[a-zé ]{0,5}){0,60}") {
            let _ = parse(format!("<vehicules>{text}").as_bytes());
            let _ = parse(text.as_bytes());
        }

        #[test]
        fn any_prefix_of_an_export_never_panics(cut in 0usize..3000) {
            let bytes = generate::spidervo_xml(&generate::vehicles(5));
            let cut = cut.min(bytes.len());
            if let Ok(feed) = parse(&bytes[..cut]) {
                prop_assert!(feed.records.len() <= 5);
                prop_assert!(feed.complete || cut < bytes.len());
            }
        }

        #[test]
        fn a_generated_export_round_trips(vehicles in generate::arbitrary_vehicles(30)) {
            let feed = parse(&generate::spidervo_xml(&vehicles)).unwrap();
            prop_assert!(feed.errors.is_empty(), "{:?}", feed.errors);
            prop_assert!(feed.complete);
            generate::assert_matches(&vehicles, &feed.records);
        }
    }
}
