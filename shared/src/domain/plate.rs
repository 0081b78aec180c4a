//! Vehicle registration plates (immatriculations), parsed from what a user or
//! a stock feed typed: French SIV (`AB-123-CD`), old French FNI (`123 ABC 45`),
//! garage (`W-123-AB`, `1234 W 75`) and temporary (`WW-123-AB`) plates, and
//! any other (foreign) plate, which is accepted with a warning.
//!
//! A plate is stored normalised (uppercase, no separators: `AB123CD`) and
//! shown in its usual French layout (`AB-123-CD`, `123 ABC 45`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Longest normalised plate (separators removed) that is accepted.
pub const PLATE_MAX_CHARS: usize = 12;
/// Shortest normalised plate that is accepted.
pub const PLATE_MIN_CHARS: usize = 2;
/// Longest raw input (separators included, after trimming) looked at.
const RAW_MAX_CHARS: usize = 32;

/// The family a plate belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlateKind {
    /// French SIV plate, since 2009: `AB-123-CD`.
    Siv,
    /// Old French FNI plate (1950-2009): `123 ABC 45`.
    Fni,
    /// French garage plate ("W garage"): `W-123-AB`, or the older `1234 W 75`.
    Garage,
    /// French temporary plate: `WW-123-AB`.
    Temporary,
    /// Anything else of letters and digits: foreign plates, typos.
    Other,
}

impl PlateKind {
    /// French name of the kind, for the interface.
    pub fn label_fr(self) -> &'static str {
        match self {
            PlateKind::Siv => "SIV",
            PlateKind::Fni => "FNI (ancien format)",
            PlateKind::Garage => "W garage",
            PlateKind::Temporary => "Provisoire (WW)",
            PlateKind::Other => "Autre (étrangère)",
        }
    }
}

/// Why a text is not a plate at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlateError {
    #[error("L'immatriculation est obligatoire.")]
    Empty,
    #[error("L'immatriculation est trop courte (au moins 2 lettres ou chiffres).")]
    TooShort,
    #[error(
        "L'immatriculation est trop longue (12 lettres ou chiffres au maximum, hors séparateurs)."
    )]
    TooLong,
    #[error(
        "L'immatriculation contient un caractère non autorisé : {}. Seuls les lettres, les chiffres, les espaces, les tirets et les points sont acceptés.",
        show_char(*.0)
    )]
    InvalidCharacter(char),
}

/// A character for an error message: printable ones in French quotes,
/// others (controls, invisible spaces) as their code point.
fn show_char(c: char) -> String {
    if c.is_control() || (c.is_whitespace() && c != ' ') || c == '\u{feff}' {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("« {c} »")
    }
}

/// A registration plate, normalised: uppercase ASCII letters and digits only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Plate {
    normalized: String,
    kind: PlateKind,
}

/// The result of parsing user text: the plate, its kind and, for a plate that
/// is accepted but looks doubtful (foreign, or a French format with letters
/// that are never issued), a French warning to show the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedPlate {
    pub plate: Plate,
    pub kind: PlateKind,
    pub warning: Option<String>,
}

impl Plate {
    /// Parses a plate as typed: trimmed, case-insensitive, spaces, dashes and
    /// dots ignored (also tabs, non-breaking spaces and Unicode dashes).
    pub fn parse(input: &str) -> Result<ParsedPlate, PlateError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(PlateError::Empty);
        }
        let mut compact = String::with_capacity(PLATE_MAX_CHARS);
        for (count, c) in trimmed.chars().enumerate() {
            if count >= RAW_MAX_CHARS {
                return Err(PlateError::TooLong);
            }
            if is_separator(c) {
                continue;
            }
            if !c.is_ascii_alphanumeric() {
                return Err(PlateError::InvalidCharacter(c));
            }
            compact.push(c.to_ascii_uppercase());
        }
        if compact.is_empty() {
            return Err(PlateError::Empty);
        }
        if compact.len() > PLATE_MAX_CHARS {
            return Err(PlateError::TooLong);
        }
        if compact.len() < PLATE_MIN_CHARS {
            return Err(PlateError::TooShort);
        }
        let (kind, warning) = classify(compact.as_bytes());
        Ok(ParsedPlate {
            plate: Plate {
                normalized: compact,
                kind,
            },
            kind,
            warning,
        })
    }

    /// The normalised plate: uppercase, no separators (`AB123CD`).
    pub fn as_str(&self) -> &str {
        &self.normalized
    }

    /// The kind of plate.
    pub fn kind(&self) -> PlateKind {
        self.kind
    }

    /// The plate in its usual layout: `AB-123-CD` (SIV, temporary),
    /// `W-123-AB` (garage), `123 ABC 45` (FNI), as stored for other plates.
    pub fn display(&self) -> String {
        self.to_string()
    }

    /// Consumes the plate, giving the normalised string.
    pub fn into_string(self) -> String {
        self.normalized
    }
}

fn is_separator(c: char) -> bool {
    matches!(c, '-' | '.' | '\u{2010}'..='\u{2015}' | '\u{2212}') || c.is_whitespace()
}

/// Letters used by SIV plates: A-Z without I, O and U.
fn is_siv_letter(b: u8) -> bool {
    b.is_ascii_uppercase() && !matches!(b, b'I' | b'O' | b'U')
}

fn all(bytes: &[u8], pred: impl Fn(u8) -> bool) -> bool {
    bytes.iter().all(|&b| pred(b))
}

/// `LL` + `DDD` + `LL` (7 bytes) split in its three blocks, when the shape fits.
fn siv_shape(s: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    if s.len() != 7 {
        return None;
    }
    let (left, rest) = s.split_at(2);
    let (number, right) = rest.split_at(3);
    (all(left, |b| b.is_ascii_uppercase())
        && all(number, |b| b.is_ascii_digit())
        && all(right, |b| b.is_ascii_uppercase()))
    .then_some((left, number, right))
}

/// An FNI plate split as (number, letters, department), when the shape fits:
/// 1-4 digits, 1-3 letters, then `01`-`95`, `2A`, `2B` or `971`-`976`.
fn fni_shape(s: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if !(1..=4).contains(&digits) {
        return None;
    }
    let letters = s[digits..]
        .iter()
        .take_while(|b| b.is_ascii_uppercase())
        .count();
    if !(1..=3).contains(&letters) {
        return None;
    }
    let (number, rest) = s.split_at(digits);
    let (series, department) = rest.split_at(letters);
    is_fni_department(department).then_some((number, series, department))
}

fn is_fni_department(d: &[u8]) -> bool {
    match d {
        [b'2', b'A' | b'B'] => true,
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
            let n = (a - b'0') * 10 + (b - b'0');
            (1..=95).contains(&n)
        }
        [b'9', b'7', c] => (b'1'..=b'6').contains(c),
        _ => false,
    }
}

/// Decides the kind of a normalised plate (uppercase letters and digits) and
/// the warning that goes with it.
fn classify(s: &[u8]) -> (PlateKind, Option<String>) {
    if let Some((left, number, right)) = siv_shape(s) {
        return match siv_problem(left, number, right) {
            None if left == b"WW" => (PlateKind::Temporary, None),
            None => (PlateKind::Siv, None),
            Some(problem) => (
                PlateKind::Other,
                Some(format!(
                    "Cette immatriculation a la forme d'une plaque française (AB-123-CD) mais {problem} : vérifiez la saisie."
                )),
            ),
        };
    }
    if is_siv_garage(s) {
        return (PlateKind::Garage, None);
    }
    if let Some((_, series, _)) = fni_shape(s) {
        let kind = match series {
            b"W" => PlateKind::Garage,
            b"WW" => PlateKind::Temporary,
            _ => PlateKind::Fni,
        };
        return (kind, None);
    }
    (
        PlateKind::Other,
        Some(
            "Format d'immatriculation non reconnu (ni AB-123-CD, ni 123 ABC 45) : l'immatriculation est acceptée telle quelle, vérifiez-la s'il s'agit d'un véhicule immatriculé en France."
                .to_owned(),
        ),
    )
}

/// Garage plate of the SIV era: `W` + 3 digits (not `000`) + 2 SIV letters.
fn is_siv_garage(s: &[u8]) -> bool {
    s.len() == 6
        && s[0] == b'W'
        && all(&s[1..4], |b| b.is_ascii_digit())
        && &s[1..4] != b"000"
        && all(&s[4..], is_siv_letter)
}

/// What makes a SIV-shaped plate one that is never issued, if anything.
fn siv_problem(left: &[u8], number: &[u8], right: &[u8]) -> Option<&'static str> {
    if !all(left, is_siv_letter) || !all(right, is_siv_letter) {
        Some("les lettres I, O et U n'y sont jamais utilisées")
    } else if number == b"000" {
        Some("le numéro 000 n'est jamais attribué")
    } else if left == b"SS" || right == b"SS" {
        Some("la série SS n'est jamais attribuée")
    } else {
        None
    }
}

impl fmt::Display for Plate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.normalized.as_str();
        let bytes = s.as_bytes();
        match self.kind {
            PlateKind::Siv | PlateKind::Temporary if siv_shape(bytes).is_some() => {
                write!(f, "{}-{}-{}", &s[..2], &s[2..5], &s[5..])
            }
            PlateKind::Garage if is_siv_garage(bytes) => {
                write!(f, "{}-{}-{}", &s[..1], &s[1..4], &s[4..])
            }
            PlateKind::Fni | PlateKind::Garage | PlateKind::Temporary => match fni_shape(bytes) {
                Some((number, series, _)) => {
                    let (a, b) = (number.len(), number.len() + series.len());
                    write!(f, "{} {} {}", &s[..a], &s[a..b], &s[b..])
                }
                None => f.write_str(s),
            },
            PlateKind::Siv | PlateKind::Other => f.write_str(s),
        }
    }
}

impl FromStr for Plate {
    type Err = PlateError;

    /// Parses like [`Plate::parse`], dropping the warning.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Plate::parse(s).map(|parsed| parsed.plate)
    }
}

impl AsRef<str> for Plate {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Serialize for Plate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.normalized)
    }
}

impl<'de> Deserialize<'de> for Plate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Plate::parse(&text)
            .map(|parsed| parsed.plate)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(s: &str) -> ParsedPlate {
        Plate::parse(s).unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
    }

    #[test]
    fn siv_in_every_usual_spelling() {
        for input in [
            "AB-123-CD",
            "ab-123-cd",
            "AB123CD",
            " ab 123 cd ",
            "AB.123.CD",
            "Ab - 123 - cD",
            "AB\u{a0}123\u{2011}CD",
        ] {
            let p = parse(input);
            assert_eq!(p.kind, PlateKind::Siv, "{input}");
            assert_eq!(p.plate.as_str(), "AB123CD");
            assert_eq!(p.plate.display(), "AB-123-CD");
            assert_eq!(p.plate.to_string(), "AB-123-CD");
            assert_eq!(p.warning, None);
        }
    }

    #[test]
    fn siv_never_issued_combinations_are_accepted_with_a_warning() {
        for input in [
            "AI-123-CD",
            "AB-123-CO",
            "UB-123-CD",
            "AB-000-CD",
            "SS-123-AB",
            "AB-123-SS",
        ] {
            let p = parse(input);
            assert_eq!(p.kind, PlateKind::Other, "{input}");
            assert!(p.warning.is_some(), "{input}");
        }
        assert!(parse("AB-000-CD").warning.unwrap().contains("000"));
        assert!(parse("AI-123-CD").warning.unwrap().contains("I, O et U"));
        // WW on the right is an ordinary SIV plate.
        assert_eq!(parse("AB-123-WW").kind, PlateKind::Siv);
    }

    #[test]
    fn temporary_and_garage() {
        let ww = parse("ww-456-ab");
        assert_eq!(ww.kind, PlateKind::Temporary);
        assert_eq!(ww.plate.as_str(), "WW456AB");
        assert_eq!(ww.plate.display(), "WW-456-AB");
        assert_eq!(ww.warning, None);

        let w = parse("W 123 AB");
        assert_eq!(w.kind, PlateKind::Garage);
        assert_eq!(w.plate.as_str(), "W123AB");
        assert_eq!(w.plate.display(), "W-123-AB");

        let old_w = parse("1234 W 75");
        assert_eq!(old_w.kind, PlateKind::Garage);
        assert_eq!(old_w.plate.as_str(), "1234W75");
        assert_eq!(old_w.plate.display(), "1234 W 75");

        let old_ww = parse("123-WW-13");
        assert_eq!(old_ww.kind, PlateKind::Temporary);
        assert_eq!(old_ww.plate.display(), "123 WW 13");
    }

    #[test]
    fn fni_with_any_separator() {
        for (input, normalized, shown) in [
            ("123 ABC 45", "123ABC45", "123 ABC 45"),
            ("123-abc-45", "123ABC45", "123 ABC 45"),
            ("123ABC45", "123ABC45", "123 ABC 45"),
            ("1 A 01", "1A01", "1 A 01"),
            ("9999 ZZ 95", "9999ZZ95", "9999 ZZ 95"),
            ("456 AB 2A", "456AB2A", "456 AB 2A"),
            ("456ab2b", "456AB2B", "456 AB 2B"),
            ("789 XYZ 971", "789XYZ971", "789 XYZ 971"),
            ("12 AB 976", "12AB976", "12 AB 976"),
        ] {
            let p = parse(input);
            assert_eq!(p.kind, PlateKind::Fni, "{input}");
            assert_eq!(p.plate.as_str(), normalized);
            assert_eq!(p.plate.display(), shown);
            assert_eq!(p.warning, None);
        }
    }

    #[test]
    fn fni_lookalikes_are_other() {
        for input in [
            "123 ABC 00",  // no department 00
            "123 ABC 96",  // 96 is not a department
            "123 ABC 977", // only 971-976 overseas
            "12345 AB 75", // 5 digits
            "123 ABCD 75", // 4 letters
            "123 AB 2C",   // only 2A, 2B
            "ABC 123",     // letters first
        ] {
            let p = parse(input);
            assert_eq!(p.kind, PlateKind::Other, "{input}");
            assert!(p.warning.is_some());
        }
    }

    #[test]
    fn foreign_plates_are_accepted_with_a_warning() {
        let de = parse("B-MW 1234");
        assert_eq!(de.kind, PlateKind::Other);
        assert_eq!(de.plate.as_str(), "BMW1234");
        assert_eq!(de.plate.display(), "BMW1234");
        assert!(de.warning.unwrap().contains("non reconnu"));
        assert_eq!(parse("1-ABC-123").plate.as_str(), "1ABC123");
        assert_eq!(parse("AB").plate.as_str(), "AB");
        assert_eq!(parse("ABCDEF123456").plate.as_str(), "ABCDEF123456");
    }

    #[test]
    fn errors() {
        assert_eq!(Plate::parse(""), Err(PlateError::Empty));
        assert_eq!(Plate::parse("   "), Err(PlateError::Empty));
        assert_eq!(Plate::parse(" - . - "), Err(PlateError::Empty));
        assert_eq!(Plate::parse("A"), Err(PlateError::TooShort));
        assert_eq!(Plate::parse("ABCDEF1234567"), Err(PlateError::TooLong));
        assert_eq!(
            Plate::parse(&"-".repeat(40)),
            Err(PlateError::TooLong),
            "long raw input"
        );
        assert_eq!(
            Plate::parse("AB_123_CD"),
            Err(PlateError::InvalidCharacter('_'))
        );
        assert_eq!(
            Plate::parse("ÉB-123-CD"),
            Err(PlateError::InvalidCharacter('É'))
        );
        let msg = PlateError::InvalidCharacter('/').to_string();
        assert!(msg.contains("« / »"), "{msg}");
        let msg = PlateError::InvalidCharacter('\u{0}').to_string();
        assert!(msg.contains("U+0000"), "{msg}");
        assert_eq!(
            PlateError::Empty.to_string(),
            "L'immatriculation est obligatoire."
        );
    }

    #[test]
    fn serde_uses_the_normalised_string_and_parses_back() {
        let p = parse("ab-123-cd").plate;
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"AB123CD\"");
        let back: Plate = serde_json::from_str("\"AB-123-CD\"").unwrap();
        assert_eq!(back, p);
        let foreign: Plate = serde_json::from_str("\"B MW 1234\"").unwrap();
        assert_eq!(foreign.kind(), PlateKind::Other);
        assert!(serde_json::from_str::<Plate>("\"\"").is_err());
        assert!(serde_json::from_str::<Plate>("\"A#B\"").is_err());
        assert_eq!("AB-123-CD".parse::<Plate>().unwrap(), p);
    }

    fn siv_letter() -> impl Strategy<Value = char> {
        prop::sample::select("ABCDEFGHJKLMNPQRSTVWXYZ".chars().collect::<Vec<_>>())
    }

    fn siv_plate() -> impl Strategy<Value = String> {
        (
            siv_letter(),
            siv_letter(),
            1u16..=999,
            siv_letter(),
            siv_letter(),
        )
            .prop_filter("SS and WW are not SIV", |(a, b, _, c, d)| {
                !(a == b && (*a == 'S' || *a == 'W')) && !(*c == 'S' && *d == 'S')
            })
            .prop_map(|(a, b, n, c, d)| format!("{a}{b}{n:03}{c}{d}"))
    }

    fn separator() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec!["", " ", "-", ".", "  ", " - ", "\t"])
    }

    fn any_plate_text() -> impl Strategy<Value = String> {
        prop_oneof![
            siv_plate(),
            "[0-9]{1,4}[A-Z]{1,3}(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])",
            "W[0-9]{3}[A-HJ-NP-TV-Z]{2}",
            "WW[0-9]{3}[A-Z]{2}",
            "[0-9]{1,4}WW?(0[1-9]|75|2A|2B|971)",
            "[A-Z]{2}[0-9]{3}[A-Z]{2}",
            "[A-Za-z0-9]{2,12}",
        ]
    }

    proptest! {
        #[test]
        fn any_separator_and_case_variant_of_a_siv_plate_is_the_same_plate(
            plate in siv_plate(),
            s1 in separator(),
            s2 in separator(),
            lower in any::<bool>(),
            pad in separator(),
        ) {
            let text = format!("{pad}{}{s1}{}{s2}{}{pad}", &plate[..2], &plate[2..5], &plate[5..]);
            let text = if lower { text.to_lowercase() } else { text };
            let parsed = Plate::parse(&text).unwrap();
            prop_assert_eq!(parsed.kind, PlateKind::Siv);
            prop_assert_eq!(parsed.plate.as_str(), plate.as_str());
            prop_assert!(parsed.warning.is_none());
        }

        #[test]
        fn display_then_parse_gives_the_same_plate(text in any_plate_text()) {
            let parsed = Plate::parse(&text).unwrap();
            let again = Plate::parse(&parsed.plate.display()).unwrap();
            prop_assert_eq!(&again.plate, &parsed.plate);
            prop_assert_eq!(again.kind, parsed.kind);
            let from_normalized = Plate::parse(parsed.plate.as_str()).unwrap();
            prop_assert_eq!(&from_normalized.plate, &parsed.plate);
            let json = serde_json::to_string(&parsed.plate).unwrap();
            let back: Plate = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, parsed.plate);
        }

        #[test]
        fn arbitrary_strings_never_panic(text in any::<String>()) {
            if let Ok(parsed) = Plate::parse(&text) {
                let n = parsed.plate.as_str();
                prop_assert!((PLATE_MIN_CHARS..=PLATE_MAX_CHARS).contains(&n.len()));
                prop_assert!(n.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
                prop_assert_eq!(parsed.warning.is_some(), parsed.kind == PlateKind::Other);
                let _ = parsed.plate.display();
            }
        }

        #[test]
        fn plate_like_strings_never_panic(text in "[ A-Za-z0-9.\\-]{0,20}") {
            let _ = Plate::parse(&text);
        }
    }
}
