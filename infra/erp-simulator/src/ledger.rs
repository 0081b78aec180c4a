//! The ERP's books: estimates, orders, idempotency keys and the change
//! feed, as plain data driven by an explicit `now`, so that every rule here
//! is testable without a server or a clock.
//!
//! Progress is materialised lazily: each order has at most one pending
//! status (the next of its chain) in a queue ordered by due time; before
//! any read or write the caller calls [`Ledger::materialise`] with the
//! current time, which appends every due status to its order and to the
//! feed, oldest first. Because the clock never goes back and new statuses
//! are never due before `now`, the feed is ordered by time, and a status is
//! appended exactly once.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};

use crate::geo;
use crate::pricing::{self, MAX_VEHICLES};
use crate::wire::{
    ApiError, ChangeOut, ChangesOut, EstimateIn, EstimateOut, EventOut, LineOut, OrderOut, Status,
};

/// How long an estimate can be ordered.
pub const ESTIMATE_VALIDITY: Duration = Duration::days(7);
/// At most this many changes per feed read.
pub const MAX_PAGE: u32 = 1_000;
/// Changes per feed read when the caller names no limit.
pub const DEFAULT_PAGE: u32 = 100;
/// Minutes on the road per kilometre (60 km/h).
const MINUTES_PER_KM: i64 = 1;
/// Even a short hop takes a quarter of an hour.
const MIN_DRIVE_MINUTES: i64 = 15;

/// The forward chain of an order, in order.
pub const CHAIN: [Status; 5] = [
    Status::Confirmed,
    Status::Scheduled,
    Status::PickedUp,
    Status::InTransit,
    Status::Delivered,
];

/// When each status of the chain is reached, counted from the order's
/// creation: confirmed at once (the ERP accepts the order synchronously),
/// scheduled 1 h later, picked up the next day, in transit 1 h after the
/// pickup, delivered after the drive at 60 km/h (at least 15 minutes).
pub fn progress_schedule(distance_km: u32) -> [(Status, Duration); 5] {
    let drive = (i64::from(distance_km) * MINUTES_PER_KM).max(MIN_DRIVE_MINUTES);
    let scheduled = 60;
    let picked_up = scheduled + 24 * 60;
    let in_transit = picked_up + 60;
    [
        (Status::Confirmed, Duration::ZERO),
        (Status::Scheduled, Duration::minutes(scheduled)),
        (Status::PickedUp, Duration::minutes(picked_up)),
        (Status::InTransit, Duration::minutes(in_transit)),
        (Status::Delivered, Duration::minutes(in_transit + drive)),
    ]
}

/// From the creation of an order to its delivery.
pub fn time_to_delivery(distance_km: u32) -> Duration {
    progress_schedule(distance_km)[CHAIN.len() - 1].1
}

fn plus(at: OffsetDateTime, by: Duration) -> OffsetDateTime {
    at.checked_add(by).unwrap_or(at)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredOrder {
    pub id: String,
    /// Creation rank: breaks ties between statuses due at the same instant.
    pub number: u64,
    pub reference: String,
    pub estimate_id: String,
    pub idempotency_key: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub distance_km: u32,
    pub events: Vec<EventOut>,
    pub cancel_reason: Option<String>,
}

impl StoredOrder {
    pub fn status(&self) -> Status {
        self.events.last().map_or(Status::Confirmed, |e| e.status)
    }

    fn cancelled(&self) -> bool {
        self.status() == Status::Cancelled
    }

    /// The next status of the chain and when it is due, if any.
    fn next_due(&self) -> Option<(OffsetDateTime, Status)> {
        if self.cancelled() {
            return None;
        }
        let (status, offset) = *progress_schedule(self.distance_km).get(self.events.len())?;
        Some((plus(self.created_at, offset), status))
    }

    pub fn view(&self) -> OrderOut {
        OrderOut {
            erp_order_id: self.id.clone(),
            reference: self.reference.clone(),
            estimate_id: self.estimate_id.clone(),
            status: self.status(),
            created_at: self.created_at,
            distance_km: self.distance_km,
            estimated_delivery_at: (!self.cancelled())
                .then(|| plus(self.created_at, time_to_delivery(self.distance_km))),
            cancel_reason: self.cancel_reason.clone(),
            events: self.events.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedEntry {
    pub order_id: String,
    pub reference: String,
    pub status: Status,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct IdempotencyRecord {
    estimate_id: String,
    reference: String,
    order_id: String,
}

/// What `create_order` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    New(OrderOut),
    /// Same key, same body: the order created the first time.
    Repeat(OrderOut),
}

/// The ERP's state. Serialised as is for `Simulator::open`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ledger {
    /// Changes at every reset, so that a cursor of an older feed reads the
    /// new one from its start instead of skipping it.
    epoch: String,
    /// Minutes added to the wall clock by `advance`.
    pub offset_minutes: i64,
    /// The latest time handed out: the clock never goes back.
    #[serde(with = "time::serde::rfc3339")]
    last_now: OffsetDateTime,
    next_number: u64,
    estimates: HashMap<String, EstimateOut>,
    orders: HashMap<String, StoredOrder>,
    /// estimate id -> the order made from it.
    ordered_estimates: HashMap<String, String>,
    idempotency: HashMap<String, IdempotencyRecord>,
    /// Entry `i` has the sequence number `i + 1`.
    feed: Vec<FeedEntry>,
    /// (due time, order number) -> order id: the next status of each
    /// order under way. Rebuilt from the orders when loaded.
    #[serde(skip)]
    pending: BTreeMap<(OffsetDateTime, u64), String>,
    /// Bumped by every change worth saving.
    #[serde(skip)]
    pub version: u64,
}

fn new_epoch() -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    id[..8].to_owned()
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
}

fn check_text(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    let len = value.trim().chars().count();
    if len == 0 {
        return Err(ApiError::invalid(format!("{field} is required")));
    }
    if len > max {
        return Err(ApiError::invalid(format!(
            "{field} is longer than {max} characters"
        )));
    }
    Ok(())
}

impl Ledger {
    pub fn new(now: OffsetDateTime) -> Self {
        Self {
            epoch: new_epoch(),
            offset_minutes: 0,
            last_now: now,
            next_number: 1,
            estimates: HashMap::new(),
            orders: HashMap::new(),
            ordered_estimates: HashMap::new(),
            idempotency: HashMap::new(),
            feed: Vec::new(),
            pending: BTreeMap::new(),
            version: 0,
        }
    }

    /// After deserialising: rebuilds the queue of pending statuses.
    pub fn rebuild_pending(&mut self) {
        self.pending = self
            .orders
            .values()
            .filter_map(|o| o.next_due().map(|(at, _)| ((at, o.number), o.id.clone())))
            .collect();
    }

    /// The simulated time for a wall-clock reading: wall + offset, never
    /// before the previous reading, to the second.
    pub fn now(&mut self, wall: OffsetDateTime) -> OffsetDateTime {
        let shifted = wall
            .checked_add(Duration::minutes(self.offset_minutes))
            .unwrap_or(self.last_now);
        let shifted = shifted.replace_nanosecond(0).unwrap_or(shifted);
        let now = shifted.max(self.last_now);
        self.last_now = now;
        now
    }

    /// Sets the clock's latest reading to `start` when the books are still
    /// empty (nothing happened at a later time); otherwise keeps it.
    pub fn restart_clock(&mut self, start: OffsetDateTime) {
        if self.feed.is_empty() && self.estimates.is_empty() && self.orders.is_empty() {
            self.last_now = start;
        }
    }

    /// Moves the clock forward.
    pub fn advance(&mut self, minutes: u32) {
        self.offset_minutes = self.offset_minutes.saturating_add(i64::from(minutes));
        self.version += 1;
    }

    pub fn feed_len(&self) -> usize {
        self.feed.len()
    }

    pub fn order_count(&self) -> usize {
        self.orders.len()
    }

    #[cfg(test)]
    pub fn estimate_count(&self) -> usize {
        self.estimates.len()
    }

    /// Appends every status due at `now`; returns how many.
    pub fn materialise(&mut self, now: OffsetDateTime) -> usize {
        let mut appended = 0;
        while let Some(entry) = self.pending.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let id = entry.remove();
            let Some(order) = self.orders.get_mut(&id) else {
                continue;
            };
            let Some((at, status)) = order.next_due() else {
                continue;
            };
            order.events.push(EventOut { status, at });
            self.feed.push(FeedEntry {
                order_id: order.id.clone(),
                reference: order.reference.clone(),
                status,
                at,
            });
            appended += 1;
            if let Some((next_at, _)) = order.next_due() {
                self.pending
                    .insert((next_at, order.number), order.id.clone());
            }
        }
        if appended > 0 {
            self.version += 1;
        }
        appended
    }

    /// Prices a lot.
    pub fn create_estimate(
        &mut self,
        input: &EstimateIn,
        now: OffsetDateTime,
    ) -> Result<EstimateOut, ApiError> {
        check_text("reference", &input.reference, 64)?;
        check_text("customer_account_id", &input.customer_account_id, 64)?;
        check_text("customer_name", &input.customer_name, 200)?;
        if input.vehicles.is_empty() || input.vehicles.len() > MAX_VEHICLES {
            return Err(ApiError::invalid(format!(
                "a lot has 1 to {MAX_VEHICLES} vehicles, got {}",
                input.vehicles.len()
            )));
        }
        let mut plates: Vec<String> = Vec::with_capacity(input.vehicles.len());
        for (i, vehicle) in input.vehicles.iter().enumerate() {
            check_text(&format!("vehicles[{i}].make"), &vehicle.make, 64)?;
            check_text(&format!("vehicles[{i}].model"), &vehicle.model, 64)?;
            check_text(&format!("vehicles[{i}].plate"), &vehicle.plate, 20)?;
            if let Some(vin) = &vehicle.vin {
                let vin = vin.trim();
                if vin.len() != 17 || !vin.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(ApiError::invalid(format!(
                        "vehicles[{i}].vin must be 17 letters or digits"
                    )));
                }
            }
            let plate: String = vehicle
                .plate
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_uppercase())
                .collect();
            if plates.contains(&plate) {
                return Err(ApiError::invalid(format!(
                    "vehicles[{i}].plate {plate} appears twice in the lot"
                )));
            }
            plates.push(plate);
        }
        let mut departments = Vec::with_capacity(2);
        for (name, address) in [("pickup", &input.pickup), ("delivery", &input.delivery)] {
            check_text(&format!("{name}.street"), &address.street, 200)?;
            check_text(&format!("{name}.city"), &address.city, 100)?;
            let department = geo::department(&address.country, &address.postal_code)
                .map_err(|e| ApiError::new(422, "unsupported_area", format!("{name}: {e}")))?;
            departments.push(department);
        }
        if let Some(date) = &input.requested_date {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            Date::parse(date, format).map_err(|_| {
                ApiError::invalid(format!("requested_date {date:?} is not a YYYY-MM-DD date"))
            })?;
        }
        let [pickup, delivery] = departments[..] else {
            return Err(ApiError::new(500, "internal", "two addresses expected"));
        };
        let distance_km = geo::road_distance_km(pickup, delivery);
        let price = pricing::price(distance_km, input.vehicles.len());
        let estimate = EstimateOut {
            estimate_id: new_id("est"),
            reference: input.reference.trim().to_owned(),
            amount_excl_tax_cents: price.excl_tax.cents(),
            vat_cents: price.vat.cents(),
            amount_incl_tax_cents: price.incl_tax.cents(),
            currency: shared::domain::money::CURRENCY.to_owned(),
            distance_km,
            created_at: now,
            valid_until: plus(now, ESTIMATE_VALIDITY),
            pickup_department: pickup.code.to_owned(),
            delivery_department: delivery.code.to_owned(),
            lines: price
                .lines
                .iter()
                .zip(&plates)
                .map(|(line, plate)| LineOut {
                    position: line.position,
                    plate: plate.clone(),
                    discount_percent: line.discount_percent,
                    amount_excl_tax_cents: line.amount_excl_tax.cents(),
                })
                .collect(),
        };
        self.estimates
            .insert(estimate.estimate_id.clone(), estimate.clone());
        self.version += 1;
        Ok(estimate)
    }

    /// Creates the order of an estimate, once per idempotency key.
    pub fn create_order(
        &mut self,
        estimate_id: &str,
        reference: &str,
        key: &str,
        now: OffsetDateTime,
    ) -> Result<Created, ApiError> {
        let key = key.trim();
        if key.is_empty() || key.len() > 200 {
            return Err(ApiError::new(
                400,
                "idempotency_key_required",
                "the Idempotency-Key header is required (1 to 200 characters)",
            ));
        }
        if let Some(record) = self.idempotency.get(key) {
            if record.estimate_id != estimate_id || record.reference != reference {
                return Err(ApiError::new(
                    409,
                    "idempotency_key_reused",
                    format!(
                        "Idempotency-Key {key:?} was used for another request (estimate {}, reference {})",
                        record.estimate_id, record.reference
                    ),
                ));
            }
            let order = self.orders.get(&record.order_id).ok_or_else(|| {
                ApiError::new(500, "internal", "idempotency record without its order")
            })?;
            return Ok(Created::Repeat(order.view()));
        }
        let estimate = self.estimates.get(estimate_id).ok_or_else(|| {
            ApiError::new(
                404,
                "estimate_not_found",
                format!("no estimate {estimate_id:?}"),
            )
        })?;
        if now > estimate.valid_until {
            return Err(ApiError::new(
                410,
                "estimate_expired",
                format!("estimate {estimate_id} expired at {}", estimate.valid_until),
            ));
        }
        if estimate.reference != reference {
            return Err(ApiError::new(
                422,
                "reference_mismatch",
                format!(
                    "estimate {estimate_id} was made for reference {:?}, not {reference:?}",
                    estimate.reference
                ),
            ));
        }
        if let Some(order_id) = self.ordered_estimates.get(estimate_id) {
            return Err(ApiError::new(
                409,
                "estimate_already_ordered",
                format!("estimate {estimate_id} was already ordered as {order_id}"),
            ));
        }
        let mut order = StoredOrder {
            id: new_id("ord"),
            number: self.next_number,
            reference: reference.to_owned(),
            estimate_id: estimate_id.to_owned(),
            idempotency_key: key.to_owned(),
            created_at: now,
            distance_km: estimate.distance_km,
            events: Vec::new(),
            cancel_reason: None,
        };
        self.next_number += 1;
        // Confirmed at once: due now, appended now.
        if let Some((at, status)) = order.next_due() {
            order.events.push(EventOut { status, at });
            self.feed.push(FeedEntry {
                order_id: order.id.clone(),
                reference: order.reference.clone(),
                status,
                at,
            });
        }
        if let Some((at, _)) = order.next_due() {
            self.pending.insert((at, order.number), order.id.clone());
        }
        self.idempotency.insert(
            key.to_owned(),
            IdempotencyRecord {
                estimate_id: estimate_id.to_owned(),
                reference: reference.to_owned(),
                order_id: order.id.clone(),
            },
        );
        self.ordered_estimates
            .insert(estimate_id.to_owned(), order.id.clone());
        let view = order.view();
        self.orders.insert(order.id.clone(), order);
        self.version += 1;
        Ok(Created::New(view))
    }

    pub fn order(&self, id: &str) -> Result<OrderOut, ApiError> {
        self.orders
            .get(id)
            .map(StoredOrder::view)
            .ok_or_else(|| ApiError::new(404, "order_not_found", format!("no order {id:?}")))
    }

    /// Cancels an order before its pickup; cancelling a cancelled order
    /// answers it unchanged. The caller materialises first.
    pub fn cancel(
        &mut self,
        id: &str,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<OrderOut, ApiError> {
        check_text("reason", reason, 500)?;
        let order = self
            .orders
            .get_mut(id)
            .ok_or_else(|| ApiError::new(404, "order_not_found", format!("no order {id:?}")))?;
        match order.status() {
            Status::Cancelled => return Ok(order.view()),
            Status::Confirmed | Status::Scheduled => {}
            other => {
                return Err(ApiError::new(
                    409,
                    "not_cancellable",
                    format!(
                        "order {id} is {}: it can no longer be cancelled",
                        other.as_str()
                    ),
                ));
            }
        }
        if let Some((at, _)) = order.next_due() {
            self.pending.remove(&(at, order.number));
        }
        order.events.push(EventOut {
            status: Status::Cancelled,
            at: now,
        });
        order.cancel_reason = Some(reason.trim().to_owned());
        self.feed.push(FeedEntry {
            order_id: order.id.clone(),
            reference: order.reference.clone(),
            status: Status::Cancelled,
            at: now,
        });
        self.version += 1;
        Ok(order.view())
    }

    fn cursor(&self, seq: usize) -> String {
        format!("{}-{seq}", self.epoch)
    }

    /// The feed position a cursor names: after that many changes. A cursor
    /// of an earlier feed (before a reset) starts again from the start.
    fn position(&self, cursor: Option<&str>) -> Result<usize, ApiError> {
        let Some(cursor) = cursor.map(str::trim).filter(|c| !c.is_empty()) else {
            return Ok(0);
        };
        let invalid = || ApiError::new(400, "invalid_cursor", format!("unknown cursor {cursor:?}"));
        let (epoch, seq) = cursor.split_once('-').ok_or_else(invalid)?;
        let seq: usize = seq.parse().map_err(|_| invalid())?;
        if epoch != self.epoch {
            return Ok(0);
        }
        if seq > self.feed.len() {
            return Err(invalid());
        }
        Ok(seq)
    }

    /// Changes after `cursor`, oldest first, at most `limit` (clamped to
    /// 1..=[`MAX_PAGE`]). The caller materialises first.
    pub fn changes(&self, cursor: Option<&str>, limit: u32) -> Result<ChangesOut, ApiError> {
        let start = self.position(cursor)?;
        let limit = usize::try_from(limit.clamp(1, MAX_PAGE)).unwrap_or(1);
        let end = start.saturating_add(limit).min(self.feed.len());
        let changes = self.feed[start..end]
            .iter()
            .enumerate()
            .map(|(i, e)| ChangeOut {
                cursor: self.cursor(start + i + 1),
                erp_order_id: e.order_id.clone(),
                reference: e.reference.clone(),
                status: e.status,
                at: e.at,
            })
            .collect();
        Ok(ChangesOut {
            changes,
            cursor: self.cursor(end),
            has_more: end < self.feed.len(),
        })
    }

    #[cfg(test)]
    pub fn feed(&self) -> &[FeedEntry] {
        &self.feed
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::datetime;

    use super::*;
    use crate::wire::{AddressIn, VehicleIn};

    const T0: OffsetDateTime = datetime!(2025-06-02 08:00 UTC);

    fn address(postal_code: &str) -> AddressIn {
        AddressIn {
            company: None,
            street: "1 rue de la Paix".into(),
            postal_code: postal_code.into(),
            city: "Ville".into(),
            country: "FR".into(),
            contact_name: None,
            contact_phone: None,
            instructions: None,
        }
    }

    fn lot(reference: &str, vehicles: usize, from: &str, to: &str) -> EstimateIn {
        EstimateIn {
            reference: reference.into(),
            customer_account_id: "acc_1".into(),
            customer_name: "Garage du Centre".into(),
            vehicles: (0..vehicles)
                .map(|i| VehicleIn {
                    make: "Renault".into(),
                    model: "Clio".into(),
                    plate: format!("AB-{:03}-CD", i + 1),
                    vin: None,
                })
                .collect(),
            pickup: address(from),
            delivery: address(to),
            requested_date: Some("2025-06-10".into()),
        }
    }

    fn order(ledger: &mut Ledger, reference: &str, to: &str, now: OffsetDateTime) -> OrderOut {
        let estimate = ledger
            .create_estimate(&lot(reference, 1, "75001", to), now)
            .unwrap();
        match ledger
            .create_order(&estimate.estimate_id, reference, reference, now)
            .unwrap()
        {
            Created::New(order) => order,
            Created::Repeat(_) => panic!("first call is not a repeat"),
        }
    }

    #[test]
    fn same_lot_same_price_and_seven_days_validity() {
        let mut ledger = Ledger::new(T0);
        let a = ledger
            .create_estimate(&lot("R1", 3, "75001", "69003"), T0)
            .unwrap();
        let b = ledger
            .create_estimate(&lot("R1", 3, "75001", "69003"), T0)
            .unwrap();
        assert_ne!(a.estimate_id, b.estimate_id);
        assert_eq!(a.amount_incl_tax_cents, b.amount_incl_tax_cents);
        assert_eq!(a.distance_km, b.distance_km);
        assert_eq!(
            a.amount_incl_tax_cents,
            a.amount_excl_tax_cents + a.vat_cents
        );
        assert_eq!(a.valid_until, datetime!(2025-06-09 08:00 UTC));
        assert_eq!(a.currency, "EUR");
        assert_eq!(a.lines.len(), 3);
        assert_eq!(a.lines[1].plate, "AB002CD");
        assert_eq!(
            (a.pickup_department.as_str(), a.delivery_department.as_str()),
            ("75", "69")
        );
    }

    #[test]
    fn estimates_are_validated() {
        let mut ledger = Ledger::new(T0);
        let mut bad = lot("R1", 0, "75001", "69003");
        assert_eq!(ledger.create_estimate(&bad, T0).unwrap_err().status, 422);
        bad = lot("R1", 13, "75001", "69003");
        assert_eq!(ledger.create_estimate(&bad, T0).unwrap_err().status, 422);
        bad = lot("R1", 2, "75001", "97400");
        assert_eq!(
            ledger.create_estimate(&bad, T0).unwrap_err().code,
            "unsupported_area"
        );
        bad = lot("R1", 2, "75001", "69003");
        bad.vehicles[1].plate = "ab 001 cd".into();
        assert!(
            ledger
                .create_estimate(&bad, T0)
                .unwrap_err()
                .message
                .contains("twice")
        );
        bad = lot("R1", 2, "75001", "69003");
        bad.requested_date = Some("10/06/2025".into());
        assert_eq!(ledger.create_estimate(&bad, T0).unwrap_err().status, 422);
        bad = lot("R1", 2, "75001", "69003");
        bad.vehicles[0].vin = Some("VF1".into());
        assert_eq!(ledger.create_estimate(&bad, T0).unwrap_err().status, 422);
        assert_eq!(ledger.estimate_count(), 0);
    }

    #[test]
    fn orders_are_idempotent_per_key() {
        let mut ledger = Ledger::new(T0);
        let e = ledger
            .create_estimate(&lot("R1", 2, "75001", "69003"), T0)
            .unwrap();
        let Created::New(first) = ledger.create_order(&e.estimate_id, "R1", "k1", T0).unwrap()
        else {
            panic!("new")
        };
        let later = T0 + Duration::hours(2);
        ledger.materialise(later);
        let Created::Repeat(again) = ledger
            .create_order(&e.estimate_id, "R1", "k1", later)
            .unwrap()
        else {
            panic!("repeat")
        };
        assert_eq!(again.erp_order_id, first.erp_order_id);
        assert_eq!(again.status, Status::Scheduled);
        let err = ledger
            .create_order(&e.estimate_id, "R2", "k1", later)
            .unwrap_err();
        assert_eq!((err.status, err.code), (409, "idempotency_key_reused"));
        let err = ledger
            .create_order(&e.estimate_id, "R1", "k2", later)
            .unwrap_err();
        assert_eq!((err.status, err.code), (409, "estimate_already_ordered"));
        assert_eq!(ledger.order_count(), 1);
    }

    #[test]
    fn unknown_expired_or_mismatched_estimates_are_refused() {
        let mut ledger = Ledger::new(T0);
        let e = ledger
            .create_estimate(&lot("R1", 1, "75001", "69003"), T0)
            .unwrap();
        let err = ledger.create_order("est_nope", "R1", "k", T0).unwrap_err();
        assert_eq!((err.status, err.code), (404, "estimate_not_found"));
        let err = ledger
            .create_order(&e.estimate_id, "R9", "k", T0)
            .unwrap_err();
        assert_eq!((err.status, err.code), (422, "reference_mismatch"));
        let late = T0 + ESTIMATE_VALIDITY + Duration::seconds(1);
        let err = ledger
            .create_order(&e.estimate_id, "R1", "k", late)
            .unwrap_err();
        assert_eq!((err.status, err.code), (410, "estimate_expired"));
        let err = ledger
            .create_order(&e.estimate_id, "R1", " ", T0)
            .unwrap_err();
        assert_eq!(err.status, 400);
        // Refusals leave no trace: the key is still free.
        assert!(ledger.create_order(&e.estimate_id, "R1", "k", T0).is_ok());
    }

    #[test]
    fn progress_schedule_follows_the_chain() {
        let schedule = progress_schedule(420);
        let statuses: Vec<Status> = schedule.iter().map(|s| s.0).collect();
        assert_eq!(statuses, CHAIN.to_vec());
        let minutes: Vec<i64> = schedule.iter().map(|s| s.1.whole_minutes()).collect();
        assert_eq!(
            minutes,
            vec![0, 60, 60 + 1440, 60 + 1440 + 60, 60 + 1440 + 60 + 420]
        );
        // Short hops still take 15 minutes on the road.
        assert_eq!(time_to_delivery(5).whole_minutes(), 1560 + 15);
        // Three days deliver anything in metropolitan France.
        assert!(time_to_delivery(1_600) < Duration::days(3));
    }

    #[test]
    fn orders_progress_on_the_clock_and_feed_each_status_once() {
        let mut ledger = Ledger::new(T0);
        let o = order(&mut ledger, "R1", "69003", T0);
        assert_eq!(o.status, Status::Confirmed);
        assert_eq!(o.events.len(), 1);
        let distance = o.distance_km;
        ledger.materialise(T0 + Duration::minutes(59));
        assert_eq!(
            ledger.order(&o.erp_order_id).unwrap().status,
            Status::Confirmed
        );
        ledger.materialise(T0 + Duration::minutes(60));
        assert_eq!(
            ledger.order(&o.erp_order_id).unwrap().status,
            Status::Scheduled
        );
        ledger.materialise(T0 + Duration::minutes(1560));
        assert_eq!(
            ledger.order(&o.erp_order_id).unwrap().status,
            Status::InTransit
        );
        let delivered_at = T0 + time_to_delivery(distance);
        ledger.materialise(delivered_at - Duration::seconds(1));
        assert_eq!(
            ledger.order(&o.erp_order_id).unwrap().status,
            Status::InTransit
        );
        ledger.materialise(delivered_at + Duration::days(30));
        let done = ledger.order(&o.erp_order_id).unwrap();
        assert_eq!(done.status, Status::Delivered);
        assert_eq!(done.estimated_delivery_at, Some(delivered_at));
        let events: Vec<(Status, OffsetDateTime)> =
            done.events.iter().map(|e| (e.status, e.at)).collect();
        assert_eq!(events.len(), 5);
        assert_eq!(events[4], (Status::Delivered, delivered_at));
        // The feed holds exactly those five, in order.
        let page = ledger.changes(None, 100).unwrap();
        let fed: Vec<(Status, OffsetDateTime)> =
            page.changes.iter().map(|c| (c.status, c.at)).collect();
        assert_eq!(fed, events);
        assert!(!page.has_more);
        let next = ledger.changes(Some(&page.cursor), 100).unwrap();
        assert!(next.changes.is_empty());
        assert_eq!(next.cursor, page.cursor);
    }

    #[test]
    fn cancel_before_pickup_only() {
        let mut ledger = Ledger::new(T0);
        let a = order(&mut ledger, "A", "69003", T0);
        let b = order(&mut ledger, "B", "69003", T0);
        let t = T0 + Duration::hours(2);
        ledger.materialise(t);
        let cancelled = ledger.cancel(&a.erp_order_id, "client", t).unwrap();
        assert_eq!(cancelled.status, Status::Cancelled);
        assert_eq!(cancelled.estimated_delivery_at, None);
        assert_eq!(
            ledger.cancel(&a.erp_order_id, "again", t).unwrap(),
            cancelled
        );
        ledger.materialise(t + Duration::days(5));
        assert_eq!(
            ledger.order(&a.erp_order_id).unwrap().status,
            Status::Cancelled
        );
        let err = ledger
            .cancel(&b.erp_order_id, "too late", t + Duration::days(5))
            .unwrap_err();
        assert_eq!((err.status, err.code), (409, "not_cancellable"));
        assert_eq!(ledger.cancel("ord_x", "r", t).unwrap_err().status, 404);
        assert_eq!(
            ledger.cancel(&b.erp_order_id, " ", t).unwrap_err().status,
            422
        );
    }

    #[test]
    fn cursors_page_and_survive_resets() {
        let mut ledger = Ledger::new(T0);
        for i in 0..3 {
            order(&mut ledger, &format!("R{i}"), "69003", T0);
        }
        let first = ledger.changes(None, 2).unwrap();
        assert_eq!(first.changes.len(), 2);
        assert!(first.has_more);
        assert_eq!(first.changes[1].cursor, first.cursor);
        let second = ledger.changes(Some(&first.cursor), 2).unwrap();
        assert_eq!(second.changes.len(), 1);
        assert!(!second.has_more);
        assert_eq!(
            ledger.changes(Some("garbage"), 2).unwrap_err().code,
            "invalid_cursor"
        );
        let beyond = format!("{}-99", ledger.epoch);
        assert_eq!(ledger.changes(Some(&beyond), 2).unwrap_err().status, 400);
        // Limit is clamped.
        assert_eq!(ledger.changes(None, 0).unwrap().changes.len(), 1);
        // A cursor from before a reset reads the new feed from its start.
        let mut fresh = Ledger::new(T0);
        order(&mut fresh, "N", "69003", T0);
        let page = fresh.changes(Some(&second.cursor), 10).unwrap();
        assert_eq!(page.changes.len(), 1);
        assert_eq!(page.changes[0].reference, "N");
    }

    #[test]
    fn ledger_round_trips_through_json() {
        let mut ledger = Ledger::new(T0);
        let o = order(&mut ledger, "R1", "13001", T0);
        ledger.materialise(T0 + Duration::hours(3));
        let json = serde_json::to_string(&ledger).unwrap();
        let mut loaded: Ledger = serde_json::from_str(&json).unwrap();
        loaded.rebuild_pending();
        assert_eq!(loaded.pending, ledger.pending);
        loaded.materialise(T0 + Duration::days(3));
        assert_eq!(
            loaded.order(&o.erp_order_id).unwrap().status,
            Status::Delivered
        );
        assert_eq!(loaded.feed_len(), 5);
    }

    #[test]
    fn clock_never_goes_back() {
        let mut ledger = Ledger::new(T0);
        assert_eq!(
            ledger.now(T0 + Duration::milliseconds(1500)),
            T0 + Duration::seconds(1)
        );
        assert_eq!(ledger.now(T0), T0 + Duration::seconds(1));
        ledger.advance(90);
        assert_eq!(ledger.now(T0), T0 + Duration::minutes(90));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Order(usize),
        Advance(u32),
        Read(u32),
        Cancel(usize),
    }

    const DESTINATIONS: [&str; 6] = ["75001", "69003", "13001", "59000", "20200", "29200"];

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0..DESTINATIONS.len()).prop_map(Op::Order),
            3 => prop_oneof![0..120u32, 0..3_000u32].prop_map(Op::Advance),
            4 => (0..6u32).prop_map(Op::Read),
            1 => (0..20usize).prop_map(Op::Cancel),
        ]
    }

    proptest! {
        /// Whatever the interleaving of orders, advances, cancellations and
        /// reads, a reader following the cursor sees every status reached
        /// exactly once, in the order each order reached them, in time
        /// order; and re-reading a cursor gives the same page.
        #[test]
        fn feed_never_skips_nor_repeats(ops in proptest::collection::vec(op(), 1..80)) {
            let mut ledger = Ledger::new(T0);
            let mut wall = T0;
            let mut cursor: Option<String> = None;
            let mut seen: Vec<ChangeOut> = Vec::new();
            let mut orders: Vec<String> = Vec::new();
            let read = |ledger: &mut Ledger, now, limit, cursor: &mut Option<String>, seen: &mut Vec<ChangeOut>| {
                ledger.materialise(now);
                let page = ledger.changes(cursor.as_deref(), limit).unwrap();
                let again = ledger.changes(cursor.as_deref(), limit).unwrap();
                assert_eq!(&page, &again);
                seen.extend(page.changes.iter().cloned());
                *cursor = Some(page.cursor);
                page.has_more
            };
            for (i, op) in ops.into_iter().enumerate() {
                let now = ledger.now(wall);
                match op {
                    Op::Order(d) => {
                        ledger.materialise(now);
                        let reference = format!("R{i}");
                        let e = ledger.create_estimate(&lot(&reference, 1, "75001", DESTINATIONS[d]), now).unwrap();
                        if let Created::New(o) = ledger.create_order(&e.estimate_id, &reference, &reference, now).unwrap() {
                            orders.push(o.erp_order_id);
                        }
                    }
                    Op::Advance(minutes) => {
                        // Both the wall clock and the simulated offset move.
                        wall += Duration::seconds(i64::from(minutes % 7));
                        ledger.advance(minutes);
                    }
                    Op::Read(limit) => { read(&mut ledger, now, limit, &mut cursor, &mut seen); }
                    Op::Cancel(k) => {
                        ledger.materialise(now);
                        if let Some(id) = orders.get(k) {
                            let _ = ledger.cancel(id, "test", now);
                        }
                    }
                }
            }
            ledger.advance(10 * 24 * 60);
            let end = ledger.now(wall);
            while read(&mut ledger, end, 7, &mut cursor, &mut seen) {}
            // Exactly the feed, in order.
            let fed: Vec<(String, Status, OffsetDateTime)> = ledger.feed().iter().map(|e| (e.order_id.clone(), e.status, e.at)).collect();
            let got: Vec<(String, Status, OffsetDateTime)> = seen.iter().map(|c| (c.erp_order_id.clone(), c.status, c.at)).collect();
            prop_assert_eq!(&got, &fed);
            // In time order.
            prop_assert!(got.windows(2).all(|w| w[0].2 <= w[1].2));
            // Per order: its whole history, once, ending delivered or cancelled.
            for id in &orders {
                let history: Vec<Status> = got.iter().filter(|c| &c.0 == id).map(|c| c.1).collect();
                let events: Vec<Status> = ledger.order(id).unwrap().events.iter().map(|e| e.status).collect();
                prop_assert_eq!(&history, &events);
                let last = history.last().copied();
                prop_assert!(last == Some(Status::Delivered) || last == Some(Status::Cancelled));
                let forward: Vec<Status> = history.iter().copied().filter(|s| *s != Status::Cancelled).collect();
                prop_assert_eq!(&forward[..], &CHAIN[..forward.len()]);
            }
            prop_assert_eq!(got.len(), ledger.feed_len());
        }
    }
}
