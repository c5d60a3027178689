"""The JSON Schema of the scorecard format, generated from the Pydantic models."""

from __future__ import annotations

import json
from typing import Any

from cchc.scorecard.model import Scorecard


def scorecard_schema() -> dict[str, Any]:
    """The schema as a dict (JSON Schema draft 2020-12)."""
    schema = Scorecard.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def schema_text() -> str:
    """The schema exactly as committed in ``schemas/scorecard.schema.json``."""
    return json.dumps(scorecard_schema(), ensure_ascii=False, indent=2) + "\n"
