//! Warm API: stva-dev (release, embedded SQLite store, built-in ERP
//! simulator without latency) in its own process, seeded beforehand; the
//! load from this process, at 1 and 32 concurrent clients.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::process::{Child, Command};

use crate::BenchResult;
use crate::load::{self, Load, MakeRequest, Stats};
use crate::seed::{self, Seeded};

pub const ORDERS: usize = 1_000;
pub const VEHICLES: usize = 10_000;
pub const CONCURRENCY: [usize; 2] = [1, 32];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    pub endpoint: String,
    /// What the row is for the budgets: `ceiling`, `read`, `sign-in`, `write`.
    pub kind: String,
    pub concurrency: usize,
    pub stats: Stats,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WarmReport {
    pub rows: Vec<Row>,
    pub seed_ms: f64,
}

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

fn free_port() -> BenchResult<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

async fn start_server(stva_dev: &Path, data_dir: &Path, log: &Path) -> BenchResult<Server> {
    let port = free_port()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let log_file = std::fs::File::create(log)?;
    let child = Command::new(stva_dev)
        .arg("--port")
        .arg(port.to_string())
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--web-dir")
        .arg(data_dir.join("no-web"))
        .env(
            "STVA_TOKEN_SECRET",
            "bench-token-secret-bench-token-secret-0",
        )
        .stdin(Stdio::null())
        .stdout(log_file.try_clone()?)
        .stderr(log_file)
        .kill_on_drop(true)
        .spawn()?;
    let mut server = Server { child, addr };
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = server.child.try_wait() {
            return Err(format!("stva-dev exited ({status}); see {}", log.display()).into());
        }
        if let Ok(stats) = once(addr, None, http::Method::GET, "/api/health", None).await
            && stats.0.is_success()
        {
            return Ok(server);
        }
        if start.elapsed() > Duration::from_secs(30) {
            server.child.start_kill()?;
            return Err(format!("stva-dev did not answer in 30 s; see {}", log.display()).into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One request on a fresh connection: status and body.
async fn once(
    addr: SocketAddr,
    token: Option<&str>,
    method: http::Method,
    path: &str,
    body: Option<Bytes>,
) -> BenchResult<(http::StatusCode, Bytes)> {
    use http_body_util::{BodyExt, Full};
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let mut builder = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header(http::header::HOST, addr.to_string())
        .header(http::header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        builder = builder.header(http::header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = sender
        .send_request(builder.body(Full::new(body.unwrap_or_default()))?)
        .await?;
    let status = response.status();
    Ok((status, response.into_body().collect().await?.to_bytes()))
}

fn login_body() -> Bytes {
    Bytes::from(json!({ "email": seed::EMAIL, "password": seed::PASSWORD }).to_string())
}

async fn sign_in(addr: SocketAddr) -> BenchResult<String> {
    let (status, body) = once(
        addr,
        None,
        http::Method::POST,
        "/api/auth/login",
        Some(login_body()),
    )
    .await?;
    if !status.is_success() {
        return Err(format!("sign-in: {status} {}", String::from_utf8_lossy(&body)).into());
    }
    let value: serde_json::Value = serde_json::from_slice(&body)?;
    value["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| "sign-in: no token in the answer".into())
}

struct Scenario {
    endpoint: &'static str,
    kind: &'static str,
    /// Requests at 1 and at 32 clients.
    requests: [usize; 2],
    /// Unmeasured requests first, at the same concurrency.
    warm_up: [usize; 2],
    signed_in: bool,
    make: MakeRequest,
}

fn get(path: &'static str) -> MakeRequest {
    Arc::new(move |_| (http::Method::GET, path.to_owned(), None))
}

fn quotes(seeded: &Seeded) -> MakeRequest {
    let vehicles = Arc::new(seeded.vehicles.clone());
    let pickup = seeded.pickup_id.clone();
    let delivery = seeded.delivery_id.clone();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    Arc::new(move |_| {
        // One vehicle per quote: a quote reserves its vehicles.
        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let v = &vehicles[i % vehicles.len()];
        let body = json!({
            "vehicles": [{
                "vehicle_id": v.id, "make": v.make, "model": v.model, "plate": v.plate,
            }],
            "pickup_address_id": pickup,
            "delivery_address_id": delivery,
            "customer_reference": format!("BANC-{i}"),
        });
        (
            http::Method::POST,
            "/api/quotes".to_owned(),
            Some(Bytes::from(body.to_string())),
        )
    })
}

pub async fn run(stva_dev: &Path, work: &Path, quick: bool) -> BenchResult<WarmReport> {
    let data_dir: PathBuf = work.join("stva-dev-data");
    if data_dir.exists() {
        std::fs::remove_dir_all(&data_dir)?;
    }
    std::fs::create_dir_all(&data_dir)?;
    let started = Instant::now();
    let seeded = seed::seed(&data_dir.join("stva.sqlite3"), ORDERS, VEHICLES).await?;
    let seed_ms = started.elapsed().as_secs_f64() * 1_000.0;
    eprintln!(
        "warm API: seeded {ORDERS} orders and {VEHICLES} vehicles in {:.1} s",
        seed_ms / 1_000.0
    );
    let server = start_server(stva_dev, &data_dir, &work.join("stva-dev.log")).await?;
    let result = measure(server.addr, &seeded, quick).await;
    server.stop().await;
    Ok(WarmReport {
        rows: result?,
        seed_ms,
    })
}

async fn measure(addr: SocketAddr, seeded: &Seeded, quick: bool) -> BenchResult<Vec<Row>> {
    let token = sign_in(addr).await?;
    let scale = |n: usize| if quick { n.div_ceil(10) } else { n };
    let login = login_body();
    let scenarios = [
        Scenario {
            endpoint: "GET /api/health",
            kind: "ceiling",
            requests: [3_000, 20_000],
            warm_up: [200, 1_000],
            signed_in: false,
            make: get("/api/health"),
        },
        Scenario {
            endpoint: "GET /api/orders (50 of 1,000)",
            kind: "read",
            requests: [2_000, 10_000],
            warm_up: [100, 1_000],
            signed_in: true,
            make: get("/api/orders?limit=50"),
        },
        Scenario {
            endpoint: "GET /api/vehicles (50 of 10,000)",
            kind: "read",
            requests: [2_000, 10_000],
            warm_up: [100, 1_000],
            signed_in: true,
            make: get("/api/vehicles?limit=50"),
        },
        Scenario {
            endpoint: "POST /api/auth/login (argon2id)",
            kind: "sign-in",
            requests: [20, 128],
            warm_up: [2, 32],
            signed_in: false,
            make: Arc::new(move |_| {
                (
                    http::Method::POST,
                    "/api/auth/login".to_owned(),
                    Some(login.clone()),
                )
            }),
        },
        Scenario {
            endpoint: "POST /api/quotes (1 vehicle, ERP simulator)",
            kind: "write",
            requests: [200, 1_000],
            warm_up: [10, 64],
            signed_in: true,
            make: quotes(seeded),
        },
    ];
    let mut rows = Vec::new();
    for scenario in &scenarios {
        for (i, concurrency) in CONCURRENCY.into_iter().enumerate() {
            let token = scenario.signed_in.then(|| token.clone());
            let warm_up = scale(scenario.warm_up[i]);
            load::run(Load {
                addr,
                token: token.clone(),
                concurrency,
                requests: warm_up,
                max_time: Duration::from_secs(20),
                make: scenario.make.clone(),
            })
            .await?;
            let stats = load::run(Load {
                addr,
                token,
                concurrency,
                requests: scale(scenario.requests[i]),
                max_time: Duration::from_secs(30),
                make: scenario.make.clone(),
            })
            .await?;
            eprintln!(
                "warm API: {} at {concurrency}: p50 {:.2} ms, p99 {:.2} ms, {:.0}/s, {} requests, {} errors{}",
                scenario.endpoint,
                stats.p50_ms,
                stats.p99_ms,
                stats.per_second,
                stats.requests,
                stats.errors,
                stats
                    .first_error
                    .as_deref()
                    .map(|e| format!(" (first: {e})"))
                    .unwrap_or_default()
            );
            rows.push(Row {
                endpoint: scenario.endpoint.to_owned(),
                kind: scenario.kind.to_owned(),
                concurrency,
                stats,
            });
        }
    }
    Ok(rows)
}
