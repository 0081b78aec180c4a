//! Building the production `Services` from the environment, once per cold
//! start: typed config, SDK clients (reused by every invocation), adapters.
//! The AWS endpoints come from the standard AWS variables
//! (`AWS_ENDPOINT_URL` points them at a local emulator), so this code has
//! no "if local" branch.

use std::sync::Arc;

use aws_config::{BehaviorVersion, SdkConfig};

use crate::adapters::dynamodb::DynamoTable;
use crate::adapters::erp_http::{ErpTimeouts, HttpErp};
use crate::adapters::no_erp::NoErp;
use crate::adapters::s3::S3BlobStore;
use crate::adapters::ses::SesMailer;
use crate::config::{Config, ConfigError};
use crate::ports::SystemClock;
use crate::ports::erp::{Erp, ErpError};
use crate::security::passwords;
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

pub async fn sdk_config() -> SdkConfig {
    aws_config::load_defaults(BehaviorVersion::latest()).await
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
    let config = Config::from_env()?;
    let services = aws_services(&sdk_config().await, config)?;
    // Pay the dummy hash at cold start, not in the first failed sign-in.
    passwords::warm_up();
    Ok(services)
}
