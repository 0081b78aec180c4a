//! Postal addresses of the address book (pickup and delivery places): the
//! country (ISO 3166 alpha-2, `FR` by default), the postal code (French
//! rules in France, looser ones abroad) and the validation of a whole address
//! as the API receives it, with one French message per invalid field.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::FieldError;

/// ISO 3166-1 alpha-2 codes officially assigned, plus `XK` (Kosovo, in
/// common use). Sorted, for a binary search.
const COUNTRY_CODES: [&str; 250] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "XK", "YE", "YT", "ZA", "ZM", "ZW",
];

/// Countries and territories whose addresses use French 5-digit postal
/// codes: France, Monaco and the overseas departments and collectivities
/// that have their own ISO code.
const FRENCH_POSTAL_COUNTRIES: [&str; 13] = [
    "FR", "MC", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "NC", "PF", "WF",
];

/// A country, as its ISO 3166-1 alpha-2 code in uppercase (`FR`, `BE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country(&'static str);

/// Why a text is not a country code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CountryError {
    #[error("Le pays doit être un code ISO à 2 lettres, par exemple FR pour la France.")]
    Format,
    #[error("Code pays inconnu : « {0} ».")]
    Unknown(String),
}

impl Country {
    pub const FRANCE: Country = Country("FR");

    /// Parses a 2-letter code, trimmed, any case (`fr` is `FR`).
    pub fn parse(input: &str) -> Result<Country, CountryError> {
        let trimmed = input.trim();
        if trimmed.len() != 2 || !trimmed.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(CountryError::Format);
        }
        let upper = trimmed.to_ascii_uppercase();
        COUNTRY_CODES
            .binary_search(&upper.as_str())
            .map(|index| Country(COUNTRY_CODES[index]))
            .map_err(|_| CountryError::Unknown(upper))
    }

    /// The code, `FR`.
    pub fn as_str(self) -> &'static str {
        self.0
    }

    pub fn is_france(self) -> bool {
        self == Country::FRANCE
    }

    /// Whether addresses there use French 5-digit postal codes (France,
    /// Monaco, overseas territories).
    pub fn uses_french_postal_codes(self) -> bool {
        FRENCH_POSTAL_COUNTRIES.contains(&self.0)
    }
}

impl Default for Country {
    fn default() -> Self {
        Country::FRANCE
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::str::FromStr for Country {
    type Err = CountryError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Country::parse(s)
    }
}

impl Serialize for Country {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Country::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A postal code, checked against its country's rules: in France, exactly 5
/// digits from `01000` to `98999` (Corsica keeps `20xxx`); elsewhere 2 to 10
/// letters, digits, spaces or dashes, uppercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PostalCode(String);

/// Why a text is not a postal code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PostalCodeError {
    #[error("Le code postal est obligatoire.")]
    Empty,
    #[error("Le code postal doit comporter 5 chiffres.")]
    FrenchFormat,
    #[error("Ce code postal n'existe pas : les codes postaux français vont de 01000 à 98999.")]
    FrenchRange,
    #[error(
        "Le code postal doit comporter de 2 à 10 caractères : lettres, chiffres, espaces ou tirets."
    )]
    ForeignFormat,
}

impl PostalCode {
    /// Parses a postal code for an address in `country`. French codes may be
    /// typed with spaces (`75 001`).
    pub fn parse(input: &str, country: Country) -> Result<PostalCode, PostalCodeError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(PostalCodeError::Empty);
        }
        if country.uses_french_postal_codes() {
            parse_french(trimmed)
        } else {
            parse_foreign(trimmed)
        }
    }

    /// The code (`75001`, `SW1A 1AA`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

fn parse_french(trimmed: &str) -> Result<PostalCode, PostalCodeError> {
    let digits: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PostalCodeError::FrenchFormat);
    }
    if !("01000"..="98999").contains(&digits.as_str()) {
        return Err(PostalCodeError::FrenchRange);
    }
    Ok(PostalCode(digits))
}

fn parse_foreign(trimmed: &str) -> Result<PostalCode, PostalCodeError> {
    let code = trimmed
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase();
    let allowed = code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
    let length = code.chars().count();
    if !allowed || !(2..=10).contains(&length) || !code.chars().any(|c| c.is_ascii_alphanumeric()) {
        return Err(PostalCodeError::ForeignFormat);
    }
    Ok(PostalCode(code))
}

impl fmt::Display for PostalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for PostalCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PostalCode {
    /// Stored codes do not carry their country: only the looser foreign
    /// format is checked here (every valid French code passes it).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_foreign(text.trim()).map_err(serde::de::Error::custom)
    }
}

/// Length limits, in characters.
pub const LABEL_MAX_CHARS: usize = 80;
pub const COMPANY_MAX_CHARS: usize = 120;
pub const STREET_MAX_CHARS: usize = 200;
pub const CITY_MAX_CHARS: usize = 100;
pub const CONTACT_NAME_MAX_CHARS: usize = 100;
pub const INSTRUCTIONS_MAX_CHARS: usize = 500;
pub const PHONE_MIN_CHARS: usize = 6;
pub const PHONE_MAX_CHARS: usize = 20;

/// An address as the API receives it (`POST/PUT /api/addresses`): every
/// field optional, so that a missing one gives a French field error from
/// [`AddressInput::validate`] rather than a serde error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AddressInput {
    #[schema(value_type = String, required = true)]
    pub label: Option<String>,
    pub company: Option<String>,
    #[schema(value_type = String, required = true)]
    pub street: Option<String>,
    /// 5 digits in France.
    #[schema(value_type = String, required = true)]
    pub postal_code: Option<String>,
    #[schema(value_type = String, required = true)]
    pub city: Option<String>,
    /// ISO 3166 alpha-2; `FR` when absent.
    #[schema(example = "FR")]
    pub country: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub instructions: Option<String>,
}

/// A valid address: trimmed, empty optional fields as `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AddressFields {
    pub label: String,
    #[schema(required = true)]
    pub company: Option<String>,
    pub street: String,
    #[schema(value_type = String, example = "69007")]
    pub postal_code: PostalCode,
    pub city: String,
    /// ISO 3166 alpha-2.
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "FR")]
    pub country: Country,
    #[schema(required = true)]
    pub contact_name: Option<String>,
    #[schema(required = true)]
    pub contact_phone: Option<String>,
    #[schema(required = true)]
    pub instructions: Option<String>,
}

/// How a text field is named in messages and what it allows.
struct TextRule {
    field: &'static str,
    /// The subject of the French sentence: "Le libellé".
    subject: &'static str,
    /// Whether the subject is plural ("Les instructions ne doivent pas ...").
    plural: bool,
    max_chars: usize,
    multiline: bool,
}

const LABEL: TextRule = TextRule {
    field: "label",
    subject: "Le libellé",
    plural: false,
    max_chars: LABEL_MAX_CHARS,
    multiline: false,
};
const COMPANY: TextRule = TextRule {
    field: "company",
    subject: "Le nom de la société",
    plural: false,
    max_chars: COMPANY_MAX_CHARS,
    multiline: false,
};
const STREET: TextRule = TextRule {
    field: "street",
    subject: "L'adresse (numéro et rue)",
    plural: false,
    max_chars: STREET_MAX_CHARS,
    multiline: false,
};
const CITY: TextRule = TextRule {
    field: "city",
    subject: "La ville",
    plural: false,
    max_chars: CITY_MAX_CHARS,
    multiline: false,
};
const CONTACT_NAME: TextRule = TextRule {
    field: "contact_name",
    subject: "Le nom du contact",
    plural: false,
    max_chars: CONTACT_NAME_MAX_CHARS,
    multiline: false,
};
const INSTRUCTIONS: TextRule = TextRule {
    field: "instructions",
    subject: "Les instructions",
    plural: true,
    max_chars: INSTRUCTIONS_MAX_CHARS,
    multiline: true,
};

impl TextRule {
    /// Checks one text field: trimmed; blank is `None` (an error when
    /// `required`).
    fn check(
        &self,
        value: Option<String>,
        required: bool,
        errors: &mut Vec<FieldError>,
    ) -> Option<String> {
        let value = value.as_deref().map(str::trim).unwrap_or_default();
        let value = if self.multiline {
            value.replace("\r\n", "\n")
        } else {
            value.to_owned()
        };
        let (verb_is, verb_must) = if self.plural {
            ("sont", "doivent")
        } else {
            ("est", "doit")
        };
        if value.is_empty() {
            if required {
                let adjective = if self.plural {
                    "obligatoires"
                } else {
                    "obligatoire"
                };
                errors.push(FieldError::new(
                    self.field,
                    format!("{} {verb_is} {adjective}.", self.subject),
                ));
            }
            return None;
        }
        let bad_char = value
            .chars()
            .any(|c| c.is_control() && !(self.multiline && matches!(c, '\n' | '\t')));
        if bad_char {
            let message = if self.multiline {
                format!(
                    "{} ne {verb_must} pas contenir de caractère de contrôle.",
                    self.subject
                )
            } else {
                format!(
                    "{} {verb_must} tenir sur une seule ligne, sans caractère de contrôle.",
                    self.subject
                )
            };
            errors.push(FieldError::new(self.field, message));
            return None;
        }
        if value.chars().count() > self.max_chars {
            errors.push(FieldError::new(
                self.field,
                format!(
                    "{} ne {verb_must} pas dépasser {} caractères.",
                    self.subject, self.max_chars
                ),
            ));
            return None;
        }
        Some(value)
    }
}

/// Checks a phone number: digits, spaces, dots, dashes and a leading `+`,
/// 6 to 20 characters. Whitespace runs become one space.
fn check_phone(value: Option<String>, errors: &mut Vec<FieldError>) -> Option<String> {
    const FIELD: &str = "contact_phone";
    let phone = value?.split_whitespace().collect::<Vec<_>>().join(" ");
    if phone.is_empty() {
        return None;
    }
    let allowed = phone
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-') || (c == '+' && i == 0));
    if !allowed {
        errors.push(FieldError::new(
            FIELD,
            "Le numéro de téléphone ne peut contenir que des chiffres, des espaces, des points, des tirets et un « + » au début.",
        ));
        return None;
    }
    let length = phone.chars().count();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !(PHONE_MIN_CHARS..=PHONE_MAX_CHARS).contains(&length) || digits < PHONE_MIN_CHARS {
        errors.push(FieldError::new(
            FIELD,
            "Le numéro de téléphone doit comporter de 6 à 20 caractères, dont au moins 6 chiffres.",
        ));
        return None;
    }
    Some(phone)
}

impl AddressInput {
    /// Validates and normalises the address. On failure, every invalid field
    /// is reported (`field` is the JSON field name), not only the first.
    pub fn validate(self) -> Result<AddressFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let label = LABEL.check(self.label, true, &mut errors);
        let company = COMPANY.check(self.company, false, &mut errors);
        let street = STREET.check(self.street, true, &mut errors);

        let country = match self.country.as_deref().map(str::trim) {
            None | Some("") => Some(Country::FRANCE),
            Some(text) => match Country::parse(text) {
                Ok(country) => Some(country),
                Err(err) => {
                    errors.push(FieldError::new("country", err.to_string()));
                    None
                }
            },
        };
        let postal_code = match self.postal_code.as_deref() {
            None => {
                errors.push(FieldError::new(
                    "postal_code",
                    PostalCodeError::Empty.to_string(),
                ));
                None
            }
            Some(text) => {
                let parsed = match country {
                    Some(country) => PostalCode::parse(text, country),
                    // Unknown country: only the loose format can be checked.
                    None if text.trim().is_empty() => Err(PostalCodeError::Empty),
                    None => parse_foreign(text.trim()),
                };
                parsed
                    .map_err(|err| errors.push(FieldError::new("postal_code", err.to_string())))
                    .ok()
            }
        };
        let city = CITY.check(self.city, true, &mut errors);
        let contact_name = CONTACT_NAME.check(self.contact_name, false, &mut errors);
        let contact_phone = check_phone(self.contact_phone, &mut errors);
        let instructions = INSTRUCTIONS.check(self.instructions, false, &mut errors);

        match (label, street, postal_code, city, country) {
            (Some(label), Some(street), Some(postal_code), Some(city), Some(country))
                if errors.is_empty() =>
            {
                Ok(AddressFields {
                    label,
                    company,
                    street,
                    postal_code,
                    city,
                    country,
                    contact_name,
                    contact_phone,
                    instructions,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn full() -> AddressInput {
        AddressInput {
            label: Some("  Dépôt de Lyon ".into()),
            company: Some("Garage Martin SARL".into()),
            street: Some("12 rue de la République".into()),
            postal_code: Some("69 002".into()),
            city: Some("Lyon".into()),
            country: Some("fr".into()),
            contact_name: Some("Paul Martin".into()),
            contact_phone: Some("+33 6 12\u{a0}34 56 78".into()),
            instructions: Some("Sonner au portail.\r\nOuvert 8h-17h.".into()),
        }
    }

    fn fields_of(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn country_codes_are_sorted_and_unique() {
        assert!(COUNTRY_CODES.windows(2).all(|w| w[0] < w[1]));
        for code in FRENCH_POSTAL_COUNTRIES {
            assert!(Country::parse(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn countries() {
        assert_eq!(Country::default(), Country::FRANCE);
        assert_eq!(Country::parse(" be ").unwrap().as_str(), "BE");
        assert_eq!(
            Country::parse("XX"),
            Err(CountryError::Unknown("XX".into()))
        );
        assert_eq!(Country::parse("FRA"), Err(CountryError::Format));
        assert_eq!(Country::parse("F1"), Err(CountryError::Format));
        assert_eq!(Country::parse(""), Err(CountryError::Format));
        assert_eq!(serde_json::to_string(&Country::FRANCE).unwrap(), "\"FR\"");
        assert_eq!(
            serde_json::from_str::<Country>("\"de\"").unwrap().as_str(),
            "DE"
        );
        assert!(serde_json::from_str::<Country>("\"ZZ\"").is_err());
    }

    #[test]
    fn french_postal_codes() {
        let fr = Country::FRANCE;
        assert_eq!(PostalCode::parse("75001", fr).unwrap().as_str(), "75001");
        assert_eq!(PostalCode::parse(" 75 001 ", fr).unwrap().as_str(), "75001");
        assert_eq!(PostalCode::parse("01000", fr).unwrap().as_str(), "01000");
        assert_eq!(PostalCode::parse("20000", fr).unwrap().as_str(), "20000");
        assert_eq!(PostalCode::parse("20200", fr).unwrap().as_str(), "20200");
        assert_eq!(PostalCode::parse("97400", fr).unwrap().as_str(), "97400");
        assert_eq!(PostalCode::parse("98999", fr).unwrap().as_str(), "98999");
        assert_eq!(
            PostalCode::parse("7500", fr),
            Err(PostalCodeError::FrenchFormat)
        );
        assert_eq!(
            PostalCode::parse("750011", fr),
            Err(PostalCodeError::FrenchFormat)
        );
        assert_eq!(
            PostalCode::parse("2A000", fr),
            Err(PostalCodeError::FrenchFormat)
        );
        assert_eq!(
            PostalCode::parse("00999", fr),
            Err(PostalCodeError::FrenchRange)
        );
        assert_eq!(
            PostalCode::parse("99000", fr),
            Err(PostalCodeError::FrenchRange)
        );
        assert_eq!(PostalCode::parse("  ", fr), Err(PostalCodeError::Empty));
        let monaco = Country::parse("MC").unwrap();
        assert_eq!(
            PostalCode::parse("98000", monaco).unwrap().as_str(),
            "98000"
        );
        assert_eq!(
            PostalCodeError::FrenchFormat.to_string(),
            "Le code postal doit comporter 5 chiffres."
        );
    }

    #[test]
    fn foreign_postal_codes() {
        let gb = Country::parse("GB").unwrap();
        assert_eq!(
            PostalCode::parse("sw1a  1aa", gb).unwrap().as_str(),
            "SW1A 1AA"
        );
        let be = Country::parse("BE").unwrap();
        assert_eq!(PostalCode::parse("1000", be).unwrap().as_str(), "1000");
        let pt = Country::parse("PT").unwrap();
        assert_eq!(
            PostalCode::parse("1000-001", pt).unwrap().as_str(),
            "1000-001"
        );
        assert_eq!(
            PostalCode::parse("1", be),
            Err(PostalCodeError::ForeignFormat)
        );
        assert_eq!(
            PostalCode::parse("12345678901", be),
            Err(PostalCodeError::ForeignFormat)
        );
        assert_eq!(
            PostalCode::parse("10/00", be),
            Err(PostalCodeError::ForeignFormat)
        );
        assert_eq!(
            PostalCode::parse("--", be),
            Err(PostalCodeError::ForeignFormat)
        );
    }

    #[test]
    fn a_full_address_is_trimmed_and_normalised() {
        let fields = full().validate().unwrap();
        assert_eq!(fields.label, "Dépôt de Lyon");
        assert_eq!(fields.postal_code.as_str(), "69002");
        assert_eq!(fields.country, Country::FRANCE);
        assert_eq!(fields.contact_phone.as_deref(), Some("+33 6 12 34 56 78"));
        assert_eq!(
            fields.instructions.as_deref(),
            Some("Sonner au portail.\nOuvert 8h-17h.")
        );
    }

    #[test]
    fn minimal_address_defaults_to_france() {
        let input = AddressInput {
            label: Some("Siège".into()),
            street: Some("1 avenue Foch".into()),
            postal_code: Some("75116".into()),
            city: Some("Paris".into()),
            company: Some("   ".into()),
            ..AddressInput::default()
        };
        let fields = input.validate().unwrap();
        assert_eq!(fields.country, Country::FRANCE);
        assert_eq!(fields.company, None);
        assert_eq!(fields.contact_phone, None);
        let json = serde_json::to_value(&fields).unwrap();
        assert_eq!(json["country"], "FR");
        assert_eq!(json["postal_code"], "75116");
        let back: AddressFields = serde_json::from_value(json).unwrap();
        assert_eq!(back, fields);
    }

    #[test]
    fn missing_fields_are_each_reported_in_french() {
        let input: AddressInput = serde_json::from_str("{}").unwrap();
        let errors = input.validate().unwrap_err();
        assert_eq!(
            fields_of(&errors),
            ["label", "street", "postal_code", "city"]
        );
        assert_eq!(errors[0].message, "Le libellé est obligatoire.");
        assert_eq!(
            errors[1].message,
            "L'adresse (numéro et rue) est obligatoire."
        );
        assert_eq!(errors[2].message, "Le code postal est obligatoire.");
        assert_eq!(errors[3].message, "La ville est obligatoire.");
    }

    #[test]
    fn invalid_fields_are_each_reported() {
        let input = AddressInput {
            label: Some("x".repeat(81)),
            company: Some("é".repeat(121)),
            postal_code: Some("7500".into()),
            city: Some("Lyon\n2e".into()),
            contact_phone: Some("06 12 34 56 7a".into()),
            instructions: Some("i".repeat(501)),
            ..full()
        };
        let errors = input.validate().unwrap_err();
        assert_eq!(
            fields_of(&errors),
            [
                "label",
                "company",
                "postal_code",
                "city",
                "contact_phone",
                "instructions"
            ]
        );
        assert_eq!(
            errors[0].message,
            "Le libellé ne doit pas dépasser 80 caractères."
        );
        assert_eq!(
            errors[2].message,
            "Le code postal doit comporter 5 chiffres."
        );
        assert_eq!(
            errors[5].message,
            "Les instructions ne doivent pas dépasser 500 caractères."
        );
        // Exactly at the limits is fine (characters, not bytes).
        let input = AddressInput {
            label: Some("é".repeat(80)),
            instructions: Some("é".repeat(500)),
            ..full()
        };
        assert!(input.validate().is_ok());
    }

    #[test]
    fn country_and_postal_code_together() {
        let belgian = AddressInput {
            country: Some("BE".into()),
            postal_code: Some("1000".into()),
            ..full()
        };
        assert_eq!(belgian.validate().unwrap().country.as_str(), "BE");
        let unknown = AddressInput {
            country: Some("France".into()),
            ..full()
        };
        let errors = unknown.validate().unwrap_err();
        assert_eq!(fields_of(&errors), ["country"]);
        let blank_country = AddressInput {
            country: Some(" ".into()),
            ..full()
        };
        assert_eq!(blank_country.validate().unwrap().country, Country::FRANCE);
    }

    #[test]
    fn phone_numbers() {
        let check = |phone: &str| {
            let mut errors = Vec::new();
            let result = check_phone(Some(phone.into()), &mut errors);
            (result, errors.len())
        };
        assert_eq!(check("01.23.45.67.89"), (Some("01.23.45.67.89".into()), 0));
        assert_eq!(
            check("+33-1-23-45-67-89"),
            (Some("+33-1-23-45-67-89".into()), 0)
        );
        assert_eq!(check("  "), (None, 0));
        assert_eq!(check("12345"), (None, 1));
        assert_eq!(check("1.2.3.4.5.6."), (Some("1.2.3.4.5.6.".into()), 0));
        assert_eq!(check("------"), (None, 1));
        assert_eq!(check("0033 6 12 34 56 78 90 12"), (None, 1));
        assert_eq!(check("06 12+34 56 78"), (None, 1));
        assert_eq!(check("(0)6 12 34 56 78"), (None, 1));
    }
}
