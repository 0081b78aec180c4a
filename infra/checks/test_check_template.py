"""Tests of the template checks: the real template passes; broken copies of
it, written to disk and checked through the command line as CI does, fail
with the right message. Run by infra/checks/run.sh (pytest)."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import check_template  # noqa: E402

ROOT = HERE.parents[1]
TEMPLATE = ROOT / "template.yaml"
FUNCTIONS = ROOT / "functions"


@pytest.fixture(scope="module")
def real() -> dict:
    return check_template.load_template(TEMPLATE)


@pytest.fixture
def template(real) -> dict:
    # Plain dicts and lists: the copy is written out as a JSON template.
    return json.loads(json.dumps(real))


def run_cli(tmp_path: Path, template: dict, functions: Path = FUNCTIONS) -> subprocess.CompletedProcess:
    """Writes the (broken) copy to disk and runs the checker's command line
    on it (in this process: loading cfn-lint once keeps the tests fast; the
    first and last tests run it as a separate process, as CI does)."""
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template, indent=1), encoding="utf-8")
    args = ["--template", str(path), "--functions", str(functions)]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = check_template.main(args)
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def assert_caught(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def statements(template: dict, role: str) -> list:
    return template["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]


# ---------------------------------------------------------------- the real one
def test_the_real_template_passes():
    result = subprocess.run(
        [sys.executable, str(HERE / "check_template.py")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "11 functions for 11 crates" in result.stdout


def test_every_crate_is_one_function(real):
    t = check_template.Template(real)
    binaries = sorted(t.binary(f) for f in t.functions().values())
    assert binaries == check_template.function_crates(FUNCTIONS)


def test_the_route_parser_reads_the_real_crates():
    keys = check_template.code_routes(FUNCTIONS / "stock" / "src" / "lib.rs")
    assert "POST /api/vehicles/import" in keys
    assert {"GET /api/vehicles/{id}", "PATCH /api/vehicles/{id}"} <= keys
    assert "PUT /api/accounts/{account_id}/stock-connection" in keys


def test_the_route_parser_reads_axum_and_utoipa_declarations(tmp_path):
    lib = tmp_path / "lib.rs"
    lib.write_text(
        """
pub fn routes() -> Router<Services> {
    Router::new()
        .route("/api/vehicles", get(list).post(create))
        .route(
            "/api/vehicles/import",
            post(import).layer(DefaultBodyLimit::max(MAX_BYTES)),
        )
        .route("/internal/bootstrap-manager", post(bootstrap))
}

#[utoipa::path(
    patch,
    path = "/api/vehicles/{id}",
    tag = "stock",
)]
async fn update() {}
""",
        encoding="utf-8",
    )
    assert check_template.code_routes(lib) == {
        "GET /api/vehicles",
        "POST /api/vehicles",
        "POST /api/vehicles/import",
        "PATCH /api/vehicles/{id}",
    }


# ---------------------------------------------------------------- wildcards
def test_a_wildcard_action_is_caught(tmp_path, template):
    statements(template, "OrdersRole")[1]["Action"] = ["dynamodb:*"]
    assert_caught(run_cli(tmp_path, template), "OrdersRole (orders) [Table]: wildcard action 'dynamodb:*'")


def test_a_partial_wildcard_and_a_star_action_are_caught(tmp_path, template):
    statements(template, "AuthRole")[1]["Action"].append("dynamodb:Get*")
    template["Resources"]["FunctionBasePolicy"]["Properties"]["PolicyDocument"]["Statement"][1]["Action"] = "*"
    assert_caught(run_cli(tmp_path, template), "'dynamodb:Get*'", "FunctionBasePolicy [TokenSecret]: wildcard action '*'")


def test_a_star_resource_that_could_be_named_is_caught(tmp_path, template):
    statements(template, "QuoteRole")[1]["Resource"] = "*"
    assert_caught(run_cli(tmp_path, template), "QuoteRole (quote) [Table]: Resource '*' for dynamodb:GetItem")


def test_an_aws_managed_or_shared_role_is_caught(tmp_path, template):
    resources = template["Resources"]
    resources["AuthRole"]["Properties"]["ManagedPolicyArns"].append(
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    )
    resources["AccountsFunction"]["Properties"]["Role"] = {"Fn::GetAtt": ["QuoteRole", "Arn"]}
    assert_caught(run_cli(tmp_path, template), "AWS-managed policy", "shares role QuoteRole")


def test_deny_statements_may_use_wildcards(tmp_path, template):
    # The buckets' TLS-only Deny uses s3:* on purpose: only Allow is checked.
    assert template["Resources"]["InvoicesBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]["Action"] == "s3:*"
    assert run_cli(tmp_path, template).returncode == 0


# ---------------------------------------------------------------- dead letters
def test_a_scheduled_function_without_a_dead_letter_queue_is_caught(tmp_path, template):
    del template["Resources"]["StatusPollFunction"]["Properties"]["DeadLetterQueue"]
    assert_caught(run_cli(tmp_path, template), "StatusPollFunction: scheduled but no DeadLetterQueue")


def test_a_schedule_without_dead_letter_config_or_retries_is_caught(tmp_path, template):
    hourly = template["Resources"]["StockSyncFunction"]["Properties"]["Events"]["Hourly"]["Properties"]
    del hourly["DeadLetterConfig"]
    del hourly["RetryPolicy"]
    assert_caught(
        run_cli(tmp_path, template),
        "StockSyncFunction.Hourly: schedule without DeadLetterConfig",
        "StockSyncFunction.Hourly: schedule without RetryPolicy",
    )


# ---------------------------------------------------------------- routes
def _drop_routes_of(template: dict, integration: str) -> None:
    resources = template["Resources"]
    for name in [
        n
        for n, r in resources.items()
        if r["Type"] == "AWS::ApiGatewayV2::Route" and f"${{{integration}}}" in json.dumps(r["Properties"]["Target"])
    ]:
        del resources[name]


def test_a_function_without_a_route_is_caught(tmp_path, template):
    _drop_routes_of(template, "QuoteIntegration")
    assert_caught(
        run_cli(tmp_path, template),
        "QuoteFunction: no route and no schedule",
        "QuoteFunction: functions/quote serves 'POST /api/quotes'",
    )


def test_a_route_of_the_code_missing_from_the_template_is_caught(tmp_path, template):
    del template["Resources"]["OrdersExportRoute"]
    assert_caught(run_cli(tmp_path, template), "functions/orders serves 'GET /api/orders/export'")


def test_a_route_declared_twice_or_outside_api_is_caught(tmp_path, template):
    resources = template["Resources"]
    resources["OrdersListTwiceRoute"] = copy.deepcopy(resources["OrdersListRoute"])
    resources["AuthLoginRoute"]["Properties"]["RouteKey"] = "POST /login"
    assert_caught(run_cli(tmp_path, template), "'GET /api/orders' is declared twice", "'POST /login' is outside /api/")


def test_routes_without_an_invoke_permission_are_caught(tmp_path, template):
    del template["Resources"]["AddressBookApiPermission"]
    assert_caught(run_cli(tmp_path, template), "AddressBookFunction: has routes but no lambda:InvokeFunction permission")


# ---------------------------------------------------------------- crates
def _functions_copy(tmp_path: Path) -> Path:
    copy_dir = tmp_path / "functions"
    for manifest in FUNCTIONS.glob("*/Cargo.toml"):
        crate = copy_dir / manifest.parent.name
        (crate / "src").mkdir(parents=True)
        shutil.copy(manifest, crate / "Cargo.toml")
        lib = manifest.parent / "src" / "lib.rs"
        if lib.exists():
            shutil.copy(lib, crate / "src" / "lib.rs")
    return copy_dir


def test_a_crate_missing_from_the_template_is_caught(tmp_path, template):
    functions = _functions_copy(tmp_path)
    (functions / "price-alerts").mkdir()
    (functions / "price-alerts" / "Cargo.toml").write_text('[package]\nname = "price-alerts"\n')
    assert_caught(run_cli(tmp_path, template, functions), "functions/price-alerts: no function of the template builds it")


def test_a_function_removed_from_the_template_is_caught(tmp_path, template):
    del template["Resources"]["AddressBookFunction"]
    assert_caught(run_cli(tmp_path, template), "functions/address-book: no function of the template builds it")


def test_a_crate_built_twice_or_a_function_without_a_crate_is_caught(tmp_path, template):
    resources = template["Resources"]
    resources["QuoteFunction"]["Metadata"]["BuildProperties"]["Binary"] = "orders"
    resources["StockFunction"]["Metadata"]["BuildProperties"]["Binary"] = "inventory"
    assert_caught(
        run_cli(tmp_path, template),
        "functions/orders: built by 2 functions",
        "StockFunction: builds 'inventory', which is no crate of functions/",
        "functions/quote: no function of the template builds it",
    )


def test_x86_or_another_runtime_is_caught(tmp_path, template):
    template["Resources"]["OrdersFunction"]["Properties"]["Architectures"] = ["x86_64"]
    template["Globals"]["Function"]["Runtime"] = "provided.al2"
    assert_caught(run_cli(tmp_path, template), "OrdersFunction: Architectures must be [arm64]", "Runtime must be provided.al2023")


# ---------------------------------------------------------------- alarms
def test_missing_alarms_are_caught(tmp_path, template):
    del template["Resources"]["StockThrottlesAlarm"]
    del template["Resources"]["StockSyncDeadLettersAlarm"]
    assert_caught(
        run_cli(tmp_path, template),
        "StockFunction: no Throttles alarm",
        "StockSyncDeadLetters: dead-letter queue without a depth alarm",
    )


# ---------------------------------------------------------------- all at once, in YAML
def test_a_broken_yaml_copy_is_caught_with_all_its_faults(tmp_path):
    """The issue's broken copy: a wildcard policy, a missing DLQ and a function
    without a route, edited as text in a YAML copy of the real template."""
    text = TEMPLATE.read_text(encoding="utf-8")
    broken = text.replace(
        "Action: [dynamodb:GetItem, dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:BatchGetItem]",
        'Action: ["dynamodb:*"]',
        1,
    )
    start = broken.index("      DeadLetterQueue:\n        Type: SQS\n        TargetArn: !GetAtt StatusPollDeadLetters.Arn\n")
    broken = broken[:start] + broken[start:].replace(
        "      DeadLetterQueue:\n        Type: SQS\n        TargetArn: !GetAtt StatusPollDeadLetters.Arn\n", "", 1
    )
    broken = "\n".join(
        line for line in broken.splitlines() if not line.startswith("  ValidateOrderValidateRoute:")
    ) + "\n"
    assert broken.count("\n") < text.count("\n")
    path = tmp_path / "template.yaml"
    path.write_text(broken, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(HERE / "check_template.py"), "--template", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert_caught(
        result,
        "QuoteRole (quote) [Table]: wildcard action 'dynamodb:*'",
        "StatusPollFunction: scheduled but no DeadLetterQueue",
        "ValidateOrderFunction: no route and no schedule",
    )
