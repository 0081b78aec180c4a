//! Short-lived signed session tokens (JWT, HS256 only). The same token rides
//! in the `HttpOnly` cookie and in `Authorization: Bearer`.
//!
//! Claims: `sub` (user id), `role`, `acc` (account id, customers only),
//! `sv` (the user's session version: disabling a user or signing out bumps
//! it, which ends every token issued before), and the registered `iss`,
//! `aud`, `iat`, `exp`, all required.

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::Role;
use crate::error::{AppError, AppResult};

pub const ISSUER: &str = "stva-portal";
pub const AUDIENCE: &str = "stva-portal-api";
/// Smallest signing secret accepted (256 bits).
pub const MIN_SECRET_BYTES: usize = 32;
const LEEWAY_SECS: u64 = 30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acc: Option<String>,
    pub sv: u32,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

/// What a caller needs to mint a token for a user.
#[derive(Debug, Clone)]
pub struct Subject {
    pub user_id: String,
    pub role: Role,
    pub account_id: Option<String>,
    pub session_version: u32,
}

#[derive(Clone)]
pub struct SessionTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl std::fmt::Debug for SessionTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionTokens")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the token signing secret must be at least {MIN_SECRET_BYTES} bytes")]
pub struct WeakSecret;

impl SessionTokens {
    pub fn new(secret: &[u8], ttl: Duration) -> Result<Self, WeakSecret> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(WeakSecret);
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        Ok(Self {
            encoding: EncodingKey::from_secret(secret).map_err(|_| WeakSecret)?,
            decoding: DecodingKey::from_secret(secret).map_err(|_| WeakSecret)?,
            validation,
            ttl,
        })
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// A signed token for the subject and its expiry.
    pub fn issue(
        &self,
        subject: &Subject,
        now: OffsetDateTime,
    ) -> AppResult<(String, OffsetDateTime)> {
        let expires_at = now + self.ttl;
        let claims = Claims {
            sub: subject.user_id.clone(),
            role: subject.role,
            acc: subject.account_id.clone(),
            sv: subject.session_version,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now.unix_timestamp(),
            exp: expires_at.unix_timestamp(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AppError::Unexpected(format!("token signing failed: {e}")))?;
        Ok((token, expires_at))
    }

    /// The claims of a valid token; any defect is one and the same 401.
    pub fn verify(&self, token: &str) -> AppResult<Claims> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| {
                tracing::debug!(error = %e, "rejected session token");
                AppError::Unauthenticated {
                    code: "invalid_session",
                    detail: "Votre session a expiré ou n'est pas valide : reconnectez-vous."
                        .to_owned(),
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn subject() -> Subject {
        Subject {
            user_id: "u1".into(),
            role: Role::Member,
            account_id: Some("a1".into()),
            session_version: 3,
        }
    }

    fn tokens() -> SessionTokens {
        SessionTokens::new(SECRET, Duration::from_secs(3600)).expect("secret")
    }

    #[test]
    fn issues_and_verifies() {
        let now = OffsetDateTime::now_utc();
        let (token, expires_at) = tokens().issue(&subject(), now).expect("issue");
        assert_eq!(expires_at.unix_timestamp(), now.unix_timestamp() + 3600);
        let claims = tokens().verify(&token).expect("verify");
        assert_eq!(claims.sub, "u1");
        assert_eq!(claims.acc.as_deref(), Some("a1"));
        assert_eq!(claims.sv, 3);
        assert_eq!(claims.role, Role::Member);
    }

    #[test]
    fn refuses_weak_secrets_and_other_keys() {
        assert!(SessionTokens::new(b"short", Duration::from_secs(60)).is_err());
        let (token, _) = tokens()
            .issue(&subject(), OffsetDateTime::now_utc())
            .expect("issue");
        let other = SessionTokens::new(
            b"another-secret-another-secret-000",
            Duration::from_secs(60),
        )
        .expect("secret");
        assert!(other.verify(&token).is_err());
    }

    #[test]
    fn refuses_expired_tokens_beyond_leeway() {
        let long_ago = OffsetDateTime::now_utc() - Duration::from_secs(3600 + 120);
        let (token, _) = tokens().issue(&subject(), long_ago).expect("issue");
        assert!(tokens().verify(&token).is_err());
    }

    #[test]
    fn refuses_unsigned_and_tampered_tokens() {
        let (token, _) = tokens()
            .issue(&subject(), OffsetDateTime::now_utc())
            .expect("issue");
        let mut parts: Vec<&str> = token.split('.').collect();
        // alg "none"
        let none_header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
        parts[0] = none_header;
        assert!(
            tokens()
                .verify(&format!("{}.{}.", parts[0], parts[1]))
                .is_err()
        );
        assert!(tokens().verify("garbage").is_err());
        let tampered = format!("{}x", token);
        assert!(tokens().verify(&tampered).is_err());
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

        proptest! {
            /// No text is a session token but one signed with the key.
            #[test]
            fn no_unsigned_text_verifies(text in "\\PC{0,300}") {
                prop_assert!(tokens().verify(&text).is_err());
            }

            /// Any one character of the header or claims changed: refused.
            #[test]
            fn any_edit_of_a_signed_token_is_refused(at in any::<prop::sample::Index>(), pick in any::<prop::sample::Index>()) {
                let (token, _) = tokens()
                    .issue(&subject(), OffsetDateTime::now_utc())
                    .expect("issue");
                let signed_part = token.rfind('.').expect("a signature");
                let mut bytes = token.into_bytes();
                let at = at.index(signed_part);
                if bytes[at] == b'.' {
                    return Ok(());
                }
                let replacement = ALPHABET[pick.index(ALPHABET.len())];
                prop_assume!(replacement != bytes[at]);
                bytes[at] = replacement;
                let edited = String::from_utf8(bytes).expect("ascii");
                prop_assert!(tokens().verify(&edited).is_err());
            }
        }
    }
}
