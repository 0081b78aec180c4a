//! The password policy: 12 to 128 characters, not one of the most common
//! passwords (even padded with digits or symbols), and not containing the
//! user's e-mail address. Only length and guessability are checked, no
//! character classes, as NIST SP 800-63B recommends.

use std::collections::HashSet;
use std::sync::LazyLock;

/// Fewest characters (Unicode scalar values, not bytes) of a password,
/// leading and trailing whitespace not counted.
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Most characters of a password.
pub const PASSWORD_MAX_CHARS: usize = 128;

/// The rule as told to users, for forms.
pub const PASSWORD_HINT_FR: &str = "Au moins 12 caractères. Évitez les mots de passe courants et votre adresse e-mail ; une phrase de plusieurs mots est facile à retenir et difficile à deviner.";

/// The shipped list of common passwords (see `shared/data/README.md`): one
/// per line, lowercase, 8 characters or more.
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect()
});

/// Keyboard rows and runs that people walk along (AZERTY and QWERTY).
const KEYBOARD_WALKS: [&str; 5] = [
    "azertyuiopqsdfghjklmwxcvbn",
    "qwertyuiopasdfghjklzxcvbnm",
    "1234567890",
    "aqwzsxedcrfvtgbyhnujikolpm",
    "qazwsxedcrfvtgbyhnujmikolp",
];

/// Shortest list entry; shorter cores of a padded password are not looked up.
const COMMON_MIN_CHARS: usize = 8;
/// Shortest part of an e-mail's local part that a password may not contain.
const EMAIL_PART_MIN_CHARS: usize = 4;
/// Shortest whole local part that a password may not contain.
const EMAIL_LOCAL_MIN_CHARS: usize = 3;

/// Why a password is refused. The messages are French, for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Le mot de passe doit contenir au moins 12 caractères.")]
    TooShort,
    #[error("Le mot de passe ne doit pas dépasser 128 caractères.")]
    TooLong,
    #[error("Ce mot de passe est trop courant, choisissez-en un autre.")]
    TooCommon,
    #[error(
        "Le mot de passe ne doit pas contenir votre adresse e-mail ni une partie de celle-ci, choisissez-en un autre."
    )]
    ContainsEmail,
}

/// The password policy, as a type for callers that prefer one; the same as
/// [`validate_password`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PasswordPolicy;

impl PasswordPolicy {
    pub const MIN_CHARS: usize = PASSWORD_MIN_CHARS;
    pub const MAX_CHARS: usize = PASSWORD_MAX_CHARS;

    /// See [`validate_password`].
    pub fn check(self, password: &str, email: Option<&str>) -> Result<(), PasswordError> {
        validate_password(password, email)
    }
}

/// Checks a new password against the policy. `email` is the user's e-mail
/// address or just its local part (what is before the `@`); the password may
/// not contain it (nor, for `jean.dupont`, `dupont`).
///
/// The password itself is hashed as given: this only checks it.
pub fn validate_password(password: &str, email: Option<&str>) -> Result<(), PasswordError> {
    if password.chars().count() > PASSWORD_MAX_CHARS {
        return Err(PasswordError::TooLong);
    }
    if password.trim().chars().count() < PASSWORD_MIN_CHARS {
        return Err(PasswordError::TooShort);
    }
    if is_common_password(password) {
        return Err(PasswordError::TooCommon);
    }
    if let Some(email) = email
        && contains_email(password, email)
    {
        return Err(PasswordError::ContainsEmail);
    }
    Ok(())
}

/// Whether the password is one of the shipped common ones, case-insensitive,
/// after trimming; also with its spaces removed and with the digits and
/// symbols around it removed (`Password1234!` is `password`), and whether it
/// is a run (`123456789012`, `abcdefghijkl`), a repeated pattern
/// (`abcabcabcabc`) or a keyboard walk (`azertyuiopqs`).
pub fn is_common_password(password: &str) -> bool {
    let normalized = password.trim().to_lowercase();
    let without_spaces: String = normalized.chars().filter(|c| !c.is_whitespace()).collect();
    [normalized.as_str(), without_spaces.as_str()]
        .into_iter()
        .flat_map(|text| {
            let not_letter = |c: char| !c.is_alphabetic();
            [
                text,
                text.trim_end_matches(not_letter),
                text.trim_start_matches(not_letter),
                text.trim_matches(not_letter),
            ]
        })
        .any(|candidate| {
            candidate.chars().count() >= COMMON_MIN_CHARS
                && (COMMON_PASSWORDS.contains(candidate)
                    || is_run(candidate)
                    || is_repeated_pattern(candidate)
                    || KEYBOARD_WALKS.iter().any(|walk| walk.contains(candidate)))
        })
}

/// Consecutive characters going up or down by one (`3456789012`, `lkjihgfe`);
/// digits wrap around (`8901`).
fn is_run(text: &str) -> bool {
    let bytes = text.as_bytes();
    if !bytes.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let step = |a: u8, b: u8| -> Option<i16> {
        let (a16, b16) = (i16::from(a), i16::from(b));
        if a.is_ascii_digit() && b.is_ascii_digit() {
            match (b16 - a16).rem_euclid(10) {
                1 => Some(1),
                9 => Some(-1),
                _ => None,
            }
        } else if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() {
            match b16 - a16 {
                1 => Some(1),
                -1 => Some(-1),
                _ => None,
            }
        } else {
            None
        }
    };
    let mut steps = bytes.windows(2).map(|pair| step(pair[0], pair[1]));
    match steps.next() {
        Some(Some(first)) => steps.all(|s| s == Some(first)),
        _ => false,
    }
}

/// The same unit of 1 to 4 characters over and over (`aaaaaaaa`, `abababab`,
/// `123123123123`).
fn is_repeated_pattern(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    (1..=4).any(|unit| {
        chars.len() >= unit * 2
            && chars
                .iter()
                .enumerate()
                .skip(unit)
                .all(|(i, c)| *c == chars[i % unit])
    })
}

/// Whether the password contains the e-mail's local part, or one of its
/// longer pieces (split on `.`, `_`, `-`, `+`), case-insensitive.
fn contains_email(password: &str, email: &str) -> bool {
    let local = email
        .trim()
        .split('@')
        .next()
        .unwrap_or_default()
        .to_lowercase();
    let password = password.to_lowercase();
    if local.chars().count() >= EMAIL_LOCAL_MIN_CHARS && password.contains(&local) {
        return true;
    }
    local
        .split(['.', '_', '-', '+'])
        .filter(|part| part.chars().count() >= EMAIL_PART_MIN_CHARS)
        .any(|part| password.contains(part))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_list_is_loaded() {
        assert!(
            COMMON_PASSWORDS.len() > 15_000,
            "{}",
            COMMON_PASSWORDS.len()
        );
        for password in [
            "password",
            "motdepasse",
            "azertyuiop",
            "1qaz2wsx",
            "soleil123",
        ] {
            assert!(COMMON_PASSWORDS.contains(password), "{password}");
        }
        assert!(
            COMMON_PASSWORDS
                .iter()
                .all(|p| p.chars().count() >= COMMON_MIN_CHARS && *p == p.to_lowercase())
        );
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert_eq!(validate_password("", None), Err(PasswordError::TooShort));
        assert_eq!(
            validate_password("Kx7#mQ2$vL9", None),
            Err(PasswordError::TooShort)
        );
        assert_eq!(validate_password("Kx7#mQ2$vL9!", None), Ok(()));
        // 12 characters, 24 bytes.
        assert_eq!(validate_password("éàèùçôâêîûëï", None), Ok(()));
        // Surrounding spaces do not count towards the minimum.
        assert_eq!(
            validate_password("  Kx7#mQ2$vL9  ", None),
            Err(PasswordError::TooShort)
        );
        assert_eq!(
            validate_password(&"é".repeat(128), None),
            Err(PasswordError::TooCommon)
        );
        let long_ok: String = "chevalbleu-".repeat(11).chars().take(128).collect();
        assert_eq!(validate_password(&long_ok, None), Ok(()));
        assert_eq!(
            validate_password(&"Kx7#".repeat(33), None),
            Err(PasswordError::TooLong)
        );
        assert_eq!(
            PasswordError::TooShort.to_string(),
            "Le mot de passe doit contenir au moins 12 caractères."
        );
        assert_eq!(
            PasswordError::TooCommon.to_string(),
            "Ce mot de passe est trop courant, choisissez-en un autre."
        );
    }

    #[test]
    fn common_passwords_are_refused_even_padded() {
        for password in [
            "qwertyuiop123",
            "  MotDePasse123 ",
            "motdepasse2024",
            "Password1234!",
            "123Password!!",
            "AZERTYUIOP12",
            "azertyuiopqs",
            "soleil123456",
            "iloveyou1234",
            "mot de passe 123",
            "123456789012",
            "987654321098",
            "abcdefghijkl",
            "aaaaaaaaaaaa",
            "abcabcabcabc",
            "123123123123",
            "qwertyuiopasdf",
        ] {
            assert_eq!(
                validate_password(password, None),
                Err(PasswordError::TooCommon),
                "{password:?}"
            );
        }
    }

    #[test]
    fn reasonable_passwords_pass() {
        for password in [
            "correct horse battery staple",
            "Le camion part à 7h de Lyon",
            "vR8#kq2!Zp0w",
            "tartiflette-du-dimanche",
            "J'aime les Citroën DS 1972",
        ] {
            assert_eq!(validate_password(password, None), Ok(()), "{password:?}");
        }
    }

    #[test]
    fn the_email_may_not_be_in_the_password() {
        let email = Some("jean.dupont@garage-martin.fr");
        assert_eq!(
            validate_password("Jean.Dupont-2024!", email),
            Err(PasswordError::ContainsEmail)
        );
        assert_eq!(
            validate_password("monnom:DUPONT!!", email),
            Err(PasswordError::ContainsEmail)
        );
        assert_eq!(validate_password("garage lyonnais 69", Some("jdu")), Ok(()));
        assert_eq!(
            validate_password("le jdu du garage", Some("jdu")),
            Err(PasswordError::ContainsEmail)
        );
        // A short local part or piece is not held against the password.
        assert_eq!(
            validate_password("un ours brun au jardin", Some("jo@x.fr")),
            Ok(())
        );
        assert_eq!(validate_password("mon garage est à Lyon", email), Ok(()));
        assert_eq!(PasswordPolicy.check("mon garage est à Lyon", email), Ok(()));
    }

    #[test]
    fn runs_and_patterns() {
        assert!(is_run("0123456789"));
        assert!(is_run("7890123456"));
        assert!(is_run("zyxwvuts"));
        assert!(!is_run("13579135"));
        assert!(!is_run("abcdefgh1"));
        assert!(is_repeated_pattern("abcdabcdabcd"));
        assert!(is_repeated_pattern("abcdabcdab"));
        assert!(!is_repeated_pattern("abcdeabcde"));
    }

    proptest! {
        #[test]
        fn never_panics(password in any::<String>(), email in proptest::option::of(any::<String>())) {
            let result = validate_password(&password, email.as_deref());
            if password.chars().count() > PASSWORD_MAX_CHARS {
                prop_assert_eq!(result, Err(PasswordError::TooLong));
            } else if password.trim().chars().count() < PASSWORD_MIN_CHARS {
                prop_assert_eq!(result, Err(PasswordError::TooShort));
            }
        }

        #[test]
        fn padding_a_common_password_does_not_help(
            index in any::<prop::sample::Index>(),
            suffix in "[0-9!?.*@#$]{0,8}",
            prefix in "[0-9]{0,3}",
            upper in any::<bool>(),
        ) {
            let words: Vec<&str> = ["password", "motdepasse", "azertyuiop", "sunshine", "football"].to_vec();
            let word = *index.get(&words);
            let word = if upper { word.to_uppercase() } else { word.to_owned() };
            let password = format!("{prefix}{word}{suffix}");
            prop_assert!(is_common_password(&password), "{}", password);
        }
    }
}
