#!/usr/bin/env bash
# Every test of the portal: formatting, lints, unit and property tests, the
# ports' conformance suites against the embedded adapters and against the
# local AWS emulator (moto), the functions' tests and the end-to-end tests.
# Lints the SAM template. Installs what it needs (moto and cfn-lint into
# .venv) and starts and stops moto itself.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_rust
ensure_venv
start_moto

say "cfn-lint template.yaml"
.venv/bin/cfn-lint template.yaml

say "cargo fmt --check"
cargo fmt --all -- --check

say "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

say "cargo build the fuzz targets (fuzz/, stable; scripts/fuzz.sh runs one)"
cargo build --manifest-path fuzz/Cargo.toml --bins --target-dir target

say "cargo test"
cargo test --workspace --locked
