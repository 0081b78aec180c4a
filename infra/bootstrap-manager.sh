#!/usr/bin/env bash
# Invites the first manager of a deployed portal, by e-mail:
#   infra/bootstrap-manager.sh --stack stva-prod --email direction@stva.fr --name "Hélène Roux" [--region eu-west-3]
#
# No password travels through a variable or a command line: the function
# sends the usual invitation e-mail (valid 72 hours), whose link lets the
# manager choose a password; that manager then invites the others from the
# portal. It works once: as soon as the portal has a manager (invited or
# active) the function answers 409 manager_exists.
#
# How: a direct `aws lambda invoke` of the stack's user-invite function with
# events/user-invite/bootstrap-manager.json (POST /internal/bootstrap-manager),
# a path the HTTP API does not route. Needs the AWS CLI v2 and credentials
# allowed cloudformation:DescribeStacks on the stack and
# lambda:InvokeFunction on that function (an administrator's, once).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() { printf 'error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

stack="" email="" name="" region=${AWS_REGION:-${AWS_DEFAULT_REGION:-eu-west-3}}
while [ $# -gt 0 ]; do
  case $1 in
    --stack) stack=${2:-}; shift 2 ;;
    --email) email=${2:-}; shift 2 ;;
    --name) name=${2:-}; shift 2 ;;
    --region) region=${2:-}; shift 2 ;;
    -h|--help) usage ;;
    *) die "unknown argument $1" ;;
  esac
done
[ -n "$stack" ] && [ -n "$email" ] && [ -n "$name" ] || usage
command -v aws >/dev/null || die "the AWS CLI v2 is required (https://docs.aws.amazon.com/cli/)"
command -v python3 >/dev/null || die "python3 is required"

function_name=$(aws cloudformation describe-stacks --region "$region" --stack-name "$stack" \
  --query "Stacks[0].Outputs[?OutputKey=='UserInviteFunctionName'].OutputValue" --output text)
[ -n "$function_name" ] && [ "$function_name" != None ] || die "stack $stack has no UserInviteFunctionName output"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The event, its {{email}} and {{name}} filled (JSON-escaped twice: the body
# is a JSON string inside the JSON event).
EMAIL=$email NAME=$name python3 - "$ROOT/events/user-invite/bootstrap-manager.json" >"$work/event.json" <<'PY'
import json, os, sys
event = json.load(open(sys.argv[1], encoding="utf-8"))
event["body"] = json.dumps({"email": os.environ["EMAIL"], "name": os.environ["NAME"]}, ensure_ascii=False)
print(json.dumps(event, ensure_ascii=False))
PY

echo "Inviting $email as the first manager through $function_name ($region)..." >&2
aws lambda invoke --region "$region" --function-name "$function_name" \
  --cli-binary-format raw-in-base64-out --payload "fileb://$work/event.json" \
  "$work/answer.json" >"$work/invoke.json"

python3 - "$work/answer.json" "$work/invoke.json" <<'PY'
import json, sys
answer = json.load(open(sys.argv[1], encoding="utf-8"))
invoke = json.load(open(sys.argv[2], encoding="utf-8"))
if invoke.get("FunctionError"):
    sys.exit(f"the function failed: {answer}")
status = answer.get("statusCode")
body = answer.get("body") or ""
try:
    body = json.loads(body)
except ValueError:
    pass
if status == 201:
    print(f"Invitation sent to {body['email']} (manager {body['id']}); the link is valid 72 hours.")
elif status == 409 and isinstance(body, dict) and body.get("code") == "manager_exists":
    sys.exit("The portal already has a manager: sign in as that manager and invite from the portal.")
else:
    sys.exit(f"unexpected answer {status}: {json.dumps(body, ensure_ascii=False)}")
PY
