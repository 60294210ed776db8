"""The report writers: schema checks, report.json stability, and the HTML page read back by independent parsers
(the standard library's HTML parser for the page, ElementTree for each SVG plot). Expected values are written by
hand from the fixture `fixtures/eval-report-example.json`, which follows the metrics/report contract."""

from __future__ import annotations

import copy
import json
import math
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tokenforge.reports import ReportError, read_json, render_html, validate, write_html, write_json
from tokenforge.reports.numfmt import format_number, nice_ticks

from conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "eval-report-example.json"
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def report() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def minimal(**extra) -> dict:
    base = {"schema": "tokenforge.eval-report", "version": 1, "tokenizers": [], "metrics": {}, "sections": []}
    base.update(extra)
    return base


def plot_report(plot: dict) -> dict:
    return minimal(sections=[{"id": "p", "title": "P", "description": "", "tables": [], "plots": [plot]}])


class Page(HTMLParser):
    """What a browser's parser builds from the page, reduced to what the tests look at."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: dict[str, int] = {}
        self.cells: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []
        self._cell: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.attrs += [(tag, k, v or "") for k, v in attrs]
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def svgs(page: str) -> list[ET.Element]:
    """Every inline <svg> of the page, parsed as standalone XML (so each must be well-formed)."""
    return [ET.fromstring(m) for m in re.findall(r"<svg\b.*?</svg>", page, flags=re.S)]


def texts(svg: ET.Element) -> list[str]:
    """The visible text of each <text> (its own text, not the tooltip <title> inside it), bidi isolates removed."""
    return [(t.text or "").strip("\u2068\u2069") for t in svg.iter(f"{SVG_NS}text")]


# -- schema ----------------------------------------------------------------------------------------------------


def test_fixture_is_valid(report):
    validate(report)


@pytest.mark.parametrize("mutate, where", [
    (lambda r: r.update(schema="something-else"), "schema"),
    (lambda r: r.update(version=2), "version"),
    (lambda r: r["tokenizers"][1].pop("name"), "tokenizers[1].name"),
    (lambda r: r["sections"][0]["tables"][0]["rows"][1].pop(), "sections[0].tables[0].rows[1]"),
    (lambda r: r["sections"][0]["tables"][0]["rows"][0].__setitem__(1, [1, 2]), "sections[0].tables[0].rows[0][1]"),
    (lambda r: r["sections"][1]["plots"][0].update(kind="pie"), "sections[1].plots[0].kind"),
    (lambda r: r["sections"][1]["plots"][0]["series"][0]["x"].__setitem__(0, 3), "sections[1].plots[0].series[0].x[0]"),
    (lambda r: r["sections"][2]["plots"][0]["series"][0]["x"].__setitem__(0, "one"), "sections[2].plots[0].series[0].x[0]"),
    (lambda r: r["sections"][2]["plots"][0]["series"][1]["y"].pop(), "sections[2].plots[0].series[1]"),
    (lambda r: r["sections"][2]["plots"][0]["series"][1]["y"].__setitem__(0, "7"), "sections[2].plots[0].series[1].y[0]"),
    (lambda r: r["sections"].append("text"), "sections[5]"),
    (lambda r: r.update(metrics=[]), "metrics"),
])
def test_schema_errors_name_the_field(report, mutate, where):
    mutate(report)
    with pytest.raises(ReportError) as info:
        validate(report)
    assert info.value.where == where
    assert where in str(info.value)


def test_not_an_object():
    with pytest.raises(ReportError, match="must be a JSON object"):
        validate([1, 2])


# -- report.json -----------------------------------------------------------------------------------------------


def test_json_exact_text(tmp_path):
    """Sorted keys at every level, indent 1, non-ASCII kept, controls escaped, NaN/inf as null, tuples as lists,
    one final newline: the expected text is written by hand."""
    report = minimal(metrics={"b": {"z": float("nan"), "a": (1, 2.5)}, "a": {"x": float("inf")}},
                     corpus={"lang": "tr", "sources": ["ğ.txt"]}, tokenizers=[{"name": "b\x00"}])
    path = tmp_path / "report.json"
    write_json(report, path)
    assert path.read_text(encoding="utf-8") == (
        '{\n "corpus": {\n  "lang": "tr",\n  "sources": [\n   "ğ.txt"\n  ]\n },\n'
        ' "metrics": {\n  "a": {\n   "x": null\n  },\n  "b": {\n   "a": [\n    1,\n    2.5\n   ],\n   "z": null\n  }\n },\n'
        ' "schema": "tokenforge.eval-report",\n "sections": [],\n "tokenizers": [\n  {\n   "name": "b\\u0000"\n  }\n ],\n'
        ' "version": 1\n}\n')


def test_json_stable_and_round_trips(report, tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    write_json(report, a)
    shuffled = dict(reversed(list(copy.deepcopy(report).items())))
    write_json(shuffled, b)
    assert a.read_bytes() == b.read_bytes()
    again = read_json(a)
    assert again == report  # the fixture has no NaN or tuples: nothing is changed on the way
    write_json(again, b)
    assert a.read_bytes() == b.read_bytes()


def test_json_lone_surrogate_survives(tmp_path):
    report = minimal(tokenizers=[{"name": "x\ud800y"}])
    path = tmp_path / "r.json"
    write_json(report, path)
    raw = path.read_bytes()
    raw.decode("utf-8")  # valid UTF-8 on disk
    assert b"\\ud800" in raw
    assert read_json(path)["tokenizers"][0]["name"] == "x\ud800y"


def test_json_rejects_objects_and_keeps_old_file(tmp_path):
    path = tmp_path / "report.json"
    path.write_text("old")
    with pytest.raises(ReportError, match=r"metrics\.t\.when: set is not JSON"):
        write_json(minimal(metrics={"t": {"when": {1, 2}}}), path)
    with pytest.raises(ReportError, match="sections"):
        write_json(minimal(sections={"a": 1}), path)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temp file left behind


@pytest.mark.parametrize("content, message", [
    (b"{not json", "not a JSON report"),
    (b"\xff\xfe", "not a JSON report"),
    (b'{"schema": "tokenforge.eval-report", "version": 99}', "version"),
])
def test_read_json_errors(tmp_path, content, message):
    path = tmp_path / "r.json"
    path.write_bytes(content)
    with pytest.raises(ReportError, match=message) as info:
        read_json(path)
    assert str(path) in str(info.value)


# -- HTML: structure, escaping ---------------------------------------------------------------------------------


def test_page_is_self_contained(report):
    page = render_html(report)
    parsed = Page(page)
    assert parsed.tags.get("script", 0) == 0
    assert parsed.tags.get("img", 0) == 0
    # Nothing refers outside the file except the links in the descriptions, which a reader follows on purpose.
    refs = [(t, k, v) for t, k, v in parsed.attrs if k in ("src", "href", "srcset", "action", "data")]
    assert all(v.startswith("#") or v.startswith("data:") or (t == "a" and v.startswith("https://"))
               for t, _, v in refs), refs
    assert ("link", "href", "data:,") in parsed.attrs  # the favicon is inline: no request for /favicon.ico
    csp = [v for t, k, v in parsed.attrs if t == "meta" and k == "content" and "default-src" in v]
    assert csp and "default-src 'none'" in csp[0]
    assert "@import" not in page and "url(" not in page


def test_hostile_cells_are_text(report):
    cells = Page(render_html(report)).cells
    for expected in ["<script>alert(1)</script>", "a&b\"c'd", "</td></tr></table>", "\u05e9\u05dc\u05d5\u05dd",
                     "<b>why</b>"]:
        assert expected in cells
    # Invisible and layout-changing characters are shown as escapes (hand-written):
    assert "\\x00\\x01\\x7f" in cells
    assert "\\u202egnp.exe" in cells
    assert "\\ud800" in cells
    assert "—" in cells  # the null cell


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), max_size=40))
def test_any_printable_text_survives_as_a_cell(text):
    """Text without control characters or surrogates comes back from an HTML parser exactly (no markup can leak)."""
    bidi = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    nonchar = {c for c in text if 0xFDD0 <= ord(c) <= 0xFDEF or (ord(c) & 0xFFFE) == 0xFFFE}
    if bidi & set(text) or nonchar:
        return
    report = minimal(sections=[{"id": "s", "title": text, "description": text,
                                "tables": [{"title": "t", "columns": ["c"], "rows": [[text]]}], "plots": []}])
    parsed = Page(render_html(report))
    assert parsed.cells[-1] == text
    assert parsed.tags.get("script", 0) == 0


def test_sections_in_order_with_unique_anchors(report):
    report["sections"][1]["id"] = "compression"  # a duplicate id
    page = render_html(report)
    ids = [v for t, k, v in Page(page).attrs if t == "section" and k == "id"]
    assert ids == ["overview", "sec-compression", "sec-compression-2", "sec-token-lengths", "sec-undecodable",
                   "sec-empty"]
    for section in report["sections"]:
        assert section["title"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in page


def test_summary_table_lists_scalar_metrics(report):
    cells = Page(render_html(report)).cells
    start = cells.index("metric")
    # header, then one row per scalar metric id in sorted order; dict-valued metrics (token_lengths) are left out.
    assert cells[start:start + 3] == ["metric", "udhr-bpe", "gpt2-small"]
    rows = [cells[i:i + 3] for i in range(start + 3, start + 3 + 7 * 3, 3)]
    assert rows == [["bytes_per_token", "4.12", "3.58"], ["chars_per_token", "4.11", "3.57"],
                    ["fertility", "1.31", "1.51"], ["parity_max_min", "—", "7.25"],
                    ["renyi_efficiency", "0.4621", "0.4399"], ["tokens", "2,624", "3,020"], ["unk_rate", "0", "0"]]
    assert "token_lengths" not in cells


def test_empty_section_table_and_plot_say_so():
    report = minimal(sections=[
        {"id": "e", "title": "Empty", "description": "", "tables": [], "plots": []},
        {"id": "t", "title": "No rows", "description": "", "tables": [{"title": "T", "columns": ["a", "b"], "rows": []}],
         "plots": [{"kind": "bar", "title": "B", "x_label": "x", "y_label": "y", "series": []},
                   {"kind": "line", "title": "L", "x_label": "x", "y_label": "y",
                    "series": [{"name": "s", "x": [1, 2], "y": [None, None]}]}]},
    ])
    page = render_html(report)
    assert "nothing to show for this section" in page
    assert "no rows" in Page(page).cells
    plots = svgs(page)
    assert len(plots) == 2 and all("no data" in texts(s) for s in plots)


def test_render_is_deterministic_and_independent_of_key_order(report, tmp_path):
    first = render_html(report)
    assert render_html(copy.deepcopy(report)) == first
    write_json(report, tmp_path / "r.json")
    assert render_html(read_json(tmp_path / "r.json")) == first
    write_html(report, tmp_path / "r.html")
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == first


def test_render_rejects_bad_report(report):
    report["sections"][0]["plots"][0]["kind"] = "pie"
    with pytest.raises(ReportError, match="unknown plot kind 'pie'"):
        render_html(report)


# -- plots -----------------------------------------------------------------------------------------------------


def rects(svg):
    return [r for r in svg.iter(f"{SVG_NS}rect") if r.get("class") == "bar"]


def test_every_plot_kind_in_the_fixture(report):
    plots = svgs(render_html(report))
    assert [s.get("class") for s in plots] == ["plot plot-line", "plot plot-grouped_bar", "plot plot-bar",
                                               "plot plot-histogram"]
    line, grouped, bar, hist = plots
    # one marker per point, no line for one-point series; axis labels and legend present
    assert len([c for c in line.iter(f"{SVG_NS}circle")]) == 2
    assert {"vocabulary size (ids)", "bytes per token", "udhr-bpe", "gpt2-small"} <= set(texts(line))
    # grouped bars: 3 + 2 values (the null arb/gpt2-small leaves a gap)
    assert len(rects(grouped)) == 5
    assert {"eng", "tur", "arb", "language", "tokens / tokens in English"} <= set(texts(grouped))
    assert len(rects(bar)) == 2
    assert len(rects(hist)) == 6 + 5
    assert {"token length (bytes)", "share of tokens"} <= set(texts(hist))


def test_bar_heights_are_proportional():
    plot = {"kind": "bar", "title": "t", "x_label": "x", "y_label": "y",
            "series": [{"name": "s", "x": ["a", "b", "c"], "y": [1, 2, 4]}]}
    (svg,) = svgs(render_html(plot_report(plot)))
    heights = [float(r.get("height")) for r in rects(svg)]
    bottoms = {round(float(r.get("y")) + float(r.get("height")), 1) for r in rects(svg)}
    assert len(bottoms) == 1  # all bars stand on the zero line
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.02)
    assert heights[2] == pytest.approx(4 * heights[0], abs=0.02)
    assert [t for t in texts(svg) if t in "01234"] == ["0", "1", "2", "3", "4"]  # y ticks 0..4 step 1


def test_negative_bars_hang_below_zero():
    plot = {"kind": "bar", "title": "t", "x_label": "x", "y_label": "y",
            "series": [{"name": "s", "x": ["up", "down"], "y": [2, -1]}]}
    (svg,) = svgs(render_html(plot_report(plot)))
    up, down = rects(svg)
    assert float(up.get("y")) + float(up.get("height")) == pytest.approx(float(down.get("y")), abs=0.02)
    assert float(up.get("height")) == pytest.approx(2 * float(down.get("height")), abs=0.02)


def test_line_sorted_and_broken_at_null():
    plot = {"kind": "line", "title": "t", "x_label": "vocab", "y_label": "bpt",
            "series": [{"name": "s", "x": [4, 1, 2, 3, 5], "y": [4.0, 1.0, 2.0, None, 5.0]}]}
    (svg,) = svgs(render_html(plot_report(plot)))
    lines = [p for p in svg.iter(f"{SVG_NS}polyline")]
    assert len(lines) == 2  # 1-2, then 4-5
    first = [tuple(map(float, p.split(","))) for p in lines[0].get("points").split()]
    second = [tuple(map(float, p.split(","))) for p in lines[1].get("points").split()]
    assert len(first) == 2 and len(second) == 2
    assert first[0][0] < first[1][0] < second[0][0] < second[1][0]  # in x order
    assert first[0][1] > first[1][1]  # larger y is higher on the page (smaller pixel y)
    assert len(list(svg.iter(f"{SVG_NS}circle"))) == 4


def test_many_categories_rotate_labels_and_widen():
    cats = [f"language-{i:02d}" for i in range(24)]
    plot = {"kind": "grouped_bar", "title": "t", "x_label": "x", "y_label": "y",
            "series": [{"name": n, "x": cats, "y": list(range(24))} for n in ("a", "b")]}
    (svg,) = svgs(render_html(plot_report(plot)))
    assert 24 * 2 * 10 < float(svg.get("width")) <= 960
    assert len(rects(svg)) == 2 * 24  # a zero is a value (a hairline bar); only null leaves a gap
    ticks = [t for t in svg.iter(f"{SVG_NS}text") if "x-tick" in (t.get("class") or "")]
    assert len(ticks) == 24 and all("rotate(-45" in t.get("transform", "") for t in ticks)


def test_too_many_categories_for_a_page_lie_horizontal():
    """53 languages x 4 tokenizers would be over 2,000 px wide: one row per language instead, at most 960 wide."""
    cats = [f"language-{i:02d}" for i in range(53)]
    plot = {"kind": "grouped_bar", "title": "t", "x_label": "x", "y_label": "y",
            "series": [{"name": n, "x": cats, "y": list(range(53))} for n in ("a", "b", "c", "d")]}
    (svg,) = svgs(render_html(plot_report(plot)))
    assert "plot-horizontal" in svg.get("class") and float(svg.get("width")) <= 960
    assert svg.get("viewBox").split()[2] == svg.get("width")
    assert len(rects(svg)) == 4 * 53  # a zero is a value (a hairline bar); only null leaves a gap
    labels = [t for t in svg.iter(f"{SVG_NS}text") if "category" in (t.get("class") or "")]
    assert [(t.text or "").strip("\u2068\u2069") for t in labels] == cats
    rows = sorted({float(t.get("y")) for t in labels})
    assert len(rows) == 53 and rows[0] < rows[-1]  # one row per category, top to bottom


def test_plot_text_is_escaped_and_well_formed():
    hostile = "<&\"'\x00\u202e>"
    plot = {"kind": "grouped_bar", "title": hostile, "x_label": hostile, "y_label": hostile,
            "series": [{"name": hostile, "x": [hostile], "y": [1]}, {"name": "b", "x": [hostile], "y": [2]}]}
    (svg,) = svgs(render_html(plot_report(plot)))  # ElementTree parses it: well-formed XML
    assert "<&\"'\\x00\\u202e>" in texts(svg)


# -- number formatting (hand-computed) -------------------------------------------------------------------------


@pytest.mark.parametrize("value, text", [
    (0, "0"), (1234567, "1,234,567"), (3.14159, "3.142"), (12.0, "12"), (0.46213, "0.4621"), (1234.6, "1,235"),
    (0.00001234, "1.234e-05"), (-2.5, "-2.5"), (float("nan"), "NaN"), (float("inf"), "∞"), (True, "true"),
])
def test_format_number(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize("lo, hi, ticks", [
    (0, 7.25, [0, 2, 4, 6, 8]), (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]), (1000, 4097, [1000, 2000, 3000, 4000, 5000]),
    (-1, 2, [-1, 0, 1, 2]), (-0.3, 0.3, [-0.4, -0.2, 0, 0.2, 0.4]), (5, 5, [2, 3, 4, 5, 6, 7, 8]),
])
def test_nice_ticks(lo, hi, ticks):
    assert nice_ticks(lo, hi) == pytest.approx(ticks)
    assert not any(math.isnan(t) for t in ticks)


finite = st.floats(allow_nan=False, allow_infinity=False)
maybe = st.one_of(st.none(), finite, st.integers(min_value=-10**9, max_value=10**9))


@st.composite
def plots(draw):
    kind = draw(st.sampled_from(["bar", "grouped_bar", "histogram", "line"]))
    n_series = draw(st.integers(0, 5))
    series = []
    for i in range(n_series):
        if kind in ("bar", "grouped_bar"):
            xs = draw(st.lists(st.text(max_size=12), max_size=12, unique=True))
        else:
            xs = draw(st.lists(finite, max_size=12, unique=True))
        ys = draw(st.lists(maybe, min_size=len(xs), max_size=len(xs)))
        series.append({"name": draw(st.text(max_size=20)), "x": xs, "y": ys})
    return {"kind": kind, "title": draw(st.text(max_size=20)), "x_label": "x", "y_label": "y", "series": series}


@settings(max_examples=150, deadline=None)
@given(plots())
def test_any_plot_renders_well_formed(plot):
    """Arbitrary data (negative, huge, null, duplicate-free labels of any text) gives one well-formed SVG with a mark
    per finite value, or a 'no data' plot when there is none."""
    (svg,) = svgs(render_html(plot_report(plot)))
    values = sum(1 for s in plot["series"] for y in s["y"] if y is not None)
    marks = len(rects(svg)) if plot["kind"] != "line" else len(list(svg.iter(f"{SVG_NS}circle")))
    if values:
        assert marks == values
    else:
        assert "no data" in texts(svg)
    for element in svg.iter():
        for attr in ("x", "y", "width", "height", "cx", "cy"):
            if element.get(attr) is not None:
                assert math.isfinite(float(element.get(attr)))
