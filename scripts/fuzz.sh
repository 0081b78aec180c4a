#!/usr/bin/env bash
# Runs one fuzz target (fuzz/fuzz_targets/) for a set time:
#   scripts/fuzz.sh TARGET [SECONDS]     (default 60 s)
# Targets: csv_import spidervo_xml radarvo_json feed_presets plate vin.
# With a nightly toolchain, through `cargo +nightly fuzz run` (AddressSanitizer;
# installs cargo-fuzz if missing); else (or with STVA_FUZZ_STABLE=1) the plain
# libFuzzer binary built on the pinned stable toolchain. The corpus is
# fuzz/corpus/TARGET, seeded from shared/tests/fixtures/stock/; a crash is
# written to fuzz/artifacts/TARGET/ and the script fails.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

TARGETS="csv_import spidervo_xml radarvo_json feed_presets plate vin"
target=${1:-}
seconds=${2:-60}
[ -n "$target" ] || die "usage: scripts/fuzz.sh TARGET [SECONDS] (targets: $TARGETS)"
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
