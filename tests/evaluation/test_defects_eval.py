"""Regression tests for issue 13's `tokenforge eval` items: an empty corpus is refused (9); eval has the corpus
flags of every other command (7); --corpus takes one path per flag (11a); the report says how plain text was
encoded (11b); compression vs vocabulary size is a scatter plot (11c); NSL is explained only with a baseline (11d);
parity plots fit a page with 53 languages (11e)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings, strategies as st

from tokenforge import cli
from tokenforge.errors import CorpusError
from tokenforge.evaluation import evaluate
from tokenforge.reports import read_json, render_html

from conftest import ROOT, UDHR, needs_shared, run_cli as run

EXAMPLES = ROOT / "examples"
TOK = str(EXAMPLES / "gpt2-small.tiktoken")
UDHR_EN = str(EXAMPLES / "udhr-en.txt")
SVG_NS = "{http://www.w3.org/2000/svg}"
PAGE_WIDTH = 960


def svgs(page: str) -> list[ET.Element]:
    return [ET.fromstring(m) for m in re.findall(r"<svg\b.*?</svg>", page, flags=re.S)]


def texts(svg: ET.Element) -> list[str]:
    return [(t.text or "").strip("\u2068\u2069") for t in svg.iter(f"{SVG_NS}text")]


def section(report: dict, sid: str) -> dict:
    return next(s for s in report["sections"] if s["id"] == sid)


@pytest.fixture(scope="module")
def gpt2_report():
    """One evaluation of the bundled sample (no baseline) shared by the report-shape tests."""
    return evaluate([TOK], UDHR_EN, progress=False)


# -- 9: an empty corpus ------------------------------------------------------------------------------------------


def _empty_file(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    return tmp_path / "empty.txt"


def _blank_file(tmp_path):
    (tmp_path / "blank.txt").write_text("\n  \n\t\n\n", encoding="utf-8")
    return tmp_path / "blank.txt"


def _no_corpus_files(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "image.png").write_bytes(b"\x89PNG")
    return folder


@pytest.mark.parametrize("make", [_empty_file, _blank_file, _no_corpus_files])
def test_eval_refuses_a_corpus_without_text(capsys, monkeypatch, tmp_path, make):
    path = make(tmp_path)
    out = tmp_path / "new" / "report"
    status, stdout, err = run(capsys, monkeypatch, ["eval", TOK, "--corpus", str(path), "-o", str(out)])
    assert status == 2 and stdout == ""
    assert err.startswith("tokenforge: error: no text: ") and err.count("\n") == 1
    assert str(path) in err
    assert not (tmp_path / "new").exists()  # nothing written, not even the folder


def test_eval_refusal_keeps_an_existing_output_folder(capsys, monkeypatch, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    status, _, err = run(capsys, monkeypatch, ["eval", TOK, "--corpus", str(_blank_file(tmp_path)), "-o", str(out)])
    assert status == 2 and "no text" in err
    assert out.is_dir() and list(out.iterdir()) == []


@pytest.mark.parametrize("make", [_empty_file, _blank_file, _no_corpus_files])
def test_evaluate_api_refuses_a_corpus_without_text(tmp_path, make):
    path = make(tmp_path)
    with pytest.raises(CorpusError, match=f"^no text: {re.escape(str(path))}"):
        evaluate([TOK], str(path), progress=False)


def test_evaluate_refuses_empty_records(tmp_path):
    (tmp_path / "blank.jsonl").write_text('{"text": ""}\n{"text": "  \\n"}\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="no text"):
        evaluate([TOK], str(tmp_path / "blank.jsonl"), progress=False)


# -- 7: the corpus flags ------------------------------------------------------------------------------------------


def test_eval_has_the_corpus_flags(capsys, monkeypatch):
    status, out, _ = run(capsys, monkeypatch, ["eval", "--help"])
    assert status == 0
    for flag in ("--errors", "--on-bad-record", "--text-field", "--column"):
        assert flag in out


def test_eval_reads_json_lines_with_text_field(capsys, monkeypatch, tmp_path):
    lines = open(UDHR_EN, encoding="utf-8").read().splitlines(keepends=True)
    corpus = tmp_path / "docs.jsonl"
    corpus.write_text("".join(json.dumps({"id": i, "body": t}) + "\n" for i, t in enumerate(lines)), encoding="utf-8")

    status, _, err = run(capsys, monkeypatch, ["eval", TOK, "--corpus", str(corpus), "-o", str(tmp_path / "a")])
    assert status == 2 and "--text-field" in err and "'body'" in err and err.count("\n") == 1

    status, _, err = run(capsys, monkeypatch, ["eval", TOK, "--corpus", str(corpus), "--text-field", "body", "-q",
                                               "-o", str(tmp_path / "b")])
    assert status == 0, err
    report = read_json(tmp_path / "b" / "report.json")
    assert report["corpus"]["records"] == len(lines)
    assert report["corpus"]["chars"] == sum(map(len, lines))
    assert "plain_text_note" not in report["corpus"]  # no plain text was read


def test_eval_passes_on_bad_record_and_errors(capsys, monkeypatch, tmp_path):
    corpus = tmp_path / "docs.jsonl"
    corpus.write_text('{"text": "hello world"}\nnot json\n{"text": "more words"}\n', encoding="utf-8")
    status, _, err = run(capsys, monkeypatch, ["eval", TOK, "--corpus", str(corpus), "-o", str(tmp_path / "a")])
    assert status == 2 and "--on-bad-record" in err
    status, _, err = run(capsys, monkeypatch, ["eval", TOK, "--corpus", str(corpus), "--on-bad-record", "skip",
                                               "-q", "-o", str(tmp_path / "b")])
    assert status == 0, err
    assert read_json(tmp_path / "b" / "report.json")["corpus"]["records"] == 2

    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9 au lait\n")
    status, _, err = run(capsys, monkeypatch, ["eval", TOK, "--corpus", str(bad), "--errors", "strict",
                                               "-o", str(tmp_path / "c")])
    assert status == 2 and str(bad) in err and not (tmp_path / "c").exists()


# -- 11a: --corpus takes one path per flag ------------------------------------------------------------------------


def test_corpus_flag_takes_one_path_so_tokenizers_may_follow(capsys, monkeypatch, tmp_path):
    out = tmp_path / "r"
    status, _, err = run(capsys, monkeypatch, ["eval", "--corpus", UDHR_EN, TOK, "-q", "-o", str(out)])
    assert status == 0, err
    report = read_json(out / "report.json")
    assert [t["name"] for t in report["tokenizers"]] == ["gpt2-small"]
    assert report["corpus"]["sources"] == [UDHR_EN]


def test_corpus_flag_repeats(capsys, monkeypatch, tmp_path):
    second = tmp_path / "second.txt"
    second.write_text("A second file of text.\n", encoding="utf-8")
    status, _, err = run(capsys, monkeypatch, ["eval", TOK, "--corpus", UDHR_EN, "--corpus", str(second), "-q",
                                               "-o", str(tmp_path / "r")])
    assert status == 0, err
    assert read_json(tmp_path / "r" / "report.json")["corpus"]["sources"] == [UDHR_EN, str(second)]


def test_docs_show_the_repeated_corpus_flag(capsys, monkeypatch):
    status, out, _ = run(capsys, monkeypatch, ["eval", "--help"])
    assert status == 0 and "--corpus a.txt --corpus" in out
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`--corpus PATH` once per path" in readme and "--corpus PATH..." not in readme
    reports = (ROOT / "docs" / "reports.md").read_text(encoding="utf-8")
    assert "--corpus PATH [--corpus PATH ...]" in reports and "--corpus PATH..." not in reports


# -- 11b: how plain text is encoded ------------------------------------------------------------------------------


def test_report_says_plain_text_is_running_text_in_pieces(gpt2_report, tmp_path):
    note = gpt2_report["corpus"]["plain_text_note"]
    assert "running text" in note and "64K characters" in note and "line ends" in note
    assert "a few tokens per million" in note
    assert note in section(gpt2_report, "compression")["description"]
    page = render_html(gpt2_report)
    assert re.search(r'<p class="note totals-note">Token totals: plain text is encoded as running text in pieces '
                     r"of about 64K characters cut at line ends; totals can differ from encoding each file whole "
                     r"by a few tokens per million\.</p>", page)
    # and it survives report.json (extra corpus fields are part of schema version 1)
    from tokenforge.reports import write_json

    write_json(gpt2_report, tmp_path / "report.json")
    assert read_json(tmp_path / "report.json")["corpus"]["plain_text_note"] == note


def test_line_records_note_says_lines():
    report = evaluate([TOK], UDHR_EN, line_records=True, progress=False)
    assert report["corpus"]["plain_text_units"] == "lines"
    assert "line by line" in report["corpus"]["plain_text_note"]


# -- 11c: compression vs vocabulary size is a scatter plot -------------------------------------------------------


def test_compression_vs_vocabulary_size_draws_points_not_a_line(tmp_path):
    tok = tmp_path / "udhr-bpe.json"
    assert cli.main(["train", UDHR_EN, "--vocab-size", "400", "-o", str(tok), "-q"]) == 0
    report = evaluate([TOK, str(tok)], UDHR_EN, progress=False)
    plot = next(p for p in section(report, "compression")["plots"] if p["title"] == "Compression vs vocabulary size")
    assert [(s["name"], len(s["x"]), len(s["y"])) for s in plot["series"]] == [("udhr-bpe", 1, 1),
                                                                                ("gpt2-small", 1, 1)]
    svg = next(s for s in svgs(render_html(report)) if "plot-line" in s.get("class"))
    assert list(svg.iter(f"{SVG_NS}polyline")) == []
    assert len(list(svg.iter(f"{SVG_NS}circle"))) == 2
    labels = [(t.text or "").strip("\u2068\u2069") for t in svg.iter(f"{SVG_NS}text")
              if t.get("class") == "point-label"]
    assert sorted(labels) == ["gpt2-small", "udhr-bpe"]


# -- 11d: NSL only with a baseline -------------------------------------------------------------------------------


PARALLEL = {"eng": ["All human beings are born free.", "Everyone has the right to life."],
            "fra": ["Tous les êtres humains naissent libres.", "Tout individu a droit à la vie."]}


def test_nsl_explained_only_with_a_baseline():
    plain = evaluate([TOK], UDHR_EN, parallel=PARALLEL, progress=False)
    for sid in ("compression", "parity"):
        assert "NSL" not in section(plain, sid)["description"]
    with_base = evaluate([TOK], UDHR_EN, parallel=PARALLEL, baseline="gpt2-small", progress=False)
    for sid in ("compression", "parity"):
        assert "NSL" in section(with_base, sid)["description"]


# -- 11e: parity plots fit a page ---------------------------------------------------------------------------------


def _check_fits(report: dict, languages: int) -> None:
    page = render_html(report)
    plots = svgs(page)
    for svg in plots:
        width = float(svg.get("width"))
        view = [float(v) for v in svg.get("viewBox").split()]
        assert width <= PAGE_WIDTH and view[2] == width, svg.get("class")
    horizontal = [s for s in plots if "plot-horizontal" in s.get("class")]
    assert len(horizontal) == 2  # premium and average rank: one row per language
    for svg in horizontal:
        rows = [t for t in svg.iter(f"{SVG_NS}text") if "category" in (t.get("class") or "")]
        assert len(rows) == languages


def test_parity_plots_fit_the_page_with_53_languages():
    langs = [f"l{i:02d}" for i in range(53)]
    parallel = {lang: [f"text {k} in language {lang} " * (1 + i % 5) for k in range(3)]
                for i, lang in enumerate(langs)}
    report = evaluate([TOK], UDHR_EN, parallel=parallel, pivot="l00", progress=False)
    _check_fits(report, 53)


@needs_shared
def test_parity_plots_fit_the_page_with_the_udhr_languages(capsys, monkeypatch, tmp_path):
    langs = sorted(p.stem for p in UDHR.glob("*.json"))
    out = tmp_path / "r"
    status, _, err = run(capsys, monkeypatch, ["eval", TOK, "--corpus", UDHR_EN, "--parallel", str(UDHR), "-q",
                                               "-o", str(out)])
    assert status == 0, err
    _check_fits(read_json(out / "report.json"), len(langs))


labels = st.lists(st.text(max_size=12), min_size=40, max_size=60, unique=True)
finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(labels, st.integers(1, 5), st.data())
def test_horizontal_bars_render_well_formed(cats, n_series, data):
    series = [{"name": f"s{i}", "x": cats,
               "y": data.draw(st.lists(st.one_of(st.none(), finite), min_size=len(cats), max_size=len(cats)))}
              for i in range(n_series)]
    plot = {"kind": "grouped_bar", "title": "t", "x_label": "x", "y_label": "y", "series": series}
    report = {"schema": "tokenforge.eval-report", "version": 1, "tokenizers": [], "metrics": {},
              "sections": [{"id": "p", "title": "P", "tables": [], "plots": [plot]}]}
    (svg,) = svgs(render_html(report))
    values = sum(1 for s in series for y in s["y"] if y is not None)
    bars = [r for r in svg.iter(f"{SVG_NS}rect") if r.get("class") == "bar"]
    if values:
        assert len(bars) == values and float(svg.get("width")) <= PAGE_WIDTH
    else:
        assert "no data" in texts(svg)
    for element in svg.iter():
        for attr in ("x", "y", "width", "height"):
            if element.get(attr) is not None:
                assert float(element.get(attr)) == float(element.get(attr))  # not NaN
