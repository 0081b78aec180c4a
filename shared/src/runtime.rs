//! Building the production `Services` from the environment, once per cold
//! start: typed config, SDK clients (reused by every invocation), adapters.
//! The AWS endpoints come from the standard AWS variables
//! (`AWS_ENDPOINT_URL` points them at a local emulator), so this code has
//! no "if local" branch.
//!
//! Secrets: a deployed stack gives the functions `STVA_TOKEN_SECRET_ARN`
//! (and `STVA_ERP_API_KEY_SECRET_ARN` where the ERP is used); their values
//! are read from Secrets Manager here, once per cold start, and never
//! logged. A local run sets `STVA_TOKEN_SECRET` / `STVA_ERP_API_KEY` (or lets
//! the dev server generate a token secret) and makes no such call.

use std::collections::HashMap;
use std::sync::Arc;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;

use crate::adapters::dynamodb::DynamoTable;
use crate::adapters::erp_http::{ErpTimeouts, HttpErp};
use crate::adapters::no_erp::NoErp;
use crate::adapters::s3::S3BlobStore;
use crate::adapters::secrets_manager::{SecretError, SecretsManager};
use crate::adapters::ses::SesMailer;
use crate::adapters::tls::{self, TlsError};
use crate::config::{Config, ConfigError, Env};
use crate::ports::SystemClock;
use crate::ports::erp::{Erp, ErpError};
use crate::security::session_tokens::{SessionTokens, WeakSecret};
use crate::services::Services;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Secret(#[from] WeakSecret),
    #[error(transparent)]
    Erp(#[from] ErpError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("cannot read the secret named by {variable}: {source}")]
    SecretsManager {
        variable: &'static str,
        source: SecretError,
    },
}

/// The ERP client of a configuration; without `STVA_ERP_URL` the functions
/// that need the ERP answer "unavailable" (the others do not care).
pub fn erp(config: &Config) -> Result<Arc<dyn Erp>, ErpError> {
    match (&config.erp_url, &config.erp_api_key) {
        (Some(url), Some(key)) => {
            let timeouts = ErpTimeouts {
                request: config.erp_timeout,
                ..ErpTimeouts::default()
            };
            Ok(Arc::new(HttpErp::new(url, key, timeouts)?))
        }
        (Some(_), None) => Err(ErpError::Unavailable(
            "STVA_ERP_API_KEY is required with STVA_ERP_URL".into(),
        )),
        (None, _) => Ok(Arc::new(NoErp {
            reason: "STVA_ERP_URL is not set",
        })),
    }
}

/// The SDK configuration of a Lambda. Lambda gives the region and the
/// role's credentials as environment variables: they are read from there
/// directly, since the default provider chains cost about 4 ms at every
/// cold start (docs/performance.md); elsewhere the chains apply.
pub async fn sdk_config() -> Result<SdkConfig, StartupError> {
    sdk_config_from(|name| std::env::var(name).ok()).await
}

/// `sdk_config` over any lookup (the tests give a map).
pub async fn sdk_config_from<F>(lookup: F) -> Result<SdkConfig, StartupError>
where
    F: Fn(&str) -> Option<String>,
{
    let set = |name: &str| lookup(name).filter(|value| !value.is_empty());
    let mut loader =
        aws_config::defaults(BehaviorVersion::latest()).http_client(tls::aws_http_client()?);
    if let Some(region) = set("AWS_REGION") {
        loader = loader.region(Region::new(region));
    }
    if let (Some(id), Some(secret)) = (set("AWS_ACCESS_KEY_ID"), set("AWS_SECRET_ACCESS_KEY")) {
        let credentials = Credentials::new(id, secret, set("AWS_SESSION_TOKEN"), None, "lambda");
        loader = loader.credentials_provider(credentials);
    }
    if let Some(endpoint) = set("AWS_ENDPOINT_URL") {
        loader = loader.endpoint_url(endpoint);
    }
    Ok(loader.load().await)
}

/// The configuration of a Lambda: its environment, with each secret given
/// by ARN read from Secrets Manager.
pub async fn config_from_env(sdk: &SdkConfig) -> Result<Config, StartupError> {
    config_from_lookup(sdk, |name| std::env::var(name).ok()).await
}

/// `config_from_env` over any lookup (the tests give a map).
pub async fn config_from_lookup<F>(sdk: &SdkConfig, lookup: F) -> Result<Config, StartupError>
where
    F: Fn(&str) -> Option<String>,
{
    let env = Env(lookup);
    let arns = env.secret_arns()?;
    let mut fetched: HashMap<&'static str, (&'static str, String)> = HashMap::new();
    if !arns.is_empty() {
        let secrets = SecretsManager::new(aws_sdk_secretsmanager::Client::new(sdk));
        for (secret, arn) in arns {
            let value = secrets.secret_string(&arn).await.map_err(|source| {
                StartupError::SecretsManager {
                    variable: secret.arn,
                    source,
                }
            })?;
            fetched.insert(secret.value, (secret.arn, value));
        }
    }
    let Env(lookup) = env;
    Config::from_lookup(Env(|name: &str| match fetched.get(name) {
        Some((_, value)) => Some(value.clone()),
        None => lookup(name),
    }))
    .map_err(|err| match err {
        // A fetched value that fails validation: say where it came from.
        ConfigError::Invalid { name, reason } => match fetched.get(name) {
            Some((arn_variable, _)) => ConfigError::Invalid {
                name: arn_variable,
                reason: format!("the secret's value is invalid: {reason}"),
            },
            None => ConfigError::Invalid { name, reason },
        },
        other => other,
    })
    .map_err(StartupError::from)
}

/// The AWS-backed services for a configuration.
pub fn aws_services(sdk: &SdkConfig, config: Config) -> Result<Services, StartupError> {
    let tokens = SessionTokens::new(&config.token_secret, config.session_ttl)?;
    let table = DynamoTable::new(
        aws_sdk_dynamodb::Client::new(sdk),
        config.table_name.clone(),
    );
    let blobs = S3BlobStore::new(aws_sdk_s3::Client::new(sdk), config.invoices_bucket.clone());
    let mailer = SesMailer::new(aws_sdk_ses::Client::new(sdk), config.mail_from.clone());
    Ok(Services {
        erp: erp(&config)?,
        table: Arc::new(table),
        blobs: Arc::new(blobs),
        mailer: Arc::new(mailer),
        clock: Arc::new(SystemClock),
        tokens: Arc::new(tokens),
        config: Arc::new(config),
    })
}

/// Everything a Lambda needs, from its environment.
pub async fn lambda_services() -> Result<Services, StartupError> {
    crate::telemetry::init_json();
    let sdk = sdk_config().await?;
    let config = config_from_env(&sdk).await?;
    // Nothing else to warm up: the sign-in's dummy hash is a constant
    // (`security::passwords`), not computed here.
    aws_services(&sdk, config)
}

/// The Secrets Manager path on the local emulator.
#[cfg(all(test, feature = "testing"))]
mod on_moto {
    use super::*;
    use crate::testing::moto;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef-from-secrets-manager";

    async fn secret(sdk: &SdkConfig, value: &str) -> String {
        aws_sdk_secretsmanager::Client::new(sdk)
            .create_secret()
            .name(moto::unique_name("stva-unit-runtime"))
            .secret_string(value)
            .send()
            .await
            .expect("create secret")
            .arn()
            .expect("arn")
            .to_owned()
    }

    fn lookup(vars: Vec<(&'static str, String)>) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<&'static str, String> = vars.into_iter().collect();
        move |name| map.get(name).cloned()
    }

    #[tokio::test]
    async fn reads_the_secrets_named_by_arn_at_startup() {
        let sdk = moto::sdk_config().await;
        let token_arn = secret(&sdk, TOKEN).await;
        let erp_arn = secret(&sdk, "erp-api-key-42\n").await;
        let config = config_from_lookup(
            &sdk,
            lookup(vec![
                ("STVA_PUBLIC_URL", "https://portail.stva.fr".into()),
                ("STVA_TOKEN_SECRET_ARN", token_arn),
                ("STVA_ERP_URL", "https://erp.stva.fr".into()),
                ("STVA_ERP_API_KEY_SECRET_ARN", erp_arn),
            ]),
        )
        .await
        .expect("config");
        assert_eq!(config.token_secret, TOKEN.as_bytes());
        assert_eq!(config.erp_api_key.as_deref(), Some("erp-api-key-42"));
        let shown = format!("{config:?}");
        assert!(
            !shown.contains(TOKEN) && !shown.contains("erp-api-key-42"),
            "{shown}"
        );
        aws_services(&sdk, config).expect("services from the fetched secrets");
    }

    #[tokio::test]
    async fn the_sdk_config_takes_region_credentials_and_endpoint_from_the_environment() {
        let sdk = sdk_config_from(lookup(vec![
            ("AWS_REGION", moto::REGION.into()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_SESSION_TOKEN", "testing".into()),
            ("AWS_ENDPOINT_URL", moto::endpoint().await.to_owned()),
        ]))
        .await
        .expect("sdk config");
        assert_eq!(sdk.region().map(|r| r.as_ref()), Some(moto::REGION));
        // A real call through the configured HTTP client and credentials.
        let name = moto::unique_name("stva-unit-sdk-config");
        let client = aws_sdk_secretsmanager::Client::new(&sdk);
        client
            .create_secret()
            .name(&name)
            .secret_string("value")
            .send()
            .await
            .expect("a call with the environment's credentials");
    }

    #[tokio::test]
    async fn a_local_value_needs_no_secrets_manager() {
        // An SDK config pointing nowhere: no call may be made.
        let sdk = aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url("http://127.0.0.1:9")
            .region(aws_config::Region::new(moto::REGION))
            .load()
            .await;
        let config = config_from_lookup(
            &sdk,
            lookup(vec![
                ("STVA_PUBLIC_URL", "http://127.0.0.1:3000".into()),
                ("STVA_TOKEN_SECRET", TOKEN.into()),
            ]),
        )
        .await
        .expect("config");
        assert_eq!(config.token_secret, TOKEN.as_bytes());
    }

    #[tokio::test]
    async fn errors_name_the_variable_and_the_secret_never_its_value() {
        let sdk = moto::sdk_config().await;
        let missing = moto::unique_name("stva-unit-absent");
        let err = config_from_lookup(
            &sdk,
            lookup(vec![
                ("STVA_PUBLIC_URL", "https://portail.stva.fr".into()),
                ("STVA_TOKEN_SECRET_ARN", missing.clone()),
            ]),
        )
        .await
        .expect_err("missing secret")
        .to_string();
        assert!(err.contains("STVA_TOKEN_SECRET_ARN"), "{err}");
        assert!(err.contains(&missing), "{err}");

        let short = "too-short-secret-value";
        let arn = secret(&sdk, short).await;
        let err = config_from_lookup(
            &sdk,
            lookup(vec![
                ("STVA_PUBLIC_URL", "https://portail.stva.fr".into()),
                ("STVA_TOKEN_SECRET_ARN", arn),
            ]),
        )
        .await
        .expect_err("short secret")
        .to_string();
        assert!(err.contains("STVA_TOKEN_SECRET_ARN"), "{err}");
        assert!(err.contains("at least 32 bytes"), "{err}");
        assert!(!err.contains(short), "{err}");
    }
}
