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


def test_real_report_in_the_browser(tmp_path):
    """The page `tokenforge eval` writes for the README's job (a real evaluate() report) passes the same checks."""
    from tokenforge import cli
    from tokenforge.reports import read_json

    examples = ROOT / "examples"
    tok = tmp_path / "udhr-bpe.json"
    assert cli.main(["train", str(examples / "udhr-en.txt"), "--vocab-size", "600", "-o", str(tok), "-q"]) == 0
    assert cli.main(["eval", str(tok), str(examples / "gpt2-small.tiktoken"), "--corpus", str(examples / "udhr-en.txt"),
                     "--parallel", "udhr", "-o", str(tmp_path / "out"), "-q"]) == 0
    report = read_json(tmp_path / "out" / "report.json")
    seen = inspect_page(tmp_path / "out" / "report.html", CHROMIUM)
    assert seen["console"] == [] and seen["requests"] == []
    dom = seen["dom"]
    assert dom["scripts"] == 0
    n_plots = sum(len(s["plots"]) for s in report["sections"])
    n_tables = sum(len(s["tables"]) for s in report["sections"])
    assert n_plots >= 4 and len(dom["svgs"]) == n_plots
    assert dom["tables"] == 3 + n_tables + n_plots  # overview (3) + the sections' + one data table per plot
    assert all(s["width"] > 300 and s["height"] > 200 for s in dom["svgs"])
    assert dom["sections"][1:] == ["sec-" + s["id"] for s in report["sections"]]
