//! The simulator's tariff: a per-vehicle price from the road distance,
//! degressive with the vehicle's rank in the lot, plus the French VAT. All
//! amounts are integer cents ([`Money`]); the same lot and addresses always
//! give the same price.

use serde::Serialize;
use shared::domain::Money;

/// Fixed part of a vehicle's price: 90 €.
pub const BASE_PER_VEHICLE_CENTS: i64 = 9_000;
/// Per kilometre and vehicle: 0.95 €.
pub const PER_KM_PER_VEHICLE_CENTS: i64 = 95;
/// A car carrier takes at most this many vehicles in one lot.
pub const MAX_VEHICLES: usize = 12;

/// The discount, in percent, on the vehicle at `position` (1-based) in the
/// lot: none on the first, 10 % on the second, 15 % on the third to the
/// fifth, 20 % from the sixth on.
pub const fn discount_percent(position: usize) -> i64 {
    match position {
        0 | 1 => 0,
        2 => 10,
        3..=5 => 15,
        _ => 20,
    }
}

/// One vehicle's share of the price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// 1-based rank in the lot.
    pub position: usize,
    pub discount_percent: i64,
    pub amount_excl_tax: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Price {
    pub distance_km: u32,
    /// The full price of one vehicle, before the lot discount.
    pub unit_excl_tax: Money,
    pub lines: Vec<Line>,
    pub excl_tax: Money,
    pub vat: Money,
    pub incl_tax: Money,
}

/// The price of a lot of `vehicles` vehicles over `distance_km`.
pub fn price(distance_km: u32, vehicles: usize) -> Price {
    let unit = Money::from_cents(BASE_PER_VEHICLE_CENTS).saturating_add(
        Money::from_cents(PER_KM_PER_VEHICLE_CENTS).saturating_mul(i64::from(distance_km)),
    );
    let lines: Vec<Line> = (1..=vehicles)
        .map(|position| {
            let discount = discount_percent(position);
            // unit × (100 - discount) / 100, rounded to the nearest cent.
            let cents = (i128::from(unit.cents()) * i128::from(100 - discount) + 50) / 100;
            Line {
                position,
                discount_percent: discount,
                amount_excl_tax: Money::from_cents(i64::try_from(cents).unwrap_or(i64::MAX)),
            }
        })
        .collect();
    let excl_tax = lines.iter().fold(Money::ZERO, |total, line| {
        total.saturating_add(line.amount_excl_tax)
    });
    let vat = excl_tax.vat();
    Price {
        distance_km,
        unit_excl_tax: unit,
        lines,
        excl_tax,
        vat,
        incl_tax: excl_tax.saturating_add(vat),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_vehicle_is_base_plus_distance_plus_vat() {
        let p = price(400, 1);
        // 90 € + 400 × 0.95 € = 470 €.
        assert_eq!(p.excl_tax.cents(), 47_000);
        assert_eq!(p.vat.cents(), 9_400);
        assert_eq!(p.incl_tax.cents(), 56_400);
        assert_eq!(p.lines.len(), 1);
        assert_eq!(p.unit_excl_tax.cents(), 47_000);
    }

    #[test]
    fn lot_discount_is_degressive() {
        let p = price(100, 7);
        // Unit: 90 € + 95 € = 185 €.
        let amounts: Vec<i64> = p.lines.iter().map(|l| l.amount_excl_tax.cents()).collect();
        assert_eq!(
            amounts,
            vec![18_500, 16_650, 15_725, 15_725, 15_725, 14_800, 14_800]
        );
        let discounts: Vec<i64> = p.lines.iter().map(|l| l.discount_percent).collect();
        assert_eq!(discounts, vec![0, 10, 15, 15, 15, 20, 20]);
        assert_eq!(p.excl_tax.cents(), amounts.iter().sum::<i64>());
        // Each extra vehicle costs something, but less than the previous one.
        for pair in amounts.windows(2) {
            assert!(pair[1] <= pair[0] && pair[1] > 0);
        }
    }

    #[test]
    fn vat_is_twenty_percent_rounded_to_the_cent() {
        // 90 € + 7 × 0.95 € = 96.65 €, second vehicle 86.985 € -> 86.99 €.
        let p = price(7, 2);
        assert_eq!(p.lines[1].amount_excl_tax.cents(), 8_699);
        assert_eq!(p.excl_tax.cents(), 9_665 + 8_699);
        assert_eq!(p.vat.cents(), 3_673); // 36.728 € -> 36.73 €
        assert_eq!(p.incl_tax.cents(), p.excl_tax.cents() + p.vat.cents());
    }

    #[test]
    fn pricing_is_deterministic() {
        assert_eq!(price(523, 5), price(523, 5));
        assert!(price(524, 5).excl_tax > price(523, 5).excl_tax);
        assert!(price(523, 6).excl_tax > price(523, 5).excl_tax);
    }
}
