"""The evaluation report's shape (schema `tokenforge.eval-report`, version 1), checked before anything is written,
so a malformed report fails with the path of the faulty field instead of a half-rendered page."""

from __future__ import annotations

import math
from typing import Any

from ..errors import TokenforgeError

SCHEMA = "tokenforge.eval-report"
VERSION = 1
PLOT_KINDS = ("bar", "grouped_bar", "histogram", "line")


class ReportError(TokenforgeError, ValueError):
    """A report does not follow the schema; `where` is the path of the field at fault (e.g. `sections[1].title`)."""

    def __init__(self, where: str, fault: str):
        self.where = where
        self.fault = fault
        super().__init__(f"report {where}: {fault}" if where else f"report: {fault}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _require(cond: bool, where: str, fault: str) -> None:
    if not cond:
        raise ReportError(where, fault)


def _str(obj: dict, key: str, where: str, optional: bool = False) -> None:
    value = obj.get(key)
    if optional and value is None:
        return
    _require(isinstance(value, str), _join(where, key),
             f"must be a string, got {type(value).__name__}")


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _list(obj: dict, key: str, where: str) -> list:
    value = obj.get(key, [])
    _require(isinstance(value, list), _join(where, key), f"must be a list, got {type(value).__name__}")
    return value


def _check_cell(cell: Any, where: str) -> None:
    _require(cell is None or isinstance(cell, str) or _is_number(cell) or isinstance(cell, bool), where,
             f"a cell must be a string, number or null, got {type(cell).__name__}")


def _check_table(table: Any, where: str) -> None:
    _require(isinstance(table, dict), where, "a table must be an object")
    _str(table, "title", where)
    columns = _list(table, "columns", where)
    for j, col in enumerate(columns):
        _require(isinstance(col, str), f"{where}.columns[{j}]", "a column name must be a string")
    for i, row in enumerate(_list(table, "rows", where)):
        _require(isinstance(row, list), f"{where}.rows[{i}]", "a row must be a list")
        _require(len(row) == len(columns), f"{where}.rows[{i}]",
                 f"has {len(row)} cells but the table has {len(columns)} columns")
        for j, cell in enumerate(row):
            _check_cell(cell, f"{where}.rows[{i}][{j}]")


def _check_plot(plot: Any, where: str) -> None:
    _require(isinstance(plot, dict), where, "a plot must be an object")
    kind = plot.get("kind")
    _require(kind in PLOT_KINDS, f"{where}.kind", f"unknown plot kind {kind!r} (expected one of {', '.join(PLOT_KINDS)})")
    for key in ("title", "x_label", "y_label"):
        _str(plot, key, where)
    categorical = kind in ("bar", "grouped_bar")
    for s, series in enumerate(_list(plot, "series", where)):
        sw = f"{where}.series[{s}]"
        _require(isinstance(series, dict), sw, "a series must be an object")
        _str(series, "name", sw)
        xs, ys = _list(series, "x", sw), _list(series, "y", sw)
        _require(len(xs) == len(ys), sw, f"x has {len(xs)} values but y has {len(ys)}")
        for i, x in enumerate(xs):
            if categorical:
                _require(isinstance(x, str), f"{sw}.x[{i}]", f"a {kind} plot's x values are category labels (strings)")
            else:
                _require(_is_number(x) and math.isfinite(x), f"{sw}.x[{i}]",
                         f"a {kind} plot's x values must be finite numbers, got {x!r}")
        for i, y in enumerate(ys):
            _require(y is None or _is_number(y), f"{sw}.y[{i}]", f"y values must be numbers or null, got {y!r}")


def validate(report: Any) -> None:
    """Raises `ReportError` naming the first field that breaks the schema; returns None for a valid report.

    Only what the renderer and readers rely on is checked; extra keys are allowed (newer minor additions)."""
    _require(isinstance(report, dict), "", f"must be a JSON object, got {type(report).__name__}")
    _require(report.get("schema") == SCHEMA, "schema", f"expected {SCHEMA!r}, got {report.get('schema')!r}")
    version = report.get("version")
    _require(version == VERSION, "version",
             f"this tokenforge reads version {VERSION}, got {version!r}")
    _str(report, "created", "", optional=True)
    corpus = report.get("corpus")
    _require(corpus is None or isinstance(corpus, dict), "corpus", "must be an object or null")
    toks = _list(report, "tokenizers", "")
    for i, tok in enumerate(toks):
        _require(isinstance(tok, dict), f"tokenizers[{i}]", "must be an object")
        _str(tok, "name", f"tokenizers[{i}]")
    metrics = report.get("metrics", {})
    _require(isinstance(metrics, dict), "metrics", "must be an object keyed by tokenizer name")
    for name, values in metrics.items():
        _require(isinstance(values, dict), f"metrics[{name!r}]", "must be an object keyed by metric id")
    for k, section in enumerate(_list(report, "sections", "")):
        where = f"sections[{k}]"
        _require(isinstance(section, dict), where, "a section must be an object")
        for key in ("id", "title"):
            _str(section, key, where)
        _str(section, "description", where, optional=True)
        for t, table in enumerate(_list(section, "tables", where)):
            _check_table(table, f"{where}.tables[{t}]")
        for p, plot in enumerate(_list(section, "plots", where)):
            _check_plot(plot, f"{where}.plots[{p}]")
