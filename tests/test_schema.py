"""The committed JSON Schema is exactly what the models generate, and it accepts the shipped card."""

from __future__ import annotations

import json

import yaml

from cchc.scorecard.schema import schema_text
from tests.conftest import ROOT, SHIPPED

COMMITTED = ROOT / "schemas" / "scorecard.schema.json"


def test_committed_schema_is_current() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(), (
        "schemas/scorecard.schema.json is stale: run `cchc schema > schemas/scorecard.schema.json`")


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
