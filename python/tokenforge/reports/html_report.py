"""The report as one self-contained HTML page: inline CSS and SVG, no script, and a Content-Security-Policy that
forbids every fetch, so it opens offline and cannot phone home even if a token smuggles markup past escaping."""

from __future__ import annotations

import os
import re
from typing import Any, Iterable

from ..util.atomic import atomic_write
from .escape import bidi_html, esc
from .numfmt import format_number
from .schema import validate
from .svg import plot_svg

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

STYLE = """
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; margin: 0 auto;
       max-width: 1200px; padding: 0 24px 48px; color: #1a1a1a; background: #fff; }
h1 { font-size: 26px; margin: 28px 0 4px; } h2 { font-size: 20px; margin: 36px 0 8px; border-bottom: 1px solid #ddd; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.meta { color: #555; margin: 0 0 12px; }
nav ol { columns: 2; margin: 8px 0; padding-left: 22px; }
.description p { margin: 6px 0; max-width: 80ch; }
.table-wrap, .plot-wrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 6px 0 14px; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid #d4d4d4; padding: 3px 8px; vertical-align: top; white-space: pre-wrap; }
th { background: #f3f3f3; text-align: left; }
td.num { text-align: right; white-space: nowrap; }
td.null { color: #999; text-align: center; }
tbody tr:nth-child(even) { background: #fafafa; }
figure { margin: 10px 0 18px; } figcaption { font-weight: 600; margin-bottom: 4px; }
details { margin: 4px 0 10px; } summary { cursor: pointer; color: #333; }
svg.plot { font: 11px system-ui, sans-serif; background: #fff; }
svg .grid { stroke: #e6e6e6; } svg .axis, svg .tick-mark { stroke: #333; }
svg .axis-label { font-size: 12px; font-weight: 600; fill: #222; } svg .tick { fill: #333; }
svg .no-data { font-size: 14px; fill: #888; } svg .point-label { fill: #222; }
.empty { color: #777; font-style: italic; }
.note { color: #444; max-width: 80ch; margin: 0 0 12px; }
"""

_URL = re.compile(r"https?://[^\s<>\"')\]]+")


def _anchor(text: str, used: set[str]) -> str:
    """An id attribute value from a section id: letters, digits, '-', '_' only, unique on the page."""
    base = "sec-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "section")
    anchor, n = base, 2
    while anchor in used:
        anchor, n = f"{base}-{n}", n + 1
    used.add(anchor)
    return anchor


def _paragraphs(text: str) -> str:
    """Plain text to paragraphs (split at blank lines); http(s) URLs become links, everything else is escaped."""
    out = []
    for para in re.split(r"\n\s*\n", text.strip()):
        if not para.strip():
            continue
        pieces, last = [], 0
        for m in _URL.finditer(para):
            url = m.group().rstrip(".,;:")
            end = m.start() + len(url)
            pieces.append(esc(para[last:m.start()]))
            pieces.append(f'<a href="{esc(url)}" rel="noreferrer">{esc(url)}</a>')
            last = end
        pieces.append(esc(para[last:]))
        out.append(f"<p>{''.join(pieces)}</p>")
    return "\n".join(out)


def _cell(value: Any, header: bool = False) -> str:
    if header:
        return f"<th>{bidi_html(value)}</th>"
    if value is None:
        return '<td class="null">—</td>'
    if isinstance(value, (int, float)):
        return f'<td class="num">{esc(format_number(value))}</td>'
    return f"<td>{bidi_html(value)}</td>"


def table_html(title: str, columns: list, rows: Iterable[list]) -> str:
    """One table with a caption; a table with no rows says so instead of showing an empty grid."""
    rows = list(rows)
    head = "".join(_cell(c, header=True) for c in columns)
    if rows:
        body = "\n".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    else:
        body = f'<tr><td class="empty" colspan="{max(len(columns), 1)}">no rows</td></tr>'
    return (f'<div class="table-wrap"><table><caption>{bidi_html(title)}</caption>\n<thead><tr>{head}</tr></thead>\n'
            f"<tbody>\n{body}\n</tbody></table></div>")


def _plot_data_table(plot: dict) -> str:
    """The numbers behind a plot, folded away: readable without the picture (and by screen readers)."""
    series = plot.get("series", [])
    xs: list = []
    for s in series:
        for x in s.get("x", []):
            if x not in xs:
                xs.append(x)
    if plot.get("kind") in ("histogram", "line"):
        xs.sort()
    columns = [plot.get("x_label") or "x"] + [s.get("name", "") for s in series]
    lookups = [dict(zip(s.get("x", []), s.get("y", []))) for s in series]
    rows = [[x] + [lk.get(x) for lk in lookups] for x in xs]
    return f"<details><summary>data</summary>\n{table_html(plot.get('title', ''), columns, rows)}\n</details>"


def _plot(plot: dict) -> str:
    return (f'<figure class="plot-figure"><figcaption>{bidi_html(plot.get("title", ""))}</figcaption>\n'
            f'<div class="plot-wrap">{plot_svg(plot)}</div>\n{_plot_data_table(plot)}</figure>')


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (int, float, str))


def summary_table(report: dict) -> str:
    """Every scalar metric (rows, sorted by id) for every tokenizer (columns, in report order)."""
    names = [t["name"] for t in report.get("tokenizers", [])]
    metrics = report.get("metrics") or {}
    for name in metrics:
        if name not in names:
            names.append(name)
    ids = sorted({m for n in names for m, v in (metrics.get(n) or {}).items() if _scalar(v)})
    rows = [[m] + [(metrics.get(n) or {}).get(m) if _scalar((metrics.get(n) or {}).get(m)) else None for n in names]
            for m in ids]
    return table_html("Scalar metrics per tokenizer", ["metric"] + names, rows)


def _corpus_table(corpus: Any) -> str:
    if not isinstance(corpus, dict):
        return '<p class="empty">no corpus information</p>'
    rows = []
    for key in sorted(corpus):
        value = corpus[key]
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in sorted(value.items()))
        rows.append([key, value])
    return table_html("Corpus", ["field", "value"], rows)


def _totals_note(corpus: Any) -> str:
    """How plain text was encoded (`corpus.plain_text_note`), under the table of token totals: why they can differ
    a little from another tool's count of the same files."""
    note = corpus.get("plain_text_note") if isinstance(corpus, dict) else None
    return f'<p class="note totals-note">Token totals: {esc(note)}.</p>' if isinstance(note, str) and note else ""


def _tokenizers_table(report: dict) -> str:
    keys = ["name", "kind", "vocab_size", "source"]
    extra = sorted({k for t in report.get("tokenizers", []) for k in t if k not in keys})
    rows = [[t.get(k) if _scalar(t.get(k)) else str(t.get(k)) for k in keys + extra] for t in report.get("tokenizers", [])]
    return table_html("Tokenizers", keys + extra, rows)


def render_html(report: dict) -> str:
    """The whole page as a string. Deterministic: the same report gives the same bytes (nothing but the report's
    own `created` field is dated). Raises `ReportError` for a report that breaks the schema."""
    validate(report)
    used: set[str] = set()
    sections = report.get("sections", [])
    anchors = [_anchor(str(s.get("id", "")), used) for s in sections]
    toc = "\n".join(f'<li><a href="#{a}">{bidi_html(s.get("title", ""))}</a></li>' for a, s in zip(anchors, sections))
    meta = []
    if report.get("created"):
        meta.append(f"created {esc(report['created'])}")
    if report.get("tokenforge_version"):
        meta.append(f"tokenforge {esc(report['tokenforge_version'])}")
    meta.append(f"schema {esc(report['schema'])} v{esc(report['version'])}")
    body = [
        "<header><h1>Tokenizer evaluation</h1>",
        f'<p class="meta">{" · ".join(meta)}</p></header>',
        f'<nav><h2 id="contents">Contents</h2><ol><li><a href="#overview">Overview</a></li>\n{toc}</ol></nav>',
        '<section id="overview"><h2>Overview</h2>',
        _tokenizers_table(report), _corpus_table(report.get("corpus")), summary_table(report),
        _totals_note(report.get("corpus")), "</section>",
    ]
    for anchor, section in zip(anchors, sections):
        body.append(f'<section id="{anchor}" class="report-section"><h2>{bidi_html(section.get("title", ""))}</h2>')
        description = section.get("description") or ""
        if description.strip():
            body.append(f'<div class="description">{_paragraphs(description)}</div>')
        tables, plots = section.get("tables", []), section.get("plots", [])
        if not tables and not plots:
            body.append('<p class="empty">nothing to show for this section</p>')
        for table in tables:
            body.append(table_html(table.get("title", ""), table.get("columns", []), table.get("rows", [])))
        for plot in plots:
            body.append(_plot(plot))
        body.append("</section>")
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        "<title>tokenforge evaluation report</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
        "",
    ])


def write_html(report: dict, path: "str | os.PathLike[str]") -> None:
    """Renders the report and writes it atomically as UTF-8."""
    page = render_html(report)
    with atomic_write(path, "w", encoding="utf-8") as f:
        f.write(page)
