//! The local AWS emulator (moto) for tests.
//!
//! The test command (`scripts/test.sh`) starts one moto server and exports
//! `STVA_TEST_MOTO_URL`; a test run without it starts its own with the
//! project's virtual environment (`.venv/bin/python infra/moto/serve.py`,
//! moto serving one request at a time so that its transactions are
//! serializable like DynamoDB's), which the test command installs. Each test isolates itself with unique resource names,
//! so tests share one server without resets.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;
use tokio::sync::OnceCell;

pub const REGION: &str = "eu-west-3";

static ENDPOINT: OnceCell<String> = OnceCell::const_new();

/// The emulator's base URL, starting a server for this process if needed.
pub async fn endpoint() -> &'static str {
    ENDPOINT
        .get_or_init(|| async {
            match std::env::var("STVA_TEST_MOTO_URL") {
                Ok(url) if !url.is_empty() => url,
                _ => start_own_server().await,
            }
        })
        .await
}

/// An SDK configuration pointing at the emulator with dummy credentials.
pub async fn sdk_config() -> SdkConfig {
    let endpoint = endpoint().await;
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
        .load()
        .await
}

/// A resource name no other test uses (lowercase, valid for S3 and DynamoDB).
pub fn unique_name(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

fn project_root() -> PathBuf {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    workspace.parent().map(PathBuf::from).unwrap_or(workspace)
}

#[allow(clippy::panic)]
async fn start_own_server() -> String {
    let root = project_root();
    let python = root.join(".venv/bin/python");
    let serve = root.join("infra/moto/serve.py");
    if !python.exists() {
        panic!(
            "moto is not installed in {}: run the README's test command (scripts/test.sh), \
             which installs it, or set STVA_TEST_MOTO_URL",
            root.join(".venv").display()
        );
    }
    let port = free_port();
    // The shell watches this test process and stops moto when it ends, since
    // a process-wide static never runs a destructor.
    let script = format!(
        "'{}' '{}' -H 127.0.0.1 -p {port} >/dev/null 2>&1 & child=$!; \
         while kill -0 {parent} 2>/dev/null; do sleep 1; done; kill $child",
        python.display(),
        serve.display(),
        parent = std::process::id()
    );
    let spawned = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    if let Err(err) = spawned {
        panic!("cannot start moto: {err}");
    }
    let url = format!("http://127.0.0.1:{port}");
    wait_until_listening(port).await;
    url
}

fn free_port() -> u16 {
    match TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
        Ok(addr) => addr.port(),
        Err(err) => panic!("no free port: {err}"),
    }
}

async fn wait_until_listening(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("moto did not start on port {port} within 30 s");
}
