//! Amounts of money in euros, as integer cents (never floating point), with
//! the French VAT and the French way of writing amounts (`1 234,56 €`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The only currency the portal deals in.
pub const CURRENCY: &str = "EUR";

/// French standard VAT rate, in basis points (1/100 of a percent): 20 %.
pub const VAT_RATE_BASIS_POINTS: i64 = 2000;

/// Basis points in a whole (100 %).
const BASIS_POINTS_PER_UNIT: i128 = 10_000;

/// Thousands separator: U+202F NARROW NO-BREAK SPACE.
const THOUSANDS_SEPARATOR: char = '\u{202f}';
/// Between the amount and the euro sign: U+00A0 NO-BREAK SPACE.
const CURRENCY_SEPARATOR: char = '\u{a0}';

/// An amount in euros, held as a signed number of cents.
///
/// Arithmetic never panics: the `checked_*` methods return `None` on
/// overflow, the `saturating_*` ones stop at the `i64` bounds (about
/// ±92 million billion euros, far beyond any real amount). Serialised as the
/// integer number of cents (`*_cents` fields of the API).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    /// Zero euros.
    pub const ZERO: Money = Money(0);

    /// An amount from a number of cents.
    pub const fn from_cents(cents: i64) -> Money {
        Money(cents)
    }

    /// An amount from whole euros, `None` if it overflows.
    pub const fn from_euros(euros: i64) -> Option<Money> {
        match euros.checked_mul(100) {
            Some(cents) => Some(Money(cents)),
            None => None,
        }
    }

    /// The amount in cents.
    pub const fn cents(self) -> i64 {
        self.0
    }

    /// The currency code, always `EUR`.
    pub const fn currency(self) -> &'static str {
        CURRENCY
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// The French VAT (20 %) on this amount excluding tax, rounded to the
    /// nearest cent, halves away from zero (0.5 cent up for positive amounts;
    /// a refund's VAT mirrors the charge's). Never overflows.
    pub fn vat(self) -> Money {
        self.vat_at(VAT_RATE_BASIS_POINTS)
    }

    /// The VAT at another rate, in basis points (`550` for 5.5 %), rounded
    /// like [`Money::vat`]. Saturates for absurd rates that overflow.
    pub fn vat_at(self, rate_basis_points: i64) -> Money {
        let product = i128::from(self.0) * i128::from(rate_basis_points);
        let quotient = product / BASIS_POINTS_PER_UNIT;
        let remainder = product % BASIS_POINTS_PER_UNIT;
        let rounded = if remainder.abs() * 2 >= BASIS_POINTS_PER_UNIT {
            quotient + product.signum()
        } else {
            quotient
        };
        Money(saturate(rounded))
    }

    /// This amount excluding tax plus its VAT ([`Money::vat`]). Saturates at
    /// the `i64` bounds, which only amounts above 76 million billion euros
    /// reach.
    pub fn with_vat(self) -> Money {
        self.saturating_add(self.vat())
    }

    pub const fn checked_add(self, other: Money) -> Option<Money> {
        match self.0.checked_add(other.0) {
            Some(cents) => Some(Money(cents)),
            None => None,
        }
    }

    pub const fn checked_sub(self, other: Money) -> Option<Money> {
        match self.0.checked_sub(other.0) {
            Some(cents) => Some(Money(cents)),
            None => None,
        }
    }

    /// This amount times a quantity (a unit price for `n` vehicles).
    pub const fn checked_mul(self, quantity: i64) -> Option<Money> {
        match self.0.checked_mul(quantity) {
            Some(cents) => Some(Money(cents)),
            None => None,
        }
    }

    pub const fn saturating_add(self, other: Money) -> Money {
        Money(self.0.saturating_add(other.0))
    }

    pub const fn saturating_sub(self, other: Money) -> Money {
        Money(self.0.saturating_sub(other.0))
    }

    pub const fn saturating_mul(self, quantity: i64) -> Money {
        Money(self.0.saturating_mul(quantity))
    }

    /// The sum of amounts, `None` if it overflows.
    pub fn checked_sum<I: IntoIterator<Item = Money>>(amounts: I) -> Option<Money> {
        amounts
            .into_iter()
            .try_fold(Money::ZERO, |total, amount| total.checked_add(amount))
    }

    /// The amount written the French way: `1 234,56 €`, with a narrow
    /// no-break space (U+202F) between thousands and a no-break space
    /// (U+00A0) before the euro sign; negative amounts start with `-`.
    pub fn format_fr(self) -> String {
        let cents = self.0.unsigned_abs();
        let euros = (cents / 100).to_string();
        let mut out = String::with_capacity(euros.len() * 4 / 3 + 8);
        if self.0 < 0 {
            out.push('-');
        }
        for (i, digit) in euros.chars().enumerate() {
            if i > 0 && (euros.len() - i).is_multiple_of(3) {
                out.push(THOUSANDS_SEPARATOR);
            }
            out.push(digit);
        }
        out.push(',');
        out.push_str(&format!("{:02}", cents % 100));
        out.push(CURRENCY_SEPARATOR);
        out.push('€');
        out
    }
}

fn saturate(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

impl fmt::Display for Money {
    /// Same as [`Money::format_fr`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format_fr())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn m(cents: i64) -> Money {
        Money::from_cents(cents)
    }

    #[test]
    fn vat_is_twenty_percent_rounded_half_up() {
        assert_eq!(m(10_000).vat(), m(2_000));
        assert_eq!(m(1).vat(), m(0)); // 0.2 cent
        assert_eq!(m(2).vat(), m(0)); // 0.4 cent
        assert_eq!(m(3).vat(), m(1)); // 0.6 cent
        assert_eq!(m(12_345).vat(), m(2_469));
        assert_eq!(m(-3).vat(), m(-1));
        assert_eq!(m(0).vat(), m(0));
        // Half a cent rounds up (5.5 % of 10 cents = 0.55 cent -> 1 cent).
        assert_eq!(m(10).vat_at(550), m(1));
        assert_eq!(m(100).vat_at(50), m(1)); // exactly 0.5 cent
        assert_eq!(m(-100).vat_at(50), m(-1));
        assert_eq!(m(i64::MAX).vat(), m(i64::MAX / 5)); // ...161.4

        assert_eq!(m(i64::MIN).vat(), m(i64::MIN / 5 - 1));
    }

    #[test]
    fn with_vat_adds_the_vat() {
        assert_eq!(m(123_456).with_vat(), m(148_147));
        assert_eq!(m(i64::MAX).with_vat(), m(i64::MAX));
        assert_eq!(m(i64::MIN).with_vat(), m(i64::MIN));
    }

    #[test]
    fn checked_arithmetic() {
        assert_eq!(m(150).checked_add(m(250)), Some(m(400)));
        assert_eq!(m(i64::MAX).checked_add(m(1)), None);
        assert_eq!(m(i64::MIN).checked_sub(m(1)), None);
        assert_eq!(m(1_250).checked_mul(3), Some(m(3_750)));
        assert_eq!(m(i64::MAX).checked_mul(2), None);
        assert_eq!(m(i64::MAX).saturating_mul(2), m(i64::MAX));
        assert_eq!(Money::checked_sum([m(1), m(2), m(3)]), Some(m(6)));
        assert_eq!(Money::checked_sum([m(i64::MAX), m(1)]), None);
        assert_eq!(Money::from_euros(12), Some(m(1_200)));
        assert_eq!(Money::from_euros(i64::MAX), None);
    }

    #[test]
    fn french_formatting() {
        assert_eq!(m(123_456).format_fr(), "1\u{202f}234,56\u{a0}€");
        assert_eq!(m(0).format_fr(), "0,00\u{a0}€");
        assert_eq!(m(5).format_fr(), "0,05\u{a0}€");
        assert_eq!(m(99_999).format_fr(), "999,99\u{a0}€");
        assert_eq!(m(100_000).format_fr(), "1\u{202f}000,00\u{a0}€");
        assert_eq!(
            m(123_456_789_012).format_fr(),
            "1\u{202f}234\u{202f}567\u{202f}890,12\u{a0}€"
        );
        assert_eq!(m(-123_456).format_fr(), "-1\u{202f}234,56\u{a0}€");
        assert_eq!(
            m(i64::MIN).format_fr(),
            "-92\u{202f}233\u{202f}720\u{202f}368\u{202f}547\u{202f}758,08\u{a0}€"
        );
        assert_eq!(m(250).to_string(), "2,50\u{a0}€");
    }

    #[test]
    fn serde_as_integer_cents() {
        assert_eq!(serde_json::to_string(&m(12_345)).unwrap(), "12345");
        assert_eq!(serde_json::from_str::<Money>("-7").unwrap(), m(-7));
        assert!(serde_json::from_str::<Money>("1.5").is_err());
        assert!(serde_json::from_str::<Money>("\"12\"").is_err());
        assert_eq!(m(1).currency(), "EUR");
    }

    proptest! {
        #[test]
        fn vat_is_within_half_a_cent_of_a_fifth(cents in any::<i64>()) {
            let vat = i128::from(Money::from_cents(cents).vat().cents());
            // |vat - cents/5| <= 1/2  <=>  |10 vat - 2 cents| <= 5
            let diff = (10 * vat - 2 * i128::from(cents)).abs();
            prop_assert!(diff <= 5, "cents {} vat {}", cents, vat);
            // Symmetric: a refund's VAT mirrors the charge's.
            let positive = cents.checked_abs().unwrap_or(i64::MAX);
            prop_assert_eq!(Money::from_cents(-positive).vat().cents(), -Money::from_cents(positive).vat().cents());
        }

        #[test]
        fn with_vat_is_amount_plus_vat(cents in -1_000_000_000_000i64..1_000_000_000_000) {
            let amount = Money::from_cents(cents);
            prop_assert_eq!(amount.with_vat().cents(), cents + amount.vat().cents());
        }

        #[test]
        fn format_fr_round_trips_the_digits(cents in any::<i64>()) {
            let text = Money::from_cents(cents).format_fr();
            prop_assert!(text.ends_with("\u{a0}€"), "{}", text);
            let digits: String = text.chars().filter(char::is_ascii_digit).collect();
            let magnitude: u64 = digits.parse().unwrap();
            prop_assert_eq!(magnitude, cents.unsigned_abs());
            prop_assert_eq!(text.starts_with('-'), cents < 0);
            // Groups of three between separators.
            let euros = text.trim_start_matches('-').split(',').next().unwrap();
            let groups: Vec<&str> = euros.split('\u{202f}').collect();
            prop_assert!(!groups[0].is_empty() && groups[0].len() <= 3);
            prop_assert!(groups[1..].iter().all(|g| g.len() == 3));
        }

        #[test]
        fn checked_add_matches_i128(a in any::<i64>(), b in any::<i64>()) {
            let exact = i128::from(a) + i128::from(b);
            let got = Money::from_cents(a).checked_add(Money::from_cents(b)).map(|m| i128::from(m.cents()));
            prop_assert_eq!(got, i64::try_from(exact).ok().map(i128::from));
        }
    }
}
