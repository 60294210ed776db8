"""Atomic file writes: a file the user owns is either the old one or the complete new one, never half-written."""

from __future__ import annotations

import os
import stat
import tempfile
from contextlib import contextmanager
from typing import IO, Iterator

from .errors import WriteError


def _new_file_mode(path: str) -> int:
    """The mode a plain `open(path, "w")` would give: the existing file's, else 0o666 less the umask.
    (mkstemp creates 0o600 files, which would make every saved tokenizer private to its owner.)"""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


@contextmanager
def atomic_write(path: "str | os.PathLike[str]", mode: str = "w", encoding: "str | None" = "utf-8") -> Iterator[IO]:
    """Yields a temp file beside `path`; on success it is flushed, synced and renamed over `path`.

    Failing to create the temp file or to rename it raises `WriteError` naming `path`; on any failure the temp
    file is removed and an existing `path` is left untouched."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise WriteError(path, "is a directory")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        if not os.path.isdir(directory):
            raise WriteError(path, f"cannot write: directory {directory} does not exist") from None
        raise WriteError(path, f"cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else encoding, newline=None if "b" in mode else "") as f:
            yield f
            f.flush()
            os.fchmod(f.fileno(), _new_file_mode(path))
            os.fsync(f.fileno())
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise WriteError(path, f"cannot replace the file: {exc.strerror}") from None
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
