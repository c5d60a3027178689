"""``cchc schema [--set]``: print the JSON Schema of the scorecard format (or of the criteria-set format)."""

import sys
from typing import Annotated

import typer


def schema(
    criteria_set: Annotated[bool, typer.Option("--set", help="opt.schema-set")] = False,
) -> None:
    """Write the schema generated from the models to stdout."""
    from cchc.scorecard.criteria_set import CriteriaSet
    from cchc.scorecard.model import Scorecard
    from cchc.scorecard.schema import schema_text

    sys.stdout.write(schema_text(CriteriaSet if criteria_set else Scorecard))
