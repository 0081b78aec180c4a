#!/usr/bin/env bash
# Release build of every Lambda function for AWS (provided.al2023, arm64):
#   scripts/build-lambdas.sh            all of functions/
#   scripts/build-lambdas.sh auth quote only those
# Runs `cargo lambda build --release --arm64 --output-format zip` with
# cargo-lambda and zig from the project's .venv (infra/requirements-dev.txt),
# then prints the size of each target/lambda/<name>/bootstrap.zip and the
# time taken. Not part of scripts/test.sh: a cold build of the eleven
# functions takes tens of minutes on two cores (see docs/deploy.md).
# CARGO_TARGET_DIR is honoured (the zips land in $CARGO_TARGET_DIR/lambda/).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_rust
ensure_venv
# cargo-lambda finds zig through `python3 -m ziglang`: the venv comes first.
export PATH="$ROOT/.venv/bin:$PATH"
# The arm64 standard library for the pinned toolchain (a no-op once there).
if command -v rustup >/dev/null 2>&1; then
  rustup target add aarch64-unknown-linux-gnu >/dev/null
fi

all=()
for manifest in functions/*/Cargo.toml; do
  all+=("$(basename "$(dirname "$manifest")")")
done
if [ $# -gt 0 ]; then
  for name in "$@"; do
    [ -f "functions/$name/Cargo.toml" ] || die "no function crate functions/$name (functions: ${all[*]})"
  done
  names=("$@")
else
  names=("${all[@]}")
fi

# By binary name (= directory name): `-p quote` would be ambiguous with the
# `quote` crate of crates.io.
bins=()
for name in "${names[@]}"; do bins+=(--bin "$name"); done

say "cargo lambda build --release --arm64 (${#names[@]} functions)"
start=$(date +%s)
cargo lambda build --release --arm64 --locked --output-format zip "${bins[@]}"
elapsed=$(( $(date +%s) - start ))

target_dir=${CARGO_TARGET_DIR:-$ROOT/target}
printf '%-16s %12s %12s\n' function "zip (bytes)" "zip (MiB)"
for name in "${names[@]}"; do
  zip="$target_dir/lambda/$name/bootstrap.zip"
  [ -f "$zip" ] || die "missing $zip"
  bytes=$(stat -c %s "$zip")
  printf '%-16s %12s %12s\n' "$name" "$bytes" "$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')"
done
say "built ${#names[@]} functions in ${elapsed} s"
