"""The JSON Schemas of the two formats, the scorecard and the criteria set, generated from their
Pydantic models."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from cchc.scorecard.model import Scorecard


def json_schema(model: type[BaseModel] = Scorecard) -> dict[str, Any]:
    """The schema of ``model`` (``Scorecard`` or ``CriteriaSet``) as a dict (JSON Schema draft 2020-12)."""
    schema = model.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def schema_text(model: type[BaseModel] = Scorecard) -> str:
    """The schema exactly as committed in ``schemas/`` (``scorecard.schema.json``, ``criteria-set.schema.json``)."""
    return json.dumps(json_schema(model), ensure_ascii=False, indent=2) + "\n"
