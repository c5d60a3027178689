"""The committed criteria-set schema is exactly what the models generate, and it accepts the shipped set."""

from __future__ import annotations

import json

import jsonschema
import yaml

from cchc.scorecard.criteria_set import CriteriaSet
from cchc.scorecard.schema import schema_text
from tests.conftest import ROOT

COMMITTED = ROOT / "schemas" / "criteria-set.schema.json"
SHIPPED_SET = ROOT / "criteria" / "thanh-hoa-huyen-2021.yaml"


def test_committed_schema_is_current() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(CriteriaSet), (
        "schemas/criteria-set.schema.json is stale: run `cchc schema --set > schemas/criteria-set.schema.json`"
    )


def test_schema_forbids_scores_and_unknown_fields() -> None:
    schema = json.loads(schema_text(CriteriaSet))
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"set", "criteria"}
    criterion = schema["$defs"]["SetCriterion"]
    assert criterion["additionalProperties"] is False
    assert set(criterion["required"]) == {"id", "title"}
    assert not {"score", "evidence", "value", "applicable"} & set(criterion["properties"])
    assert schema["properties"]["not_applicable"]["enum"] == ["exclude", "full"]


def test_shipped_set_modeline_and_schema() -> None:
    first = SHIPPED_SET.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/criteria-set.schema.json"
    data = yaml.safe_load(SHIPPED_SET.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(json.loads(schema_text(CriteriaSet)))
    assert list(validator.iter_errors(data)) == []
    data["criteria"][0]["score"] = 14
    assert list(validator.iter_errors(data))
