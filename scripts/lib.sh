# Shared by the scripts: the project root, messages, and idempotent installs.
# Each install step checks before it acts, so a second run costs seconds.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required: $2"; }

# Rust: the toolchain pinned by rust-toolchain.toml, through rustup.
ensure_rust() {
  need cargo "install Rust with rustup (https://rustup.rs)"
  cargo --version >/dev/null || die "the pinned Rust toolchain is not installed (rustup toolchain install)"
}

# Python tools (moto ...) in the project's own virtual environment.
ensure_venv() {
  local stamp=.venv/.requirements-dev.txt
  if [ -x .venv/bin/python ] && cmp -s infra/requirements-dev.txt "$stamp"; then
    return
  fi
  need python3 "install Python 3.11 or newer"
  say "Installing Python tools into .venv (moto, cfn-lint, SAM CLI, pytest, cargo-lambda)"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r infra/requirements-dev.txt
  cp infra/requirements-dev.txt "$stamp"
}

# A free TCP port on loopback.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Starts moto on a free port, exports STVA_TEST_MOTO_URL, stops it on exit.
# infra/moto/serve.py is moto answering one request at a time, so that its
# transactions are serializable like DynamoDB's (see its docstring).
start_moto() {
  local port
  port=$(free_port)
  .venv/bin/python infra/moto/serve.py -H 127.0.0.1 -p "$port" >"${TMPDIR:-/tmp}/stva-moto-$port.log" 2>&1 &
  MOTO_PID=$!
  trap 'kill "$MOTO_PID" 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    if python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$port)))" 2>/dev/null; then
      export STVA_TEST_MOTO_URL="http://127.0.0.1:$port"
      say "moto listening on $STVA_TEST_MOTO_URL"
      return
    fi
    sleep 0.1
  done
  die "moto did not start (see ${TMPDIR:-/tmp}/stva-moto-$port.log)"
}
