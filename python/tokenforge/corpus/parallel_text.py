"""Where parallel text comes from: `udhr` names the UDHR sample bundled with the package (8 languages, so the
parity comparison works with nothing downloaded); anything else is a directory of per-language files, read by
`tokenforge.evaluation`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Union

from ..errors import CorpusError

BUNDLED = {"udhr": Path(__file__).resolve().parent.parent / "data" / "udhr"}


def parallel_dir(spec: Union[str, "os.PathLike[str]"]) -> Path:
    """The directory `spec` names: a bundled set by name, else the path itself, which must be a directory."""
    path = BUNDLED.get(os.fspath(spec), Path(spec))
    if not path.is_dir():
        raise CorpusError(f"--parallel must be {' or '.join(repr(n) for n in BUNDLED)} (bundled) or a directory of "
                          "per-language .json / .txt files; this is not a directory", spec)
    return path
