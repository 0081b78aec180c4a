#!/usr/bin/env bash
# Runs one fuzz target (fuzz/fuzz_targets/) for a set time:
#   scripts/fuzz.sh TARGET [SECONDS]     (default 60 s)
#   scripts/fuzz.sh all [SECONDS]        (each target in turn)
# Targets: csv_import spidervo_xml radarvo_json feed_presets plate vin
# erp_answers session_token request_bodies.
# With a nightly toolchain, through `cargo +nightly fuzz run` (AddressSanitizer;
# installs cargo-fuzz if missing); else (or with STVA_FUZZ_STABLE=1) the plain
# libFuzzer binary built on the pinned stable toolchain. The corpus is
# fuzz/corpus/TARGET, seeded from shared/tests/fixtures/stock/; a crash is
# written to fuzz/artifacts/TARGET/ and the script fails.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

TARGETS="csv_import spidervo_xml radarvo_json feed_presets plate vin erp_answers session_token request_bodies"
target=${1:-}
seconds=${2:-60}
[ -n "$target" ] || die "usage: scripts/fuzz.sh TARGET|all [SECONDS] (targets: $TARGETS)"
if [ "$target" = all ]; then
  for t in $TARGETS; do "$0" "$t" "$seconds"; done
  exit 0
fi
case " $TARGETS " in *" $target "*) ;; *) die "unknown target $target (targets: $TARGETS)" ;; esac
[[ "$seconds" =~ ^[0-9]+$ ]] || die "SECONDS must be a whole number"

ensure_rust

# The seeds: the stock fixtures each parser reads, and typed plates/VINs.
corpus=fuzz/corpus/$target
mkdir -p "$corpus" "fuzz/artifacts/$target"
fixtures=shared/tests/fixtures/stock
seed() { for f in "$@"; do [ -f "$f" ] && cp "$f" "$corpus/fixture-$(basename "$f")"; done; true; }
case $target in
  csv_import) seed "$fixtures"/*.csv ;;
  spidervo_xml) seed "$fixtures"/spidervo*.xml ;;
  radarvo_json) seed "$fixtures"/radarvo*.json ;;
  feed_presets) seed "$fixtures"/*.csv "$fixtures"/*.xml ;;
  plate)
    for p in "AB-123-CD" "ab 123 cd" "1234 AB 56" "123 ABC 75" "W-123-AB" "AB–123–CD"; do
      printf '%s' "$p" >"$corpus/fixture-$(printf '%s' "$p" | sha256sum | cut -c1-12)"
    done ;;
  erp_answers)
    seed infra/erp-simulator/tests/fixtures/*.json docs/erp-examples/*.json
    printf '\001{"estimate_id":"E1","amount_excl_tax_cents":100,"vat_cents":20,"amount_incl_tax_cents":120,"currency":"EUR","valid_until":"2026-12-01T00:00:00Z","distance_km":12}' >"$corpus/fixture-estimate"
    printf '\000{"changes":[{"erp_order_id":"O1","reference":"R1","status":"confirmed","at":"2026-12-01T00:00:00Z"}],"cursor":"c1","has_more":false}' >"$corpus/fixture-changes" ;;
  session_token)
    printf '%s' "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1MSJ9.c2ln" >"$corpus/fixture-jwt" ;;
  request_bodies)
    printf '%s' '{"label":"Dépôt","street":"12 rue","postal_code":"69002","city":"Lyon"}' >"$corpus/fixture-address"
    printf '%s' '{"vehicles":[{"vehicle_id":"v1","make":"Peugeot","model":"308","plate":"AB-123-CD"}],"pickup_address_id":"a","delivery_address_id":"b"}' >"$corpus/fixture-quote" ;;
  vin)
    for v in "VF1RFB00X12345678" "wvwzzz1jzxw000001" "1M8GDM9AXKP042788" "VF1 AB000123456789"; do
      printf '%s' "$v" >"$corpus/fixture-$(printf '%s' "$v" | sha256sum | cut -c1-12)"
    done ;;
esac

if [ "${STVA_FUZZ_STABLE:-0}" != 1 ] && rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  if ! cargo fuzz --version >/dev/null 2>&1; then
    say "Installing cargo-fuzz"
    cargo install cargo-fuzz --locked
  fi
  say "cargo +nightly fuzz run $target for ${seconds}s"
  exec cargo +nightly fuzz run "$target" "$corpus" -- \
    -max_total_time="$seconds" -artifact_prefix="fuzz/artifacts/$target/"
fi

# Stable: no sanitizer, but the same coverage instrumentation as cargo-fuzz
# (stable -C flags), so libFuzzer is guided. --target keeps these objects
# apart from the plain build of scripts/test.sh and the flags off build scripts.
host=$(rustc -vV | sed -n 's/^host: //p')
say "Building $target (stable, coverage-instrumented, no sanitizer)"
RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing" \
  cargo build --manifest-path fuzz/Cargo.toml --target "$host" --bin "$target"
say "Fuzzing $target for ${seconds}s (libFuzzer binary)"
exec "fuzz/target/$host/debug/$target" "$corpus" \
  -max_total_time="$seconds" -artifact_prefix="fuzz/artifacts/$target/"
