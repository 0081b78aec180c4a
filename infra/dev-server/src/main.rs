//! `stva-dev`: the whole portal on one machine. See `--help`.

use clap::Parser;
use dev_server::{Options, start};

// Many requests at once on a few threads: mimalloc's per-thread heaps beat
// glibc's arenas on the warm lists (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    shared::telemetry::init_pretty();
    let options = Options::parse();
    match start(options).await {
        Ok(server) => {
            server.print_banner();
            server.wait_for_ctrl_c().await;
            std::process::ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("stva-dev: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
