//! Where a function's cold start goes: each step of
//! `shared::runtime::lambda_services`, timed alone, in the order a function
//! runs them. Run with the environment of a function (see `cold.rs`):
//!   cargo run --release -p stva-bench --example init_steps
//! Prints one line per step (microseconds since the previous one).

use std::time::Instant;

fn step(name: &str, since: &mut Instant) {
    let now = Instant::now();
    eprintln!(
        "{name:<28} {:>8} us",
        now.duration_since(*since).as_micros()
    );
    *since = now;
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let mut at = started;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    step("tokio runtime", &mut at);
    runtime.block_on(async {
        shared::telemetry::init_json();
        step("log subscriber", &mut at);
        let sdk = shared::runtime::sdk_config().await?;
        step("SDK config", &mut at);
        let config = shared::runtime::config_from_env(&sdk).await?;
        step("config from env", &mut at);
        let _dynamo = aws_sdk_dynamodb::Client::new(&sdk);
        step("DynamoDB client", &mut at);
        let _s3 = aws_sdk_s3::Client::new(&sdk);
        step("S3 client", &mut at);
        let _ses = aws_sdk_ses::Client::new(&sdk);
        step("SES client", &mut at);
        let _erp = shared::runtime::erp(&config)?;
        step("ERP client (reqwest)", &mut at);
        let services = shared::runtime::aws_services(&sdk, config)?;
        step("aws_services (all again)", &mut at);
        drop(services);
        eprintln!("{:<28} {:>8} us", "total", started.elapsed().as_micros());
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}
