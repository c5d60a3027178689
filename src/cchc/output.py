"""Writing an output file without ever damaging another one: the checks before, the atomic write.

Used by ``cchc export`` (the workbook) and ``cchc import`` (the YAML scorecard), so both refuse the
same things with the same messages:

- before any work: the input file as output (same inode, a symlink to it, or the same resolved
  path), a suffix the command does not write, a directory that does not exist, an existing file
  unless ``overwrite``;
- the write itself goes to a temporary file in the output's directory, is synced, then moved into
  place (``os.replace``; without ``overwrite`` a hard link, so a file that appeared meanwhile is
  not clobbered). Until then the output is untouched; after any failure the temporary file is
  removed. The new file keeps the permissions of the file it replaces, else gets what umask allows.
"""

from __future__ import annotations

import errno
import os
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import Any

from cchc.messages import render

__all__ = ["OutputError", "check_target", "same_file", "write_atomic"]


class OutputError(Exception):
    """A user error while writing an output; ``message`` is rendered in the language in force."""

    def __init__(self, key: str, **args: Any) -> None:
        self.key = key
        self.message = render(key, **args)
        super().__init__(self.message)


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (same inode, or the same resolved path)."""
    with suppress(OSError):
        if os.path.samefile(a, b):
            return True
    try:
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):  # a symlink loop: not the input, the write will fail clearly
        return False


def check_target(out: Path, source: Path | None, overwrite: bool, suffixes: tuple[str, ...], suffix_key: str) -> None:
    """Refuse, before any work is done, an output that is the input, has none of ``suffixes``
    (lower case, with the dot; ``suffix_key`` says so), stands in no directory, or exists."""
    if source is not None and same_file(out, source):
        raise OutputError("err.output-is-input", path=out)
    if out.suffix.lower() not in suffixes:
        raise OutputError(suffix_key, path=out)
    if not out.parent.is_dir():
        raise OutputError("err.output-dir", path=out.parent)
    if not overwrite and os.path.lexists(out):
        raise OutputError("err.output-exists", path=out)


def _mode(out: Path) -> int:
    """Permissions for the new file: those of the file it replaces, else what umask allows."""
    with suppress(OSError):
        return os.stat(out).st_mode & 0o777
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte to ``fd`` (os.write may write fewer than asked)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _sync_dir(directory: Path) -> None:
    """Make the rename durable where the platform allows it (best effort)."""
    with suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _place_new(tmp: str, out: Path) -> None:
    """Move ``tmp`` to ``out`` only if ``out`` still does not exist."""
    try:
        os.link(tmp, out)  # fails if the file appeared meanwhile: never clobber it
    except FileExistsError:
        raise OutputError("err.output-exists", path=out) from None
    except OSError:
        # No hard links on this file system (FAT, some shares): check again, then rename.
        if os.path.lexists(out):
            raise OutputError("err.output-exists", path=out) from None
        os.replace(tmp, out)
        return
    os.unlink(tmp)


def reason(exc: OSError) -> str:
    """Why a write failed, in words an officer understands."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return render("export.reason-full")
    if exc.errno == errno.EROFS:
        return render("export.reason-readonly")
    if isinstance(exc, PermissionError):
        return render("export.reason-permission")
    return exc.strerror or str(exc)


def write_atomic(data: bytes, out: Path, overwrite: bool) -> None:
    """Write ``data`` to ``out`` through a temporary file in the same directory, then move it in place.

    A crash leaves either the old file or the new one, never half of one. Raises OutputError:
    ``err.output-exists`` when ``out`` appeared meanwhile (without ``overwrite``), else
    ``err.output-write`` with the reason.
    """
    out = Path(out)
    try:
        mode = _mode(out)
        fd, tmp = tempfile.mkstemp(prefix=".cchc-", suffix=f"{out.suffix.lower()}.tmp", dir=out.parent)
        try:
            try:
                _write_all(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.chmod(tmp, mode)  # mkstemp makes 0600; the output is an ordinary file
            if overwrite:
                os.replace(tmp, out)
            else:
                _place_new(tmp, out)
        except BaseException:
            with suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise OutputError("err.output-write", path=out, error=reason(exc)) from exc
    _sync_dir(out.parent)
