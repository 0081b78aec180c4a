//! Configuration from environment variables, read once at cold start into a
//! typed value, with errors that name the variable.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {name} is required: {hint}")]
    Missing {
        name: &'static str,
        hint: &'static str,
    },
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// Everything the use cases need to know about where they run.
#[derive(Clone)]
pub struct Config {
    /// The portal's public origin, for links in e-mails (no trailing slash).
    pub public_url: String,
    /// HMAC secret for session tokens (at least 32 bytes).
    pub token_secret: Vec<u8>,
    pub session_ttl: Duration,
    /// `Secure` on cookies: on everywhere but plain-HTTP local runs.
    pub secure_cookies: bool,
    pub table_name: String,
    pub invoices_bucket: String,
    /// The sender of every e-mail, e.g. `STVA <portail@stva.fr>`.
    pub mail_from: String,
    /// STVA's ERP base URL.
    pub erp_url: Option<String>,
    /// The ERP's API key (`X-Api-Key`).
    pub erp_api_key: Option<String>,
    /// How long one ERP request may take before it is retried.
    pub erp_timeout: Duration,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("public_url", &self.public_url)
            .field("token_secret", &"<redacted>")
            .field("session_ttl", &self.session_ttl)
            .field("secure_cookies", &self.secure_cookies)
            .field("table_name", &self.table_name)
            .field("invoices_bucket", &self.invoices_bucket)
            .field("mail_from", &self.mail_from)
            .field("erp_url", &self.erp_url)
            .field(
                "erp_api_key",
                &self.erp_api_key.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// A secret the functions read either as a value in the environment
/// (`value`, local runs) or from AWS Secrets Manager (`arn`: the ARN or name
/// of the secret, deployed stacks), once per cold start. Never both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretVar {
    pub value: &'static str,
    pub arn: &'static str,
}

pub const TOKEN_SECRET: SecretVar = SecretVar {
    value: "STVA_TOKEN_SECRET",
    arn: "STVA_TOKEN_SECRET_ARN",
};
pub const ERP_API_KEY: SecretVar = SecretVar {
    value: "STVA_ERP_API_KEY",
    arn: "STVA_ERP_API_KEY_SECRET_ARN",
};
/// Every secret that may come from Secrets Manager.
pub const SECRETS: [SecretVar; 2] = [TOKEN_SECRET, ERP_API_KEY];

pub const DEFAULT_SESSION_MINUTES: u64 = 60;
pub const DEFAULT_ERP_TIMEOUT_MS: u64 = 5_000;

/// Reads variables from a lookup function, so tests need no process env.
pub struct Env<F: Fn(&str) -> Option<String>>(pub F);

impl<F: Fn(&str) -> Option<String>> Env<F> {
    fn get(&self, name: &str) -> Option<String> {
        (self.0)(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    fn required(&self, name: &'static str, hint: &'static str) -> Result<String, ConfigError> {
        self.get(name).ok_or(ConfigError::Missing { name, hint })
    }

    fn bool_or(&self, name: &'static str, default: bool) -> Result<bool, ConfigError> {
        match self.get(name).as_deref() {
            None => Ok(default),
            Some("1" | "true" | "yes") => Ok(true),
            Some("0" | "false" | "no") => Ok(false),
            Some(other) => Err(ConfigError::Invalid {
                name,
                reason: format!("expected true or false, got {other:?}"),
            }),
        }
    }
}

impl<F: Fn(&str) -> Option<String>> Env<F> {
    /// The secrets to fetch from Secrets Manager: each `(secret, ARN)` whose
    /// ARN variable is set. Setting both the value and the ARN is an error,
    /// so that no one wonders which of the two is in force.
    pub fn secret_arns(&self) -> Result<Vec<(SecretVar, String)>, ConfigError> {
        let mut arns = Vec::new();
        for secret in SECRETS {
            if let Some(arn) = self.get(secret.arn) {
                if self.get(secret.value).is_some() {
                    return Err(ConfigError::Invalid {
                        name: secret.arn,
                        reason: format!("set {} or {}, not both", secret.value, secret.arn),
                    });
                }
                arns.push((secret, arn));
            }
        }
        Ok(arns)
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(Env(|name| std::env::var(name).ok()))
    }

    pub fn from_lookup<F: Fn(&str) -> Option<String>>(env: Env<F>) -> Result<Self, ConfigError> {
        let public_url = env
            .required(
                "STVA_PUBLIC_URL",
                "the portal's origin, e.g. https://portail.stva.fr",
            )?
            .trim_end_matches('/')
            .to_owned();
        url::Url::parse(&public_url).map_err(|e| ConfigError::Invalid {
            name: "STVA_PUBLIC_URL",
            reason: e.to_string(),
        })?;
        let token_secret = env
            .required(
                TOKEN_SECRET.value,
                "at least 32 random bytes, e.g. `openssl rand -hex 32` \
                 (or STVA_TOKEN_SECRET_ARN: a Secrets Manager secret holding them)",
            )?
            .into_bytes();
        if token_secret.len() < crate::security::session_tokens::MIN_SECRET_BYTES {
            return Err(ConfigError::Invalid {
                name: TOKEN_SECRET.value,
                reason: "must be at least 32 bytes long".into(),
            });
        }
        let session_minutes = match env.get("STVA_SESSION_MINUTES") {
            None => DEFAULT_SESSION_MINUTES,
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|m| (5..=24 * 60).contains(m))
                .ok_or(ConfigError::Invalid {
                    name: "STVA_SESSION_MINUTES",
                    reason: format!("expected minutes between 5 and 1440, got {v:?}"),
                })?,
        };
        Ok(Config {
            public_url,
            token_secret,
            session_ttl: Duration::from_secs(session_minutes * 60),
            secure_cookies: env.bool_or("STVA_SECURE_COOKIES", true)?,
            table_name: env.get("STVA_TABLE").unwrap_or_else(|| "stva".into()),
            invoices_bucket: env
                .get("STVA_INVOICES_BUCKET")
                .unwrap_or_else(|| "stva-invoices".into()),
            mail_from: env
                .get("STVA_MAIL_FROM")
                .unwrap_or_else(|| "STVA <portail@stva.fr>".into()),
            erp_url: env.get("STVA_ERP_URL"),
            erp_api_key: env.get(ERP_API_KEY.value),
            erp_timeout: Duration::from_millis(match env.get("STVA_ERP_TIMEOUT_MS") {
                None => DEFAULT_ERP_TIMEOUT_MS,
                Some(v) => v
                    .parse::<u64>()
                    .ok()
                    .filter(|ms| (50..=60_000).contains(ms))
                    .ok_or(ConfigError::Invalid {
                        name: "STVA_ERP_TIMEOUT_MS",
                        reason: format!("expected milliseconds between 50 and 60000, got {v:?}"),
                    })?,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(Env(move |name| map.get(name).cloned()))
    }

    #[test]
    fn reads_defaults_and_required_values() {
        let c = config(&[
            ("STVA_PUBLIC_URL", "https://portail.stva.fr/"),
            ("STVA_TOKEN_SECRET", "0123456789abcdef0123456789abcdef"),
        ])
        .expect("config");
        assert_eq!(c.public_url, "https://portail.stva.fr");
        assert_eq!(c.session_ttl, Duration::from_secs(3600));
        assert!(c.secure_cookies);
        assert_eq!(c.table_name, "stva");
        assert!(!format!("{c:?}").contains("0123456789abcdef"));
    }

    #[test]
    fn names_the_missing_or_invalid_variable() {
        let err = config(&[]).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("STVA_PUBLIC_URL"), "{err}");
        let err = config(&[
            ("STVA_PUBLIC_URL", "https://x.fr"),
            ("STVA_TOKEN_SECRET", "short"),
        ])
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(err.contains("STVA_TOKEN_SECRET"), "{err}");
        let err = config(&[
            ("STVA_PUBLIC_URL", "https://x.fr"),
            ("STVA_TOKEN_SECRET", "0123456789abcdef0123456789abcdef"),
            ("STVA_SESSION_MINUTES", "forever"),
        ])
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(err.contains("STVA_SESSION_MINUTES"), "{err}");
    }

    fn arns(vars: &[(&str, &str)]) -> Result<Vec<(SecretVar, String)>, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Env(move |name: &str| map.get(name).cloned()).secret_arns()
    }

    #[test]
    fn secrets_come_from_a_value_or_an_arn_never_both() {
        assert!(
            arns(&[("STVA_TOKEN_SECRET", "x")])
                .expect("value")
                .is_empty()
        );
        let found = arns(&[
            (
                "STVA_TOKEN_SECRET_ARN",
                "arn:aws:secretsmanager:eu-west-3:1:secret:t",
            ),
            ("STVA_ERP_API_KEY_SECRET_ARN", " erp-key "),
            ("STVA_ERP_API_KEY", ""),
        ])
        .expect("arns");
        assert_eq!(
            found,
            vec![
                (
                    TOKEN_SECRET,
                    "arn:aws:secretsmanager:eu-west-3:1:secret:t".to_owned()
                ),
                (ERP_API_KEY, "erp-key".to_owned()),
            ]
        );
        let err = arns(&[
            ("STVA_ERP_API_KEY", "k"),
            ("STVA_ERP_API_KEY_SECRET_ARN", "erp-key"),
        ])
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            err.contains("STVA_ERP_API_KEY or STVA_ERP_API_KEY_SECRET_ARN, not both"),
            "{err}"
        );
    }
}
