"""Evaluation reports: `report.json` (stable, versioned) and a self-contained `report.html` (inline CSS and SVG,
works offline). The report dict itself comes from `tokenforge.evaluation.evaluate`; this package only checks,
writes and renders it."""

from .html_report import render_html, write_html
from .json_report import dumps, read_json, write_json
from .schema import SCHEMA, VERSION, ReportError, validate

__all__ = ["SCHEMA", "VERSION", "ReportError", "dumps", "read_json", "render_html", "validate", "write_html",
           "write_json"]
