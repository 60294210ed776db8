"""Output paths that must not be inputs: a command never writes over a file it reads (the corpus, the base
tokenizer, the tokenizer it converts, or a sidecar of one of them)."""

from __future__ import annotations

import os
from typing import Iterable, Optional

from ..errors import ConfigError


def _same_file(a: str, b: str) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:  # hard links, and names a case-insensitive file system takes as one
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_output_not_input(output: "str | os.PathLike[str]", inputs: Iterable["str | os.PathLike[str]"], *,
                           sidecar: "str | os.PathLike[str] | None" = None) -> None:
    """Raises `ConfigError` when `output` (or `sidecar`, a second file the save writes beside it) is one of
    `inputs`, comparing real paths (symbolic links resolved) and, for existing files, device and inode."""
    written: list[tuple[str, Optional[str]]] = [(os.fspath(output), None)]
    if sidecar is not None:
        written.append((os.fspath(sidecar), os.fspath(output)))
    for given in inputs:
        given = os.fspath(given)
        for path, of in written:
            if _same_file(path, given):
                what = f"the output {path}" if of is None else f"the sidecar {path} that saving {of} writes"
                raise ConfigError(f"{what} would overwrite the input {given}; choose another output path")
