//! The HTTP face of the simulator: the contract's `/v1` routes behind the
//! API key and the fault injector, and the `/_admin` routes (no key).

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rand::Rng;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ledger::{Created, DEFAULT_PAGE};
use crate::wire::{ApiError, CancelIn, EstimateIn, OrderIn, Status};
use crate::{Faults, MAX_ADVANCE_MINUTES, Simulator, State};

const ESTIMATES: &str = "POST /v1/estimates";
const CREATE_ORDER: &str = "POST /v1/orders";
const GET_ORDER: &str = "GET /v1/orders/{id}";
const CANCEL_ORDER: &str = "POST /v1/orders/{id}/cancel";
const CHANGES: &str = "GET /v1/changes";

pub fn router(simulator: Simulator) -> Router {
    Router::new()
        .route("/v1/estimates", post(create_estimate))
        .route("/v1/orders", post(create_order))
        .route("/v1/orders/{id}", get(get_order))
        .route("/v1/orders/{id}/cancel", post(cancel_order))
        .route("/v1/changes", get(changes))
        .route("/_admin/advance", post(admin_advance))
        .route("/_admin/faults", post(admin_set_faults).get(admin_faults))
        .route("/_admin/stats", get(admin_stats))
        .route("/_admin/reset", post(admin_reset))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(simulator)
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(value).map_err(|e| ApiError::new(500, "internal", e.to_string()))
}

fn error_response(error: &ApiError) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(&error.body()).unwrap_or_default();
    json_response(status, body)
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::new(400, "invalid_json", format!("invalid JSON body: {e}")))
}

/// What the dice decided for one request.
struct Plan {
    latency_ms: u64,
    error: bool,
    timeout_ms: Option<u64>,
    malformed: bool,
}

impl State {
    fn plan(&mut self) -> Plan {
        let faults = self.faults;
        let mut roll = |rate: f64| rate > 0.0 && self.dice.random::<f64>() < rate;
        let error = roll(faults.error_rate);
        let timeout = !error && roll(faults.timeout_rate);
        let malformed = !error && !timeout && roll(faults.malformed_rate);
        self.stats.injected_errors += u64::from(error);
        self.stats.injected_timeouts += u64::from(timeout);
        self.stats.injected_malformed += u64::from(malformed);
        Plan {
            latency_ms: faults.latency_ms,
            error,
            timeout_ms: timeout.then_some(faults.timeout_ms),
            malformed,
        }
    }
}

type Outcome = Result<(StatusCode, Vec<u8>), ApiError>;

/// Runs one `/v1` request: counts it, checks the key, applies the faults
/// around `op`, which runs under the state's lock at the simulated `now`
/// (every status due by then already materialised).
async fn serve<F>(
    simulator: &Simulator,
    endpoint: &'static str,
    headers: &HeaderMap,
    op: F,
) -> Response
where
    F: FnOnce(&mut State, OffsetDateTime) -> Outcome,
{
    let plan = {
        let mut state = simulator.lock();
        *state.stats.calls.entry(endpoint.to_owned()).or_default() += 1;
        if endpoint == CREATE_ORDER {
            state.stats.create_order_calls += 1;
        }
        let authorised = headers
            .get("x-api-key")
            .is_some_and(|key| simulator.api_key_matches(key.as_bytes()));
        if !authorised {
            state.stats.unauthorized += 1;
            return error_response(&ApiError::new(
                401,
                "unauthorized",
                "missing or wrong X-Api-Key header",
            ));
        }
        state.plan()
    };
    if plan.latency_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(plan.latency_ms)).await;
    }
    if plan.error {
        tracing::debug!(endpoint, "injected error");
        return error_response(&ApiError::new(
            503,
            "unavailable",
            "the ERP is temporarily unavailable (injected fault)",
        ));
    }
    let outcome = {
        let mut state = simulator.lock();
        let now = state.tick();
        op(&mut state, now)
    };
    simulator.persist_soon();
    let (status, body) = match outcome {
        Ok(ok) => ok,
        Err(error) => {
            let body = serde_json::to_vec(&error.body()).unwrap_or_default();
            (
                StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                body,
            )
        }
    };
    if let Some(ms) = plan.timeout_ms {
        tracing::debug!(endpoint, ms, "injected timeout");
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    if plan.malformed {
        tracing::debug!(endpoint, "injected malformed body");
        // A truncated JSON document never parses.
        let mut broken = body;
        broken.truncate(broken.len() / 2);
        if broken.is_empty() {
            broken = b"{\"".to_vec();
        }
        return json_response(StatusCode::OK, broken);
    }
    json_response(status, body)
}

async fn create_estimate(
    AxumState(simulator): AxumState<Simulator>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    serve(&simulator, ESTIMATES, &headers, |state, now| {
        let input: EstimateIn = parse(&body)?;
        let estimate = state.ledger.create_estimate(&input, now)?;
        state.stats.estimates += 1;
        Ok((StatusCode::CREATED, to_json(&estimate)?))
    })
    .await
}

async fn create_order(
    AxumState(simulator): AxumState<Simulator>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = headers.get("idempotency-key").map(|v| v.to_str());
    serve(&simulator, CREATE_ORDER, &headers, |state, now| {
        let key = match key {
            Some(Ok(key)) => key,
            Some(Err(_)) => {
                return Err(ApiError::new(
                    400,
                    "idempotency_key_required",
                    "the Idempotency-Key header must be visible ASCII",
                ));
            }
            None => "",
        };
        let input: OrderIn = parse(&body)?;
        match state
            .ledger
            .create_order(&input.estimate_id, &input.reference, key, now)?
        {
            Created::New(order) => {
                state.stats.orders_created += 1;
                Ok((StatusCode::CREATED, to_json(&order)?))
            }
            Created::Repeat(order) => {
                state.stats.idempotent_repeats += 1;
                Ok((StatusCode::OK, to_json(&order)?))
            }
        }
    })
    .await
}

async fn get_order(
    AxumState(simulator): AxumState<Simulator>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    serve(&simulator, GET_ORDER, &headers, |state, _now| {
        Ok((StatusCode::OK, to_json(&state.ledger.order(&id)?)?))
    })
    .await
}

async fn cancel_order(
    AxumState(simulator): AxumState<Simulator>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    serve(&simulator, CANCEL_ORDER, &headers, |state, now| {
        let input: CancelIn = parse(&body)?;
        let was_cancelled = state
            .ledger
            .order(&id)
            .is_ok_and(|o| o.status == Status::Cancelled);
        let order = state.ledger.cancel(&id, &input.reason, now)?;
        if !was_cancelled {
            state.stats.cancellations += 1;
        }
        Ok((StatusCode::OK, to_json(&order)?))
    })
    .await
}

#[derive(Debug, Deserialize)]
struct ChangesQuery {
    after: Option<String>,
    limit: Option<String>,
}

async fn changes(
    AxumState(simulator): AxumState<Simulator>,
    headers: HeaderMap,
    query: Result<Query<ChangesQuery>, QueryRejection>,
) -> Response {
    serve(&simulator, CHANGES, &headers, |state, _now| {
        let Query(query) = query.map_err(|e| ApiError::new(400, "invalid_query", e.body_text()))?;
        let limit = match query.limit.as_deref().map(str::trim) {
            None | Some("") => DEFAULT_PAGE,
            Some(text) => text.parse::<u32>().map_err(|_| {
                ApiError::new(
                    400,
                    "invalid_limit",
                    format!("limit must be a whole number, got {text:?}"),
                )
            })?,
        };
        let page = state.ledger.changes(query.after.as_deref(), limit)?;
        state.stats.changes_served += u64::try_from(page.changes.len()).unwrap_or(u64::MAX);
        Ok((StatusCode::OK, to_json(&page)?))
    })
    .await
}

#[derive(Debug, Deserialize)]
struct AdvanceIn {
    minutes: u32,
}

#[derive(Debug, Serialize)]
struct ClockOut {
    #[serde(with = "time::serde::rfc3339")]
    now: OffsetDateTime,
}

fn admin_json<T: Serialize>(value: &T) -> Response {
    match to_json(value) {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(error) => error_response(&error),
    }
}

async fn admin_advance(AxumState(simulator): AxumState<Simulator>, body: Bytes) -> Response {
    let input: AdvanceIn = match parse(&body) {
        Ok(input) => input,
        Err(error) => return error_response(&error),
    };
    if input.minutes > MAX_ADVANCE_MINUTES {
        return error_response(&ApiError::new(
            400,
            "invalid_minutes",
            format!("advance at most {MAX_ADVANCE_MINUTES} minutes at once"),
        ));
    }
    admin_json(&ClockOut {
        now: simulator.advance(input.minutes),
    })
}

async fn admin_set_faults(AxumState(simulator): AxumState<Simulator>, body: Bytes) -> Response {
    let faults: Faults = match parse(&body) {
        Ok(faults) => faults,
        Err(error) => return error_response(&error),
    };
    if let Err(message) = faults.validate() {
        return error_response(&ApiError::new(400, "invalid_faults", message));
    }
    simulator.set_faults(faults);
    admin_json(&simulator.faults())
}

async fn admin_faults(AxumState(simulator): AxumState<Simulator>) -> Response {
    admin_json(&simulator.faults())
}

async fn admin_stats(AxumState(simulator): AxumState<Simulator>) -> Response {
    admin_json(&simulator.stats())
}

async fn admin_reset(AxumState(simulator): AxumState<Simulator>) -> Response {
    simulator.reset();
    StatusCode::NO_CONTENT.into_response()
}

async fn not_found() -> Response {
    error_response(&ApiError::new(404, "not_found", "no such route"))
}

async fn method_not_allowed() -> Response {
    error_response(&ApiError::new(
        405,
        "method_not_allowed",
        "this route does not take that method",
    ))
}
