"""The committed JSON Schema is exactly what the models generate, and it accepts the shipped card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from cchc.scorecard.dump import installed_schema
from cchc.scorecard.schema import schema_text
from tests.conftest import ROOT, SHIPPED

COMMITTED = ROOT / "schemas" / "scorecard.schema.json"
#: The copy shipped in the package, for scorecards written outside a checkout.
PACKAGED = ROOT / "src" / "cchc" / "schemas" / "scorecard.schema.json"


@pytest.mark.parametrize("copy", [COMMITTED, PACKAGED], ids=["schemas", "package"])
def test_committed_schema_is_current(copy: Path) -> None:
    assert copy.read_text(encoding="utf-8") == schema_text(), (
        f"{copy.relative_to(ROOT)} is stale: run `cchc schema > schemas/scorecard.schema.json` and "
        "`cchc schema > src/cchc/schemas/scorecard.schema.json`"
    )


def test_the_package_finds_its_own_copy() -> None:
    assert installed_schema().read_text(encoding="utf-8") == schema_text()


def test_schema_forbids_unknown_fields_and_requires_core_ones() -> None:
    schema = json.loads(schema_text())
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"unit", "year", "criteria"}
    criterion = schema["$defs"]["Criterion"]
    assert criterion["additionalProperties"] is False
    assert set(criterion["required"]) == {"id", "title"}


def test_shipped_scorecard_modeline_points_at_schema() -> None:
    first = SHIPPED.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/scorecard.schema.json"
    assert (SHIPPED.parent / "../schemas/scorecard.schema.json").resolve() == COMMITTED.resolve()
    assert isinstance(yaml.safe_load(SHIPPED.read_text(encoding="utf-8")), dict)
