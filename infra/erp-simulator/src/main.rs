//! `erp-simulator`: STVA's ERP, simulated, on a local port. See `--help`
//! and `docs/erp.md`.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use clap::Parser;
use erp_simulator::Simulator;

#[derive(Debug, Parser)]
#[command(
    name = "erp-simulator",
    about = "A simulator of STVA's ERP (docs/erp-api.yaml): pricing, transport progress, faults."
)]
struct Options {
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "ERP_SIMULATOR_PORT", default_value_t = 4100)]
    port: u16,
    /// Address to listen on. The /_admin routes have no authentication:
    /// keep it on loopback.
    #[arg(long, env = "ERP_SIMULATOR_HOST", default_value = "127.0.0.1")]
    host: IpAddr,
    /// The key clients must send in X-Api-Key.
    #[arg(long, env = "ERP_SIMULATOR_API_KEY")]
    api_key: String,
    /// Keep the ERP's books in this JSON file across restarts.
    #[arg(long, env = "ERP_SIMULATOR_STATE")]
    state: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    shared::telemetry::init_pretty();
    let options = Options::parse();
    if options.api_key.trim().is_empty() {
        eprintln!("erp-simulator: --api-key must not be empty");
        return std::process::ExitCode::FAILURE;
    }
    if !options.host.is_loopback() {
        tracing::warn!(host = %options.host, "the /_admin routes have no authentication and are reachable from the network");
    }
    let simulator = match &options.state {
        Some(path) => match Simulator::open(path, options.api_key.clone()) {
            Ok(simulator) => simulator,
            Err(err) => {
                eprintln!("erp-simulator: {err}");
                return std::process::ExitCode::FAILURE;
            }
        },
        None => Simulator::new(options.api_key.clone()),
    };
    let running = match simulator
        .spawn(SocketAddr::new(options.host, options.port))
        .await
    {
        Ok(running) => running,
        Err(err) => {
            eprintln!("erp-simulator: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("ERP simulator listening on {}", running.url);
    println!("  contract: docs/erp-api.yaml (X-Api-Key required on /v1)");
    println!(
        "  admin:    POST {0}/_admin/advance {{\"minutes\": 60}}, POST {0}/_admin/faults, GET {0}/_admin/stats, POST {0}/_admin/reset",
        running.url
    );
    if let Some(path) = &options.state {
        println!("  state:    {}", path.display());
    }
    if let Err(err) = tokio::signal::ctrl_c().await {
        eprintln!("erp-simulator: {err}");
    }
    running.shutdown().await;
    std::process::ExitCode::SUCCESS
}
