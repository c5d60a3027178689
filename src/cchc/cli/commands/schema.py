"""``cchc schema``: print the JSON Schema of the YAML format."""

from __future__ import annotations

import sys


def schema() -> None:
    """Write the schema generated from the models to stdout."""
    from cchc.scorecard.schema import schema_text

    sys.stdout.write(schema_text())
