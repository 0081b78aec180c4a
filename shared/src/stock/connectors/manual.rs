//! The manual CSV of `API.md` (`POST /api/vehicles/import`, parsed by
//! [`crate::stock::csv`]) seen as a [`Feed`], so that an upload and a
//! connector's feed are matched and reported the same way. Uploaded, not
//! fetched: there is no [`super::StockSource`] for it.

use crate::stock::csv::{FileError, StockFile};

use super::{Feed, FeedError, FeedResult, RecordError, StockRecord};

/// The `source` of manually imported vehicles.
pub const SOURCE: &str = "csv";

/// Parses an uploaded file. Pure.
pub fn parse(bytes: &[u8]) -> FeedResult {
    let file = crate::stock::csv::parse(bytes).map_err(|err| match err {
        FileError::Empty => FeedError::Empty,
        FileError::TooLarge => FeedError::TooLarge,
        FileError::TooManyRows => FeedError::TooManyRecords,
        FileError::MissingColumns(columns) => {
            FeedError::MissingColumns(columns.iter().map(|c| (*c).to_owned()).collect())
        }
    })?;
    Ok(from_file(file))
}

/// The rows of a parsed file as records; its messages named by line.
pub fn from_file(file: StockFile) -> Feed {
    let line = |line: usize| format!("ligne {line}");
    Feed {
        source: SOURCE.to_owned(),
        records: file
            .rows
            .into_iter()
            .map(|row| StockRecord {
                source: SOURCE.to_owned(),
                external_ref: row.reference,
                make: row.make,
                model: row.model,
                version: row.version,
                plate: Some(row.plate),
                vin: row.vin,
                mileage_km: None,
                first_registration: None,
                fuel: None,
                colour: None,
                location: None,
                photo_url: None,
            })
            .collect(),
        errors: file
            .errors
            .into_iter()
            .map(|m| RecordError::new(line(m.line), m.message))
            .collect(),
        warnings: file
            .warnings
            .into_iter()
            .map(|m| RecordError::new(line(m.line), m.message))
            .collect(),
        complete: true,
        encoding: file.encoding,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_windows_1252_upload_is_a_feed_with_its_accents() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(
            "Marque;Modèle;Immatriculation;Référence\r\nCitroën;C3;AB-123-CD;R1\r\nŠkoda;;BC-234-DE;R2\r\n",
        );
        let feed = parse(&bytes).unwrap();
        assert_eq!(feed.encoding, "windows-1252");
        assert_eq!(feed.records.len(), 1);
        assert_eq!(feed.records[0].make, "Citroën");
        assert_eq!(feed.records[0].source, "csv");
        assert_eq!(feed.records[0].external_ref.as_deref(), Some("R1"));
        assert_eq!(
            feed.errors,
            [RecordError::new("ligne 3", "Le modèle est obligatoire.")]
        );
        assert!(matches!(
            parse(b"marque\nRenault\n"),
            Err(FeedError::MissingColumns(_))
        ));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
            let _ = parse(&bytes);
        }
    }
}
