//! `stva-bench`: the measurements behind `scripts/bench.sh` (see
//! docs/performance.md). `run` measures the cold starts and the warm API,
//! takes in the stock-sync and status-poll benches' tables, checks the
//! budgets, prints the tables and writes them into docs/performance.md;
//! it exits non-zero when a budget is broken.

mod cold;
mod load;
mod report;
mod seed;
mod warm;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[derive(Parser)]
#[command(
    name = "stva-bench",
    about = "The STVA portal's benchmark (scripts/bench.sh)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct Common {
    /// Where the release binaries are (functions, stva-dev, hello).
    #[arg(long, default_value = "target/release")]
    bin_dir: PathBuf,
    /// Scratch folder (data, logs).
    #[arg(long, default_value = "target/bench")]
    work: PathBuf,
    /// The functions to start (the binaries' names).
    #[arg(long, value_delimiter = ',')]
    functions: Vec<String>,
    /// Cold starts per binary (after two unmeasured rounds).
    #[arg(long, default_value_t = 20)]
    starts: usize,
    /// Where `scripts/build-lambdas.sh` put the arm64 zips, if anywhere.
    #[arg(long, default_value = "target/lambda")]
    lambda_dir: PathBuf,
    /// A tenth of the warm-API requests (a quick check, not a measurement).
    #[arg(long)]
    quick: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Cold starts only; prints JSON.
    ColdStart(Common),
    /// Warm API only; prints JSON.
    WarmApi(Common),
    /// Everything: measure, check the budgets, print, write the doc.
    Run {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        inputs: report::Inputs,
    },
}

async fn main_result() -> BenchResult<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::ColdStart(c) => {
            std::fs::create_dir_all(&c.work)?;
            let cold = cold::run(
                &c.bin_dir,
                &c.functions,
                c.starts,
                &c.work,
                Some(&c.lambda_dir),
            )
            .await?;
            println!("{}", serde_json::to_string_pretty(&cold)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::WarmApi(c) => {
            std::fs::create_dir_all(&c.work)?;
            let warm = warm::run(&c.bin_dir.join("stva-dev"), &c.work, c.quick).await?;
            println!("{}", serde_json::to_string_pretty(&warm)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Run { common: c, inputs } => {
            std::fs::create_dir_all(&c.work)?;
            let machine = report::Machine::now(&inputs);
            let started = std::time::Instant::now();
            let cold = cold::run(
                &c.bin_dir,
                &c.functions,
                c.starts,
                &c.work,
                Some(&c.lambda_dir),
            )
            .await?;
            let cold_s = started.elapsed().as_secs_f64();
            let started = std::time::Instant::now();
            let warm = warm::run(&c.bin_dir.join("stva-dev"), &c.work, c.quick).await?;
            let warm_s = started.elapsed().as_secs_f64();
            std::fs::write(
                c.work.join("cold.json"),
                serde_json::to_string_pretty(&cold)?,
            )?;
            std::fs::write(
                c.work.join("warm.json"),
                serde_json::to_string_pretty(&warm)?,
            )?;
            let machine = machine.finish();
            let ok = report::report(&inputs, &machine, &cold, &warm, cold_s, warm_s)?;
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match main_result().await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("stva-bench: {err}");
            ExitCode::FAILURE
        }
    }
}
