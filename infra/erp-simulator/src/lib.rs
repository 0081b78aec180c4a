//! A faithful simulator of STVA's ERP, as the portal expects it
//! (`docs/erp-api.yaml`, explained in `docs/erp.md`): deterministic pricing
//! from the addresses, orders that progress on the simulator's own clock,
//! a change feed, idempotent order creation, API-key authentication, and
//! injectable faults (errors, timeouts, latency, malformed bodies).
//!
//! Embed it (the dev server, the tests):
//!
//! ```no_run
//! # async fn demo() -> Result<(), erp_simulator::SimulatorError> {
//! let running = erp_simulator::Simulator::new("local-key")
//!     .spawn(([127, 0, 0, 1], 0).into())
//!     .await?;
//! // Point the HTTP client at `running.url` with the key `local-key`.
//! running.simulator.advance(3 * 24 * 60); // every order is delivered
//! # Ok(()) }
//! ```
//!
//! or run the binary: `erp-simulator --port 4100 --api-key KEY [--state FILE]`.

mod geo;
mod http;
mod ledger;
mod pricing;
mod wire;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration as StdDuration;

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use geo::{AreaError, MIN_DISTANCE_KM, ROAD_FACTOR, road_distance_km};
pub use ledger::{DEFAULT_PAGE, ESTIMATE_VALIDITY, MAX_PAGE, progress_schedule, time_to_delivery};
pub use pricing::{
    BASE_PER_VEHICLE_CENTS, MAX_VEHICLES, PER_KM_PER_VEHICLE_CENTS, Price, discount_percent, price,
};
pub use wire::Status;

use ledger::Ledger;

/// How long a request with an injected timeout waits before answering,
/// unless [`Faults::timeout_ms`] says otherwise: beyond any sane client
/// timeout.
pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;

/// Minutes the clock may move in one `advance` (a year).
pub const MAX_ADVANCE_MINUTES: u32 = 366 * 24 * 60;

/// Delay between a change and its save to the state file, so that bursts
/// of requests write the file once.
const SAVE_DELAY: StdDuration = StdDuration::from_millis(200);

#[derive(Debug, thiserror::Error)]
pub enum SimulatorError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("state file {path}: {source}")]
    StateFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("state file {path} is not a simulator state: {source}")]
    StateFormat {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// Injected faults, applied to every `/v1` request independently: first
/// the latency, then an error (503, nothing done), else the request is
/// processed and then, maybe, answered only after `timeout_ms` (the client
/// has given up; the effect happened), else maybe answered with a broken
/// JSON body and 200 (the effect happened).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Share of requests answered 503 (0.0 to 1.0).
    pub error_rate: f64,
    /// Share of requests answered only after `timeout_ms`.
    pub timeout_rate: f64,
    /// Added to every request, in milliseconds.
    pub latency_ms: u64,
    /// Share of requests answered 200 with a broken JSON body.
    pub malformed_rate: f64,
    /// How long an injected timeout waits before answering.
    pub timeout_ms: u64,
    /// Re-seeds the fault dice, for reproducible runs.
    pub seed: Option<u64>,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            error_rate: 0.0,
            timeout_rate: 0.0,
            latency_ms: 0,
            malformed_rate: 0.0,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            seed: None,
        }
    }
}

fn rate(value: f64) -> f64 {
    if value.is_finite() {
        value.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

impl Faults {
    /// No fault at all.
    pub fn none() -> Self {
        Self::default()
    }

    /// Rates clamped to 0.0-1.0 (NaN as 0).
    pub fn clamped(self) -> Self {
        Self {
            error_rate: rate(self.error_rate),
            timeout_rate: rate(self.timeout_rate),
            malformed_rate: rate(self.malformed_rate),
            ..self
        }
    }

    /// Every rate within 0.0-1.0; otherwise what is wrong (for a 400).
    pub fn validate(&self) -> Result<(), String> {
        for (name, value) in [
            ("error_rate", self.error_rate),
            ("timeout_rate", self.timeout_rate),
            ("malformed_rate", self.malformed_rate),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(format!("{name} must be between 0.0 and 1.0, got {value}"));
            }
        }
        Ok(())
    }
}

/// What the simulator saw since its start (or its last reset).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Estimates priced.
    pub estimates: u64,
    /// Orders created (repeats excluded).
    pub orders_created: u64,
    /// Calls of `POST /v1/orders`, whatever their outcome.
    pub create_order_calls: u64,
    /// `POST /v1/orders` answered with the order of an earlier call.
    pub idempotent_repeats: u64,
    /// Orders cancelled.
    pub cancellations: u64,
    /// Change entries returned by `GET /v1/changes`, summed over reads.
    pub changes_served: u64,
    /// Requests refused for a missing or wrong API key.
    pub unauthorized: u64,
    pub injected_errors: u64,
    pub injected_timeouts: u64,
    pub injected_malformed: u64,
    /// Requests per endpoint (`POST /v1/orders`, `GET /v1/changes`, ...).
    pub calls: BTreeMap<String, u64>,
    /// Orders in the books now.
    pub orders: u64,
    /// Length of the change feed now.
    pub feed_length: u64,
}

impl Stats {
    /// Requests to one endpoint (`"POST /v1/orders"`).
    pub fn calls_to(&self, endpoint: &str) -> u64 {
        self.calls.get(endpoint).copied().unwrap_or(0)
    }
}

struct State {
    ledger: Ledger,
    stats: Stats,
    faults: Faults,
    dice: StdRng,
    /// A frozen wall clock: the simulated time moves only with `advance`.
    frozen: Option<OffsetDateTime>,
    saved_version: u64,
}

impl State {
    fn wall(&self) -> OffsetDateTime {
        self.frozen.unwrap_or_else(OffsetDateTime::now_utc)
    }

    /// The simulated time, with every status due by then materialised.
    fn tick(&mut self) -> OffsetDateTime {
        let wall = self.wall();
        let now = self.ledger.now(wall);
        self.ledger.materialise(now);
        now
    }
}

struct Persistence {
    path: PathBuf,
    scheduled: AtomicBool,
    /// Serialises writers of the file.
    writing: Mutex<()>,
}

struct Inner {
    api_key: String,
    state: Mutex<State>,
    persistence: Option<Persistence>,
}

/// The simulator: a cheap, clone-able handle on one ERP's state.
#[derive(Clone)]
pub struct Simulator {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("api_key", &"<redacted>")
            .field(
                "state_file",
                &self.inner.persistence.as_ref().map(|p| &p.path),
            )
            .finish()
    }
}

/// A simulator serving HTTP on a local port; dropping it stops the server.
#[derive(Debug)]
pub struct RunningSimulator {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub url: String,
    pub addr: SocketAddr,
    pub simulator: Simulator,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl RunningSimulator {
    /// Stops serving (waits up to a second for requests under way) and
    /// saves the state file, if any.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = tokio::time::timeout(StdDuration::from_secs(1), &mut self.task).await;
        self.task.abort();
        if let Err(err) = self.simulator.flush() {
            tracing::warn!(error = %err, "ERP simulator: cannot save its state");
        }
    }
}

impl Drop for RunningSimulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn fresh_state(ledger: Ledger) -> State {
    State {
        ledger,
        stats: Stats::default(),
        faults: Faults::default(),
        dice: StdRng::from_os_rng(),
        frozen: None,
        saved_version: 0,
    }
}

impl Simulator {
    /// An in-memory simulator accepting `api_key` in `X-Api-Key`.
    pub fn new(api_key: impl Into<String>) -> Self {
        Self::build(api_key.into(), Ledger::new(OffsetDateTime::now_utc()), None)
    }

    /// A simulator whose books are kept in the JSON file `path` (created
    /// when missing), so that a restart keeps the ERP's orders. Saves
    /// follow the changes within a fraction of a second, and on
    /// [`RunningSimulator::shutdown`] or [`Simulator::flush`].
    pub fn open(
        path: impl AsRef<Path>,
        api_key: impl Into<String>,
    ) -> Result<Self, SimulatorError> {
        let path = path.as_ref().to_path_buf();
        let ledger = match std::fs::read(&path) {
            Ok(bytes) => {
                let mut ledger: Ledger = serde_json::from_slice(&bytes).map_err(|source| {
                    SimulatorError::StateFormat {
                        path: path.clone(),
                        source,
                    }
                })?;
                ledger.rebuild_pending();
                ledger
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                Ledger::new(OffsetDateTime::now_utc())
            }
            Err(source) => return Err(SimulatorError::StateFile { path, source }),
        };
        let simulator = Self::build(
            api_key.into(),
            ledger,
            Some(Persistence {
                path: path.clone(),
                scheduled: AtomicBool::new(false),
                writing: Mutex::new(()),
            }),
        );
        // Fail now, not at the first save, if the file cannot be written.
        simulator.lock().ledger.version += 1;
        simulator
            .flush()
            .map_err(|source| SimulatorError::StateFile { path, source })?;
        Ok(simulator)
    }

    fn build(api_key: String, ledger: Ledger, persistence: Option<Persistence>) -> Self {
        Self {
            inner: Arc::new(Inner {
                api_key,
                state: Mutex::new(fresh_state(ledger)),
                persistence,
            }),
        }
    }

    /// Freezes the wall clock at `start`: from then on the simulated time
    /// moves only with [`Simulator::advance`]. For reproducible tests.
    /// The clock never goes back: books that already hold a later time
    /// keep it.
    pub fn with_frozen_clock(self, start: OffsetDateTime) -> Self {
        {
            let mut state = self.lock();
            state.frozen = Some(start);
            state.ledger.restart_clock(start);
        }
        self
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn api_key_matches(&self, given: &[u8]) -> bool {
        let expected = self.inner.api_key.as_bytes();
        // Constant time in the key's content.
        given.len() == expected.len()
            && given
                .iter()
                .zip(expected)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// The whole HTTP API: `/v1/*` (API key) and `/_admin/*` (no key: keep
    /// it on loopback).
    pub fn router(&self) -> axum::Router {
        http::router(self.clone())
    }

    /// Serves [`Simulator::router`] on `addr` (`127.0.0.1:0` picks a free
    /// port). The admin routes have no authentication: bind loopback.
    pub async fn spawn(self, addr: SocketAddr) -> Result<RunningSimulator, SimulatorError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| SimulatorError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| SimulatorError::Bind { addr, source })?;
        let (tx, rx) = oneshot::channel::<()>();
        let app = self.router();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(err) = served {
                tracing::error!(error = %err, "ERP simulator stopped");
            }
        });
        Ok(RunningSimulator {
            url: format!("http://{addr}"),
            addr,
            simulator: self,
            shutdown: Some(tx),
            task,
        })
    }

    /// The simulated time now.
    pub fn now(&self) -> OffsetDateTime {
        let now = self.lock().tick();
        self.persist_soon();
        now
    }

    /// Moves the simulated clock `minutes` forward (at most
    /// [`MAX_ADVANCE_MINUTES`] at once) and materialises every status due
    /// by then; returns the new time.
    pub fn advance(&self, minutes: u32) -> OffsetDateTime {
        let now = {
            let mut state = self.lock();
            state.ledger.advance(minutes.min(MAX_ADVANCE_MINUTES));
            state.tick()
        };
        self.persist_soon();
        now
    }

    /// Replaces the injected faults (rates clamped to 0.0-1.0).
    pub fn set_faults(&self, faults: Faults) {
        let faults = faults.clamped();
        let mut state = self.lock();
        if let Some(seed) = faults.seed {
            state.dice = StdRng::seed_from_u64(seed);
        }
        state.faults = faults;
    }

    pub fn faults(&self) -> Faults {
        self.lock().faults
    }

    pub fn stats(&self) -> Stats {
        let mut state = self.lock();
        state.tick();
        let mut stats = state.stats.clone();
        stats.orders = u64::try_from(state.ledger.order_count()).unwrap_or(u64::MAX);
        stats.feed_length = u64::try_from(state.ledger.feed_len()).unwrap_or(u64::MAX);
        stats
    }

    /// Forgets everything: orders, estimates, feed (under a new epoch, so
    /// old cursors read the new feed from its start), clock offset, stats
    /// and faults.
    pub fn reset(&self) {
        {
            let mut state = self.lock();
            let frozen = state.frozen;
            let saved_version = state.saved_version;
            let mut ledger = Ledger::new(frozen.unwrap_or_else(OffsetDateTime::now_utc));
            ledger.version = saved_version + 1;
            *state = fresh_state(ledger);
            state.frozen = frozen;
            state.saved_version = saved_version;
        }
        self.persist_soon();
    }

    /// Writes the state file now if anything changed (no-op in memory).
    pub fn flush(&self) -> std::io::Result<()> {
        let Some(persistence) = &self.inner.persistence else {
            return Ok(());
        };
        let _writing = persistence
            .writing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (bytes, version) = {
            let state = self.lock();
            if state.ledger.version == state.saved_version {
                return Ok(());
            }
            let bytes = serde_json::to_vec(&state.ledger).map_err(std::io::Error::other)?;
            (bytes, state.ledger.version)
        };
        let path = &persistence.path;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut tmp = path.clone().into_os_string();
        tmp.push(".tmp");
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, path)?;
        let mut state = self.lock();
        state.saved_version = state.saved_version.max(version);
        Ok(())
    }

    /// Saves the state file shortly (once for a burst of changes).
    fn persist_soon(&self) {
        let Some(persistence) = &self.inner.persistence else {
            return;
        };
        if persistence.scheduled.swap(true, Ordering::SeqCst) {
            return;
        }
        let simulator = self.clone();
        let save = move || {
            if let Some(p) = &simulator.inner.persistence {
                p.scheduled.store(false, Ordering::SeqCst);
            }
            if let Err(err) = simulator.flush() {
                tracing::warn!(error = %err, "ERP simulator: cannot save its state");
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    tokio::time::sleep(SAVE_DELAY).await;
                    let _ = tokio::task::spawn_blocking(save).await;
                });
            }
            Err(_) => save(),
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn state_file_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("erp.json");
        let sim = Simulator::open(&path, "k")
            .unwrap()
            .with_frozen_clock(datetime!(2025-06-02 08:00 UTC));
        let (estimate, order) = {
            let mut state = sim.lock();
            let now = state.tick();
            let input: wire::EstimateIn = serde_json::from_value(serde_json::json!({
                "reference": "R1", "customer_account_id": "a", "customer_name": "n",
                "vehicles": [{"make": "Renault", "model": "Clio", "plate": "AB123CD"}],
                "pickup": {"street": "s", "postal_code": "75001", "city": "Paris", "country": "FR"},
                "delivery": {"street": "s", "postal_code": "13001", "city": "Marseille", "country": "FR"}
            }))
            .unwrap();
            let estimate = state.ledger.create_estimate(&input, now).unwrap();
            let order = state
                .ledger
                .create_order(&estimate.estimate_id, "R1", "key", now)
                .unwrap();
            (estimate, order)
        };
        let ledger::Created::New(order) = order else {
            panic!("new order")
        };
        sim.advance(120);
        sim.flush().unwrap();
        drop(sim);

        let again = Simulator::open(&path, "k").unwrap();
        let state = again.lock();
        let reloaded = state.ledger.order(&order.erp_order_id).unwrap();
        assert_eq!(reloaded.status, Status::Scheduled);
        assert_eq!(reloaded.estimate_id, estimate.estimate_id);
        assert_eq!(state.ledger.offset_minutes, 120);
        assert_eq!(state.ledger.feed_len(), 2);
    }

    #[test]
    fn broken_state_file_is_an_error_not_a_reset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("erp.json");
        std::fs::write(&path, b"{not json").unwrap();
        assert!(matches!(
            Simulator::open(&path, "k"),
            Err(SimulatorError::StateFormat { .. })
        ));
    }

    #[test]
    fn faults_are_clamped_and_checked() {
        let faults = Faults {
            error_rate: 2.0,
            timeout_rate: f64::NAN,
            malformed_rate: -1.0,
            ..Faults::none()
        };
        assert!(faults.validate().is_err());
        let clamped = faults.clamped();
        assert_eq!(
            (
                clamped.error_rate,
                clamped.timeout_rate,
                clamped.malformed_rate
            ),
            (1.0, 0.0, 0.0)
        );
        assert!(clamped.validate().is_ok());
        let parsed: Faults = serde_json::from_str(r#"{"error_rate": 0.3}"#).unwrap();
        assert_eq!(parsed.timeout_ms, DEFAULT_TIMEOUT_MS);
        assert_eq!(parsed.latency_ms, 0);
    }

    #[test]
    fn api_key_must_match_exactly() {
        let sim = Simulator::new("secret-key");
        assert!(sim.api_key_matches(b"secret-key"));
        assert!(!sim.api_key_matches(b"secret-kex"));
        assert!(!sim.api_key_matches(b"secret"));
        assert!(!sim.api_key_matches(b""));
        assert!(!format!("{sim:?}").contains("secret"));
    }
}
