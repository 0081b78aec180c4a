//! Cold starts: each function's release binary is started with
//! `AWS_LAMBDA_RUNTIME_API` pointing at a stand-in of the Lambda Runtime
//! API in this process, which notes when the first
//! `GET /2018-06-01/runtime/invocation/next` arrives (and never answers it:
//! the process is then killed). Time = that instant minus the instant just
//! before the process was spawned. The binaries take turns (round robin),
//! so a busy moment of the machine falls on all of them alike; `hello`
//! (a minimal lambda_http function, same profile) is the floor.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::process::Command;
use tokio::sync::oneshot;

use crate::BenchResult;

pub const FLOOR: &str = "hello";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    pub name: String,
    pub median_ms: f64,
    pub min_ms: f64,
    pub p90_ms: f64,
    pub starts: usize,
    pub binary_bytes: u64,
    pub zip_bytes: u64,
    /// The arm64 zip from `scripts/build-lambdas.sh`, when one was built.
    pub arm64_zip_bytes: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColdReport {
    pub rows: Vec<Row>,
    /// Functions without a binary: not measured (a broken budget).
    #[serde(default)]
    pub missing: Vec<String>,
}

type Slot = Arc<Mutex<Option<oneshot::Sender<Instant>>>>;

async fn next_invocation(State(slot): State<Slot>) -> &'static str {
    let sender = slot.lock().ok().and_then(|mut s| s.take());
    if let Some(sender) = sender {
        let _ = sender.send(Instant::now());
    }
    // Never an event: the process is killed once the time is taken.
    std::future::pending::<()>().await;
    ""
}

/// The variables Lambda gives a function, plus the template's own (see
/// template.yaml); every AWS endpoint on a closed local port, so nothing
/// leaves the machine (and nothing is called at cold start anyway).
fn environment(name: &str, runtime_api: &str, home: &Path) -> Vec<(String, String)> {
    let dead = "http://127.0.0.1:9";
    [
        ("AWS_LAMBDA_RUNTIME_API", runtime_api),
        ("AWS_LAMBDA_FUNCTION_NAME", name),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench"),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "2026/01/01/[$LATEST]bench"),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"),
        ("_HANDLER", "bootstrap"),
        ("AWS_REGION", "eu-west-3"),
        ("AWS_DEFAULT_REGION", "eu-west-3"),
        ("AWS_ACCESS_KEY_ID", "bench"),
        ("AWS_SECRET_ACCESS_KEY", "bench"),
        ("AWS_SESSION_TOKEN", "bench"),
        ("AWS_ENDPOINT_URL", dead),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("STVA_PUBLIC_URL", "https://portail.stva.fr"),
        (
            "STVA_TOKEN_SECRET",
            "bench-token-secret-bench-token-secret-0",
        ),
        ("STVA_TABLE", "stva"),
        ("STVA_INVOICES_BUCKET", "stva-invoices"),
        ("STVA_MAIL_FROM", "STVA <portail@stva.fr>"),
        ("STVA_ERP_URL", "https://127.0.0.1:9"),
        ("STVA_ERP_API_KEY", "bench"),
        ("RUST_LOG", "info"),
        ("TZ", ":UTC"),
        ("LANG", "en_US.UTF-8"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .chain([
        ("PATH".to_owned(), "/usr/bin:/bin".to_owned()),
        ("HOME".to_owned(), home.display().to_string()),
    ])
    .collect()
}

async fn start_once(
    binary: &Path,
    env: &[(String, String)],
    slot: &Slot,
    log: &Path,
) -> BenchResult<Duration> {
    let (sender, receiver) = oneshot::channel();
    if let Ok(mut s) = slot.lock() {
        *s = Some(sender);
    }
    let log_file = std::fs::File::create(log)?;
    let start = Instant::now();
    let mut child = Command::new(binary)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .stdout(log_file.try_clone()?)
        .stderr(log_file)
        .kill_on_drop(true)
        .spawn()?;
    let hit = tokio::select! {
        hit = receiver => hit.ok(),
        status = child.wait() => {
            return Err(format!(
                "{} exited before asking for an event ({status:?}); its output: {}",
                binary.display(),
                std::fs::read_to_string(log).unwrap_or_default()
            )
            .into());
        }
        () = tokio::time::sleep(Duration::from_secs(20)) => None,
    };
    child.start_kill()?;
    child.wait().await?;
    let at = hit.ok_or_else(|| format!("{}: no /next within 20 s", binary.display()))?;
    Ok(at.duration_since(start))
}

fn zip_size(binary: &Path, work: &Path) -> BenchResult<u64> {
    // The deployment package: one `bootstrap` entry, deflated.
    let zip = work.join("bootstrap.zip");
    let status = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile\n\
             with zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:\n    \
             z.write(sys.argv[1], 'bootstrap')",
        ])
        .arg(binary)
        .arg(&zip)
        .status()?;
    if !status.success() {
        return Err(format!("zipping {} failed", binary.display()).into());
    }
    Ok(std::fs::metadata(&zip)?.len())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - pos.floor())
}

pub async fn run(
    bin_dir: &Path,
    names: &[String],
    starts: usize,
    work: &Path,
    lambda_dir: Option<&Path>,
) -> BenchResult<ColdReport> {
    let slot: Slot = Arc::new(Mutex::new(None));
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let runtime_api = listener.local_addr()?.to_string();
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next_invocation))
        .with_state(slot.clone());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let home = work.join("home");
    std::fs::create_dir_all(&home)?;
    if !bin_dir.join(FLOOR).is_file() {
        return Err(format!("missing {} (build it first)", bin_dir.join(FLOOR).display()).into());
    }
    let mut all: Vec<String> = vec![FLOOR.to_owned()];
    let mut missing = Vec::new();
    for name in names {
        if bin_dir.join(name).is_file() {
            all.push(name.clone());
        } else {
            eprintln!("cold start: {name}: no binary in {}", bin_dir.display());
            missing.push(name.clone());
        }
    }
    let binaries: Vec<PathBuf> = all.iter().map(|n| bin_dir.join(n)).collect();
    let envs: Vec<_> = all
        .iter()
        .map(|n| environment(n, &runtime_api, &home))
        .collect();
    let log = work.join("cold-start.log");
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(starts); all.len()];
    // Two rounds unmeasured: the binaries into the page cache.
    for round in 0..starts + 2 {
        for (i, binary) in binaries.iter().enumerate() {
            let took = start_once(binary, &envs[i], &slot, &log).await?;
            if round >= 2 {
                times[i].push(ms(took));
            }
        }
    }
    server.abort();
    let mut rows = Vec::new();
    for (i, name) in all.iter().enumerate() {
        let mut t = times[i].clone();
        t.sort_by(f64::total_cmp);
        let arm64_zip_bytes = lambda_dir
            .map(|d| d.join(name).join("bootstrap.zip"))
            .and_then(|p| std::fs::metadata(p).ok())
            .map(|m| m.len());
        rows.push(Row {
            name: name.clone(),
            median_ms: quantile(&t, 0.5),
            min_ms: t.first().copied().unwrap_or(f64::NAN),
            p90_ms: quantile(&t, 0.9),
            starts: t.len(),
            binary_bytes: std::fs::metadata(&binaries[i])?.len(),
            zip_bytes: zip_size(&binaries[i], work)?,
            arm64_zip_bytes,
        });
        eprintln!(
            "cold start: {name}: median {:.2} ms over {} starts",
            rows[i].median_ms,
            t.len()
        );
    }
    Ok(ColdReport { rows, missing })
}
