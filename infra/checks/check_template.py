#!/usr/bin/env python3
"""Checks of the SAM template that cfn-lint and `sam validate` do not make.

    python3 infra/checks/check_template.py [--template template.yaml] [--functions functions]

Prints each problem and exits 1, or prints a summary and exits 0. The rules:

1. Every function crate of functions/ (directory = package = binary) is
   built by exactly one AWS::Serverless::Function of the template
   (Metadata.BuildProperties.Binary, BuildMethod rust-cargolambda), and every
   function of the template builds a crate of functions/.
2. Every function is reachable: an HTTP API route (AWS::ApiGatewayV2::Route ->
   Integration -> function) or a schedule; an HTTP function has a
   lambda:InvokeFunction permission for API Gateway; every route that the
   crate declares in functions/<name>/src/lib.rs (axum's
   `.route("/api/...", get(..))` or utoipa's `#[utoipa::path(get, path =
   "/api/...")]`) is a route of that function in the template,
   and no route key is declared twice.
3. Least privilege: no Allow statement of any policy (roles, managed
   policies, SAM `Policies`, bucket, queue and topic policies) has a wildcard
   action (`*`, `s3:*`, `dynamodb:Get*`) or a NotAction; `Resource: "*"` only
   for actions that have no resource-level permissions (X-Ray); each function
   has a role of its own, declared in the template, with no AWS-managed
   policy (their log permissions are on every log group).
4. Every scheduled function has a dead-letter queue twice over: on the
   schedule (EventBridge's DeadLetterConfig, with a RetryPolicy) and on the
   function (DeadLetterQueue, for runs that fail after Lambda's retries).
5. Alarms: every function has an Errors and a Throttles alarm, every
   dead-letter queue a depth alarm.

The template is read with cfn-lint's loader, which understands !Ref, !Sub,
!GetAtt and the other short forms (a JSON template works too).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from cfnlint.decode import cfn_yaml, cfn_json

ROOT = Path(__file__).resolve().parents[2]

FUNCTION = "AWS::Serverless::Function"
ROUTE = "AWS::ApiGatewayV2::Route"
INTEGRATION = "AWS::ApiGatewayV2::Integration"
PERMISSION = "AWS::Lambda::Permission"
ROLE = "AWS::IAM::Role"
ALARM = "AWS::CloudWatch::Alarm"
QUEUE = "AWS::SQS::Queue"

SCHEDULE_EVENTS = {"Schedule", "ScheduleV2"}
HTTP_EVENTS = {"HttpApi", "Api"}
HTTP_METHODS = ("get", "post", "put", "patch", "delete")

# Actions that accept no resource but "*" (the service has no resource-level
# permissions for them).
RESOURCE_STAR_ACTIONS = {
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
}

# Where policy documents live, per resource type.
POLICY_DOCUMENT_PATHS = {
    "AWS::IAM::ManagedPolicy": [("PolicyDocument",)],
    "AWS::IAM::Policy": [("PolicyDocument",)],
    "AWS::S3::BucketPolicy": [("PolicyDocument",)],
    "AWS::SQS::QueuePolicy": [("PolicyDocument",)],
    "AWS::SNS::TopicPolicy": [("PolicyDocument",)],
    "AWS::SecretsManager::ResourcePolicy": [("ResourcePolicy",)],
}


def load_template(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("{"):
        template = cfn_json.load(str(path))
    else:
        template = cfn_yaml.load(str(path))
    if not isinstance(template, dict) or "Resources" not in template:
        raise ValueError(f"{path}: not a CloudFormation template (no Resources)")
    return template


def function_crates(functions_dir: Path) -> list[str]:
    return sorted(p.parent.name for p in functions_dir.glob("*/Cargo.toml"))


def _ref(value) -> str | None:
    """The logical id a value points to: !Ref X, !GetAtt X.Arn, "X"."""
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            if isinstance(target, list):
                return str(target[0])
            return str(target).split(".")[0]
    return None


def _sub_refs(value) -> set[str]:
    """Logical ids named in an !Sub string: ${X} and ${X.Attr}."""
    if isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        text = sub[0] if isinstance(sub, list) else sub
        return {m.split(".")[0] for m in re.findall(r"\$\{([A-Za-z0-9.]+)\}", str(text))}
    return set()


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class Template:
    def __init__(self, template: dict):
        self.raw = template
        self.resources: dict = template.get("Resources", {})
        self.globals: dict = (template.get("Globals") or {}).get("Function") or {}

    def of_type(self, kind: str) -> dict:
        return {k: v for k, v in self.resources.items() if v.get("Type") == kind}

    def functions(self) -> dict:
        return self.of_type(FUNCTION)

    def function_property(self, function: dict, name: str):
        props = function.get("Properties") or {}
        return props[name] if name in props else self.globals.get(name)

    def binary(self, function: dict) -> str | None:
        metadata = function.get("Metadata") or {}
        return (metadata.get("BuildProperties") or {}).get("Binary")

    def events(self, function: dict) -> dict:
        return (function.get("Properties") or {}).get("Events") or {}

    def integration_targets(self) -> dict[str, str]:
        """Integration logical id -> function logical id."""
        out = {}
        for name, res in self.of_type(INTEGRATION).items():
            target = _ref((res.get("Properties") or {}).get("IntegrationUri"))
            if target:
                out[name] = target
        return out

    def api_routes(self) -> dict[str, list[str]]:
        """Function logical id -> the keys ("POST /api/x") of the
        AWS::ApiGatewayV2::Route resources that reach it."""
        integrations = self.integration_targets()
        out: dict[str, list[str]] = {}
        for res in self.of_type(ROUTE).values():
            props = res.get("Properties") or {}
            for integration in _sub_refs(props.get("Target")):
                function = integrations.get(integration)
                if function:
                    out.setdefault(function, []).append(str(props.get("RouteKey")))
        return out

    def routes(self) -> dict[str, list[str]]:
        """Function logical id -> all its route keys (API resources and SAM
        HttpApi/Api events)."""
        out = self.api_routes()
        for name, function in self.functions().items():
            for event in self.events(function).values():
                if event.get("Type") in HTTP_EVENTS:
                    props = event.get("Properties") or {}
                    out.setdefault(name, []).append(
                        f"{str(props.get('Method', 'ANY')).upper()} {props.get('Path')}"
                    )
        return out


# ---------------------------------------------------------------- rule 1
def check_functions_match_crates(t: Template, crates: list[str]) -> list[str]:
    problems = []
    by_binary: dict[str, list[str]] = {}
    for name, function in t.functions().items():
        binary = t.binary(function)
        metadata = function.get("Metadata") or {}
        if not binary:
            problems.append(f"{name}: no Metadata.BuildProperties.Binary (which crate does it build?)")
            continue
        by_binary.setdefault(binary, []).append(name)
        if metadata.get("BuildMethod") != "rust-cargolambda":
            problems.append(f"{name}: BuildMethod must be rust-cargolambda")
        if t.function_property(function, "Runtime") != "provided.al2023":
            problems.append(f"{name}: Runtime must be provided.al2023")
        if t.function_property(function, "Architectures") != ["arm64"]:
            problems.append(f"{name}: Architectures must be [arm64]")
        if binary not in crates:
            problems.append(f"{name}: builds {binary!r}, which is no crate of functions/")
    for crate in crates:
        found = by_binary.get(crate, [])
        if not found:
            problems.append(f"functions/{crate}: no function of the template builds it")
        elif len(found) > 1:
            problems.append(f"functions/{crate}: built by {len(found)} functions ({', '.join(sorted(found))}), expected one")
    return problems


# ---------------------------------------------------------------- rule 2
_ROUTE_CALL = re.compile(r"\.route\(\s*\"(/api/[^\"]*)\"\s*,")
_METHOD = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(HTTP_METHODS) + r")\(")
# `#[utoipa::path(get, path = "/api/...", ...)]` on a handler registered with
# utoipa-axum's `routes!(handler)`.
_UTOIPA_PATH = re.compile(
    r"#\[utoipa::path\(\s*(" + "|".join(HTTP_METHODS) + r")\s*,\s*path\s*=\s*\"(/api/[^\"]*)\""
)


def code_routes(lib_rs: Path) -> set[str]:
    """The route keys a crate declares, e.g. {"GET /api/orders"}: axum's
    `.route("/api/...", get(..).post(..))` and utoipa's
    `#[utoipa::path(get, path = "/api/...")]`."""
    if not lib_rs.exists():
        return set()
    text = lib_rs.read_text(encoding="utf-8")
    keys = {f"{method.upper()} {path}" for method, path in _UTOIPA_PATH.findall(text)}
    for match in _ROUTE_CALL.finditer(text):
        # The rest of the .route(...) call, up to its closing parenthesis.
        depth, i = 1, match.end()
        while i < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        for method in _METHOD.findall(text[match.end() : i]):
            keys.add(f"{method.upper()} {match.group(1)}")
    return keys


def check_reachable(t: Template, functions_dir: Path) -> list[str]:
    problems = []
    routes = t.routes()
    api_routes = t.api_routes()
    permissions = {
        _ref((p.get("Properties") or {}).get("FunctionName"))
        for p in t.of_type(PERMISSION).values()
        if (p.get("Properties") or {}).get("Principal") == "apigateway.amazonaws.com"
    }
    seen: dict[str, str] = {}
    for name, function in t.functions().items():
        function_routes = routes.get(name, [])
        scheduled = any(e.get("Type") in SCHEDULE_EVENTS for e in t.events(function).values())
        if not function_routes and not scheduled:
            problems.append(f"{name}: no route and no schedule: nothing can invoke it")
        # (SAM writes the permission of an HttpApi event itself.)
        if api_routes.get(name) and name not in permissions:
            problems.append(f"{name}: has routes but no lambda:InvokeFunction permission for apigateway.amazonaws.com")
        for key in function_routes:
            if not key.split(" ", 1)[-1].startswith("/api/"):
                problems.append(f"{name}: route {key!r} is outside /api/ (CloudFront forwards only /api/*)")
            if key in seen:
                problems.append(f"route {key!r} is declared twice ({seen[key]}, {name})")
            seen[key] = name
        binary = t.binary(function)
        if binary:
            missing = code_routes(functions_dir / binary / "src" / "lib.rs") - set(function_routes)
            for key in sorted(missing):
                problems.append(f"{name}: functions/{binary} serves {key!r}, which the template does not route to it")
    return problems


# ---------------------------------------------------------------- rule 3
def _statements(document) -> list:
    if not isinstance(document, dict):
        return []
    return _as_list(document.get("Statement"))


def policy_documents(t: Template):
    """(where, statement) for every policy statement of the template."""
    for name, res in t.resources.items():
        kind = res.get("Type")
        props = res.get("Properties") or {}
        if kind == ROLE:
            for policy in _as_list(props.get("Policies")):
                for st in _statements(policy.get("PolicyDocument")):
                    yield f"{name} ({policy.get('PolicyName')})", st
        elif kind in POLICY_DOCUMENT_PATHS:
            for path in POLICY_DOCUMENT_PATHS[kind]:
                doc = props
                for key in path:
                    doc = (doc or {}).get(key)
                for st in _statements(doc):
                    yield name, st
        elif kind == FUNCTION:
            for policy in _as_list(props.get("Policies")):
                if isinstance(policy, dict) and "Statement" in policy:
                    for st in _statements(policy):
                        yield f"{name} (Policies)", st


def check_least_privilege(t: Template) -> list[str]:
    problems = []
    for where, st in policy_documents(t):
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        sid = f" [{st['Sid']}]" if st.get("Sid") else ""
        if "NotAction" in st:
            problems.append(f"{where}{sid}: Allow with NotAction grants everything else")
        actions = [str(a) for a in _as_list(st.get("Action"))]
        for action in actions:
            if "*" in action:
                problems.append(f"{where}{sid}: wildcard action {action!r}")
        resources = _as_list(st.get("Resource"))
        if "*" in resources:
            broad = [a for a in actions if a not in RESOURCE_STAR_ACTIONS]
            if broad:
                problems.append(f"{where}{sid}: Resource '*' for {', '.join(broad)}, which can be given a named resource")
        if "NotResource" in st:
            problems.append(f"{where}{sid}: Allow with NotResource")
    roles: dict[str, str] = {}
    for name, function in t.functions().items():
        props = function.get("Properties") or {}
        role = _ref(props.get("Role"))
        if not role or t.resources.get(role, {}).get("Type") != ROLE:
            problems.append(f"{name}: needs a Role of its own declared in the template (SAM's generated role carries AWSLambdaBasicExecutionRole, logs on '*')")
            continue
        if role in roles:
            problems.append(f"{name}: shares role {role} with {roles[role]} (one role per function)")
        roles[role] = name
        for arn in _as_list((t.resources[role].get("Properties") or {}).get("ManagedPolicyArns")):
            if isinstance(arn, str) and ":iam::aws:policy/" in arn:
                problems.append(f"{role}: AWS-managed policy {arn} (write the statements it needs instead)")
    return problems


# ---------------------------------------------------------------- rule 4
def check_schedules_have_dead_letters(t: Template) -> list[str]:
    problems = []
    for name, function in t.functions().items():
        schedules = {k: e for k, e in t.events(function).items() if e.get("Type") in SCHEDULE_EVENTS}
        if not schedules:
            continue
        props = function.get("Properties") or {}
        on_failure = (((props.get("EventInvokeConfig") or {}).get("DestinationConfig") or {}).get("OnFailure"))
        if not props.get("DeadLetterQueue") and not on_failure:
            problems.append(f"{name}: scheduled but no DeadLetterQueue: a run that fails after Lambda's retries would be lost")
        for event_name, event in schedules.items():
            event_props = event.get("Properties") or {}
            if not event_props.get("DeadLetterConfig"):
                problems.append(f"{name}.{event_name}: schedule without DeadLetterConfig: an undeliverable event would be lost")
            if not event_props.get("RetryPolicy"):
                problems.append(f"{name}.{event_name}: schedule without RetryPolicy")
    for name, rule in t.of_type("AWS::Events::Rule").items():
        for target in _as_list((rule.get("Properties") or {}).get("Targets")):
            if _ref(target.get("Arn")) in t.functions() and not target.get("DeadLetterConfig"):
                problems.append(f"{name}: rule target without DeadLetterConfig")
    for name, schedule in t.of_type("AWS::Scheduler::Schedule").items():
        target = (schedule.get("Properties") or {}).get("Target") or {}
        if not target.get("DeadLetterConfig"):
            problems.append(f"{name}: schedule target without DeadLetterConfig")
    return problems


# ---------------------------------------------------------------- rule 5
def check_alarms(t: Template) -> list[str]:
    problems = []
    watched: dict[str, set[str]] = {}
    for alarm in t.of_type(ALARM).values():
        props = alarm.get("Properties") or {}
        for dim in _as_list(props.get("Dimensions")):
            target = _ref(dim.get("Value")) if isinstance(dim, dict) else None
            if target:
                watched.setdefault(target, set()).add(str(props.get("MetricName")))
    for name in t.functions():
        for metric in ("Errors", "Throttles"):
            if metric not in watched.get(name, set()):
                problems.append(f"{name}: no {metric} alarm")
    dead_letters = set()
    for function in t.functions().values():
        dlq = (function.get("Properties") or {}).get("DeadLetterQueue") or {}
        target = _ref(dlq.get("TargetArn"))
        if target:
            dead_letters.add(target)
    for queue in sorted(dead_letters):
        if t.resources.get(queue, {}).get("Type") == QUEUE and "ApproximateNumberOfMessagesVisible" not in watched.get(queue, set()):
            problems.append(f"{queue}: dead-letter queue without a depth alarm")
    return problems


def check(template: dict, functions_dir: Path) -> list[str]:
    t = Template(template)
    crates = function_crates(functions_dir)
    return (
        check_functions_match_crates(t, crates)
        + check_reachable(t, functions_dir)
        + check_least_privilege(t)
        + check_schedules_have_dead_letters(t)
        + check_alarms(t)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--template", type=Path, default=ROOT / "template.yaml")
    parser.add_argument("--functions", type=Path, default=ROOT / "functions")
    args = parser.parse_args(argv)
    try:
        template = load_template(args.template)
    except Exception as err:  # a broken file is a failed check, with its reason
        print(f"{args.template}: cannot be read: {err}", file=sys.stderr)
        return 1
    problems = check(template, args.functions)
    if problems:
        for problem in problems:
            print(f"{args.template}: {problem}", file=sys.stderr)
        print(f"{len(problems)} problem(s) in {args.template}", file=sys.stderr)
        return 1
    t = Template(template)
    routes = sum(len(v) for v in t.routes().values())
    print(
        f"{args.template}: {len(t.functions())} functions for {len(function_crates(args.functions))} crates, "
        f"{routes} routes, no wildcard action, every schedule with a dead-letter queue, alarms on all"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
