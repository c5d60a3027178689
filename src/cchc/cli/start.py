"""The console-script entry point: settings for the whole process, made before anything heavy is
imported, then the Typer app."""

from __future__ import annotations

from typing import NoReturn

from cchc.cli.process import end_process, tune_process


def main() -> NoReturn:
    """``cchc``: tune the process, run the app (``cchc.cli.app.main``), settle the end."""
    tune_process()
    from cchc.cli.app import main as run_app

    try:
        run_app()
    finally:
        end_process()
