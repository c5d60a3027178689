"""Settings for the whole process, made before anything heavy is imported: by the console script
(`cchc.cli.start`) first, and again by `cchc.cli.app.main` for callers that import the app first."""

from __future__ import annotations

import gc
import os


def tune_process() -> None:
    """Settings that must be in place before the Pydantic models are built (at import).

    - cchc uses no Pydantic plugins: without this, building the first model scans every installed
      package's metadata for them (the switch is Pydantic's documented PYDANTIC_DISABLE_PLUGINS; a
      value the user set is kept).
    - A scorecard is read into tens of thousands of small acyclic objects that reference counting
      frees; at the default thresholds the cycle collector keeps rescanning them (and the objects
      made while the models are built). mypy raises its thresholds for the same reason. Workers
      inherit this when they fork.
    """
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    gc.set_threshold(200_000, 30, 30)


def end_process() -> None:
    """Settings for the end of the process, once the command has finished.

    Python's shutdown runs the cycle collector over every object still alive (the models and their
    validators, the card, the caches) only to free memory that the operating system takes back a
    moment later; on ``cchc validate`` of one card that walk costs as much as checking it. Freezing
    moves every object out of the collector's reach; reference counting still frees what it can and
    ``atexit`` handlers and the flushing of the standard streams run as usual.
    """
    gc.freeze()
