"""Every grant of a function's role is used by a test.

The other half of least privilege. `shared::testing::iam` confines each
function's code in its tests to its role in template.yaml: a call the role
does not allow fails the test. While doing so it writes each grant it saw
used (role, action, resource, tab-separated, one file per test process) to
the folder named by STVA_IAM_USAGE_DIR. The test command sets that folder,
runs `cargo test`, then this. A grant that no test used is either not
needed (remove it from the template) or on a path no test takes (write
the test). Only the actions the confinement models are compared: DynamoDB,
S3 and SES.

    iam_usage.py --template template.yaml --usage target/iam-usage
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from check_template import ROLE, Template, _as_list, _ref, _statements, load_template

MODELLED = ("dynamodb:", "s3:", "ses:")


def resource_text(value) -> str:
    """A Resource as the Rust side reads it once YAML tags are dropped:
    `!GetAtt Table.Arn` is "Table.Arn", `!Sub "..."` its string."""
    if isinstance(value, dict):
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            return ".".join(target) if isinstance(target, list) else str(target)
        if "Fn::Sub" in value:
            sub = value["Fn::Sub"]
            return str(sub[0] if isinstance(sub, list) else sub)
    return str(value)


def granted(t: Template) -> set[tuple[str, str, str]]:
    """(role, action, resource) of every modelled grant of a function's role."""
    roles = {_ref((f.get("Properties") or {}).get("Role")) for f in t.functions().values()}
    grants = set()
    for name, res in t.resources.items():
        if res.get("Type") != ROLE or name not in roles:
            continue
        for policy in _as_list((res.get("Properties") or {}).get("Policies")):
            for st in _statements(policy.get("PolicyDocument")):
                if st.get("Effect") != "Allow":
                    continue
                for action in _as_list(st.get("Action")):
                    if not str(action).startswith(MODELLED):
                        continue
                    for resource in _as_list(st.get("Resource")):
                        grants.add((name, str(action), resource_text(resource)))
    return grants


def used(folder: Path) -> set[tuple[str, str, str]]:
    uses = set()
    for path in sorted(folder.glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            fields = line.split("\t")
            if len(fields) == 3:
                uses.add((fields[0], fields[1], fields[2]))
    return uses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", type=Path, required=True)
    parser.add_argument("--usage", type=Path, required=True, help="the STVA_IAM_USAGE_DIR of a whole test run")
    args = parser.parse_args(argv)
    if not any(args.usage.glob("*.tsv")):
        print(f"{args.usage}: no usage recorded (run the whole `cargo test` with STVA_IAM_USAGE_DIR set)")
        return 1
    grants = granted(Template(load_template(args.template)))
    unused = sorted(grants - used(args.usage))
    for role, action, resource in unused:
        print(f"{role}: {action} on {resource} is granted but no test used it")
    if unused:
        print("Remove each grant the code does not need, or test the path that needs it.")
        return 1
    print(f"{args.template}: every one of the {len(grants)} DynamoDB, S3 and SES grants is used by a test")
    return 0


if __name__ == "__main__":
    sys.exit(main())
