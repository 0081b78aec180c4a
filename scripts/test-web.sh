#!/usr/bin/env bash
# The web frontend's checks: type-check and build, unit tests, then browser tests driving
# Debian chromium against a real stva-dev. Run from the repository root.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

# 1. A browser: Debian's chromium (playwright cannot download one here).
CHROMIUM_BIN=${CHROMIUM_BIN:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM_BIN" ]; then
  echo "==> installing chromium (Debian package)"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium
fi
export CHROMIUM_BIN

# 2. npm dependencies, again only when the lock file changed since the last install.
cd "$ROOT/web"
STAMP=node_modules/.package-lock.sha256
LOCK_SUM=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$LOCK_SUM" ]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund
  echo "$LOCK_SUM" > "$STAMP"
fi

# 3. Type-check, build (web/dist, served by stva-dev) and unit tests.
echo "==> npm run build"
npm run build
echo "==> npm test (unit)"
npm test

# 4. The dev server the browser tests start, then the browser tests.
cd "$ROOT"
echo "==> cargo build --locked -p dev-server"
cargo build --locked -p dev-server
export STVA_DEV_BIN=${STVA_DEV_BIN:-$ROOT/target/debug/stva-dev}
cd "$ROOT/web"
echo "==> npm run test:browser (screenshots in test-artifacts/screenshots)"
npm run test:browser
