//! French conventions for documents: dates in words, in French time, and
//! numbers with a narrow no-break space between thousands.

use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Central European Time (winter).
const CET: UtcOffset = time::macros::offset!(+1);
/// Central European Summer Time.
const CEST: UtcOffset = time::macros::offset!(+2);

/// Thousands separator: U+202F NARROW NO-BREAK SPACE (as `Money::format_fr`).
const THOUSANDS_SEPARATOR: char = '\u{202f}';

/// The offset of metropolitan France (Europe/Paris) at this instant: summer
/// time from the last Sunday of March to the last Sunday of October, both at
/// 01:00 UTC (the EU rule since 1996).
pub(crate) fn paris_offset(at: OffsetDateTime) -> UtcOffset {
    let utc = at.to_offset(UtcOffset::UTC);
    let year = utc.year();
    match (
        last_sunday_at_one_utc(year, Month::March),
        last_sunday_at_one_utc(year, Month::October),
    ) {
        (Some(start), Some(end)) if utc >= start && utc < end => CEST,
        _ => CET,
    }
}

fn last_sunday_at_one_utc(year: i32, month: Month) -> Option<OffsetDateTime> {
    // March and October both have 31 days.
    let last_day = Date::from_calendar_date(year, month, 31).ok()?;
    let back = i64::from(last_day.weekday().number_days_from_sunday());
    let sunday = last_day.checked_sub(Duration::days(back))?;
    Some(PrimitiveDateTime::new(sunday, Time::from_hms(1, 0, 0).ok()?).assume_utc())
}

/// The instant in French time (Europe/Paris), whatever its offset.
pub(crate) fn in_paris(at: OffsetDateTime) -> OffsetDateTime {
    at.to_offset(paris_offset(at))
}

/// The date the French way: `30 novembre 2026`, `1er décembre 2026`.
pub(crate) fn date_fr(date: Date) -> String {
    let day = date.day();
    let ordinal = if day == 1 { "er" } else { "" };
    format!("{day}{ordinal} {} {}", month_fr(date.month()), date.year())
}

/// The date in French time, in words (see [`date_fr`]).
pub(crate) fn paris_date_fr(at: OffsetDateTime) -> String {
    date_fr(in_paris(at).date())
}

fn month_fr(month: Month) -> &'static str {
    match month {
        Month::January => "janvier",
        Month::February => "février",
        Month::March => "mars",
        Month::April => "avril",
        Month::May => "mai",
        Month::June => "juin",
        Month::July => "juillet",
        Month::August => "août",
        Month::September => "septembre",
        Month::October => "octobre",
        Month::November => "novembre",
        Month::December => "décembre",
    }
}

/// A country's French name from its ISO 3166-1 alpha-2 code (`FR` →
/// `France`), for France's neighbours and the countries of the EU and the
/// EFTA; anything else (another code, a name already) is returned as given.
pub(crate) fn country_fr(country: &str) -> &str {
    let trimmed = country.trim();
    if trimmed.len() != 2 {
        return trimmed;
    }
    match trimmed.to_ascii_uppercase().as_str() {
        "FR" => "France",
        "AD" => "Andorre",
        "AT" => "Autriche",
        "BE" => "Belgique",
        "BG" => "Bulgarie",
        "CH" => "Suisse",
        "CY" => "Chypre",
        "CZ" => "Tchéquie",
        "DE" => "Allemagne",
        "DK" => "Danemark",
        "EE" => "Estonie",
        "ES" => "Espagne",
        "FI" => "Finlande",
        "GB" => "Royaume-Uni",
        "GR" => "Grèce",
        "HR" => "Croatie",
        "HU" => "Hongrie",
        "IE" => "Irlande",
        "IS" => "Islande",
        "IT" => "Italie",
        "LI" => "Liechtenstein",
        "LT" => "Lituanie",
        "LU" => "Luxembourg",
        "LV" => "Lettonie",
        "MC" => "Monaco",
        "MT" => "Malte",
        "NL" => "Pays-Bas",
        "NO" => "Norvège",
        "PL" => "Pologne",
        "PT" => "Portugal",
        "RO" => "Roumanie",
        "SE" => "Suède",
        "SI" => "Slovénie",
        "SK" => "Slovaquie",
        _ => trimmed,
    }
}

/// A whole number with thousands separated the French way (`12 345`).
pub(crate) fn integer_fr(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() * 2);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(THOUSANDS_SEPARATOR);
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn dates_in_words() {
        assert_eq!(
            date_fr(time::macros::date!(2026 - 11 - 30)),
            "30 novembre 2026"
        );
        assert_eq!(
            date_fr(time::macros::date!(2026 - 12 - 01)),
            "1er décembre 2026"
        );
        assert_eq!(
            date_fr(time::macros::date!(2027 - 02 - 09)),
            "9 février 2027"
        );
        assert_eq!(date_fr(time::macros::date!(2026 - 08 - 15)), "15 août 2026");
    }

    #[test]
    fn paris_time_follows_the_eu_summer_time_rule() {
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(paris_offset(datetime!(2026-03-29 00:59 UTC)), CET);
        assert_eq!(paris_offset(datetime!(2026-03-29 01:00 UTC)), CEST);
        assert_eq!(paris_offset(datetime!(2026-10-25 00:59 UTC)), CEST);
        assert_eq!(paris_offset(datetime!(2026-10-25 01:00 UTC)), CET);
        assert_eq!(paris_offset(datetime!(2026-07-01 12:00 +05:00)), CEST);
        // Late evening UTC is already the next day in Paris.
        assert_eq!(
            paris_date_fr(datetime!(2026-11-30 23:30 UTC)),
            "1er décembre 2026"
        );
        assert_eq!(
            paris_date_fr(datetime!(2026-06-30 21:59 UTC)),
            "30 juin 2026"
        );
        assert_eq!(
            paris_date_fr(datetime!(2026-06-30 22:00 UTC)),
            "1er juillet 2026"
        );
    }

    #[test]
    fn country_names() {
        assert_eq!(country_fr("FR"), "France");
        assert_eq!(country_fr(" be "), "Belgique");
        assert_eq!(country_fr("CH"), "Suisse");
        assert_eq!(country_fr("ZZ"), "ZZ");
        assert_eq!(country_fr("France"), "France");
        assert_eq!(country_fr(""), "");
    }

    #[test]
    fn integers_with_thousands() {
        assert_eq!(integer_fr(0), "0");
        assert_eq!(integer_fr(999), "999");
        assert_eq!(integer_fr(1_000), "1\u{202f}000");
        assert_eq!(integer_fr(1_234_567), "1\u{202f}234\u{202f}567");
    }
}
