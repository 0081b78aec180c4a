//! Routes that exist only in local runs: the mail outbox (and a switch to
//! take the mail service down, for drills), the signed URLs
//! of the local blob store, running a scheduled function once, and the
//! built-in ERP simulator's clock and faults.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use erp_simulator::{Faults, Simulator};
use serde::Deserialize;
use shared::adapters::local_blobs::{self, LocalBlobStore};
use shared::adapters::outbox::OutboxMailer;
use shared::http::ApiJson;
use shared::http::problem::Problem;
use shared::{AppError, Services};

use crate::FunctionPorts;
use crate::mail_switch::MailSwitch;

#[derive(Clone)]
pub struct DevState {
    pub outbox: OutboxMailer,
    pub blobs: Option<Arc<LocalBlobStore>>,
    pub services: Services,
    /// What a scheduled function's run is given (see `Options::function_ports`).
    pub function_ports: Option<FunctionPorts>,
    pub simulator: Option<Simulator>,
    pub mail: MailSwitch,
}

impl DevState {
    /// The ports the scheduled function `name` runs with.
    fn ports_of(&self, name: &str) -> Services {
        match self.function_ports {
            Some(ports) => ports(&self.services, name),
            None => self.services.clone(),
        }
    }
}

async fn mail(State(state): State<DevState>) -> Result<impl IntoResponse, AppError> {
    Ok(axum::Json(state.outbox.list()?))
}

#[derive(Debug, Deserialize)]
struct MailFaults {
    down: bool,
}

/// Takes the mail service down or brings it back (failure drills).
async fn mail_faults(
    State(state): State<DevState>,
    ApiJson(body): ApiJson<MailFaults>,
) -> impl IntoResponse {
    state.mail.set_down(body.down);
    axum::Json(serde_json::json!({ "down": state.mail.is_down() }))
}

/// The e-mails waiting to be sent again, and those given up.
async fn unsent_mail(State(state): State<DevState>) -> Result<impl IntoResponse, AppError> {
    let (pending, failed) = shared::app::mail_delivery::unsent(&state.services).await?;
    Ok(axum::Json(
        serde_json::json!({ "pending": pending, "failed": failed }),
    ))
}

async fn run(
    State(state): State<DevState>,
    Path(function): Path<String>,
) -> Result<Response, AppError> {
    match function.as_str() {
        "status-poll" => {
            let summary = shared::app::status_poll::run(&state.ports_of("status-poll")).await?;
            Ok(axum::Json(summary).into_response())
        }
        "stock-sync" => {
            let fetcher = shared::app::stock_sync::http_fetcher()?;
            let services = state.ports_of("stock-sync");
            let summary = shared::app::stock_sync::sync_all(&services, fetcher).await?;
            Ok(axum::Json(summary).into_response())
        }
        _ => Ok(Problem::new(
            StatusCode::NOT_FOUND,
            "unknown_function",
            "Introuvable",
            "Fonctions planifiées disponibles : status-poll, stock-sync.",
        )
        .into_response()),
    }
}

fn no_simulator() -> Response {
    Problem::new(
        StatusCode::CONFLICT,
        "no_simulator",
        "Pas de simulateur",
        "Le simulateur d'ERP intégré ne tourne pas (stva-dev a été lancé avec --erp-url).",
    )
    .into_response()
}

#[derive(Debug, Deserialize)]
struct Advance {
    minutes: Option<u32>,
}

async fn advance(State(state): State<DevState>, ApiJson(body): ApiJson<Advance>) -> Response {
    let Some(simulator) = state.simulator else {
        return no_simulator();
    };
    let now = simulator.advance(body.minutes.unwrap_or(60));
    axum::Json(serde_json::json!({ "erp_now": now.to_string() })).into_response()
}

async fn faults(State(state): State<DevState>, ApiJson(body): ApiJson<Faults>) -> Response {
    let Some(simulator) = state.simulator else {
        return no_simulator();
    };
    simulator.set_faults(body.clamped());
    axum::Json(simulator.faults()).into_response()
}

async fn stats(State(state): State<DevState>) -> Response {
    match state.simulator {
        Some(simulator) => axum::Json(simulator.stats()).into_response(),
        None => no_simulator(),
    }
}

pub fn routes(state: DevState) -> Router {
    let blobs = state.blobs.clone();
    let mut router = Router::new()
        .route("/_dev/mail", get(mail))
        .route("/_dev/mail/faults", post(mail_faults))
        .route("/_dev/mail/unsent", get(unsent_mail))
        .route("/_dev/run/{function}", post(run))
        .route("/_dev/erp/advance", post(advance))
        .route("/_dev/erp/faults", post(faults))
        .route("/_dev/erp/stats", get(stats))
        .with_state(state);
    if let Some(store) = blobs {
        router = router.nest("/_dev/blobs", local_blobs::routes(store));
    }
    router
}
