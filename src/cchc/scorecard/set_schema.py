"""The JSON Schema of the criteria-set format, generated from its Pydantic models."""

from __future__ import annotations

import json
from typing import Any

from cchc.scorecard.criteria_set import CriteriaSet


def criteria_set_schema() -> dict[str, Any]:
    """The schema as a dict (JSON Schema draft 2020-12)."""
    schema = CriteriaSet.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def schema_text() -> str:
    """The schema exactly as committed in ``schemas/criteria-set.schema.json``."""
    return json.dumps(criteria_set_schema(), ensure_ascii=False, indent=2) + "\n"
