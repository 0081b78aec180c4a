#!/usr/bin/env bash
# The whole portal on this machine: API, frontend, embedded storage, local
# mail outbox (/_dev/mail). Extra flags go to stva-dev (see --help), e.g.
# `scripts/run.sh --port 4000` or `scripts/run.sh --backend aws`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_rust
if [ -f web/package.json ]; then
  need npm "install Node.js 20 and npm"
  say "Building the web frontend"
  (cd web && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build)
fi

say "Building and starting stva-dev"
exec cargo run --locked -p dev-server --bin stva-dev -- "$@"
