"""Tests of iam_usage.py: a run that used every grant passes; a grant no
test used, or no usage at all, fails and says which."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import check_template  # noqa: E402
import iam_usage  # noqa: E402

TEMPLATE = HERE.parents[1] / "template.yaml"


def write_usage(folder: Path, grants) -> Path:
    folder.mkdir(exist_ok=True)
    lines = "".join(f"{role}\t{action}\t{resource}\n" for role, action, resource in sorted(grants))
    (folder / "1234.tsv").write_text(lines, encoding="utf-8")
    return folder


def real_grants():
    return iam_usage.granted(check_template.Template(check_template.load_template(TEMPLATE)))


def test_the_real_roles_grants_read_as_the_rust_side_records_them():
    grants = real_grants()
    assert ("QuoteRole", "dynamodb:UpdateItem", "Table.Arn") in grants
    assert ("QuoteRole", "dynamodb:Query", "${Table.Arn}/index/gsi1") in grants
    assert ("InvoiceUploadRole", "s3:PutObject", "${InvoicesBucket.Arn}/accounts/*") in grants
    # Only what the confinement models: no logs, no secrets, no queues.
    assert all(action.split(":")[0] in ("dynamodb", "s3", "ses") for _, action, _ in grants)


def test_every_grant_used_passes(tmp_path, capsys):
    usage = write_usage(tmp_path / "usage", real_grants())
    assert iam_usage.main(["--template", str(TEMPLATE), "--usage", str(usage)]) == 0
    assert "every one of the" in capsys.readouterr().out


def test_a_grant_no_test_used_fails_and_is_named(tmp_path, capsys):
    grants = real_grants() - {("StockSyncRole", "dynamodb:BatchWriteItem", "Table.Arn")}
    usage = write_usage(tmp_path / "usage", grants)
    assert iam_usage.main(["--template", str(TEMPLATE), "--usage", str(usage)]) == 1
    assert "StockSyncRole: dynamodb:BatchWriteItem on Table.Arn is granted but no test used it" in capsys.readouterr().out


def test_no_usage_at_all_fails(tmp_path, capsys):
    (tmp_path / "usage").mkdir()
    assert iam_usage.main(["--template", str(TEMPLATE), "--usage", str(tmp_path / "usage")]) == 1
    assert "no usage recorded" in capsys.readouterr().out
