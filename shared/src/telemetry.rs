//! Logs: JSON lines for CloudWatch in Lambda, readable lines locally.
//! `RUST_LOG` filters (default `info`). No secret, token or password is
//! ever a field of a log event.

use tracing_subscriber::EnvFilter;

fn filter() -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"))
}

pub fn init_json() {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter())
        .with_current_span(false)
        .without_time()
        .try_init();
}

pub fn init_pretty() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .try_init();
}
