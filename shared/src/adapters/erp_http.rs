//! STVA's ERP over HTTP: the contract of `docs/erp-api.yaml`, with
//! `reqwest` (rustls). The only code of the portal that speaks to the ERP.
//!
//! - One client, built once, with a connect timeout and a whole-request
//!   timeout ([`ErpTimeouts`]).
//! - At most [`MAX_ATTEMPTS`] attempts, with exponential back-off and full
//!   jitter between them, on 429, 5xx, timeouts and connection errors
//!   only; a 4xx other than 429 is final at once.
//! - `create_order` sends the same `Idempotency-Key` on every attempt: a
//!   retried or repeated call gives the ERP order of the first.
//! - Typed errors: a 4xx is [`ErpError::Rejected`] with the ERP's message
//!   (404/410 on order creation: [`ErpError::EstimateExpired`]), exhausted
//!   retries [`ErpError::Unavailable`], an answer that does not follow the
//!   contract [`ErpError::Malformed`]. Never a panic.
//! - The API key travels as a sensitive header; it is never logged, traced
//!   nor printed by `Debug`.

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use rand::Rng;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tracing::Instrument;
use url::Url;

use crate::ports::erp::{
    ChangePage, Erp, ErpAddress, ErpError, ErpEvent, ErpOrder, ErpStatus, ErpVehicle, Estimate,
    EstimateRequest, StatusChange,
};

/// Attempts per call, the first included.
pub const MAX_ATTEMPTS: u32 = 3;
const API_KEY_HEADER: &str = "x-api-key";
const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";
/// Longest ERP message kept in an error.
const MAX_MESSAGE_CHARS: usize = 300;

/// Timeouts and back-off of the ERP client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErpTimeouts {
    /// Establishing the connection (TCP + TLS).
    pub connect: Duration,
    /// One attempt, from sending the request to the last byte of the answer.
    pub request: Duration,
    /// Back-off before the second attempt is drawn in `[0, base]`, before
    /// the third in `[0, 2 × base]`, ...
    pub backoff_base: Duration,
    /// ... never more than this.
    pub backoff_cap: Duration,
}

impl Default for ErpTimeouts {
    /// 2 s to connect, 5 s per attempt, back-off from 100 ms capped at 1 s:
    /// a call gives up after at most [`ErpTimeouts::budget`] = 17 s.
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(2),
            request: Duration::from_secs(5),
            backoff_base: Duration::from_millis(100),
            backoff_cap: Duration::from_secs(1),
        }
    }
}

impl ErpTimeouts {
    /// The longest a call can take before it gives up: every attempt timing
    /// out, plus the longest back-offs between them.
    pub fn budget(&self) -> Duration {
        self.request.saturating_mul(MAX_ATTEMPTS)
            + self.backoff_cap.saturating_mul(MAX_ATTEMPTS - 1)
    }

    /// The upper bound of the back-off after `attempt` (1-based) failed.
    fn backoff_ceiling(&self, attempt: u32) -> Duration {
        let factor = 1u32 << attempt.saturating_sub(1).min(16);
        self.backoff_base
            .saturating_mul(factor)
            .min(self.backoff_cap)
    }

    /// Full jitter: uniform in `[0, ceiling]`.
    fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = u64::try_from(self.backoff_ceiling(attempt).as_micros()).unwrap_or(u64::MAX);
        Duration::from_micros(rand::rng().random_range(0..=ceiling))
    }
}

/// The ERP client.
#[derive(Clone)]
pub struct HttpErp {
    client: reqwest::Client,
    base: Url,
    timeouts: ErpTimeouts,
}

impl std::fmt::Debug for HttpErp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpErp")
            .field("base", &self.base.as_str())
            .field("api_key", &"<redacted>")
            .field("timeouts", &self.timeouts)
            .finish()
    }
}

fn shorten(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

// --- The wire format of docs/erp-api.yaml -------------------------------

#[derive(Serialize)]
struct VehicleBody<'a> {
    make: &'a str,
    model: &'a str,
    plate: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    vin: Option<&'a str>,
}

impl<'a> From<&'a ErpVehicle> for VehicleBody<'a> {
    fn from(v: &'a ErpVehicle) -> Self {
        Self {
            make: &v.make,
            model: &v.model,
            plate: &v.plate,
            vin: v.vin.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct AddressBody<'a> {
    company: Option<&'a str>,
    street: &'a str,
    postal_code: &'a str,
    city: &'a str,
    country: &'a str,
    contact_name: Option<&'a str>,
    contact_phone: Option<&'a str>,
    instructions: Option<&'a str>,
}

impl<'a> From<&'a ErpAddress> for AddressBody<'a> {
    fn from(a: &'a ErpAddress) -> Self {
        Self {
            company: a.company.as_deref(),
            street: &a.street,
            postal_code: &a.postal_code,
            city: &a.city,
            country: &a.country,
            contact_name: a.contact_name.as_deref(),
            contact_phone: a.contact_phone.as_deref(),
            instructions: a.instructions.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct EstimateBody<'a> {
    reference: &'a str,
    customer_account_id: &'a str,
    customer_name: &'a str,
    vehicles: Vec<VehicleBody<'a>>,
    pickup: AddressBody<'a>,
    delivery: AddressBody<'a>,
    /// `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    requested_date: Option<String>,
}

#[derive(Serialize)]
struct OrderBody<'a> {
    estimate_id: &'a str,
    reference: &'a str,
}

#[derive(Serialize)]
struct CancelBody<'a> {
    reason: &'a str,
}

#[derive(Deserialize)]
struct EstimateWire {
    estimate_id: String,
    amount_excl_tax_cents: i64,
    vat_cents: i64,
    amount_incl_tax_cents: i64,
    currency: String,
    #[serde(with = "time::serde::rfc3339")]
    valid_until: OffsetDateTime,
    distance_km: u32,
}

/// The ERP's statuses on the wire, mapped one to one onto [`ErpStatus`].
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StatusWire {
    Confirmed,
    Scheduled,
    PickedUp,
    InTransit,
    Delivered,
    Cancelled,
}

impl From<StatusWire> for ErpStatus {
    fn from(s: StatusWire) -> Self {
        match s {
            StatusWire::Confirmed => ErpStatus::Confirmed,
            StatusWire::Scheduled => ErpStatus::Scheduled,
            StatusWire::PickedUp => ErpStatus::PickedUp,
            StatusWire::InTransit => ErpStatus::InTransit,
            StatusWire::Delivered => ErpStatus::Delivered,
            StatusWire::Cancelled => ErpStatus::Cancelled,
        }
    }
}

#[derive(Deserialize)]
struct EventWire {
    status: StatusWire,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
}

#[derive(Deserialize)]
struct OrderWire {
    erp_order_id: String,
    reference: String,
    estimate_id: String,
    status: StatusWire,
    #[serde(default)]
    events: Vec<EventWire>,
}

#[derive(Deserialize)]
struct ChangeWire {
    erp_order_id: String,
    reference: String,
    status: StatusWire,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
}

#[derive(Deserialize)]
struct ChangesWire {
    changes: Vec<ChangeWire>,
    cursor: String,
    has_more: bool,
}

#[derive(Deserialize, Default)]
struct ErrorWire {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

impl From<OrderWire> for ErpOrder {
    fn from(o: OrderWire) -> Self {
        ErpOrder {
            erp_order_id: o.erp_order_id,
            reference: o.reference,
            estimate_id: o.estimate_id,
            status: o.status.into(),
            events: o
                .events
                .into_iter()
                .map(|e| ErpEvent {
                    status: e.status.into(),
                    at: e.at,
                })
                .collect(),
        }
    }
}

fn estimate_from_wire(e: EstimateWire) -> Result<Estimate, ErpError> {
    if e.estimate_id.trim().is_empty() {
        return Err(ErpError::Malformed("estimate without an id".into()));
    }
    if e.currency != crate::domain::money::CURRENCY {
        return Err(ErpError::Malformed(format!(
            "estimate in {:?}, expected EUR",
            shorten(&e.currency)
        )));
    }
    if e.amount_excl_tax_cents < 0
        || e.vat_cents < 0
        || e.amount_excl_tax_cents.checked_add(e.vat_cents) != Some(e.amount_incl_tax_cents)
    {
        return Err(ErpError::Malformed(format!(
            "estimate amounts do not add up: {} + {} != {}",
            e.amount_excl_tax_cents, e.vat_cents, e.amount_incl_tax_cents
        )));
    }
    Ok(Estimate {
        estimate_id: e.estimate_id,
        amount_excl_tax_cents: e.amount_excl_tax_cents,
        vat_cents: e.vat_cents,
        amount_incl_tax_cents: e.amount_incl_tax_cents,
        currency: e.currency,
        valid_until: e.valid_until,
        distance_km: e.distance_km,
    })
}

fn order_from_wire(o: OrderWire) -> Result<ErpOrder, ErpError> {
    if o.erp_order_id.trim().is_empty() {
        return Err(ErpError::Malformed("order without an id".into()));
    }
    Ok(o.into())
}

fn changes_from_wire(page: ChangesWire) -> Result<ChangePage, ErpError> {
    if page.cursor.is_empty() {
        return Err(ErpError::Malformed("change page without a cursor".into()));
    }
    Ok(ChangePage {
        changes: page
            .changes
            .into_iter()
            .map(|c| StatusChange {
                erp_order_id: c.erp_order_id,
                reference: c.reference,
                status: c.status.into(),
                at: c.at,
            })
            .collect(),
        cursor: page.cursor,
        has_more: page.has_more,
    })
}

// --- Answers, decoded (the real path, also the fuzz targets' entry) -------

fn final_answer(status: u16, body: &[u8]) -> Result<Answer, ErpError> {
    let status = StatusCode::from_u16(status)
        .map_err(|_| ErpError::Malformed(format!("HTTP status {status} out of range")))?;
    Ok(Answer {
        status,
        body: Bytes::copy_from_slice(body),
    })
}

/// A final answer (2xx or 4xx) to `POST /v1/estimates`.
pub fn decode_estimate(status: u16, body: &[u8]) -> Result<Estimate, ErpError> {
    estimate_from_wire(final_answer(status, body)?.into_result("estimate")?)
}

/// A final answer to `GET /v1/orders/{id}` or `POST /v1/orders[/{id}/cancel]`.
pub fn decode_order(status: u16, body: &[u8]) -> Result<ErpOrder, ErpError> {
    order_from_wire(final_answer(status, body)?.into_result("order")?)
}

/// A final answer to `GET /v1/changes`.
pub fn decode_changes(status: u16, body: &[u8]) -> Result<ChangePage, ErpError> {
    changes_from_wire(final_answer(status, body)?.into_result("changes")?)
}

// --- Calls ----------------------------------------------------------------

/// A final answer: 2xx, or a 4xx other than 429.
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    body: Bytes,
}

impl Answer {
    fn parse<T: DeserializeOwned>(&self, what: &str) -> Result<T, ErpError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            ErpError::Malformed(format!(
                "{what}: {} (HTTP {}, {} bytes)",
                shorten(&e.to_string()),
                self.status.as_u16(),
                self.body.len()
            ))
        })
    }

    /// The ERP's `{code, message}`, or what can be made of a body that is
    /// not one.
    fn error(&self) -> ErrorWire {
        let parsed: ErrorWire = serde_json::from_slice(&self.body).unwrap_or_default();
        if !parsed.message.trim().is_empty() {
            return parsed;
        }
        let text = String::from_utf8_lossy(&self.body);
        ErrorWire {
            code: parsed.code,
            message: if text.trim().is_empty() {
                self.status
                    .canonical_reason()
                    .unwrap_or("no message")
                    .to_owned()
            } else {
                shorten(&text)
            },
        }
    }

    fn rejected(&self) -> ErpError {
        let error = self.error();
        let message = if error.code.is_empty() {
            shorten(&error.message)
        } else {
            format!("{}: {}", shorten(&error.code), shorten(&error.message))
        };
        ErpError::Rejected {
            status: self.status.as_u16(),
            message,
        }
    }

    /// A 2xx answer parsed as `T`; a 4xx as `Rejected`; anything else
    /// (1xx, 3xx) is not in the contract.
    fn into_result<T: DeserializeOwned>(self, what: &str) -> Result<T, ErpError> {
        if self.status.is_success() {
            self.parse(what)
        } else if self.status.is_client_error() {
            Err(self.rejected())
        } else {
            Err(ErpError::Malformed(format!(
                "{what}: unexpected HTTP status {}",
                self.status.as_u16()
            )))
        }
    }
}

/// One request of the contract.
struct Call<'a> {
    method: Method,
    /// Path segments after the base URL (`["v1", "orders", id]`), each
    /// percent-encoded as needed.
    segments: &'a [&'a str],
    query: &'a [(&'a str, &'a str)],
    body: Option<Bytes>,
    idempotency_key: Option<HeaderValue>,
}

enum Attempt {
    Done(Answer),
    Retry {
        reason: String,
        retry_after: Option<Duration>,
    },
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

fn transport_reason(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "connection failed"
    } else {
        "transport error"
    };
    // The source chain says why (refused, reset, ...); the URL holds no
    // secret (the key is a header).
    let mut reason = format!("{kind}: {err}");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        reason.push_str(": ");
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
    shorten(&reason)
}

fn to_body<T: Serialize>(value: &T) -> Result<Bytes, ErpError> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(|e| ErpError::Rejected {
            status: 0,
            message: format!("cannot encode the request: {e}"),
        })
}

impl HttpErp {
    /// A client for the ERP at `base_url` (`https://erp.stva.fr/api`, or a
    /// simulator's `http://127.0.0.1:PORT`), sending `api_key` in
    /// `X-Api-Key`. Fails with `Unavailable` on an unusable URL or key.
    pub fn new(base_url: &str, api_key: &str, timeouts: ErpTimeouts) -> Result<HttpErp, ErpError> {
        let misconfigured =
            |why: String| ErpError::Unavailable(format!("ERP client misconfigured: {why}"));
        let base = Url::parse(base_url.trim())
            .map_err(|e| misconfigured(format!("base URL {base_url:?}: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(misconfigured(format!(
                "base URL {base_url:?} is not an http(s) URL"
            )));
        }
        if api_key.trim().is_empty() {
            return Err(misconfigured("the API key is empty".into()));
        }
        let mut key = HeaderValue::from_str(api_key.trim())
            .map_err(|_| misconfigured("the API key is not a valid header value".into()))?;
        key.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(API_KEY_HEADER, key);
        let client = crate::adapters::tls::reqwest_builder()
            .map_err(|e| misconfigured(e.to_string()))?
            .default_headers(headers)
            .user_agent(concat!("stva-portal/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            .redirect(reqwest::redirect::Policy::none())
            // Our own retry loop is the only one: attempts are counted.
            .retry(reqwest::retry::never())
            .build()
            .map_err(|e| misconfigured(e.to_string()))?;
        Ok(HttpErp {
            client,
            base,
            timeouts,
        })
    }

    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    pub fn timeouts(&self) -> ErpTimeouts {
        self.timeouts
    }

    fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// Sends `call`, retrying what may be retried; the final answer, or
    /// `Unavailable` once the attempts are spent.
    async fn send(&self, call: Call<'_>) -> Result<Answer, ErpError> {
        let url = self.url(call.segments, call.query);
        let path = url.path().to_owned();
        let mut last_reason = String::new();
        for attempt in 1..=MAX_ATTEMPTS {
            let span = tracing::info_span!(
                "erp_attempt",
                method = %call.method,
                path = %path,
                attempt,
                status = tracing::field::Empty,
            );
            let outcome = self.attempt(&call, &url).instrument(span.clone()).await;
            match outcome {
                Attempt::Done(answer) => {
                    span.record("status", answer.status.as_u16());
                    return Ok(answer);
                }
                Attempt::Retry {
                    reason,
                    retry_after,
                } => {
                    if attempt < MAX_ATTEMPTS {
                        let jitter = self.timeouts.backoff(attempt);
                        // A Retry-After is honoured up to the back-off cap.
                        let delay = retry_after.map_or(jitter, |after| {
                            after.min(self.timeouts.backoff_cap).max(jitter)
                        });
                        tracing::warn!(
                            parent: &span,
                            %reason,
                            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                            "ERP call failed, retrying"
                        );
                        tokio::time::sleep(delay).await;
                    } else {
                        tracing::warn!(parent: &span, %reason, "ERP call failed, giving up");
                    }
                    last_reason = reason;
                }
            }
        }
        Err(ErpError::Unavailable(format!(
            "{} {path}: {MAX_ATTEMPTS} attempts failed, last: {last_reason}",
            call.method
        )))
    }

    async fn attempt(&self, call: &Call<'_>, url: &Url) -> Attempt {
        let mut request = self.client.request(call.method.clone(), url.clone());
        if let Some(body) = &call.body {
            request = request
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body.clone());
        }
        if let Some(key) = &call.idempotency_key {
            request = request.header(IDEMPOTENCY_KEY_HEADER, key.clone());
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(err) => {
                return Attempt::Retry {
                    reason: transport_reason(&err),
                    retry_after: None,
                };
            }
        };
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = match response.bytes().await {
            Ok(body) => body,
            Err(err) => {
                return Attempt::Retry {
                    reason: transport_reason(&err),
                    retry_after: None,
                };
            }
        };
        let answer = Answer { status, body };
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            let error = answer.error();
            return Attempt::Retry {
                reason: format!("HTTP {}: {}", status.as_u16(), shorten(&error.message)),
                retry_after,
            };
        }
        Attempt::Done(answer)
    }
}

#[async_trait]
impl Erp for HttpErp {
    #[tracing::instrument(
        name = "erp.estimate",
        skip(self, request),
        fields(reference = %request.reference, vehicles = request.vehicles.len())
    )]
    async fn estimate(&self, request: &EstimateRequest) -> Result<Estimate, ErpError> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let requested_date = match request.requested_date {
            Some(date) => Some(date.format(format).map_err(|e| ErpError::Rejected {
                status: 0,
                message: format!("cannot encode the requested date: {e}"),
            })?),
            None => None,
        };
        let body = to_body(&EstimateBody {
            reference: &request.reference,
            customer_account_id: &request.customer_account_id,
            customer_name: &request.customer_name,
            vehicles: request.vehicles.iter().map(VehicleBody::from).collect(),
            pickup: AddressBody::from(&request.pickup),
            delivery: AddressBody::from(&request.delivery),
            requested_date,
        })?;
        let answer = self
            .send(Call {
                method: Method::POST,
                segments: &["v1", "estimates"],
                query: &[],
                body: Some(body),
                idempotency_key: None,
            })
            .await?;
        estimate_from_wire(answer.into_result("estimate")?)
    }

    #[tracing::instrument(name = "erp.create_order", skip(self))]
    async fn create_order(
        &self,
        estimate_id: &str,
        reference: &str,
        idempotency_key: &str,
    ) -> Result<ErpOrder, ErpError> {
        let key = HeaderValue::from_str(idempotency_key.trim())
            .ok()
            .filter(|_| !idempotency_key.trim().is_empty())
            .ok_or_else(|| ErpError::Rejected {
                status: 0,
                message: "the idempotency key must be non-empty visible ASCII".into(),
            })?;
        let body = to_body(&OrderBody {
            estimate_id,
            reference,
        })?;
        let answer = self
            .send(Call {
                method: Method::POST,
                segments: &["v1", "orders"],
                query: &[],
                body: Some(body),
                idempotency_key: Some(key),
            })
            .await?;
        if matches!(answer.status, StatusCode::NOT_FOUND | StatusCode::GONE) {
            return Err(ErpError::EstimateExpired);
        }
        order_from_wire(answer.into_result("order")?)
    }

    #[tracing::instrument(name = "erp.order", skip(self))]
    async fn order(&self, erp_order_id: &str) -> Result<ErpOrder, ErpError> {
        let answer = self
            .send(Call {
                method: Method::GET,
                segments: &["v1", "orders", erp_order_id],
                query: &[],
                body: None,
                idempotency_key: None,
            })
            .await?;
        order_from_wire(answer.into_result("order")?)
    }

    #[tracing::instrument(name = "erp.cancel_order", skip(self, reason))]
    async fn cancel_order(&self, erp_order_id: &str, reason: &str) -> Result<ErpOrder, ErpError> {
        let body = to_body(&CancelBody { reason })?;
        let answer = self
            .send(Call {
                method: Method::POST,
                segments: &["v1", "orders", erp_order_id, "cancel"],
                query: &[],
                body: Some(body),
                idempotency_key: None,
            })
            .await?;
        order_from_wire(answer.into_result("order")?)
    }

    #[tracing::instrument(name = "erp.changes", skip(self))]
    async fn changes(&self, cursor: Option<&str>, limit: u32) -> Result<ChangePage, ErpError> {
        let limit = limit.to_string();
        let mut query: Vec<(&str, &str)> = vec![("limit", limit.as_str())];
        if let Some(cursor) = cursor.filter(|c| !c.is_empty()) {
            query.push(("after", cursor));
        }
        let answer = self
            .send(Call {
                method: Method::GET,
                segments: &["v1", "changes"],
                query: &query,
                body: None,
                idempotency_key: None,
            })
            .await?;
        changes_from_wire(answer.into_result("changes")?)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    use axum::Router;
    use axum::extract::State;
    use axum::http::HeaderMap as AxumHeaders;
    use axum::response::IntoResponse;
    use axum::routing::any;

    use super::*;

    /// What the stub ERP answers, in turn (the last one repeats), and what
    /// it saw.
    #[derive(Clone, Default)]
    struct Stub {
        answers: Arc<Mutex<Vec<(u16, String, u64)>>>,
        seen: Arc<Mutex<Vec<Seen>>>,
    }

    #[derive(Debug, Clone)]
    struct Seen {
        path: String,
        query: Option<String>,
        api_key: Option<String>,
        idempotency_key: Option<String>,
        body: String,
    }

    async fn stub_handler(
        State(stub): State<Stub>,
        uri: axum::http::Uri,
        headers: AxumHeaders,
        body: String,
    ) -> impl IntoResponse {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        stub.seen.lock().unwrap().push(Seen {
            path: uri.path().to_owned(),
            query: uri.query().map(str::to_owned),
            api_key: header("x-api-key"),
            idempotency_key: header("idempotency-key"),
            body,
        });
        let (status, body, delay_ms) = {
            let mut answers = stub.answers.lock().unwrap();
            if answers.len() > 1 {
                answers.remove(0)
            } else {
                answers[0].clone()
            }
        };
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        (
            axum::http::StatusCode::from_u16(status).unwrap(),
            [("content-type", "application/json")],
            body,
        )
    }

    async fn start_stub(answers: &[(u16, &str)]) -> (Stub, String) {
        stub_with_delays(&answers.iter().map(|(s, b)| (*s, *b, 0)).collect::<Vec<_>>()).await
    }

    async fn stub_with_delays(answers: &[(u16, &str, u64)]) -> (Stub, String) {
        let stub = Stub {
            answers: Arc::new(Mutex::new(
                answers
                    .iter()
                    .map(|(s, b, d)| (*s, (*b).to_owned(), *d))
                    .collect(),
            )),
            seen: Arc::default(),
        };
        let app = Router::new()
            .fallback(any(stub_handler))
            .with_state(stub.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        (stub, format!("http://{addr}"))
    }

    fn fast() -> ErpTimeouts {
        ErpTimeouts {
            connect: Duration::from_millis(200),
            request: Duration::from_millis(300),
            backoff_base: Duration::from_millis(5),
            backoff_cap: Duration::from_millis(20),
        }
    }

    fn client(url: &str) -> HttpErp {
        HttpErp::new(url, "test-key", fast()).unwrap()
    }

    const ORDER: &str = r#"{"erp_order_id":"ord_1","reference":"CMD-1","estimate_id":"est_1","status":"confirmed","created_at":"2025-06-02T08:00:00Z","events":[{"status":"confirmed","at":"2025-06-02T08:00:00Z"}]}"#;
    const ESTIMATE: &str = r#"{"estimate_id":"est_1","reference":"CMD-1","amount_excl_tax_cents":47000,"vat_cents":9400,"amount_incl_tax_cents":56400,"currency":"EUR","valid_until":"2025-06-09T08:00:00Z","distance_km":400}"#;

    fn request() -> EstimateRequest {
        let address = |postal_code: &str| ErpAddress {
            company: Some("Garage".into()),
            street: "1 rue de la Paix".into(),
            postal_code: postal_code.into(),
            city: "Paris".into(),
            country: "FR".into(),
            contact_name: None,
            contact_phone: Some("+33 1 23 45 67 89".into()),
            instructions: None,
        };
        EstimateRequest {
            reference: "CMD-1".into(),
            customer_account_id: "acc_1".into(),
            customer_name: "Garage du Centre".into(),
            vehicles: vec![ErpVehicle {
                make: "Renault".into(),
                model: "Clio".into(),
                plate: "AB123CD".into(),
                vin: None,
            }],
            pickup: address("75001"),
            delivery: address("69003"),
            requested_date: Some(time::macros::date!(2025 - 06 - 10)),
        }
    }

    #[test]
    fn backoff_is_exponential_capped_and_jittered() {
        let t = ErpTimeouts::default();
        assert_eq!(t.backoff_ceiling(1), Duration::from_millis(100));
        assert_eq!(t.backoff_ceiling(2), Duration::from_millis(200));
        assert_eq!(t.backoff_ceiling(3), Duration::from_millis(400));
        assert_eq!(t.backoff_ceiling(5), Duration::from_secs(1));
        assert_eq!(t.backoff_ceiling(99), Duration::from_secs(1));
        for attempt in 1..=4 {
            for _ in 0..200 {
                assert!(t.backoff(attempt) <= t.backoff_ceiling(attempt));
            }
        }
        // Full jitter: draws spread over the range, not all at the ceiling.
        let draws: Vec<Duration> = (0..200).map(|_| t.backoff(3)).collect();
        assert!(draws.iter().any(|d| *d < Duration::from_millis(200)));
        assert!(draws.iter().any(|d| *d > Duration::from_millis(200)));
        assert_eq!(t.budget(), Duration::from_secs(17));
    }

    #[test]
    fn constructor_checks_the_url_and_key_and_hides_the_key() {
        assert!(matches!(
            HttpErp::new("not a url", "k", fast()),
            Err(ErpError::Unavailable(_))
        ));
        assert!(matches!(
            HttpErp::new("ftp://erp", "k", fast()),
            Err(ErpError::Unavailable(_))
        ));
        assert!(matches!(
            HttpErp::new("http://erp", " ", fast()),
            Err(ErpError::Unavailable(_))
        ));
        assert!(matches!(
            HttpErp::new("http://erp", "bad\nkey", fast()),
            Err(ErpError::Unavailable(_))
        ));
        let erp = HttpErp::new("https://erp.stva.fr/api/", "super-secret", fast()).unwrap();
        assert!(!format!("{erp:?}").contains("super-secret"));
        assert_eq!(
            erp.url(&["v1", "orders", "a/b c"], &[]).as_str(),
            "https://erp.stva.fr/api/v1/orders/a%2Fb%20c"
        );
        assert_eq!(
            erp.url(&["v1", "changes"], &[("limit", "10"), ("after", "x-1&y")])
                .as_str(),
            "https://erp.stva.fr/api/v1/changes?limit=10&after=x-1%26y"
        );
        let bare = HttpErp::new("http://127.0.0.1:4100", "k", fast()).unwrap();
        assert_eq!(
            bare.url(&["v1", "estimates"], &[]).as_str(),
            "http://127.0.0.1:4100/v1/estimates"
        );
    }

    #[tokio::test]
    async fn estimate_sends_the_contract_body_and_key() {
        let (stub, url) = start_stub(&[(201, ESTIMATE)]).await;
        let estimate = client(&url).estimate(&request()).await.unwrap();
        assert_eq!(estimate.estimate_id, "est_1");
        assert_eq!(estimate.amount_incl_tax_cents, 56_400);
        assert_eq!(estimate.distance_km, 400);
        let seen = stub.seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].path, "/v1/estimates");
        assert_eq!(seen[0].api_key.as_deref(), Some("test-key"));
        let body: serde_json::Value = serde_json::from_str(&seen[0].body).unwrap();
        assert_eq!(body["requested_date"], "2025-06-10");
        assert_eq!(body["vehicles"][0]["plate"], "AB123CD");
        assert_eq!(body["pickup"]["postal_code"], "75001");
        assert_eq!(body["customer_account_id"], "acc_1");
    }

    #[tokio::test]
    async fn server_errors_are_retried_three_times_then_unavailable() {
        let (stub, url) = start_stub(&[(503, r#"{"code":"unavailable","message":"down"}"#)]).await;
        let err = client(&url).order("ord_1").await.unwrap_err();
        assert!(
            matches!(&err, ErpError::Unavailable(m) if m.contains("503") && m.contains("down")),
            "{err}"
        );
        assert_eq!(stub.seen.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn too_many_requests_and_5xx_are_retried_until_success() {
        let (stub, url) = start_stub(&[(429, "{}"), (500, "oops"), (200, ORDER)]).await;
        let order = client(&url).order("ord_1").await.unwrap();
        assert_eq!(order.status, ErpStatus::Confirmed);
        assert_eq!(order.events.len(), 1);
        assert_eq!(stub.seen.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn client_errors_are_final_with_the_erp_message() {
        let (stub, url) = start_stub(&[(
            422,
            r#"{"code":"invalid_request","message":"a lot has 1 to 12 vehicles"}"#,
        )])
        .await;
        let err = client(&url).estimate(&request()).await.unwrap_err();
        match err {
            ErpError::Rejected { status, message } => {
                assert_eq!(status, 422);
                assert!(message.contains("1 to 12 vehicles"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(stub.seen.lock().unwrap().len(), 1);

        let (stub, url) = start_stub(&[(401, "")]).await;
        let err = client(&url).changes(None, 10).await.unwrap_err();
        assert!(
            matches!(err, ErpError::Rejected { status: 401, .. }),
            "{err}"
        );
        assert_eq!(stub.seen.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn create_order_keeps_its_idempotency_key_across_attempts() {
        let (stub, url) = start_stub(&[(502, ""), (503, ""), (201, ORDER)]).await;
        let order = client(&url)
            .create_order("est_1", "CMD-1", "validate-CMD-1")
            .await
            .unwrap();
        assert_eq!(order.erp_order_id, "ord_1");
        let seen = stub.seen.lock().unwrap();
        assert_eq!(seen.len(), 3);
        for request in seen.iter() {
            assert_eq!(request.idempotency_key.as_deref(), Some("validate-CMD-1"));
            assert_eq!(
                request.body,
                r#"{"estimate_id":"est_1","reference":"CMD-1"}"#
            );
        }
    }

    #[tokio::test]
    async fn gone_or_unknown_estimates_are_expired() {
        for status in [404, 410] {
            let (_, url) =
                start_stub(&[(status, r#"{"code":"estimate_expired","message":"x"}"#)]).await;
            let err = client(&url)
                .create_order("est_1", "CMD-1", "k")
                .await
                .unwrap_err();
            assert!(matches!(err, ErpError::EstimateExpired), "{err}");
        }
        // A missing order is not an expired estimate.
        let (_, url) =
            start_stub(&[(404, r#"{"code":"order_not_found","message":"no order"}"#)]).await;
        let err = client(&url).order("ord_x").await.unwrap_err();
        assert!(
            matches!(err, ErpError::Rejected { status: 404, .. }),
            "{err}"
        );
        // A key that cannot be a header is refused before any call.
        let err = client(&url).create_order("e", "r", "").await.unwrap_err();
        assert!(matches!(err, ErpError::Rejected { status: 0, .. }), "{err}");
    }

    #[tokio::test]
    async fn malformed_answers_are_typed_errors_not_panics() {
        for body in [
            r#"{"erp_order_id":"ord_1","refer"#,
            "",
            "<html>oops</html>",
            r#"{"erp_order_id":"ord_1","reference":"R","estimate_id":"e","status":"teleported","events":[]}"#,
        ] {
            let (stub, url) = start_stub(&[(200, body)]).await;
            let err = client(&url).order("ord_1").await.unwrap_err();
            assert!(
                matches!(&err, ErpError::Malformed(m) if m.starts_with("order:")),
                "{err}"
            );
            assert_eq!(
                stub.seen.lock().unwrap().len(),
                1,
                "no retry on a malformed body"
            );
        }
        let inconsistent = ESTIMATE.replace("56400", "56401");
        let (_, url) = start_stub(&[(201, inconsistent.as_str())]).await;
        let err = client(&url).estimate(&request()).await.unwrap_err();
        assert!(
            matches!(&err, ErpError::Malformed(m) if m.contains("add up")),
            "{err}"
        );
        let (_, url) = start_stub(&[(302, "")]).await;
        let err = client(&url).order("ord_1").await.unwrap_err();
        assert!(matches!(err, ErpError::Malformed(_)), "{err}");
    }

    #[tokio::test]
    async fn timeouts_are_retried_within_the_budget() {
        let (stub, url) = stub_with_delays(&[(200, ORDER, 2_000)]).await;
        let erp = client(&url);
        let started = Instant::now();
        let err = erp.order("ord_1").await.unwrap_err();
        let elapsed = started.elapsed();
        assert!(
            matches!(&err, ErpError::Unavailable(m) if m.contains("timed out")),
            "{err}"
        );
        assert_eq!(stub.seen.lock().unwrap().len(), 3);
        assert!(
            elapsed < erp.timeouts().budget() + Duration::from_secs(1),
            "{elapsed:?}"
        );
        assert!(elapsed >= fast().request * 3, "{elapsed:?}");

        // A slow first answer then a fast one: success on the second attempt.
        let (stub, url) = stub_with_delays(&[(200, ORDER, 2_000), (200, ORDER, 0)]).await;
        assert!(client(&url).order("ord_1").await.is_ok());
        assert_eq!(stub.seen.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn connection_errors_are_retried_then_unavailable() {
        // A port nobody listens on.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        drop(listener);
        let err = client(&format!("http://{addr}"))
            .changes(Some("c-1"), 5)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, ErpError::Unavailable(m) if m.contains("3 attempts")),
            "{err}"
        );
    }

    #[tokio::test]
    async fn change_pages_map_statuses_and_pass_the_cursor() {
        let page = r#"{"changes":[
            {"cursor":"e-1","erp_order_id":"ord_1","reference":"CMD-1","status":"picked_up","at":"2025-06-03T09:00:00Z"},
            {"cursor":"e-2","erp_order_id":"ord_1","reference":"CMD-1","status":"in_transit","at":"2025-06-03T10:00:00Z"}
        ],"cursor":"e-2","has_more":true}"#;
        let (stub, url) = start_stub(&[(200, page)]).await;
        let got = client(&url).changes(Some("e-0"), 2).await.unwrap();
        assert_eq!(got.cursor, "e-2");
        assert!(got.has_more);
        let statuses: Vec<ErpStatus> = got.changes.iter().map(|c| c.status).collect();
        assert_eq!(statuses, vec![ErpStatus::PickedUp, ErpStatus::InTransit]);
        let seen = stub.seen.lock().unwrap();
        assert_eq!(seen[0].path, "/v1/changes");
        assert_eq!(seen[0].query.as_deref(), Some("limit=2&after=e-0"));
    }

    mod decoding {
        use proptest::prelude::*;

        use super::super::{decode_changes, decode_estimate, decode_order};

        const STATUSES: [u16; 9] = [200, 201, 400, 404, 409, 410, 422, 302, 100];

        proptest! {
            /// Any answer decodes to a value or an error, never a panic.
            #[test]
            fn any_answer_decodes_or_is_refused(status in prop::sample::select(STATUSES.to_vec()), body in prop::collection::vec(any::<u8>(), 0..512)) {
                let _ = decode_estimate(status, &body);
                let _ = decode_order(status, &body);
                let _ = decode_changes(status, &body);
            }

            /// An estimate is taken only when its amounts add up.
            #[test]
            fn an_estimate_is_taken_only_when_it_adds_up(excl in -10i64..1_000_000, vat in -10i64..300_000, incl in -10i64..1_300_000) {
                let body = serde_json::json!({
                    "estimate_id": "est_1", "amount_excl_tax_cents": excl, "vat_cents": vat,
                    "amount_incl_tax_cents": incl, "currency": "EUR",
                    "valid_until": "2026-12-01T00:00:00Z", "distance_km": 12
                })
                .to_string();
                let adds_up = excl >= 0 && vat >= 0 && excl + vat == incl;
                prop_assert_eq!(decode_estimate(200, body.as_bytes()).is_ok(), adds_up);
            }
        }
    }
}
