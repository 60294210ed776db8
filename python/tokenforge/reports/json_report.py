"""report.json: the machine-diffable form. Sorted keys, fixed indentation, non-finite numbers as null, so two runs
with the same numbers give the same bytes and `diff` shows only what changed."""

from __future__ import annotations

import json
import math
import numbers
import os
import re
from typing import Any

from ..util.atomic import atomic_write
from .schema import ReportError, validate

_SURROGATE = re.compile("[\ud800-\udfff]")


def canonical(value: Any, where: str = "") -> Any:
    """A plain-JSON copy: tuples to lists, numpy-style scalars to int/float, NaN/inf to None (JSON has neither,
    and the schema's "no value" is null), dict keys to str. Anything else raises `ReportError` naming its path."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise ReportError(where or "(root)", f"key {k!r} is not a string")
            out[str(k)] = canonical(v, f"{where}.{k}" if where else str(k))
        return out
    if isinstance(value, (list, tuple)):
        return [canonical(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise ReportError(where or "(root)", f"{type(value).__name__} is not JSON (expected str, number, bool, null, "
                                         "list or object)")


def dumps(report: dict) -> str:
    """The report as the exact text `write_json` writes (validated, canonical, sorted, one trailing newline)."""
    data = canonical(report)
    validate(data)
    text = json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False, allow_nan=False)
    # A lone surrogate (a token cut inside a UTF-16 pair) cannot be written as UTF-8: keep it as a JSON escape.
    text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text + "\n"


def write_json(report: dict, path: "str | os.PathLike[str]") -> None:
    """Validates and writes the report atomically (UTF-8, sorted keys); raises `ReportError` before writing
    anything when the report breaks the schema."""
    text = dumps(report)
    with atomic_write(path, "w", encoding="utf-8") as f:
        f.write(text)


def read_json(path: "str | os.PathLike[str]") -> dict:
    """Reads and validates a report.json; a file that is not JSON or not a report raises `ReportError` naming it."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise ReportError("", f"{os.fspath(path)}: cannot read: {exc.strerror}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ReportError("", f"{os.fspath(path)}: not a JSON report ({exc})") from None
    try:
        validate(data)
    except ReportError as exc:
        raise ReportError(exc.where, f"{exc.fault} (in {os.fspath(path)})") from None
    return data
