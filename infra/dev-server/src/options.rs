//! Command-line flags (also readable from the environment).

use std::net::IpAddr;
use std::path::PathBuf;

use shared::Services;

/// The ports one function's code is given, from the portal's and the
/// function's name (its crate).
pub type FunctionPorts = fn(&Services, &str) -> Services;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    /// SQLite file, blob folder and mail outbox under --data-dir.
    Embedded,
    /// DynamoDB, S3 and SES through the standard AWS environment
    /// (AWS_ENDPOINT_URL for a local emulator); creates what is missing.
    Aws,
}

#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "stva-dev",
    about = "The STVA portal (API, frontend, local mail) in one process."
)]
pub struct Options {
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "STVA_DEV_PORT", default_value_t = 3000)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, env = "STVA_DEV_HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Folder for the embedded store, blobs, outbox and local secrets.
    #[arg(long, env = "STVA_DATA_DIR", default_value = ".stva")]
    pub data_dir: PathBuf,
    #[arg(long, value_enum, env = "STVA_BACKEND", default_value = "embedded")]
    pub backend: Backend,
    /// Talk to this ERP instead of the built-in simulator.
    #[arg(long, env = "STVA_ERP_URL")]
    pub erp_url: Option<String>,
    /// How long one ERP request may take before the client retries it.
    #[arg(long, env = "STVA_ERP_TIMEOUT_MS", default_value_t = 5_000)]
    pub erp_timeout_ms: u64,
    /// The built frontend to serve at `/`.
    #[arg(long, env = "STVA_WEB_DIR", default_value = "web/dist")]
    pub web_dir: PathBuf,
    /// The public origin in e-mailed links (default: http://HOST:PORT).
    #[arg(long, env = "STVA_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// DynamoDB table (with --backend aws); created when missing.
    #[arg(long, env = "STVA_TABLE", default_value = "stva-dev")]
    pub table: String,
    /// S3 bucket for invoices (with --backend aws); created when missing.
    #[arg(
        long,
        env = "STVA_INVOICES_BUCKET",
        default_value = "stva-dev-invoices"
    )]
    pub invoices_bucket: String,
    /// Not a flag: what each function's routes and each scheduled run get
    /// instead of the portal's ports. The end-to-end tests confine them to
    /// the function's IAM role (`shared::testing::iam::confine`).
    #[arg(skip)]
    pub function_ports: Option<FunctionPorts>,
}

impl Options {
    /// Defaults for tests: a free port, everything under `data_dir`.
    pub fn for_tests(data_dir: PathBuf, backend: Backend) -> Self {
        Self {
            port: 0,
            host: IpAddr::from([127, 0, 0, 1]),
            data_dir,
            backend,
            erp_url: None,
            erp_timeout_ms: 5_000,
            web_dir: PathBuf::from("web/dist"),
            public_url: None,
            table: "stva-dev".into(),
            invoices_bucket: "stva-dev-invoices".into(),
            function_ports: None,
        }
    }
}
