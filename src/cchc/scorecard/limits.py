"""The year range and the levels of unit the format allows, kept apart from the Pydantic models so
that option parsers (``init --year``, ``import --year``) can use them without building the models."""

from typing import Literal, get_args

#: The years a scorecard may be for, and the levels of unit, as the format defines them.
FIRST_YEAR, LAST_YEAR = 1990, 2100
Level = Literal["tinh", "so", "huyen", "xa"]
LEVELS: tuple[str, ...] = get_args(Level)
