"""Atomic file writes: a file the user owns is either the old one or the complete new one, never half-written."""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from contextlib import contextmanager
from typing import IO, Iterator

from ..errors import WriteError


def _new_file_mode(path: str) -> int:
    """The mode a plain `open(path, "w")` would give: the existing file's, else 0o666 less the umask.
    (mkstemp creates 0o600 files, which would make every saved tokenizer private to its owner.)"""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


# A temp file is `.{basename}.{pid}.{8 random chars}.tmp` (tempfile.mkstemp's random part); older versions wrote
# `.{basename}.{8 random chars}.tmp`. A writer killed with SIGKILL leaves its temp file behind; the next write of
# the same path removes those whose writer is gone (old-style ones, whose writer is unknown, once an hour old).
_TEMP_REST = re.compile(r"(?:(\d+)\.)?[a-z0-9_]{8}\.tmp")
STALE_UNKNOWN_WRITER_S = 3600


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another write of ours, e.g. from a thread
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process (or a pid we cannot ask about): leave its file alone
    return True


def remove_stale_temps(path: "str | os.PathLike[str]") -> list[str]:
    """Removes the temp files that killed writes of `path` left beside it; returns their paths. Best effort: a
    file that cannot be listed or removed is left as it is."""
    path = os.path.abspath(os.fspath(path))
    directory, prefix = os.path.dirname(path), f".{os.path.basename(path)}."
    removed = []
    try:
        entries = [e for e in os.scandir(directory) if e.name.startswith(prefix)]
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP_REST.fullmatch(entry.name[len(prefix):])
        if match is None:
            continue  # not a temp file of `path` (e.g. one of a longer name that shares the prefix)
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if match.group(1) is not None:
                stale = not _pid_alive(int(match.group(1)))
            else:
                stale = time.time() - entry.stat(follow_symlinks=False).st_mtime > STALE_UNKNOWN_WRITER_S
            if stale:
                os.unlink(entry.path)
                removed.append(entry.path)
        except OSError:
            continue
    return removed


@contextmanager
def atomic_write(path: "str | os.PathLike[str]", mode: str = "w", encoding: "str | None" = "utf-8") -> Iterator[IO]:
    """Yields a temp file beside `path`; on success it is flushed, synced and renamed over `path`.

    Failing to create the temp file or to rename it raises `WriteError` naming `path`; on any failure the temp
    file is removed and an existing `path` is left untouched. Temp files of `path` left by killed writers are
    removed first (`remove_stale_temps`)."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise WriteError(path, "is a directory")
    remove_stale_temps(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.{os.getpid()}.", suffix=".tmp", dir=directory)
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
