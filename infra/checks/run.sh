#!/usr/bin/env bash
# The deployment checks, all offline (no AWS account, no Docker):
#   1. cfn-lint template.yaml
#   2. sam validate --lint (the SAM transform, then cfn-lint on its output)
#   3. infra/checks/check_template.py: one function per crate of functions/
#      and back, a route or a schedule for each (and every route its router
#      serves), no wildcard action, a dead-letter queue for each schedule,
#      alarms (see the script's docstring)
#   4. the deployment scripts parse (bash -n; they need AWS to run)
#   5. the tests of those checks (pytest): broken copies of the template
#      (wildcard action, scheduled function without DLQ, function without a
#      route, crate missing from the template...) must fail them; and the
#      test of infra/moto/serve.py (the emulator's transactions serializable).
# Called by scripts/test.sh; runs alone too: `infra/checks/run.sh`.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

ensure_venv
export SAM_CLI_TELEMETRY=0
# sam validate reads a region even offline; no credentials are needed.
export AWS_REGION=${AWS_REGION:-eu-west-3} AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-eu-west-3}

say "cfn-lint template.yaml"
.venv/bin/cfn-lint template.yaml

say "sam validate --lint"
.venv/bin/sam validate --lint --template template.yaml --region "$AWS_REGION"

say "template checks (infra/checks/check_template.py)"
.venv/bin/python infra/checks/check_template.py --template template.yaml --functions functions

say "deployment scripts parse (bash -n)"
for script in infra/*.sh infra/checks/run.sh scripts/build-lambdas.sh; do
  bash -n "$script" || die "$script does not parse"
done

say "tests of the template checks and of the emulator launcher (pytest infra/checks infra/moto)"
.venv/bin/python -m pytest -q -p no:cacheprovider infra/checks infra/moto
