//! Distances between French postal-code areas: the department of a postal
//! code, the approximate centroid of each of the 96 metropolitan departments
//! (Corsica as 2A and 2B), great-circle distance times a road factor.

/// Road distance is about a quarter longer than the great circle.
pub const ROAD_FACTOR: f64 = 1.25;
/// Two addresses of one department are still a trip.
pub const MIN_DISTANCE_KM: u32 = 5;
const EARTH_RADIUS_KM: f64 = 6371.0;

/// (department code, latitude, longitude), approximate centroids.
const DEPARTMENTS: [(&str, f64, f64); 96] = [
    ("01", 46.10, 5.35),
    ("02", 49.56, 3.56),
    ("03", 46.39, 3.19),
    ("04", 44.10, 6.24),
    ("05", 44.66, 6.26),
    ("06", 43.94, 7.12),
    ("07", 44.75, 4.42),
    ("08", 49.62, 4.64),
    ("09", 42.92, 1.50),
    ("10", 48.30, 4.16),
    ("11", 43.10, 2.41),
    ("12", 44.28, 2.68),
    ("13", 43.54, 5.09),
    ("14", 49.10, -0.36),
    ("15", 45.05, 2.67),
    ("16", 45.72, 0.20),
    ("17", 45.78, -0.67),
    ("18", 47.06, 2.49),
    ("19", 45.36, 1.88),
    ("21", 47.42, 4.77),
    ("22", 48.44, -2.86),
    ("23", 46.09, 2.02),
    ("24", 45.10, 0.74),
    ("25", 47.17, 6.36),
    ("26", 44.69, 5.17),
    ("27", 49.11, 1.03),
    ("28", 48.39, 1.37),
    ("29", 48.26, -4.06),
    ("30", 43.99, 4.18),
    ("31", 43.36, 1.17),
    ("32", 43.69, 0.45),
    ("33", 44.83, -0.58),
    ("34", 43.58, 3.37),
    ("35", 48.15, -1.64),
    ("36", 46.78, 1.58),
    ("37", 47.26, 0.69),
    ("38", 45.26, 5.58),
    ("39", 46.73, 5.70),
    ("40", 43.97, -0.78),
    ("41", 47.62, 1.43),
    ("42", 45.73, 4.17),
    ("43", 45.13, 3.81),
    ("44", 47.35, -1.68),
    ("45", 47.91, 2.34),
    ("46", 44.62, 1.61),
    ("47", 44.37, 0.46),
    ("48", 44.52, 3.50),
    ("49", 47.39, -0.56),
    ("50", 49.08, -1.33),
    ("51", 48.95, 4.24),
    ("52", 48.11, 5.23),
    ("53", 48.15, -0.65),
    ("54", 48.79, 6.16),
    ("55", 48.99, 5.38),
    ("56", 47.85, -2.81),
    ("57", 49.04, 6.66),
    ("58", 47.12, 3.50),
    ("59", 50.45, 3.22),
    ("60", 49.41, 2.43),
    ("61", 48.58, 0.13),
    ("62", 50.49, 2.29),
    ("63", 45.73, 3.13),
    ("64", 43.26, -0.76),
    ("65", 43.05, 0.16),
    ("66", 42.60, 2.52),
    ("67", 48.67, 7.55),
    ("68", 47.86, 7.27),
    ("69", 45.87, 4.64),
    ("70", 47.64, 6.09),
    ("71", 46.64, 4.54),
    ("72", 47.99, 0.22),
    ("73", 45.48, 6.44),
    ("74", 46.03, 6.43),
    ("75", 48.86, 2.35),
    ("76", 49.66, 0.94),
    ("77", 48.63, 2.93),
    ("78", 48.82, 1.84),
    ("79", 46.56, -0.32),
    ("80", 49.96, 2.29),
    ("81", 43.79, 2.17),
    ("82", 44.09, 1.28),
    ("83", 43.46, 6.22),
    ("84", 44.01, 5.19),
    ("85", 46.67, -1.30),
    ("86", 46.56, 0.46),
    ("87", 45.89, 1.24),
    ("88", 48.20, 6.38),
    ("89", 47.84, 3.56),
    ("90", 47.63, 6.93),
    ("91", 48.52, 2.24),
    ("92", 48.85, 2.24),
    ("93", 48.91, 2.48),
    ("94", 48.78, 2.47),
    ("95", 49.08, 2.13),
    ("2A", 41.86, 8.99),
    ("2B", 42.39, 9.21),
];

/// Why an address cannot be priced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AreaError {
    #[error("country {0:?} is not served: STVA transports within metropolitan France (FR)")]
    Country(String),
    #[error("postal code {0:?} is not a French postal code (5 digits)")]
    PostalCode(String),
    #[error("postal code {0:?} is outside metropolitan France")]
    Overseas(String),
}

/// A metropolitan department and its centroid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Department {
    pub code: &'static str,
    pub lat: f64,
    pub lon: f64,
}

/// The department of a French postal code (`69003` -> `69`; Corsica's
/// `200xx`-`201xx` -> `2A`, `202xx`-`206xx` -> `2B`).
pub fn department(country: &str, postal_code: &str) -> Result<Department, AreaError> {
    if !country.trim().eq_ignore_ascii_case("FR") {
        return Err(AreaError::Country(country.to_owned()));
    }
    let code = postal_code.trim();
    if code.len() != 5 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AreaError::PostalCode(postal_code.to_owned()));
    }
    let wanted = match &code[..2] {
        "20" if code < "20200" => "2A",
        "20" => "2B",
        prefix => prefix,
    };
    DEPARTMENTS
        .iter()
        .find(|(c, _, _)| *c == wanted)
        .map(|&(code, lat, lon)| Department { code, lat, lon })
        .ok_or_else(|| AreaError::Overseas(postal_code.to_owned()))
}

/// Great-circle distance in kilometres.
pub fn haversine_km(a: Department, b: Department) -> f64 {
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// Road distance between two departments: great circle times
/// [`ROAD_FACTOR`], rounded to the kilometre, at least [`MIN_DISTANCE_KM`].
pub fn road_distance_km(a: Department, b: Department) -> u32 {
    let km = (haversine_km(a, b) * ROAD_FACTOR).round();
    // At most about 1,500 km within metropolitan France: the cast is exact.
    let km = if km.is_finite() && km > 0.0 {
        km as u32
    } else {
        0
    };
    km.max(MIN_DISTANCE_KM)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(code: &str) -> Department {
        department("FR", code).unwrap()
    }

    #[test]
    fn table_has_the_96_metropolitan_departments_once() {
        let mut codes: Vec<&str> = DEPARTMENTS.iter().map(|d| d.0).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 96);
        assert!(!codes.contains(&"20"));
        for (code, lat, lon) in DEPARTMENTS {
            assert!((41.0..=51.5).contains(&lat), "{code}");
            assert!((-5.0..=9.6).contains(&lon), "{code}");
        }
    }

    #[test]
    fn postal_codes_map_to_departments() {
        assert_eq!(dep("69003").code, "69");
        assert_eq!(dep("01000").code, "01");
        assert_eq!(dep("20000").code, "2A");
        assert_eq!(dep("20167").code, "2A");
        assert_eq!(dep("20200").code, "2B");
        assert_eq!(dep("20600").code, "2B");
        assert_eq!(department("fr", " 75001 ").map(|d| d.code), Ok("75"));
        assert!(matches!(
            department("FR", "97400"),
            Err(AreaError::Overseas(_))
        ));
        assert!(matches!(
            department("FR", "7500"),
            Err(AreaError::PostalCode(_))
        ));
        assert!(matches!(
            department("FR", "7500A"),
            Err(AreaError::PostalCode(_))
        ));
        assert!(matches!(
            department("BE", "10000"),
            Err(AreaError::Country(_))
        ));
    }

    #[test]
    fn distances_are_plausible_symmetric_and_at_least_5_km() {
        // Paris - Lyon: about 465 km by road.
        let paris_lyon = road_distance_km(dep("75001"), dep("69001"));
        assert!((430..=500).contains(&paris_lyon), "{paris_lyon}");
        // Lille - Marseille: about 1,000 km by road.
        let lille_marseille = road_distance_km(dep("59000"), dep("13001"));
        assert!(
            (900..=1_100).contains(&lille_marseille),
            "{lille_marseille}"
        );
        assert_eq!(
            road_distance_km(dep("33000"), dep("67000")),
            road_distance_km(dep("67000"), dep("33000"))
        );
        assert_eq!(
            road_distance_km(dep("75001"), dep("75015")),
            MIN_DISTANCE_KM
        );
        // Paris and its inner suburbs are a few km apart, never less than 5.
        assert!(road_distance_km(dep("75001"), dep("92100")) >= MIN_DISTANCE_KM);
    }
}
