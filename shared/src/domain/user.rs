//! Users of the portal: their role (STVA manager, group user, member), their
//! status (invited, active, disabled), their e-mail address and their name.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a user may do. Serialised in snake_case (`manager`, `group`, `member`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(utoipa::ToSchema)]
pub enum Role {
    /// STVA staff ("gestionnaire"): every account, no account of their own.
    Manager,
    /// A customer's group user: a member who also creates the account's users.
    Group,
    /// A customer's user: orders, follows orders, keeps the address book.
    Member,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Manager, Role::Group, Role::Member];

    /// The API name (`group`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::Group => "group",
            Role::Member => "member",
        }
    }

    /// The French label shown to users.
    pub const fn label_fr(self) -> &'static str {
        match self {
            Role::Manager => "Gestionnaire STVA",
            Role::Group => "Utilisateur groupe",
            Role::Member => "Membre",
        }
    }

    /// A user of a customer account (`group` or `member`), as opposed to STVA
    /// staff.
    pub const fn is_customer(self) -> bool {
        matches!(self, Role::Group | Role::Member)
    }
}

/// The roles of a customer account's users (the `role` of an invitation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustomerRole {
    Group,
    Member,
}

impl From<CustomerRole> for Role {
    fn from(role: CustomerRole) -> Self {
        match role {
            CustomerRole::Group => Role::Group,
            CustomerRole::Member => Role::Member,
        }
    }
}

/// Where a user account stands. Serialised in snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(utoipa::ToSchema)]
pub enum UserStatus {
    /// Created, invitation e-mail sent, password not chosen yet.
    Invited,
    /// May sign in.
    Active,
    /// May no longer sign in; sessions ended.
    Disabled,
}

impl UserStatus {
    pub const ALL: [UserStatus; 3] = [
        UserStatus::Invited,
        UserStatus::Active,
        UserStatus::Disabled,
    ];

    /// The API name (`invited`).
    pub const fn as_str(self) -> &'static str {
        match self {
            UserStatus::Invited => "invited",
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
        }
    }

    /// The French label shown to users.
    pub const fn label_fr(self) -> &'static str {
        match self {
            UserStatus::Invited => "Invité",
            UserStatus::Active => "Actif",
            UserStatus::Disabled => "Désactivé",
        }
    }

    /// Only active users may sign in.
    pub const fn can_sign_in(self) -> bool {
        matches!(self, UserStatus::Active)
    }
}

/// A text that is not a known role or user status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseUserEnumError {
    #[error("Rôle inconnu : « {0} » (attendu : manager, group ou member).")]
    Role(String),
    #[error("Statut d'utilisateur inconnu : « {0} » (attendu : invited, active ou disabled).")]
    Status(String),
}

impl FromStr for Role {
    type Err = ParseUserEnumError;

    /// Parses the API name; surrounding spaces and case are ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Role::ALL
            .into_iter()
            .find(|role| role.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| ParseUserEnumError::Role(wanted.to_owned()))
    }
}

impl FromStr for UserStatus {
    type Err = ParseUserEnumError;

    /// Parses the API name; surrounding spaces and case are ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        UserStatus::ALL
            .into_iter()
            .find(|status| status.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| ParseUserEnumError::Status(wanted.to_owned()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for UserStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Longest e-mail address accepted (RFC 5321 path limit less the brackets).
pub const EMAIL_MAX_CHARS: usize = 254;
/// Longest local part (before the `@`), RFC 5321.
const EMAIL_LOCAL_MAX_CHARS: usize = 64;

/// Why a text is not an e-mail address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("L'adresse e-mail est obligatoire.")]
    Empty,
    #[error("L'adresse e-mail ne doit pas dépasser 254 caractères.")]
    TooLong,
    #[error("L'adresse e-mail ne doit pas contenir d'espace.")]
    Whitespace,
    #[error(
        "L'adresse e-mail doit contenir un et un seul « @ » (exemple : prenom.nom@exemple.fr)."
    )]
    At,
    #[error("L'adresse e-mail n'est pas valide : il manque la partie avant le « @ ».")]
    LocalPart,
    #[error(
        "L'adresse e-mail n'est pas valide : le domaine après le « @ » doit ressembler à exemple.fr."
    )]
    Domain,
    #[error("L'adresse e-mail contient un caractère non autorisé.")]
    InvalidCharacter,
}

/// An e-mail address: trimmed and lowercased, checked for a sensible shape
/// (not every RFC 5322 oddity: no quoted local parts, no IP literals).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<EmailAddress, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.chars().any(char::is_whitespace) {
            return Err(EmailError::Whitespace);
        }
        let email = trimmed.to_lowercase();
        if email.chars().count() > EMAIL_MAX_CHARS {
            return Err(EmailError::TooLong);
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err(EmailError::At);
        };
        if domain.contains('@') {
            return Err(EmailError::At);
        }
        if local.is_empty() {
            return Err(EmailError::LocalPart);
        }
        if email
            .chars()
            .any(|c| c.is_control() || "\"(),:;<>[\\]`".contains(c))
        {
            return Err(EmailError::InvalidCharacter);
        }
        if local.chars().count() > EMAIL_LOCAL_MAX_CHARS
            || local.starts_with('.')
            || local.ends_with('.')
            || local.contains("..")
        {
            return Err(EmailError::LocalPart);
        }
        if !is_valid_domain(domain) {
            return Err(EmailError::Domain);
        }
        Ok(EmailAddress(email))
    }

    /// The address, lowercase.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@`.
    pub fn local_part(&self) -> &str {
        self.0
            .split_once('@')
            .map_or(self.0.as_str(), |(local, _)| local)
    }

    /// The part after the `@`.
    pub fn domain(&self) -> &str {
        self.0.split_once('@').map_or("", |(_, domain)| domain)
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A domain with at least two labels of letters, digits and inner dashes,
/// and a top-level label of at least two characters, not all digits.
fn is_valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let well_formed = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.chars().count() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    let tld_ok = labels
        .last()
        .is_some_and(|tld| tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
    well_formed && tld_ok
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for EmailAddress {
    type Err = EmailError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EmailAddress::parse(s)
    }
}

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for EmailAddress {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EmailAddress {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        EmailAddress::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Longest name accepted, in characters.
pub const PERSON_NAME_MAX_CHARS: usize = 100;

/// Why a text is not a person's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PersonNameError {
    #[error("Le nom est obligatoire.")]
    Empty,
    #[error("Le nom ne doit pas dépasser 100 caractères.")]
    TooLong,
    #[error("Le nom doit tenir sur une seule ligne, sans caractère de contrôle.")]
    InvalidCharacter,
}

/// A person's name as they write it ("Marie-Hélène Dupont"): trimmed, inner
/// runs of whitespace made one space, 1 to 100 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<PersonName, PersonNameError> {
        // Controls other than whitespace (NUL, escapes) are refused; tabs and
        // line breaks are whitespace and collapse to a space.
        if input.chars().any(|c| c.is_control() && !c.is_whitespace()) {
            return Err(PersonNameError::InvalidCharacter);
        }
        let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(PersonNameError::Empty);
        }
        if name.chars().count() > PERSON_NAME_MAX_CHARS {
            return Err(PersonNameError::TooLong);
        }
        Ok(PersonName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for PersonName {
    type Err = PersonNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PersonName::parse(s)
    }
}

impl AsRef<str> for PersonName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for PersonName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PersonName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        PersonName::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn roles_and_statuses() {
        for role in Role::ALL {
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.as_str()));
            assert_eq!(serde_json::from_str::<Role>(&json).unwrap(), role);
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        for status in UserStatus::ALL {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(status.as_str().parse::<UserStatus>(), Ok(status));
        }
        assert_eq!(Role::Group.label_fr(), "Utilisateur groupe");
        assert!(Role::Member.is_customer() && !Role::Manager.is_customer());
        assert!(UserStatus::Active.can_sign_in());
        assert!(!UserStatus::Invited.can_sign_in() && !UserStatus::Disabled.can_sign_in());
        assert_eq!(" Group ".parse::<Role>(), Ok(Role::Group));
        assert!(
            "admin"
                .parse::<Role>()
                .unwrap_err()
                .to_string()
                .contains("« admin »")
        );
        assert!(serde_json::from_str::<Role>("\"admin\"").is_err());
    }

    #[test]
    fn valid_emails_are_trimmed_and_lowercased() {
        for (input, expected) in [
            (
                "  Jean.Dupont@Garage-Martin.FR ",
                "jean.dupont@garage-martin.fr",
            ),
            ("a@b.co", "a@b.co"),
            (
                "compta+stva@sous.domaine.exemple.com",
                "compta+stva@sous.domaine.exemple.com",
            ),
            ("o'neil@example.ie", "o'neil@example.ie"),
            ("contact@garage-élodie.fr", "contact@garage-élodie.fr"),
        ] {
            let email = EmailAddress::parse(input).unwrap();
            assert_eq!(email.as_str(), expected);
        }
        let email = EmailAddress::parse("Marie@Exemple.fr").unwrap();
        assert_eq!(email.local_part(), "marie");
        assert_eq!(email.domain(), "exemple.fr");
    }

    #[test]
    fn invalid_emails_have_a_specific_french_message() {
        for (input, error) in [
            ("", EmailError::Empty),
            ("   ", EmailError::Empty),
            ("jean dupont@exemple.fr", EmailError::Whitespace),
            ("jean.dupont.exemple.fr", EmailError::At),
            ("jean@dupont@exemple.fr", EmailError::At),
            ("@exemple.fr", EmailError::LocalPart),
            (".jean@exemple.fr", EmailError::LocalPart),
            ("jean..dupont@exemple.fr", EmailError::LocalPart),
            ("jean@localhost", EmailError::Domain),
            ("jean@", EmailError::Domain),
            ("jean@exemple.", EmailError::Domain),
            ("jean@.exemple.fr", EmailError::Domain),
            ("jean@exemple..fr", EmailError::Domain),
            ("jean@-exemple.fr", EmailError::Domain),
            ("jean@exemple.f", EmailError::Domain),
            ("jean@10.0.0.1", EmailError::Domain),
            ("jean@exem_ple.fr", EmailError::Domain),
            ("<jean@exemple.fr>", EmailError::InvalidCharacter),
            ("jean,paul@exemple.fr", EmailError::InvalidCharacter),
        ] {
            assert_eq!(EmailAddress::parse(input), Err(error), "{input:?}");
        }
        let long = format!("{}@exemple.fr", "a".repeat(250));
        assert_eq!(EmailAddress::parse(&long), Err(EmailError::TooLong));
        let long_local = format!("{}@exemple.fr", "a".repeat(65));
        assert_eq!(EmailAddress::parse(&long_local), Err(EmailError::LocalPart));
        assert_eq!(
            EmailError::Empty.to_string(),
            "L'adresse e-mail est obligatoire."
        );
    }

    #[test]
    fn email_serde() {
        let email: EmailAddress = serde_json::from_str("\" A@B.FR \"").unwrap();
        assert_eq!(serde_json::to_string(&email).unwrap(), "\"a@b.fr\"");
        assert!(serde_json::from_str::<EmailAddress>("\"nope\"").is_err());
    }

    #[test]
    fn person_names() {
        assert_eq!(
            PersonName::parse("  Marie-Hélène   Dupont ")
                .unwrap()
                .as_str(),
            "Marie-Hélène Dupont"
        );
        assert_eq!(PersonName::parse("Li").unwrap().as_str(), "Li");
        assert_eq!(PersonName::parse("X").unwrap().as_str(), "X");
        assert_eq!(
            PersonName::parse("é".repeat(100).as_str())
                .unwrap()
                .as_str()
                .chars()
                .count(),
            100
        );
        assert_eq!(
            PersonName::parse(&"é".repeat(101)),
            Err(PersonNameError::TooLong)
        );
        assert_eq!(PersonName::parse(" \t "), Err(PersonNameError::Empty));
        assert_eq!(
            PersonName::parse("Jean\u{0}"),
            Err(PersonNameError::InvalidCharacter)
        );
        assert_eq!(
            PersonName::parse("Jean\nDupont").unwrap().as_str(),
            "Jean Dupont"
        );
        assert_eq!(
            PersonNameError::Empty.to_string(),
            "Le nom est obligatoire."
        );
        let name: PersonName = serde_json::from_str("\" Paul \"").unwrap();
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"Paul\"");
    }

    proptest! {
        #[test]
        fn email_parse_never_panics_and_is_idempotent(text in any::<String>()) {
            if let Ok(email) = EmailAddress::parse(&text) {
                prop_assert_eq!(EmailAddress::parse(email.as_str()), Ok(email.clone()));
                prop_assert!(email.as_str().chars().count() <= EMAIL_MAX_CHARS);
                prop_assert!(!email.local_part().is_empty());
                prop_assert!(email.domain().contains('.'));
            }
        }

        #[test]
        fn person_name_parse_never_panics_and_is_idempotent(text in any::<String>()) {
            if let Ok(name) = PersonName::parse(&text) {
                prop_assert_eq!(PersonName::parse(name.as_str()), Ok(name.clone()));
            }
        }
    }
}
