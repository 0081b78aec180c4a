#!/usr/bin/env bash
# Every test of the portal: the deployment checks (cfn-lint, sam validate
# --lint, the template checks and their tests), formatting, lints, unit and
# property tests, the ports' conformance suites against the embedded
# adapters and against the local AWS emulator (moto), the functions' tests,
# the end-to-end, race, failure-drill and security tests (each function
# confined to its IAM role; then every grant must have been used),
# Schemathesis
# against stva-dev with a manager and a customer, and the web
# frontend's unit and browser tests (Chromium). Installs what it needs
# (moto, cfn-lint, SAM CLI into .venv; Chromium and npm packages) and starts
# and stops moto itself.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_rust
ensure_venv
start_moto

infra/checks/run.sh

say "cargo fmt --check"
cargo fmt --all -- --check

say "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

say "cargo build the fuzz targets (fuzz/, stable; scripts/fuzz.sh runs one)"
cargo build --manifest-path fuzz/Cargo.toml --bins --target-dir target

say "cargo test"
# The confined tests write the IAM grants they use here (shared::testing::iam).
export STVA_IAM_USAGE_DIR="$ROOT/target/iam-usage"
rm -rf "$STVA_IAM_USAGE_DIR"
cargo test --workspace --locked

say "every IAM grant of template.yaml is used by a test (infra/checks/iam_usage.py)"
.venv/bin/python infra/checks/iam_usage.py --template template.yaml --usage "$STVA_IAM_USAGE_DIR"

say "API fuzzing from the OpenAPI document (Schemathesis, 25 examples per operation; scripts/schemathesis.sh 100 for the long run)"
scripts/schemathesis.sh 25

say "web frontend: build, unit and browser tests (scripts/test-web.sh)"
scripts/test-web.sh
