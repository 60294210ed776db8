"""report.html in a real browser (headless Chromium over the DevTools protocol): the tables and SVG plots are in the
rendered DOM, hostile tokens stay text, and the page logs no console error and makes no network request — not
even for a favicon. Two broken pages prove the check can fail. Skipped only when no Chromium binary exists
(`.ci/run` installs Debian's `chromium`)."""

from __future__ import annotations

import json

import pytest

from tokenforge.reports import write_html

from chromium_page import find_chromium, inspect_page
from conftest import ROOT

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium binary found (apt-get install chromium, or "
                                                          "set TOKENFORGE_CHROMIUM); .ci/run installs it")
FIXTURE = ROOT / "tests" / "fixtures" / "eval-report-example.json"


@pytest.fixture(scope="module")
def seen(tmp_path_factory):
    report = json.loads(FIXTURE.read_text(encoding="utf-8"))
    path = tmp_path_factory.mktemp("browser") / "report.html"
    write_html(report, path)
    return inspect_page(path, CHROMIUM)


def test_no_console_errors_and_no_requests(seen):
    assert seen["console"] == []
    assert seen["requests"] == []


def test_tables_and_plots_are_rendered(seen):
    dom = seen["dom"]
    assert dom["title"] == "tokenforge evaluation report"
    assert dom["scripts"] == 0
    assert dom["external"] == ["data:,"]
    # fixture: 3 overview tables + 3 section tables + one folded data table per plot (4)
    assert dom["tables"] == 10
    assert dom["sections"] == ["overview", "sec-compression", "sec-parity", "sec-token-lengths", "sec-undecodable",
                               "sec-empty"]
    kinds = [s["cls"] for s in dom["svgs"]]
    assert kinds == ["plot plot-line", "plot plot-grouped_bar", "plot plot-bar", "plot plot-histogram"]
    for svg in dom["svgs"]:
        assert svg["width"] > 300 and svg["height"] > 200  # laid out, not collapsed
        assert svg["texts"] >= 6  # ticks, axis labels, legend
    line, grouped, bar, hist = dom["svgs"]
    assert (line["markers"], grouped["bars"], bar["bars"], hist["bars"]) == (2, 5, 2, 11)


def test_hostile_tokens_stay_text(seen):
    cells = seen["dom"]["cells"]
    assert "<script>alert(1)</script>" in cells
    assert "</td></tr></table>" in cells
    assert "\\x00\\x01\\x7f" in cells


def test_the_check_sees_requests_and_console_errors(tmp_path):
    """Negative controls: a page that fetches and logs must be caught, or the checks above prove nothing."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><title>x</title></head><body>'
                   '<img src="http://127.0.0.1:9/pixel.png"><script>console.error("boom")</script></body></html>')
    seen = inspect_page(bad, CHROMIUM)
    assert "http://127.0.0.1:9/pixel.png" in seen["requests"]
    assert ("error", "boom") in seen["console"]
    assert seen["dom"]["scripts"] == 1
