//! Generated feeds, for the tests and the sync's benchmark: `n` distinct,
//! valid vehicles (accented makes included) written as each connector's
//! export. `vehicles(10_000)` as Spider-VO XML is about 6.5 MB (PlanetVO CSV 1.7 MB); nothing of
//! it is committed as a file.

use super::StockRecord;
use crate::domain::Vin;

/// A vehicle as a feed writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedVehicle {
    pub reference: String,
    pub make: String,
    pub model: String,
    pub version: Option<String>,
    /// As written in the feed (`AB-123-CD`), which is also its display.
    pub plate: String,
    pub vin: Option<String>,
    pub mileage_km: u32,
    /// `(year, month, day)`.
    pub first_registration: (u16, u8, u8),
    pub fuel: String,
    pub colour: String,
    pub location: String,
    pub photo_url: String,
}

const MODELS: [(&str, &str, &str); 10] = [
    ("Citroën", "C3 Aircross", "Shine BlueHDi 110"),
    ("Škoda", "Octavia Combi", "Style 2.0 TDI DSG"),
    ("Renault", "Mégane Estate", "Intens E-Tech"),
    ("Peugeot", "3008", "GT Line PureTech 130"),
    ("Dacia", "Sandero", "Stepway Expression"),
    ("Volkswagen", "Golf", "Life 1.5 eTSI"),
    ("Citroën", "Berlingo", "Feel M BlueHDi 100"),
    ("Toyota", "Yaris", "Hybride 116h Design"),
    ("Mercedes-Benz", "Classe A", "200 d Progressive Line"),
    ("Škoda", "Kodiaq", "Sportline 4x4"),
];
const FUELS: [&str; 5] = ["Diesel", "Essence", "Hybride", "Électrique", "GPL"];
const COLOURS: [&str; 6] = [
    "Gris Platinium",
    "Blanc Nacré",
    "Noir Perla",
    "Bleu Énergie",
    "Rouge Flamme",
    "Argent",
];
const SITES: [&str; 4] = ["Lyon Vénissieux", "Saint-Étienne", "Villeurbanne", "Mâcon"];

/// Letters of French SIV plates (never I, O, U; S and W avoided for SS / WW).
const PLATE_LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRTVXYZ";

/// The `i`-th distinct valid SIV plate, as `AB-123-CD`.
pub fn plate(i: usize) -> String {
    let number = i % 999 + 1;
    let mut rest = i / 999;
    let mut letters = [0u8; 4];
    for letter in letters.iter_mut().rev() {
        *letter = PLATE_LETTERS[rest % PLATE_LETTERS.len()];
        rest /= PLATE_LETTERS.len();
    }
    let letters: String = letters.iter().map(|b| char::from(*b)).collect();
    format!("{}-{number:03}-{}", &letters[..2], &letters[2..])
}

/// The `i`-th distinct VIN, with a valid check digit.
pub fn vin(i: usize) -> String {
    let serial = i % 1_000_000;
    for check in "0123456789X".chars() {
        let candidate = format!("VF1RJA00{check}K7{serial:06}");
        if Vin::parse(&candidate).is_ok_and(|parsed| parsed.vin.has_valid_check_digit()) {
            return candidate;
        }
    }
    format!("VF1RJA000K7{serial:06}")
}

/// `n` distinct vehicles, the same for the same `n`.
pub fn vehicles(n: usize) -> Vec<FeedVehicle> {
    (0..n)
        .map(|i| {
            let (make, model, version) = MODELS[i % MODELS.len()];
            FeedVehicle {
                reference: format!("VO-{i:06}"),
                make: make.to_owned(),
                model: model.to_owned(),
                version: (i % 5 != 4).then(|| version.to_owned()),
                plate: plate(i),
                vin: (i % 7 != 6).then(|| vin(i)),
                mileage_km: u32::try_from((i * 7_919) % 250_000).unwrap_or(0),
                first_registration: (
                    u16::try_from(2012 + i % 13).unwrap_or(2020),
                    u8::try_from(i % 12 + 1).unwrap_or(1),
                    u8::try_from(i % 28 + 1).unwrap_or(1),
                ),
                fuel: FUELS[i % FUELS.len()].to_owned(),
                colour: COLOURS[i % COLOURS.len()].to_owned(),
                location: SITES[i % SITES.len()].to_owned(),
                photo_url: format!("https://photos.stock.example/{i:06}/1.jpg"),
            }
        })
        .collect()
}

fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

/// The vehicles as a Spider-VO export (UTF-8).
pub fn spidervo_xml(vehicles: &[FeedVehicle]) -> Vec<u8> {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<vehicules>\n");
    for v in vehicles {
        let (y, m, d) = v.first_registration;
        out.push_str("<vehicule>\n");
        let fields: [(&str, String); 11] = [
            ("reference", v.reference.clone()),
            ("marque", v.make.clone()),
            ("modele", v.model.clone()),
            ("version", v.version.clone().unwrap_or_default()),
            ("energie", v.fuel.clone()),
            ("kilometrage", v.mileage_km.to_string()),
            ("date_mec", format!("{d:02}/{m:02}/{y:04}")),
            ("couleurexterieur", v.colour.clone()),
            ("immatriculation", v.plate.clone()),
            ("vin", v.vin.clone().unwrap_or_default()),
            ("lieu", v.location.clone()),
        ];
        for (name, value) in fields {
            out.push_str(&format!("<{name}>{}</{name}>", cdata(&value)));
        }
        out.push_str(&format!(
            "<photos><photo>{}</photo><photo>{}</photo></photos>\n",
            cdata(&v.photo_url),
            cdata(&v.photo_url.replace("/1.jpg", "/2.jpg"))
        ));
        out.push_str("</vehicule>\n");
    }
    out.push_str("</vehicules>\n");
    out.into_bytes()
}

fn csv_cell(text: &str) -> String {
    if text.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The vehicles as a PlanetVO CSV export: `;`-separated, CRLF, in
/// Windows-1252 (`cp1252`) or UTF-8.
pub fn planetvo_csv(vehicles: &[FeedVehicle], cp1252: bool) -> Vec<u8> {
    let mut out = String::from(
        "Référence;Marque;Modèle;Version;Immatriculation;VIN;Kilométrage;Date 1ère MEC;Energie;Couleur;Site;Photo 1;Prix TTC\r\n",
    );
    for v in vehicles {
        let (y, m, d) = v.first_registration;
        let cells = [
            v.reference.clone(),
            v.make.clone(),
            v.model.clone(),
            v.version.clone().unwrap_or_default(),
            v.plate.clone(),
            v.vin.clone().unwrap_or_default(),
            v.mileage_km.to_string(),
            format!("{d:02}/{m:02}/{y:04}"),
            v.fuel.clone(),
            v.colour.clone(),
            v.location.clone(),
            v.photo_url.clone(),
            "15 990".to_owned(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(";"));
        out.push_str("\r\n");
    }
    if cp1252 {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&out);
        bytes.into_owned()
    } else {
        out.into_bytes()
    }
}

/// One page of the RadarVO API; even vehicles in English fields, odd ones
/// in French, as an aggregator relaying several tools would.
pub fn radarvo_page(vehicles: &[FeedVehicle], page: usize, total_pages: usize) -> Vec<u8> {
    let data: Vec<serde_json::Value> = vehicles
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let (y, m, d) = v.first_registration;
            if i % 2 == 0 {
                serde_json::json!({
                    "id": v.reference, "make": v.make, "model": v.model, "version": v.version,
                    "plate": v.plate, "vin": v.vin, "mileage_km": v.mileage_km,
                    "first_registration": format!("{y:04}-{m:02}-{d:02}"),
                    "fuel": v.fuel, "colour": v.colour,
                    "location": {"id": 12, "name": v.location},
                    "photos": [{"url": v.photo_url, "position": 1}],
                    "price": {"amount": 15990, "currency": "EUR"},
                })
            } else {
                serde_json::json!({
                    "reference": v.reference, "marque": v.make, "modele": v.model, "finition": v.version,
                    "immatriculation": v.plate, "vin": v.vin, "kilometrage": v.mileage_km.to_string(),
                    "date_mec": format!("{d:02}/{m:02}/{y:04}"),
                    "energie": v.fuel, "couleur": v.colour, "site": v.location,
                    "photos": [v.photo_url],
                })
            }
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "data": data,
        "meta": {"page": page, "per_page": vehicles.len(), "total_pages": total_pages},
    }))
    .unwrap_or_default()
}

/// Panics unless `records` are `vehicles`, in order, field by field.
pub fn assert_matches(vehicles: &[FeedVehicle], records: &[StockRecord]) {
    assert_eq!(records.len(), vehicles.len(), "record count");
    for (v, r) in vehicles.iter().zip(records) {
        let (y, m, d) = v.first_registration;
        assert_eq!(r.external_ref.as_deref(), Some(v.reference.as_str()));
        assert_eq!(r.make, v.make, "{}", v.reference);
        assert_eq!(r.model, v.model, "{}", v.reference);
        assert_eq!(r.version, v.version, "{}", v.reference);
        assert_eq!(r.plate.as_ref().map(|p| p.display()), Some(v.plate.clone()));
        assert_eq!(r.vin.as_ref().map(|x| x.as_str().to_owned()), v.vin);
        assert_eq!(r.mileage_km, Some(v.mileage_km), "{}", v.reference);
        assert_eq!(r.first_registration, Some(format!("{y:04}-{m:02}-{d:02}")));
        assert_eq!(r.fuel.as_deref(), Some(v.fuel.as_str()));
        assert_eq!(r.colour.as_deref(), Some(v.colour.as_str()));
        assert_eq!(r.location.as_deref(), Some(v.location.as_str()));
        assert_eq!(r.photo_url.as_deref(), Some(v.photo_url.as_str()));
    }
}

/// Arbitrary feeds of up to `max` vehicles: French and Central-European
/// letters (all in Windows-1252), XML and CSV specials.
#[cfg(test)]
pub fn arbitrary_vehicles(
    max: usize,
) -> impl proptest::strategy::Strategy<Value = Vec<FeedVehicle>> {
    use proptest::prelude::*;
    fn text(max: usize) -> impl Strategy<Value = String> {
        let pattern = format!(
            "[A-Za-z0-9éèêëàâçôîïùûüÿœŒÉÈÀÇŠšŽž&<>\\]\"';,|-]([A-Za-z0-9 éèêëàâçôîïùûüÿœŒÉÈÀÇŠšŽž&<>\\]\"';,|-]{{0,{}}}[A-Za-z0-9éŠ&<>\\];,-])?",
            max.saturating_sub(2)
        );
        proptest::string::string_regex(&pattern).unwrap_or_else(|e| panic!("{e}"))
    }
    let vehicle = (
        text(40),
        text(40),
        prop::option::of(text(60)),
        any::<bool>(),
        0u32..1_000_000,
        (1990u16..2026, 1u8..=12, 1u8..=28),
        (text(20), text(30), text(40)),
    );
    prop::collection::vec(vehicle, 0..=max).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(
                |(
                    i,
                    (make, model, version, has_vin, mileage_km, date, (fuel, colour, location)),
                )| {
                    FeedVehicle {
                        reference: format!(
                            "R{i}-{}",
                            make.chars().take(3).collect::<String>().trim()
                        ),
                        make,
                        model,
                        version,
                        plate: plate(i * 7 + 3),
                        vin: has_vin.then(|| vin(i)),
                        mileage_km,
                        first_registration: date,
                        fuel,
                        colour,
                        location,
                        photo_url: format!("https://p.example/{i}.jpg"),
                    }
                },
            )
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Plate;

    #[test]
    fn plates_and_vins_are_distinct_and_valid() {
        let mut plates = std::collections::HashSet::new();
        for i in 0..20_000 {
            let p = plate(i);
            let parsed = Plate::parse(&p).unwrap();
            assert!(parsed.warning.is_none(), "{p}");
            assert_eq!(parsed.plate.display(), p);
            assert!(plates.insert(p));
        }
        assert!(Vin::parse(&vin(42)).unwrap().vin.has_valid_check_digit());
    }
}
