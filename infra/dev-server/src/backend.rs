//! The services behind the dev server: embedded (SQLite, files, outbox) or
//! AWS (DynamoDB, S3, SES through the standard AWS environment).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_config::SdkConfig;
use erp_simulator::{RunningSimulator, Simulator};
use shared::Services;
use shared::adapters::local_blobs::LocalBlobStore;
use shared::adapters::outbox::OutboxMailer;
use shared::adapters::sqlite::SqliteTable;
use shared::config::{Config, DEFAULT_SESSION_MINUTES};
use shared::ports::erp::Erp;
use shared::ports::{Email, MailError, Mailer, SystemClock};
use shared::security::session_tokens::SessionTokens;

use crate::options::{Backend, Options};
use crate::{DevError, local_files};

pub struct Built {
    pub services: Services,
    /// The built-in ERP simulator, unless `--erp-url` names another ERP.
    pub simulator: Option<RunningSimulator>,
    pub outbox: OutboxMailer,
    /// The local blob store, whose signed URLs the dev server serves.
    pub blobs: Option<Arc<LocalBlobStore>>,
}

fn setup(err: impl std::fmt::Display) -> DevError {
    DevError::Setup(err.to_string())
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn config(options: &Options, public_url: &str) -> Result<Config, DevError> {
    let token_secret = match env("STVA_TOKEN_SECRET") {
        Some(secret) => secret,
        None => local_files::secret(&options.data_dir.join("token-secret"), 32)?,
    };
    let session_minutes = env("STVA_SESSION_MINUTES")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(DEFAULT_SESSION_MINUTES);
    Ok(Config {
        public_url: public_url.to_owned(),
        token_secret: token_secret.into_bytes(),
        session_ttl: Duration::from_secs(session_minutes * 60),
        // Local runs are plain HTTP on loopback.
        secure_cookies: false,
        table_name: options.table.clone(),
        invoices_bucket: options.invoices_bucket.clone(),
        mail_from: env("STVA_MAIL_FROM").unwrap_or_else(|| "STVA <portail@stva.fr>".into()),
        erp_url: options.erp_url.clone(),
        erp_api_key: env("STVA_ERP_API_KEY"),
        erp_timeout: Duration::from_millis(options.erp_timeout_ms),
    })
}

/// The ERP: the one `--erp-url` names, or the built-in simulator on a
/// loopback port, its state kept in the data folder.
async fn erp(
    options: &Options,
    config: &mut Config,
) -> Result<(Arc<dyn Erp>, Option<RunningSimulator>), DevError> {
    let simulator = match &config.erp_url {
        Some(_) => None,
        None => {
            let key = local_files::secret(&options.data_dir.join("erp-api-key"), 16)?;
            let simulator =
                Simulator::open(options.data_dir.join("erp-simulator.json"), key.clone())
                    .map_err(setup)?;
            let running = simulator
                .spawn(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
                .await
                .map_err(setup)?;
            config.erp_url = Some(running.url.clone());
            config.erp_api_key = Some(key);
            Some(running)
        }
    };
    let erp = shared::runtime::erp(config).map_err(setup)?;
    Ok((erp, simulator))
}

pub async fn build(
    options: &Options,
    public_url: &str,
    sdk: Option<SdkConfig>,
) -> Result<Built, DevError> {
    let mut config = config(options, public_url)?;
    let (erp, simulator) = erp(options, &mut config).await?;
    let tokens = SessionTokens::new(&config.token_secret, config.session_ttl).map_err(setup)?;
    let outbox = OutboxMailer::new(options.data_dir.join("outbox"));
    match options.backend {
        Backend::Embedded => {
            let table = SqliteTable::open(&options.data_dir.join("stva.sqlite3")).map_err(setup)?;
            // DynamoDB's TTL deletes expired items by itself; do it at start here.
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            table.purge_expired(now).await.map_err(setup)?;
            let blob_secret = local_files::secret(&options.data_dir.join("blob-secret"), 32)?;
            let blobs = Arc::new(LocalBlobStore::new(
                options.data_dir.join("blobs"),
                public_url,
                blob_secret.into_bytes(),
            ));
            let services = Services {
                table: Arc::new(table),
                blobs: blobs.clone(),
                mailer: Arc::new(outbox.clone()),
                clock: Arc::new(SystemClock),
                erp,
                tokens: Arc::new(tokens),
                config: Arc::new(config),
            };
            Ok(Built {
                services,
                simulator,
                outbox,
                blobs: Some(blobs),
            })
        }
        Backend::Aws => {
            let sdk = match sdk {
                Some(sdk) => sdk,
                None => shared::runtime::sdk_config().await.map_err(setup)?,
            };
            let table = shared::adapters::dynamodb::DynamoTable::new(
                aws_sdk_dynamodb::Client::new(&sdk),
                config.table_name.clone(),
            );
            table.create_if_missing().await.map_err(setup)?;
            let blobs = shared::adapters::s3::S3BlobStore::new(
                aws_sdk_s3::Client::new(&sdk),
                config.invoices_bucket.clone(),
            );
            blobs.create_bucket_if_missing().await.map_err(setup)?;
            let ses = shared::adapters::ses::SesMailer::new(
                aws_sdk_ses::Client::new(&sdk),
                config.mail_from.clone(),
            );
            ses.verify_sender().await.map_err(setup)?;
            let services = Services {
                table: Arc::new(table),
                blobs: Arc::new(blobs),
                mailer: Arc::new(Recording {
                    inner: Arc::new(ses),
                    outbox: outbox.clone(),
                }),
                clock: Arc::new(SystemClock),
                erp,
                tokens: Arc::new(tokens),
                config: Arc::new(config),
            };
            Ok(Built {
                services,
                simulator,
                outbox,
                blobs: None,
            })
        }
    }
}

/// Sends through SES, then keeps a copy in the outbox so `/_dev/mail`
/// shows what was sent whatever the backend.
struct Recording {
    inner: Arc<dyn Mailer>,
    outbox: OutboxMailer,
}

#[async_trait]
impl Mailer for Recording {
    async fn send(&self, email: &Email) -> Result<String, MailError> {
        let id = self.inner.send(email).await?;
        self.outbox.send(email).await?;
        Ok(id)
    }
}

/// The first manager's credentials, as the banner prints them.
#[derive(Debug, Clone)]
pub struct BootstrapManager {
    pub email: String,
    /// `None` when a manager already existed (its password is its own).
    pub password: Option<String>,
}

/// Creates the first manager from `STVA_BOOTSTRAP_MANAGER_EMAIL` and
/// `STVA_BOOTSTRAP_MANAGER_PASSWORD` when no manager exists; without a
/// password variable, a random one is generated and kept in the data folder.
pub async fn bootstrap_manager(
    services: &Services,
    data_dir: &Path,
) -> Result<BootstrapManager, DevError> {
    let email =
        env("STVA_BOOTSTRAP_MANAGER_EMAIL").unwrap_or_else(|| "gestionnaire@stva.test".into());
    let password = match env("STVA_BOOTSTRAP_MANAGER_PASSWORD") {
        Some(password) => password,
        None => format!(
            "stva-{}",
            local_files::secret(&data_dir.join("bootstrap-manager-password"), 9)?
        ),
    };
    let created = shared::app::bootstrap::ensure_first_manager(services, &email, &password)
        .await
        .map_err(|e| DevError::Setup(format!("bootstrap manager: {e}")))?;
    let known = created
        || services
            .users()
            .find_by_email(&email)
            .await
            .ok()
            .flatten()
            .is_some();
    Ok(BootstrapManager {
        email,
        password: known.then_some(password),
    })
}
