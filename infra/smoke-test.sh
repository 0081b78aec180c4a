#!/usr/bin/env bash
# Smoke test of a deployed portal, from outside, with curl only:
#   infra/smoke-test.sh https://portail.stva.fr
#   SMOKE_EMAIL=... SMOKE_PASSWORD=... infra/smoke-test.sh https://dxxxx.cloudfront.net
#
# Checks: the site (index.html, a deep link served by the SPA rewrite,
# security headers, http -> https), the API through the same origin
# (/api/health, /api/openapi.json, problem+json 401 and 404 that CloudFront
# passes through untouched, a failed sign-in), and, with SMOKE_EMAIL and
# SMOKE_PASSWORD in the environment (never on the command line), a real
# sign-in: the session cookie is HttpOnly, SameSite=Strict and Secure, and
# /api/me answers with it. Read-only apart from that sign-in. It needs a
# deployed stack (docs/deploy.md), so it cannot run on a machine without AWS;
# against the local dev server (http://127.0.0.1:3000) the https-only checks
# are skipped.
set -uo pipefail

base=${1:-}
[ -n "$base" ] || { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
base=${base%/}
command -v curl >/dev/null || { echo "curl is required" >&2; exit 2; }

passed=0 failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ok() { passed=$((passed + 1)); printf '  ok    %s\n' "$1"; }
ko() { failed=$((failed + 1)); printf '  FAIL  %s\n' "$1"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else ko "$what"; fi; }

# fetch NAME METHOD PATH [curl args...]: status in $work/NAME.status, headers
# in $work/NAME.headers, body in $work/NAME.body.
fetch() {
  local name=$1 method=$2 path=$3; shift 3
  curl -sS --max-time 30 -X "$method" -o "$work/$name.body" -D "$work/$name.headers" \
    -w '%{http_code}' "$@" "$base$path" >"$work/$name.status" 2>"$work/$name.err" || true
}
status_is() { [ "$(cat "$work/$1.status")" = "$2" ]; }
header_has() { grep -qi "^$2:.*$3" "$work/$1.headers" 2>/dev/null; }
body_has() { grep -q -- "$2" "$work/$1.body" 2>/dev/null; }

echo "Smoke test of $base"

fetch home GET /
check "GET / answers 200 text/html" status_is home 200
check "GET / is the portal's index.html" body_has home '<div id='
fetch deep GET /commandes/smoke-test
check "a deep link (/commandes/...) serves index.html" status_is deep 200
check "a deep link is html" header_has deep content-type text/html

fetch health GET /api/health
check "GET /api/health answers 200" status_is health 200
fetch openapi GET /api/openapi.json
check "GET /api/openapi.json answers 200" status_is openapi 200
check "the OpenAPI document names its version" body_has openapi '"openapi"'

fetch me GET /api/me
check "GET /api/me without a session answers 401" status_is me 401
check "... as application/problem+json" header_has me content-type application/problem+json
check "... with code not_authenticated" body_has me not_authenticated

fetch missing GET /api/smoke-test-no-such-route
check "an unknown /api route answers 404 (not index.html)" status_is missing 404
check "... as application/problem+json" header_has missing content-type application/problem+json

fetch login_bad POST /api/auth/login -H 'content-type: application/json' \
  --data '{"email":"smoke-test@invalid.stva.fr","password":"not-the-password-123"}'
check "a wrong sign-in answers 401" status_is login_bad 401

if [[ $base == https://* ]]; then
  check "the site sends Strict-Transport-Security" header_has home strict-transport-security max-age
  check "the site sends X-Content-Type-Options" header_has home x-content-type-options nosniff
  plain="http://${base#https://}"
  code=$(curl -sS --max-time 30 -o /dev/null -w '%{http_code}' "$plain/" 2>/dev/null || true)
  if [ "$code" = 301 ] || [ "$code" = 302 ] || [ "$code" = 307 ] || [ "$code" = 308 ]; then
    ok "http:// redirects to https:// ($code)"
  else
    ko "http:// redirects to https:// (got $code)"
  fi
fi

if [ -n "${SMOKE_EMAIL:-}" ] && [ -n "${SMOKE_PASSWORD:-}" ]; then
  # The credentials go through a file, not curl's command line (ps).
  EMAIL=$SMOKE_EMAIL PASSWORD=$SMOKE_PASSWORD python3 -c \
    'import json,os; print(json.dumps({"email": os.environ["EMAIL"], "password": os.environ["PASSWORD"]}))' \
    >"$work/credentials.json"
  fetch login POST /api/auth/login -H 'content-type: application/json' --data "@$work/credentials.json" \
    -c "$work/cookies.txt"
  check "sign-in with SMOKE_EMAIL answers 200" status_is login 200
  check "the session cookie is HttpOnly" header_has login set-cookie HttpOnly
  check "the session cookie is SameSite=Strict" header_has login set-cookie SameSite=Strict
  if [[ $base == https://* ]]; then
    check "the session cookie is Secure" header_has login set-cookie Secure
  fi
  fetch me_signed GET /api/me -b "$work/cookies.txt"
  check "GET /api/me with the cookie answers 200" status_is me_signed 200
  fetch logout POST /api/auth/logout -b "$work/cookies.txt"
  check "sign-out answers 204" status_is logout 204
else
  echo "  (set SMOKE_EMAIL and SMOKE_PASSWORD to check a real sign-in)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
