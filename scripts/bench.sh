#!/usr/bin/env bash
# The performance benchmark (issue #8), separate from the tests; it takes
# minutes (tens on a cold target folder: release builds with LTO).
#   scripts/bench.sh
# 1. builds the release binaries once: every function, stva-dev, the
#    hello-world floor and the driver (infra/bench);
# 2. runs the stock-sync bench (embedded store and DynamoDB on moto) and the
#    status-poll bench, keeping their tables;
# 3. measures the cold starts (local Lambda Runtime API stand-in, >= 20
#    starts each) and the warm API on stva-dev at 1 and 32 clients;
# 4. prints the tables, checks the budgets and writes docs/performance.md
#    (between its bench markers). Exits non-zero when a budget is broken.
# Environment: STVA_BENCH_STARTS (cold starts per binary, default 20),
# STVA_BENCH_PROFILE (cargo profile, default release),
# STVA_BENCH_MOTO_VEHICLES (vehicles of the DynamoDB part, default 10,000),
# STVA_BENCH_SKIP_BENCHES=1 (reuse the last stock-sync/status-poll outputs),
# STVA_BENCH_QUICK=1 (a tenth of the warm requests: a smoke run),
# STVA_BENCH_BENCH_PROFILE (profile of the two cargo benches, default: cargo's
# `bench`, i.e. release; `dev` skips their LTO builds, the counts are alike),
# STVA_BENCH_SKIP_BUILD=1 (measure the binaries already in target/PROFILE).
# Everything runs on 127.0.0.1; nothing leaves the machine.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_rust
ensure_venv
need python3 "install Python 3.11 or newer"

profile=${STVA_BENCH_PROFILE:-release}
starts=${STVA_BENCH_STARTS:-20}
target_dir=${CARGO_TARGET_DIR:-$ROOT/target}
bin_dir="$target_dir/$profile"
work="$target_dir/bench"
mkdir -p "$work"
run_start=$(date +%s)

functions=()
for manifest in functions/*/Cargo.toml; do
  functions+=("$(basename "$(dirname "$manifest")")")
done
bins=()
for name in "${functions[@]}" stva-dev hello stva-bench; do bins+=(--bin "$name"); done

# 1. One build of every binary (by binary name: `-p quote` would be ambiguous).
bench_profile=()
if [ -n "${STVA_BENCH_BENCH_PROFILE:-}" ]; then bench_profile=(--profile "$STVA_BENCH_BENCH_PROFILE"); fi
start=$(date +%s)
if [ "${STVA_BENCH_SKIP_BUILD:-0}" = 1 ]; then
  say "STVA_BENCH_SKIP_BUILD=1: measuring the binaries already in $bin_dir"
else
  say "cargo build --profile $profile (${#functions[@]} functions, stva-dev, hello, stva-bench)"
  cargo build --profile "$profile" "${bins[@]}"
fi
if [ "${STVA_BENCH_SKIP_BENCHES:-0}" != 1 ]; then
  cargo bench --no-run "${bench_profile[@]}" -p stock-sync --bench stock_sync
  cargo bench --no-run "${bench_profile[@]}" -p erp-simulator --bench status_poll
fi
build_seconds=$(( $(date +%s) - start ))

# 2. The stock-sync and status-poll benches (their own checks, their tables).
run_bench() { # name, then the cargo arguments
  local name=$1; shift
  local out="$work/$name.md" started code
  say "cargo bench $* (output in $out)"
  started=$(date +%s)
  set +e
  cargo bench "$@" >"$out" 2> >(tee "$work/$name.log" >&2)
  code=$?
  set -e
  printf -v "${name//-/_}_exit" '%s' "$code"
  printf -v "${name//-/_}_seconds" '%s' "$(( $(date +%s) - started ))"
}
stock_sync_exit=-1; stock_sync_seconds=0; status_poll_exit=-1; status_poll_seconds=0
if [ "${STVA_BENCH_SKIP_BENCHES:-0}" = 1 ]; then
  say "STVA_BENCH_SKIP_BENCHES=1: reusing $work/stock-sync.md and $work/status-poll.md"
  [ -f "$work/stock-sync.md" ] && stock_sync_exit=0
  [ -f "$work/status-poll.md" ] && status_poll_exit=0
else
  if [ -z "${STVA_TEST_MOTO_URL:-}" ]; then start_moto; fi
  run_bench stock-sync "${bench_profile[@]}" -p stock-sync --bench stock_sync
  run_bench status-poll "${bench_profile[@]}" -p erp-simulator --bench status_poll
fi

# 3 and 4. Cold starts, warm API, budgets, the doc.
say "stva-bench run: cold starts ($starts each), warm API"
quick=()
if [ "${STVA_BENCH_QUICK:-0}" = 1 ]; then quick=(--quick); fi
function_list=$(IFS=,; echo "${functions[*]}")
cmdline="scripts/bench.sh"
for v in STVA_BENCH_STARTS STVA_BENCH_PROFILE STVA_BENCH_MOTO_VEHICLES STVA_BENCH_QUICK \
         STVA_BENCH_BENCH_PROFILE STVA_BENCH_SKIP_BUILD STVA_BENCH_SKIP_BENCHES; do
  if [ -n "${!v:-}" ]; then cmdline="$v=${!v} $cmdline"; fi
done
set +e
"$bin_dir/stva-bench" run \
  --bin-dir "$bin_dir" --work "$work" --lambda-dir "$target_dir/lambda" \
  --functions "$function_list" --starts "$starts" "${quick[@]}" \
  --stock-sync "$work/stock-sync.md" --stock-sync-exit "$stock_sync_exit" \
  --stock-sync-seconds "$stock_sync_seconds" \
  --status-poll "$work/status-poll.md" --status-poll-exit "$status_poll_exit" \
  --status-poll-seconds "$status_poll_seconds" \
  --build-seconds "$build_seconds" --profile "$profile" \
  --bench-profile "${STVA_BENCH_BENCH_PROFILE:-bench}" --command-line "$cmdline" \
  --rustc "$(rustc --version)" --doc docs/performance.md
code=$?
set -e
say "bench finished in $(( $(date +%s) - run_start )) s (exit $code)"
exit "$code"
