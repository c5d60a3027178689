"""Shared fixtures: paths, a CLI runner, and the language reset between tests."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from cchc.messages import set_language

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "scorecards" / "tp-thanh-hoa-2021.yaml"
CASES = Path(__file__).resolve().parent / "cases"


@pytest.fixture(autouse=True)
def _vietnamese() -> Iterator[None]:
    """Every test starts in Vietnamese, whatever an earlier test chose."""
    set_language("vi")
    yield
    set_language("vi")


class _Copying(io.BytesIO):
    """A byte buffer that also copies what is written to another one (stdout and stderr, interleaved)."""

    def __init__(self, copy_to: io.BytesIO) -> None:
        super().__init__()
        self.copy_to = copy_to

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.copy_to.write(data)
        return super().write(data)


def _text(buffer: io.BytesIO) -> str:
    """What a captured stream received, as text with Unix line ends."""
    return buffer.getvalue().decode("utf-8", "replace").replace("\r\n", "\n")


@dataclass
class Result:
    """What one in-process run of the command line did."""

    exit_code: int
    stdout: str
    stderr: str
    output: str  # stdout and stderr interleaved, as a user sees them on a terminal
    exception: BaseException | None = None


class CliRunner:
    """Runs the command line in this process: captured streams, temporary environment variables.

    The Rich consoles are created inside the commands, so they write to the swapped streams (which are
    no terminal: no colour, no progress bar).
    """

    def invoke(self, app: Callable[[list[str]], int | None], args: Sequence[str] = (),
               input: str | bytes | None = None, env: Mapping[str, str | None] | None = None,
               catch_exceptions: bool = True) -> Result:
        """Run ``app(args)`` and return its exit code and output."""
        mixed = io.BytesIO()
        out, err = _Copying(mixed), _Copying(mixed)
        data = input.encode("utf-8") if isinstance(input, str) else input or b""
        saved_streams = sys.stdin, sys.stdout, sys.stderr
        saved_env = {name: os.environ.get(name) for name in env or {}}
        # Held until the end: a wrapper that is collected closes its buffer. write_through keeps
        # stdout and stderr in the order they were written.
        streams = (io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"),
                   io.TextIOWrapper(out, encoding="utf-8", write_through=True),
                   io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace", write_through=True))
        sys.stdin, sys.stdout, sys.stderr = streams
        for name, value in (env or {}).items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        exception: BaseException | None = None
        try:
            code = app(list(args)) or 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
            exception = exc if code else None
        except Exception as exc:  # noqa: BLE001 - reported in the result, as typer's runner did
            if not catch_exceptions:
                raise
            code, exception = 1, exc
        finally:
            streams[1].flush()
            streams[2].flush()
            sys.stdin, sys.stdout, sys.stderr = saved_streams
            for name, old in saved_env.items():
                if old is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = old
        return Result(code, _text(out), _text(err), _text(mixed), exception)


@pytest.fixture
def runner() -> CliRunner:
    """A runner of the command line in this process."""
    return CliRunner()


MINIMAL = """\
unit: UBND xã A
year: 2021
criteria:
  - id: "1"
    title: Lĩnh vực một
    max: 100
    score: 90
    evidence: [KH 1]
"""


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write text (str or bytes) to a file under tmp_path and return its path."""

    def _write(content: str | bytes, name: str = "card.yaml") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write
