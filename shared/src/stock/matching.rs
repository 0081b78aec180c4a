//! Finding vehicles: the text search of the stock list, and the index that
//! matches an incoming vehicle (a CSV row, a feed record) to the stored one
//! by source reference, plate or VIN.

use std::collections::HashMap;

use crate::repo::vehicles::{Vehicle, VehicleStatus};
use crate::stock::fold::fold;

/// Whether the vehicle is in the account's stock (`in_stock` or `in_order`).
pub fn is_active(vehicle: &Vehicle) -> bool {
    vehicle.status != VehicleStatus::Removed
}

/// The `q` of the stock list: every word must be found in the make, model,
/// version or reference (case and accents ignored) or in the plate or VIN;
/// or the whole text, separators removed, in the plate or VIN (`ab-123`
/// finds `AB123CD`, and so does `AB 123`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    /// The whole text, letters and digits only, uppercase.
    compact: String,
    /// Each word, folded.
    words: Vec<String>,
}

fn compact(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl Search {
    /// `None` for a blank text (everything matches).
    pub fn new(text: &str) -> Option<Self> {
        let words: Vec<String> = fold(text).split_whitespace().map(str::to_owned).collect();
        (!words.is_empty()).then(|| Search {
            compact: compact(text),
            words,
        })
    }

    pub fn matches(&self, vehicle: &Vehicle) -> bool {
        let plate = vehicle.plate.as_deref().unwrap_or("");
        let vin = vehicle.vin.as_deref().unwrap_or("");
        if !self.compact.is_empty()
            && (plate.contains(&self.compact) || vin.contains(&self.compact))
        {
            return true;
        }
        let texts: Vec<String> = [
            Some(vehicle.make.as_str()),
            Some(vehicle.model.as_str()),
            vehicle.version.as_deref(),
            vehicle.external_ref.as_deref(),
        ]
        .into_iter()
        .flatten()
        .map(fold)
        .collect();
        self.words.iter().all(|word| {
            texts.iter().any(|text| text.contains(word.as_str())) || {
                let word = compact(word);
                !word.is_empty() && (plate.contains(&word) || vin.contains(&word))
            }
        })
    }
}

/// The stored stock of one account, indexed for matching. Changes made
/// while matching a batch go back in with [`StockIndex::put`], so that a
/// later row sees them.
#[derive(Debug, Clone, Default)]
pub struct StockIndex {
    vehicles: HashMap<String, Vehicle>,
    by_reference: HashMap<(String, String), String>,
    by_plate: HashMap<String, Vec<String>>,
    by_vin: HashMap<String, Vec<String>>,
}

impl StockIndex {
    pub fn new(vehicles: impl IntoIterator<Item = Vehicle>) -> Self {
        let mut index = StockIndex::default();
        for vehicle in vehicles {
            index.put(vehicle);
        }
        index
    }

    pub fn len(&self) -> usize {
        self.vehicles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vehicles.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&Vehicle> {
        self.vehicles.get(id)
    }

    pub fn vehicles(&self) -> impl Iterator<Item = &Vehicle> {
        self.vehicles.values()
    }

    /// Adds or replaces a vehicle (by id), re-indexing it.
    pub fn put(&mut self, vehicle: Vehicle) {
        if let Some(old) = self.vehicles.remove(&vehicle.id) {
            if let Some(reference) = &old.external_ref {
                self.by_reference
                    .remove(&(old.source.clone(), reference.clone()));
            }
            for (map, value) in [
                (&mut self.by_plate, &old.plate),
                (&mut self.by_vin, &old.vin),
            ] {
                if let Some(value) = value
                    && let Some(ids) = map.get_mut(value)
                {
                    ids.retain(|id| *id != old.id);
                }
            }
        }
        if let Some(reference) = &vehicle.external_ref {
            self.by_reference.insert(
                (vehicle.source.clone(), reference.clone()),
                vehicle.id.clone(),
            );
        }
        if let Some(plate) = &vehicle.plate {
            self.by_plate
                .entry(plate.clone())
                .or_default()
                .push(vehicle.id.clone());
        }
        if let Some(vin) = &vehicle.vin {
            self.by_vin
                .entry(vin.clone())
                .or_default()
                .push(vehicle.id.clone());
        }
        self.vehicles.insert(vehicle.id.clone(), vehicle);
    }

    /// The vehicle of this source with this external reference.
    pub fn by_reference(&self, source: &str, reference: &str) -> Option<&Vehicle> {
        self.by_reference
            .get(&(source.to_owned(), reference.to_owned()))
            .and_then(|id| self.vehicles.get(id))
    }

    /// The vehicle with this normalised plate: an active one before a
    /// removed one, then the most recently updated.
    pub fn by_plate(&self, plate: &str) -> Option<&Vehicle> {
        self.best(self.by_plate.get(plate))
    }

    /// The vehicle with this VIN, chosen as [`StockIndex::by_plate`] does.
    pub fn by_vin(&self, vin: &str) -> Option<&Vehicle> {
        self.best(self.by_vin.get(vin))
    }

    /// Active vehicles with this plate other than `except`.
    pub fn other_active_with_plate<'a>(
        &'a self,
        plate: &str,
        except: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Vehicle> {
        self.by_plate
            .get(plate)
            .into_iter()
            .flatten()
            .filter(move |id| Some(id.as_str()) != except)
            .filter_map(|id| self.vehicles.get(id))
            .filter(|v| is_active(v))
    }

    fn best(&self, ids: Option<&Vec<String>>) -> Option<&Vehicle> {
        ids?.iter()
            .filter_map(|id| self.vehicles.get(id))
            .max_by_key(|v| (is_active(v), v.updated_at, v.id.clone()))
    }
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;
    use time::macros::datetime;

    use super::*;

    fn vehicle(id: &str, make: &str, model: &str, plate: &str) -> Vehicle {
        Vehicle {
            id: id.into(),
            account_id: "A".into(),
            source: "manual".into(),
            external_ref: None,
            make: make.into(),
            model: model.into(),
            version: None,
            plate: Some(plate.into()),
            vin: None,
            mileage_km: None,
            first_registration: None,
            fuel: None,
            colour: None,
            location: None,
            photo_url: None,
            status: VehicleStatus::InStock,
            order_id: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
            revision: 1,
        }
    }

    #[test]
    fn search_ignores_case_accents_and_plate_separators() {
        let mut v = vehicle("1", "Citroën", "C3 Aircross", "AB123CD");
        v.vin = Some("VF7SXHMZ6KT512345".into());
        v.external_ref = Some("VO-Lyon-42".into());
        v.version = Some("Shine Pack".into());
        for q in [
            "citroen",
            "CITROËN c3",
            "aircross",
            "ab-123",
            "AB 123 CD",
            "ab123cd",
            "vf7sx",
            "vo-lyon",
            "shine",
            "  Citroen   AB-123  ",
        ] {
            let search = Search::new(q).unwrap();
            assert!(search.matches(&v), "{q}");
        }
        for q in ["peugeot", "citroen 208", "AB-124", "xx"] {
            assert!(!Search::new(q).unwrap().matches(&v), "{q}");
        }
        assert_eq!(Search::new("  "), None);
        let skoda = vehicle("2", "Škoda", "Octavia", "EF456GH");
        assert!(Search::new("skoda").unwrap().matches(&skoda));
        assert!(Search::new("ŠKODA oct").unwrap().matches(&skoda));
    }

    #[test]
    fn the_index_prefers_active_and_recent_vehicles_and_follows_changes() {
        let mut old = vehicle("1", "Renault", "Clio", "AB123CD");
        old.status = VehicleStatus::Removed;
        old.updated_at = datetime!(2026-03-01 10:00 UTC);
        let mut current = vehicle("2", "Renault", "Clio", "AB123CD");
        current.updated_at = datetime!(2026-01-01 10:00 UTC);
        current.source = "csv".into();
        current.external_ref = Some("R1".into());
        let mut index = StockIndex::new([old, current.clone()]);
        assert_eq!(index.len(), 2);
        assert_eq!(index.by_plate("AB123CD").map(|v| v.id.as_str()), Some("2"));
        assert_eq!(
            index.by_reference("csv", "R1").map(|v| v.id.as_str()),
            Some("2")
        );
        assert_eq!(index.by_reference("manual", "R1"), None);
        assert_eq!(
            index.other_active_with_plate("AB123CD", Some("1")).count(),
            1
        );
        assert_eq!(
            index.other_active_with_plate("AB123CD", Some("2")).count(),
            0
        );

        current.plate = Some("EF456GH".into());
        current.external_ref = Some("R2".into());
        index.put(current);
        assert_eq!(index.by_plate("AB123CD").map(|v| v.id.as_str()), Some("1"));
        assert_eq!(index.by_plate("EF456GH").map(|v| v.id.as_str()), Some("2"));
        assert_eq!(index.by_reference("csv", "R1"), None);
        assert_eq!(
            index.by_reference("csv", "R2").map(|v| v.id.as_str()),
            Some("2")
        );
        assert_eq!(index.len(), 2);
    }
}
