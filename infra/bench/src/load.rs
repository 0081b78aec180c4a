//! A closed-loop HTTP/1.1 load generator: `concurrency` keep-alive
//! connections, each sending its next request as soon as the previous
//! answer is read, until `requests` were sent or `max_time` ran out. It
//! runs in this process, the server in another (stva-dev); both on
//! loopback. Latency is from the request written to the whole body read.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};
use tokio::net::TcpStream;

use crate::BenchResult;

/// Makes the `n`-th request's method, path and body.
pub type MakeRequest = Arc<dyn Fn(usize) -> (http::Method, String, Option<Bytes>) + Send + Sync>;

pub struct Load {
    pub addr: SocketAddr,
    pub token: Option<String>,
    pub concurrency: usize,
    pub requests: usize,
    pub max_time: Duration,
    pub make: MakeRequest,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stats {
    pub requests: usize,
    pub errors: usize,
    /// The first unexpected answer, for the report.
    pub first_error: Option<String>,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub per_second: f64,
}

async fn connect(addr: SocketAddr) -> BenchResult<http1::SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

struct Outcome {
    latencies: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
}

async fn worker(
    load: Arc<Load>,
    next: Arc<AtomicUsize>,
    deadline: Instant,
) -> BenchResult<Outcome> {
    let mut sender = connect(load.addr).await?;
    let host = load.addr.to_string();
    let mut out = Outcome {
        latencies: Vec::with_capacity(load.requests / load.concurrency + 1),
        errors: 0,
        first_error: None,
    };
    loop {
        let n = next.fetch_add(1, Ordering::Relaxed);
        if n >= load.requests || Instant::now() >= deadline {
            return Ok(out);
        }
        let (method, path, body) = (load.make)(n);
        let mut builder = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header(http::header::HOST, &host);
        if let Some(token) = &load.token {
            builder = builder.header(http::header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if body.is_some() {
            builder = builder.header(http::header::CONTENT_TYPE, "application/json");
        }
        let request = builder.body(Full::new(body.unwrap_or_default()))?;
        sender.ready().await?;
        let start = Instant::now();
        let response = sender.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        out.latencies.push(start.elapsed());
        if !status.is_success() {
            out.errors += 1;
            if out.first_error.is_none() {
                out.first_error = Some(format!(
                    "{status}: {}",
                    String::from_utf8_lossy(&body[..body.len().min(300)])
                ));
            }
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    // Nearest rank.
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted.len()) - 1;
    sorted[index].as_secs_f64() * 1_000.0
}

pub async fn run(load: Load) -> BenchResult<Stats> {
    let load = Arc::new(load);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + load.max_time;
    let workers: Vec<_> = (0..load.concurrency)
        .map(|_| tokio::spawn(worker(load.clone(), next.clone(), deadline)))
        .collect();
    let mut latencies = Vec::with_capacity(load.requests);
    let mut errors = 0;
    let mut first_error = None;
    for worker in workers {
        let outcome = worker.await?.map_err(|e| format!("load worker: {e}"))?;
        latencies.extend(outcome.latencies);
        errors += outcome.errors;
        first_error = first_error.or(outcome.first_error);
    }
    let elapsed = start.elapsed().as_secs_f64();
    latencies.sort_unstable();
    Ok(Stats {
        requests: latencies.len(),
        errors,
        first_error,
        p50_ms: percentile(&latencies, 50.0),
        p99_ms: percentile(&latencies, 99.0),
        max_ms: latencies
            .last()
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1_000.0),
        per_second: latencies.len() as f64 / elapsed,
    })
}
