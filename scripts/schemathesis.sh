#!/usr/bin/env bash
# API fuzzing with Schemathesis against a fresh stva-dev (issue #9, item 2).
#
#   scripts/schemathesis.sh [EXAMPLES]     (default 100 examples per operation)
#
# Builds and starts target/debug/stva-dev on a free port with an empty data
# folder, seeds an account through the API (a stock connection, a group
# user, a member, two addresses, two vehicles, one quoted order), then
# runs every Schemathesis phase (examples, coverage, fuzzing, stateful)
# with every check it offers
# (`--checks all`: server errors, status codes, content types, response
# schemas and headers, negative data rejection, positive data acceptance,
# ignored auth, missing headers, unsupported methods, use after free, ...)
# once as the manager and once as the customer (the group user). Exits
# non-zero on any failure; prints operations, examples and failures per role.
# A bounded run (e.g. for the test command): `scripts/schemathesis.sh 25`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

EXAMPLES=${1:-100}
[[ "$EXAMPLES" =~ ^[1-9][0-9]*$ ]] || die "EXAMPLES must be a positive integer (got $EXAMPLES)"

ensure_rust
ensure_venv
[ -x .venv/bin/schemathesis ] || .venv/bin/pip install --quiet --disable-pip-version-check \
  "$(grep '^schemathesis==' infra/requirements-dev.txt)"

say "Building stva-dev"
cargo build --quiet -p dev-server --bin stva-dev

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stva-schemathesis.XXXXXX")
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
MANAGER_EMAIL=fuzz.manager@stva.test
MANAGER_PASSWORD=Convoyeur-Rouge-Matin-2026
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK/data"
}
trap cleanup EXIT

say "Starting stva-dev on $BASE (data in $WORK/data, log $WORK/server.log)"
STVA_BOOTSTRAP_MANAGER_EMAIL=$MANAGER_EMAIL STVA_BOOTSTRAP_MANAGER_PASSWORD=$MANAGER_PASSWORD \
  target/debug/stva-dev --port "$PORT" --data-dir "$WORK/data" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 150); do
  curl -fs "$BASE/api/health" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || die "stva-dev exited: $(cat "$WORK/server.log")"
  sleep 0.2
done
curl -fs "$BASE/api/health" >/dev/null || die "stva-dev did not answer (see $WORK/server.log)"

# Seeding, through the API only. Each user signs in once (the manager) or
# gets its token from the invitation (the customer): no failed sign-in, so
# the per-e-mail throttle (429 after 5 failures) never touches the two
# users whose tokens the run relies on. Tokens last 60 minutes, far longer
# than a run.
say "Seeding an account, users, addresses, vehicles and an order"
.venv/bin/python - "$BASE" "$MANAGER_EMAIL" "$MANAGER_PASSWORD" >"$WORK/seed.env" <<'PY'
import json, re, sys, urllib.error, urllib.parse, urllib.request

base, email, password = sys.argv[1:4]

def call(method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req) as r:
            status, text = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    if status >= 300:
        sys.exit(f"seed: {method} {path} answered {status}: {text}")
    return json.loads(text) if text else None

def accept(invitee):
    mail = next(m for m in call("GET", "/_dev/mail") if invitee in json.dumps(m["to"]))
    token = re.search(r"/invitation\?token=([^\"'&<\s]+)", mail["text"] + mail["html"]).group(1)
    return call("POST", "/api/auth/invitations/accept", {
        "token": urllib.parse.unquote(token), "name": "Paul Fuzz",
        "password": "Camion-Plateau-Vert-77"})

manager = call("POST", "/api/auth/login", {"email": email, "password": password})["token"]
account = call("POST", "/api/accounts", {"name": "Garage Fuzz"}, manager)["id"]
# A stock connection, so that the stock routes reach their logic: RadarVO on
# 127.0.0.1:9, where nothing listens, so a sync fails at once and never
# leaves the machine.
call("PUT", f"/api/accounts/{account}/stock-connection", {
    "provider": "radarvo",
    "settings": {"base_url": "http://127.0.0.1:9", "api_key": "fuzz-key"}}, manager)
call("POST", f"/api/accounts/{account}/users",
     {"email": "chef@garage-fuzz.fr", "name": "Chef", "role": "group"}, manager)
customer = accept("chef@garage-fuzz.fr")["token"]
member = call("POST", f"/api/accounts/{account}/users",
              {"email": "vendeur@garage-fuzz.fr", "name": "Vendeur", "role": "member"},
              customer)["id"]

def address(label, postal_code, city):
    return call("POST", "/api/addresses", {
        "label": label, "street": "12 rue de la Gare", "postal_code": postal_code,
        "city": city, "contact_name": "Jean Martin", "contact_phone": "0601020304"},
        customer)["id"]

pickup = address("Atelier", "69007", "Lyon")
delivery = address("Client", "75011", "Paris")
vehicles = [call("POST", "/api/vehicles", {"make": "Renault", "model": "Clio", "plate": p}, customer)
            for p in ("AB-123-CD", "EF-456-GH")]
first = vehicles[0]
order = call("POST", "/api/quotes", {
    "vehicles": [{k: first[k] for k in ("make", "model", "plate")} | {"vehicle_id": first["id"]}],
    "pickup_address_id": pickup, "delivery_address_id": delivery}, customer)["id"]
for key, value in dict(MANAGER_TOKEN=manager, CUSTOMER_TOKEN=customer, ACCOUNT_ID=account,
                       MEMBER_ID=member, PICKUP_ID=pickup, DELIVERY_ID=delivery,
                       VEHICLE_ID=vehicles[1]["id"], ORDER_ID=order).items():
    print(f"{key}={value}")
PY
# shellcheck disable=SC1091
source "$WORK/seed.env"

# The seeded ids, offered to the generator for 80% of the path ids (and of
# `?account_id=`), so that most cases reach the handlers' logic instead of
# a 404; the other 20% stay random (unknown ids must answer 404, never 5xx).
cat >"$WORK/schemathesis.toml" <<EOF
[dictionaries.accounts]
values = ["$ACCOUNT_ID"]
[dictionaries.users]
values = ["$MEMBER_ID"]
[dictionaries.ids]
values = ["$PICKUP_ID", "$DELIVERY_ID", "$VEHICLE_ID", "$ORDER_ID"]

[parameters]
"path.account_id" = { dictionary = "accounts", probability = 0.8 }
"query.account_id" = { dictionary = "accounts", probability = 0.8 }
"path.user_id" = { dictionary = "users", probability = 0.8 }
"path.id" = { dictionary = "ids", probability = 0.8 }

# False positives of "schema-valid request rejected" (positive data
# acceptance): the schema gives field types, but the business rules behind
# them (a 5-digit French postal code, a strong password, a real e-mail
# address, an unknown or tampered cursor, a link token that was never
# issued, a quote on a vehicle that is already reserved) cannot all be said
# in JSON Schema. The server answers them with its documented problems
# (400 malformed/invalid_cursor/link_invalid, 409, 410 link_*, 422
# validation_failed), which the schema lists per operation; the status code
# and response schema checks still hold them to the document.
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "410", "422", "429"]
EOF

# Left out of the fuzzing, and why:
# - POST /api/auth/logout ends every session of the signed-in user: the
#   token the rest of the run relies on would die with it (the e2e tests
#   cover sign-out).
# The other state-changing operations stay in: disabling a user only ever
# reaches the seeded member (the user ids offered are the member's; a user
# cannot disable itself, 409), cancelling the seeded order or refreshing a
# token does not end the run's sessions.
EXCLUDE=(--exclude-path /api/auth/logout)

run_role() {
  local role=$1 token=$2
  say "Schemathesis as the $role ($EXAMPLES examples per operation)"
  local rc=0
  # One worker: with two threads, Hypothesis may run `ast.parse` in both at
  # once, and CPython 3.11 (here 3.11.7) then fails spuriously with "AST
  # constructor recursion depth mismatch" (python/cpython#106905): a crash
  # of the tool, not of the API, that failed a CI run.
  .venv/bin/schemathesis --config-file "$WORK/schemathesis.toml" run "$BASE/api/openapi.json" \
    --url "$BASE" -H "Authorization: Bearer $token" \
    --checks all --max-examples "$EXAMPLES" --workers 1 --no-color \
    "${EXCLUDE[@]}" \
    --report json --report-json-path "$WORK/$role.json" \
    >"$WORK/$role.txt" 2>&1 || rc=$?
  .venv/bin/python - "$role" "$WORK/$role.json" "$WORK/$role.txt" "$rc" <<'PY' || true
import json, re, sys
role, report, text, rc = sys.argv[1], sys.argv[2], open(sys.argv[3]).read(), sys.argv[4]
tested = re.search(r"Tested: (\d+)", text)
cases = re.search(r"(\d+) generated, (?:(\d+) found )?", text)
failures = re.search(r"(\d+) failures?", text.split("SUMMARY")[-1])
print(f"{role}: operations {tested.group(1) if tested else '?'}, "
      f"examples {cases.group(1) if cases else '?'}, "
      f"failures {failures.group(1) if failures else 0} (exit {rc})")
PY
  if [ "$rc" -ne 0 ]; then
    sed -n '/FAILURES\|ERRORS/,$p' "$WORK/$role.txt" >&2
  fi
  return "$rc"
}

status=0
SECONDS=0
# The customer first: the manager's run may cancel the seeded order.
run_role customer "$CUSTOMER_TOKEN" | tee -a "$WORK/counts.txt" || status=1
run_role manager "$MANAGER_TOKEN" | tee -a "$WORK/counts.txt" || status=1
say "Schemathesis took ${SECONDS}s; outputs and reports in $WORK"
cat "$WORK/counts.txt"
[ "$status" -eq 0 ] || die "Schemathesis found failures (see above and $WORK)"
say "Schemathesis: no failure"
