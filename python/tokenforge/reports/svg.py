"""Plots as inline SVG written in Python: no script, no font or library fetched, so the report works offline and
looks the same in every browser. One function per plot kind of the report schema; all return an `<svg>` string."""

from __future__ import annotations

import math
from typing import Optional, Sequence

from .escape import bidi_svg, esc
from .numfmt import format_number, format_tick, nice_ticks

# Okabe–Ito: distinguishable with the common colour-vision deficiencies; yellow last (weak on white).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")

PLOT_HEIGHT = 260          # the data area
LEFT, RIGHT, TOP = 76, 24, 16
CHAR_W = 6.6               # rough width of a 11px sans-serif character, for layout without measuring text
MIN_PLOT_W = 480
MAX_WIDTH = 960            # no plot is wider than this (a normal page); bar plots that would be turn horizontal
LABEL_MAX = 28             # category labels longer than this are cut (the full label is in the tooltip)


# Axes stop at +-1e300 (values beyond are drawn at the edge): tick arithmetic near the float limit would overflow.
AXIS_LIMIT = 1e300


def clamp(value: float) -> float:
    return max(-AXIS_LIMIT, min(AXIS_LIMIT, value))


def fraction(value: float, lo: float, hi: float) -> float:
    """Where `value` sits between `lo` and `hi` (0..1), computed in halves so no finite input overflows."""
    value, lo, hi = clamp(value), clamp(lo), clamp(hi)
    span = hi / 2 - lo / 2
    return (value / 2 - lo / 2) / span if span else 0.5


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _num(v: float) -> str:
    """A coordinate with two decimals at most, so the output is short and identical on every platform."""
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _is_value(y: object) -> bool:
    return isinstance(y, (int, float)) and not isinstance(y, bool) and math.isfinite(y)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"


class _Frame:
    """The plot's geometry: data ranges mapped to pixels, the legend above the data area, axis labels."""

    def __init__(self, plot_w: float, y_lo: float, y_hi: float, legend: Sequence[str], x_label_h: float):
        self.plot_w = plot_w
        self.yticks = nice_ticks(y_lo, y_hi)
        self.y_lo, self.y_hi = self.yticks[0], self.yticks[-1]
        # Legend rows: items flow left to right and wrap at the plot width.
        self.legend_items, self.legend_h = _legend_layout(legend, plot_w)
        self.top = TOP + self.legend_h
        self.width = LEFT + plot_w + RIGHT
        self.x_label_h = x_label_h
        self.height = self.top + PLOT_HEIGHT + x_label_h + 34

    def y(self, value: float) -> float:
        return self.top + PLOT_HEIGHT * (1 - fraction(value, self.y_lo, self.y_hi))

    def open(self, title: str, kind: str) -> list[str]:
        return [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="plot plot-{kind}" role="img" '
            f'width="{_num(self.width)}" height="{_num(self.height)}" '
            f'viewBox="0 0 {_num(self.width)} {_num(self.height)}">',
            f"<title>{bidi_svg(title)}</title>",
        ]

    def legend(self) -> list[str]:
        return _legend_svg(self.legend_items, LEFT)

    def y_axis(self, y_label: str) -> list[str]:
        out = []
        for t in self.yticks:
            py = self.y(t)
            out.append(f'<line class="grid" x1="{LEFT}" x2="{_num(LEFT + self.plot_w)}" y1="{_num(py)}" y2="{_num(py)}"/>')
            out.append(f'<text class="tick" x="{LEFT - 6}" y="{_num(py + 4)}" text-anchor="end">'
                       f"{esc(format_tick(t, self.yticks))}</text>")
        bottom = self.top + PLOT_HEIGHT
        out.append(f'<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{_num(self.top)}" y2="{_num(bottom)}"/>')
        out.append(f'<line class="axis" x1="{LEFT}" x2="{_num(LEFT + self.plot_w)}" y1="{_num(bottom)}" y2="{_num(bottom)}"/>')
        cy = self.top + PLOT_HEIGHT / 2
        out.append(f'<text class="axis-label y-label" x="16" y="{_num(cy)}" text-anchor="middle" '
                   f'transform="rotate(-90 16 {_num(cy)})">{bidi_svg(y_label)}</text>')
        return out

    def x_label(self, x_label: str) -> str:
        return (f'<text class="axis-label x-label" x="{_num(LEFT + self.plot_w / 2)}" '
                f'y="{_num(self.height - 10)}" text-anchor="middle">{bidi_svg(x_label)}</text>')


def _empty(plot: dict) -> str:
    frame = _Frame(MIN_PLOT_W, 0, 1, [], 0)
    parts = frame.open(plot.get("title", ""), plot.get("kind", "empty"))
    parts += frame.y_axis(plot.get("y_label", ""))
    parts.append(f'<text class="no-data" x="{_num(LEFT + MIN_PLOT_W / 2)}" y="{_num(frame.top + PLOT_HEIGHT / 2)}" '
                 f'text-anchor="middle">no data</text>')
    parts.append(frame.x_label(plot.get("x_label", "")))
    parts.append("</svg>")
    return "\n".join(parts)


def _values(series: Sequence[dict]) -> list[float]:
    return [y for s in series for y in s.get("y", []) if _is_value(y)]


def bar_svg(plot: dict) -> str:
    """Bars per category; several series become side-by-side groups (`grouped_bar`). Null values leave a gap.
    When the columns would not fit in `MAX_WIDTH` (e.g. 53 languages), the bars lie horizontally instead: one row
    per category, the page scrolls down rather than the plot sideways."""
    series = plot.get("series", [])
    categories: list[str] = []
    seen = set()
    for s in series:
        for x in s.get("x", []):
            if x not in seen:
                seen.add(x)
                categories.append(x)
    values = _values(series)
    if not categories or not values:
        return _empty(plot)
    n = max(len(series), 1)
    plot_w = max(MIN_PLOT_W, (n * 10 + 8) * len(categories))
    if LEFT + plot_w + RIGHT > MAX_WIDTH:  # too many bars for a page width: one row per category instead
        return _horizontal_bar_svg(plot, series, categories, values)
    group_w = plot_w / len(categories)
    bar_w = min(48.0, max(6.0, (group_w * 0.8) / n))
    longest = max(len(_short(c)) for c in categories)
    rotate = longest * CHAR_W > group_w - 4
    x_label_h = (longest * CHAR_W * 0.71 + 12) if rotate else 18
    frame = _Frame(plot_w, clamp(min(0.0, min(values))), clamp(max(0.0, max(values))), [s.get("name", "") for s in series],
                   x_label_h)
    parts = frame.open(plot.get("title", ""), plot.get("kind", "bar"))
    parts += frame.legend() + frame.y_axis(plot.get("y_label", ""))
    zero = frame.y(0.0)
    bottom = frame.top + PLOT_HEIGHT
    for c, cat in enumerate(categories):
        gx = LEFT + c * group_w
        start = gx + (group_w - n * bar_w) / 2
        for i, s in enumerate(series):
            lookup = dict(zip(s.get("x", []), s.get("y", [])))
            y = lookup.get(cat)
            if not _is_value(y):
                continue
            py = frame.y(y)
            top, h = min(py, zero), abs(zero - py)
            parts.append(f'<rect class="bar" x="{_num(start + i * bar_w)}" y="{_num(top)}" width="{_num(bar_w - 2)}" '
                         f'height="{_num(max(h, 0.5))}" fill="{colour(i)}"><title>{bidi_svg(s.get("name", ""))} · '
                         f"{bidi_svg(cat)}: {esc(format_number(y))}</title></rect>")
        cx = gx + group_w / 2
        if rotate:
            parts.append(f'<text class="tick x-tick" x="{_num(cx)}" y="{_num(bottom + 12)}" text-anchor="end" '
                         f'transform="rotate(-45 {_num(cx)} {_num(bottom + 12)})">{bidi_svg(_short(cat))}'
                         f"<title>{bidi_svg(cat)}</title></text>")
        else:
            parts.append(f'<text class="tick x-tick" x="{_num(cx)}" y="{_num(bottom + 14)}" text-anchor="middle">'
                         f"{bidi_svg(_short(cat))}<title>{bidi_svg(cat)}</title></text>")
    parts.append(frame.x_label(plot.get("x_label", "")))
    parts.append("</svg>")
    return "\n".join(parts)


def _legend_layout(names: Sequence[str], width: float) -> tuple[list[tuple[str, int, float, float]], float]:
    """Legend items (name, index, x, y) flowing left to right and wrapping at `width`, and the legend's height."""
    items: list[tuple[str, int, float, float]] = []
    if not any(names):
        return items, 0.0
    x = y = 0.0
    for i, name in enumerate(names):
        w = 22 + CHAR_W * min(len(name), 40) + 14
        if x > 0 and x + w > width:
            x, y = 0.0, y + 18
        items.append((name, i, x, y))
        x += w
    return items, y + 26


def _legend_svg(items: list[tuple[str, int, float, float]], left: float) -> list[str]:
    out = []
    for name, i, x, y in items:
        lx, ly = left + x, TOP + y
        out.append(f'<g class="legend-item"><rect x="{_num(lx)}" y="{_num(ly)}" width="14" height="12" '
                   f'fill="{colour(i)}"/><text x="{_num(lx + 20)}" y="{_num(ly + 10)}">'
                   f"{bidi_svg(name[:40] + ('…' if len(name) > 40 else ''))}</text></g>")
    return out


def _horizontal_bar_svg(plot: dict, series: Sequence[dict], categories: list[str], values: list[float]) -> str:
    """Bars along x, one row per category (labels on the left), series side by side within a row; the value axis
    is labelled at the top and the bottom. At most `MAX_WIDTH` wide, whatever the number of categories."""
    n = max(len(series), 1)
    bar_h = max(3.0, min(9.0, 28.0 / n))
    row_h = n * bar_h + 6
    left = 34 + CHAR_W * max(len(_short(c)) for c in categories) + 8  # category axis label, then the labels
    plot_w = MAX_WIDTH - left - RIGHT
    legend_items, legend_h = _legend_layout([s.get("name", "") for s in series], plot_w)
    ticks = nice_ticks(clamp(min(0.0, min(values))), clamp(max(0.0, max(values))))
    lo, hi = ticks[0], ticks[-1]
    top = TOP + legend_h + 16  # room for the upper tick labels
    data_h = row_h * len(categories)
    bottom = top + data_h
    width, height = MAX_WIDTH, bottom + 18 + 30

    def x_of(v: float) -> float:
        return left + plot_w * fraction(v, lo, hi)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plot plot-{plot.get("kind", "bar")} plot-horizontal" '
        f'role="img" width="{_num(width)}" height="{_num(height)}" viewBox="0 0 {_num(width)} {_num(height)}">',
        f"<title>{bidi_svg(plot.get('title', ''))}</title>",
    ]
    parts += _legend_svg(legend_items, left)
    for t in ticks:
        px = x_of(t)
        label = esc(format_tick(t, ticks))
        parts.append(f'<line class="grid" x1="{_num(px)}" x2="{_num(px)}" y1="{_num(top)}" y2="{_num(bottom)}"/>')
        parts.append(f'<text class="tick x-tick" x="{_num(px)}" y="{_num(top - 5)}" text-anchor="middle">{label}</text>')
        parts.append(f'<text class="tick x-tick" x="{_num(px)}" y="{_num(bottom + 14)}" text-anchor="middle">'
                     f"{label}</text>")
    zero = x_of(0.0)
    parts.append(f'<line class="axis" x1="{_num(zero)}" x2="{_num(zero)}" y1="{_num(top)}" y2="{_num(bottom)}"/>')
    parts.append(f'<line class="axis" x1="{_num(left)}" x2="{_num(left + plot_w)}" y1="{_num(bottom)}" '
                 f'y2="{_num(bottom)}"/>')
    lookups = [dict(zip(s.get("x", []), s.get("y", []))) for s in series]
    for c, cat in enumerate(categories):
        ry = top + c * row_h
        for i, (s, lookup) in enumerate(zip(series, lookups)):
            y = lookup.get(cat)
            if not _is_value(y):
                continue
            px = x_of(y)
            parts.append(f'<rect class="bar" x="{_num(min(px, zero))}" y="{_num(ry + 3 + i * bar_h)}" '
                         f'width="{_num(max(abs(px - zero), 0.5))}" height="{_num(max(bar_h - 1, 1))}" '
                         f'fill="{colour(i)}"><title>{bidi_svg(s.get("name", ""))} · {bidi_svg(cat)}: '
                         f"{esc(format_number(y))}</title></rect>")
        parts.append(f'<text class="tick y-tick category" x="{_num(left - 6)}" y="{_num(ry + row_h / 2 + 4)}" '
                     f'text-anchor="end">{bidi_svg(_short(cat))}<title>{bidi_svg(cat)}</title></text>')
    cy = top + data_h / 2
    parts.append(f'<text class="axis-label y-label" x="16" y="{_num(cy)}" text-anchor="middle" '
                 f'transform="rotate(-90 16 {_num(cy)})">{bidi_svg(plot.get("x_label", ""))}</text>')
    parts.append(f'<text class="axis-label x-label" x="{_num(left + plot_w / 2)}" y="{_num(height - 10)}" '
                 f'text-anchor="middle">{bidi_svg(plot.get("y_label", ""))}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _numeric_frame(plot: dict, x_pad: Optional[float], y_from_zero: bool) -> Optional[tuple[_Frame, list[float], float, float]]:
    series = plot.get("series", [])
    xs = [x for s in series for x, y in zip(s.get("x", []), s.get("y", [])) if _is_value(y)]
    values = _values(series)
    if not xs or not values:
        return None
    y_lo, y_hi = min(values), max(values)
    if y_from_zero:
        y_lo, y_hi = min(0.0, y_lo), max(0.0, y_hi)
    else:  # a margin, so that markers at the extremes do not sit on the axes
        margin = 0.1 * (y_hi / 2 - y_lo / 2)
        y_lo, y_hi = y_lo - margin, y_hi + margin
    if x_pad is None:
        x_pad = 0.1 * (max(xs) / 2 - min(xs) / 2)
    y_lo, y_hi = clamp(y_lo), clamp(y_hi)
    xticks = nice_ticks(clamp(min(xs) - x_pad), clamp(max(xs) + x_pad))
    frame = _Frame(MIN_PLOT_W + 160, y_lo, y_hi, [s.get("name", "") for s in series], 18)
    return frame, xticks, xticks[0], xticks[-1]


def _x_axis(frame: _Frame, xticks: list[float], x_of) -> list[str]:
    bottom = frame.top + PLOT_HEIGHT
    out = []
    for t in xticks:
        px = x_of(t)
        out.append(f'<line class="tick-mark" x1="{_num(px)}" x2="{_num(px)}" y1="{_num(bottom)}" y2="{_num(bottom + 4)}"/>')
        out.append(f'<text class="tick x-tick" x="{_num(px)}" y="{_num(bottom + 16)}" text-anchor="middle">'
                   f"{esc(format_tick(t, xticks))}</text>")
    return out


def histogram_svg(plot: dict) -> str:
    """Bars at numeric x (bin values, e.g. token length); several series share each bin side by side."""
    series = plot.get("series", [])
    distinct = sorted({x for s in series for x in s.get("x", [])})
    half_gaps = [b / 2 - a / 2 for a, b in zip(distinct, distinct[1:]) if b > a]
    half_bin = min(half_gaps) if half_gaps else 0.5  # half the narrowest bin: the bars' padding on the x axis
    made = _numeric_frame(plot, half_bin, y_from_zero=True)
    if made is None:
        return _empty(plot)
    frame, xticks, x_lo, x_hi = made

    def x_of(v: float) -> float:
        return LEFT + frame.plot_w * fraction(v, x_lo, x_hi)

    parts = frame.open(plot.get("title", ""), "histogram")
    parts += frame.legend() + frame.y_axis(plot.get("y_label", ""))
    n = max(len(series), 1)
    px_bin = min(frame.plot_w, frame.plot_w * clamp(half_bin) / (x_hi / 2 - x_lo / 2)) if x_hi > x_lo else frame.plot_w
    bar_w = max(px_bin * 0.9 / n, 1.0)
    zero = frame.y(0.0)
    for i, s in enumerate(series):
        for x, y in zip(s.get("x", []), s.get("y", [])):
            if not _is_value(y):
                continue
            left = x_of(x) - bar_w * n / 2 + i * bar_w
            py = frame.y(y)
            parts.append(f'<rect class="bar" x="{_num(left)}" y="{_num(min(py, zero))}" width="{_num(bar_w)}" '
                         f'height="{_num(max(abs(zero - py), 0.5))}" fill="{colour(i)}"><title>'
                         f"{bidi_svg(s.get('name', ''))} · {esc(format_number(x))}: {esc(format_number(y))}"
                         f"</title></rect>")
    parts += _x_axis(frame, xticks, x_of)
    parts.append(frame.x_label(plot.get("x_label", "")))
    parts.append("</svg>")
    return "\n".join(parts)


def line_svg(plot: dict) -> str:
    """Points joined in x order, one line per series; a null y breaks the line. Every point has a marker, so a
    series of one point still shows, and such a point is labelled with its series' name beside it: a plot of
    one-point series ('compression vs vocabulary size', one series per tokenizer) is a labelled scatter plot, no
    line joining unrelated tokenizers."""
    made = _numeric_frame(plot, None, y_from_zero=False)
    if made is None:
        return _empty(plot)
    frame, xticks, x_lo, x_hi = made

    def x_of(v: float) -> float:
        return LEFT + frame.plot_w * fraction(v, x_lo, x_hi)

    parts = frame.open(plot.get("title", ""), "line")
    parts += frame.legend() + frame.y_axis(plot.get("y_label", ""))
    for i, s in enumerate(plot.get("series", [])):
        points = sorted(zip(s.get("x", []), s.get("y", [])), key=lambda p: p[0])
        runs: list[list[tuple[float, float]]] = [[]]
        for x, y in points:
            if _is_value(y):
                runs[-1].append((x, y))
            elif runs[-1]:
                runs.append([])
        for run in runs:
            if len(run) > 1:
                coords = " ".join(f"{_num(x_of(x))},{_num(frame.y(y))}" for x, y in run)
                parts.append(f'<polyline class="line" points="{coords}" fill="none" stroke="{colour(i)}" '
                             f'stroke-width="2"/>')
        for x, y in points:
            if _is_value(y):
                parts.append(f'<circle class="marker" cx="{_num(x_of(x))}" cy="{_num(frame.y(y))}" r="4" '
                             f'fill="{colour(i)}"><title>{bidi_svg(s.get("name", ""))}: '
                             f"({esc(format_number(x))}, {esc(format_number(y))})</title></circle>")
    parts += _point_labels(plot.get("series", []), frame, x_of)
    parts += _x_axis(frame, xticks, x_of)
    parts.append(frame.x_label(plot.get("x_label", "")))
    parts.append("</svg>")
    return "\n".join(parts)


def _point_labels(series: Sequence[dict], frame: _Frame, x_of) -> list[str]:
    """The name of each one-point series next to its marker: right of it, or left where it would leave the plot;
    a label that would overlap one already placed moves down (or up) a line."""
    right_edge = LEFT + frame.plot_w + RIGHT
    placed: list[tuple[float, float, float]] = []  # (x0, x1, baseline) of labels drawn
    out = []
    for s in series:
        points = [(x, y) for x, y in zip(s.get("x", []), s.get("y", [])) if _is_value(y)]
        name = s.get("name", "")
        if len(points) != 1 or not name:
            continue
        label = _short(name)
        w = CHAR_W * len(label)
        px, py = x_of(points[0][0]), frame.y(points[0][1])
        if px + 7 + w <= right_edge:
            x0, anchor, tx = px + 7, "start", px + 7
        else:
            x0, anchor, tx = px - 7 - w, "end", px - 7
        base = py + 4
        for step in (0, 13, -13, 26, -26, 39, -39):
            b = base + step
            if all(x0 + w < a or b0 < x0 or abs(b - pb) >= 12 for a, b0, pb in placed) and frame.top + 10 <= b:
                base = b
                break
        placed.append((x0, x0 + w, base))
        out.append(f'<text class="point-label" x="{_num(tx)}" y="{_num(base)}" text-anchor="{anchor}">'
                   f"{bidi_svg(label)}<title>{bidi_svg(name)}</title></text>")
    return out


RENDERERS = {"bar": bar_svg, "grouped_bar": bar_svg, "histogram": histogram_svg, "line": line_svg}


def plot_svg(plot: dict) -> str:
    """The SVG of one plot of the report schema (kind already validated)."""
    return RENDERERS[plot["kind"]](plot)
