//! Vehicle identification numbers (VIN, ISO 3779): 17 characters, digits and
//! letters without I, O and Q. The check digit (9th character) is only
//! checked for a warning: most European makers do not compute it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Number of characters of a VIN.
pub const VIN_LEN: usize = 17;

/// Weights of the ISO 3779 / FMVSS 115 check digit, position by position.
const WEIGHTS: [u32; VIN_LEN] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/// Why a text is not a VIN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VinError {
    #[error("Le VIN est vide.")]
    Empty,
    #[error(
        "Le VIN ne peut pas contenir les lettres I, O et Q (on les confond avec 1 et 0) : « {0} » trouvé."
    )]
    ForbiddenLetter(char),
    #[error("Le VIN ne peut contenir que des chiffres et des lettres, sans espace ni tiret.")]
    InvalidCharacter(char),
    #[error("Le VIN doit comporter 17 caractères ({0} saisis).")]
    WrongLength(usize),
}

/// A vehicle identification number: 17 uppercase characters of
/// `0-9 A-Z` without `I`, `O`, `Q`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Vin(String);

/// The result of parsing: the VIN and, when its check digit does not match, a
/// French warning to show (the VIN is accepted all the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedVin {
    pub vin: Vin,
    pub warning: Option<String>,
}

/// The warning given for a check-digit mismatch.
pub const VIN_CHECK_DIGIT_WARNING: &str = "Le caractère de contrôle du VIN (9e caractère) ne correspond pas au reste du numéro : vérifiez la saisie (beaucoup de VIN européens ne l'utilisent pas, il peut donc être correct).";

impl Vin {
    /// Parses a VIN: trimmed, uppercased; its check digit is checked for a
    /// warning only.
    pub fn parse(input: &str) -> Result<ParsedVin, VinError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(VinError::Empty);
        }
        let mut vin = String::with_capacity(VIN_LEN);
        for c in trimmed.chars() {
            let upper = c.to_ascii_uppercase();
            match upper {
                'I' | 'O' | 'Q' => return Err(VinError::ForbiddenLetter(upper)),
                '0'..='9' | 'A'..='Z' => vin.push(upper),
                _ => return Err(VinError::InvalidCharacter(c)),
            }
        }
        if vin.len() != VIN_LEN {
            return Err(VinError::WrongLength(vin.len()));
        }
        let vin = Vin(vin);
        let warning = (!vin.has_valid_check_digit()).then(|| VIN_CHECK_DIGIT_WARNING.to_owned());
        Ok(ParsedVin { vin, warning })
    }

    /// The VIN, 17 uppercase characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// World manufacturer identifier: the first three characters.
    pub fn wmi(&self) -> &str {
        &self.0[..3]
    }

    /// Whether the 9th character is the ISO 3779 check digit of the others.
    pub fn has_valid_check_digit(&self) -> bool {
        self.0.as_bytes().get(8).copied() == Some(check_digit(self.0.as_bytes()))
    }

    /// Consumes the VIN, giving the string.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// The value of a VIN character in the check-digit sum.
fn transliterate(b: u8) -> u32 {
    match b {
        b'0'..=b'9' => u32::from(b - b'0'),
        b'A' | b'J' => 1,
        b'B' | b'K' | b'S' => 2,
        b'C' | b'L' | b'T' => 3,
        b'D' | b'M' | b'U' => 4,
        b'E' | b'N' | b'V' => 5,
        b'F' | b'W' => 6,
        b'G' | b'P' | b'X' => 7,
        b'H' | b'Y' => 8,
        b'R' | b'Z' => 9,
        _ => 0,
    }
}

/// The expected check digit (`0`-`9` or `X`) of a 17-character VIN.
fn check_digit(vin: &[u8]) -> u8 {
    let sum: u32 = vin
        .iter()
        .zip(WEIGHTS)
        .map(|(&b, w)| transliterate(b) * w)
        .sum();
    match sum % 11 {
        10 => b'X',
        // `sum % 11` is at most 9 here, so it fits in one digit.
        n => b'0' + n as u8,
    }
}

impl fmt::Display for Vin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Vin {
    type Err = VinError;

    /// Parses like [`Vin::parse`], dropping the warning.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Vin::parse(s).map(|parsed| parsed.vin)
    }
}

impl AsRef<str> for Vin {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Serialize for Vin {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Vin {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Vin::parse(&text)
            .map(|parsed| parsed.vin)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn valid_check_digit_no_warning() {
        // Examples with a correct check digit (North American style).
        for vin in [
            "1M8GDM9AXKP042788",
            "11111111111111111",
            "1HGCM82633A004352",
        ] {
            let parsed = Vin::parse(vin).unwrap();
            assert_eq!(parsed.vin.as_str(), vin);
            assert_eq!(parsed.warning, None, "{vin}");
        }
    }

    #[test]
    fn european_vin_without_check_digit_is_accepted_with_a_warning() {
        let parsed = Vin::parse("  vf1rfb00x56789012 ").unwrap();
        assert_eq!(parsed.vin.as_str(), "VF1RFB00X56789012");
        assert_eq!(parsed.vin.wmi(), "VF1");
        let parsed = Vin::parse("VF1RFB00056789012").unwrap();
        assert_eq!(
            parsed.warning.as_deref(),
            (!parsed.vin.has_valid_check_digit()).then_some(VIN_CHECK_DIGIT_WARNING)
        );
        let wrong = Vin::parse("1M8GDM9A1KP042788").unwrap();
        assert!(wrong.warning.is_some());
    }

    #[test]
    fn errors() {
        assert_eq!(Vin::parse(" "), Err(VinError::Empty));
        assert_eq!(
            Vin::parse("1M8GDM9AXKP04278"),
            Err(VinError::WrongLength(16))
        );
        assert_eq!(
            Vin::parse("1M8GDM9AXKP0427888"),
            Err(VinError::WrongLength(18))
        );
        assert_eq!(
            Vin::parse("1M8GDM9AXKPO42788"),
            Err(VinError::ForbiddenLetter('O'))
        );
        assert_eq!(
            Vin::parse("1m8gdm9axkpq42788"),
            Err(VinError::ForbiddenLetter('Q'))
        );
        assert_eq!(
            Vin::parse("1M8GDM9A-KP042788"),
            Err(VinError::InvalidCharacter('-'))
        );
        assert_eq!(
            VinError::WrongLength(16).to_string(),
            "Le VIN doit comporter 17 caractères (16 saisis)."
        );
    }

    #[test]
    fn serde_as_string() {
        let vin: Vin = serde_json::from_str("\"1m8gdm9axkp042788\"").unwrap();
        assert_eq!(
            serde_json::to_string(&vin).unwrap(),
            "\"1M8GDM9AXKP042788\""
        );
        assert!(serde_json::from_str::<Vin>("\"123\"").is_err());
    }

    fn vin_char() -> impl Strategy<Value = char> {
        prop::sample::select(
            "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
                .chars()
                .collect::<Vec<_>>(),
        )
    }

    proptest! {
        #[test]
        fn arbitrary_strings_never_panic(text in any::<String>()) {
            if let Ok(parsed) = Vin::parse(&text) {
                prop_assert_eq!(parsed.vin.as_str().len(), VIN_LEN);
                let _ = parsed.vin.wmi();
            }
        }

        #[test]
        fn valid_vins_round_trip(chars in prop::collection::vec(vin_char(), VIN_LEN), lower in any::<bool>()) {
            let mut vin: String = chars.into_iter().collect();
            // Put the right check digit in, so that half of the cases are clean.
            if lower {
                let digit = char::from(check_digit(vin.as_bytes()));
                vin.replace_range(8..9, &digit.to_string());
            }
            let typed = if lower { format!(" {} ", vin.to_lowercase()) } else { vin.clone() };
            let parsed = Vin::parse(&typed).unwrap();
            prop_assert_eq!(parsed.vin.as_str(), vin.as_str());
            if lower {
                prop_assert!(parsed.warning.is_none());
            }
            let again = Vin::parse(&format!("{}", parsed.vin)).unwrap();
            prop_assert_eq!(&again.vin, &parsed.vin);
            let json = serde_json::to_string(&parsed.vin).unwrap();
            prop_assert_eq!(serde_json::from_str::<Vin>(&json).unwrap(), parsed.vin);
        }
    }
}
