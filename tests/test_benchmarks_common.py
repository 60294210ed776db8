"""benchmarks/_common.py: what every benchmark shares (data path, timing, machine facts, corpus readers, results)."""

from __future__ import annotations

import gzip
import importlib
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture
def common(monkeypatch):
    """benchmarks/_common, imported with benchmarks/ on sys.path for this test only."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    sys.modules.pop("_common", None)
    module = importlib.import_module("_common")
    yield module
    sys.modules.pop("_common", None)


def fake_clock(monkeypatch, common, durations):
    """Makes each timed run of `median_time` last the next of `durations` seconds."""
    ticks, now = [], 0.0
    for d in durations:
        ticks += [now, now + d]
        now += d + 100.0
    it = iter(ticks)
    monkeypatch.setattr(common, "time", SimpleNamespace(perf_counter=lambda: next(it)))


# ---------------------------------------------------------------- timing

def test_median_time_is_the_median_of_the_timed_runs_after_the_warmup(common, monkeypatch):
    calls = []
    fake_clock(monkeypatch, common, [5.0, 1.0, 4.0, 2.0, 3.0])
    t = common.median_time(lambda: calls.append(1))
    assert t.median == 3.0
    assert t.runs == [5.0, 1.0, 4.0, 2.0, 3.0]
    assert len(calls) == 1 + 5  # one untimed warm-up, then five timed runs by default
    assert t.as_dict() == {"median_s": 3.0, "runs_s": [5.0, 1.0, 4.0, 2.0, 3.0]}
    median, runs = t  # a (median, runs) pair
    assert (median, runs) == (3.0, [5.0, 1.0, 4.0, 2.0, 3.0])


def test_median_time_even_count_and_no_warmup(common, monkeypatch):
    calls = []
    fake_clock(monkeypatch, common, [4.0, 1.0, 2.0, 10.0, 3.0, 6.0])
    t = common.median_time(lambda: calls.append(1), repeats=6, warmup=0)
    assert t.median == 3.5
    assert len(calls) == 6


def test_median_time_refuses_no_runs(common):
    with pytest.raises(ValueError):
        common.median_time(lambda: None, repeats=0)


def test_timed_returns_seconds_and_result(common):
    seconds, out = common.timed(lambda a, b=0: a + b, 2, b=3)
    assert out == 5
    assert 0 <= seconds < 5
    assert common.mb_per_s(3 * 10**6, 2.0) == 1.5


# ---------------------------------------------------------------- data path

def test_data_dir_default_and_override(common, monkeypatch, tmp_path):
    monkeypatch.delenv("TOKENFORGE_SHARED_DATA", raising=False)
    assert common.data_dir() == BENCHMARKS.parent.parent / "shared" / "data"
    monkeypatch.setenv("TOKENFORGE_SHARED_DATA", str(tmp_path))
    assert common.data_dir() == tmp_path


def test_data_path_constants_follow_the_override(tmp_path):
    env = {**os.environ, "TOKENFORGE_SHARED_DATA": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", "import _common as c; print(c.DATA); print(c.corpus_path('x')); print(c.UDHR_DIR)"],
        cwd=BENCHMARKS, env=env, capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    assert out == [str(tmp_path), str(tmp_path / "corpora" / "x.txt.gz"), str(tmp_path / "parallel" / "udhr")]


# ---------------------------------------------------------------- machine facts

def test_machine_info_keys(common, monkeypatch):
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    info = common.machine_info("surely-not-an-installed-package")
    assert {"cpu_model", "cpu_count", "usable_cpus", "mem_total_gib", "platform", "python", "versions", "env",
            "git_commit", "loadavg_start"} <= set(info)
    assert info["python"] == platform.python_version()
    assert 1 <= info["usable_cpus"] <= info["cpu_count"]
    assert {"tokenforge", "tiktoken", "tokenizers", "sentencepiece"} <= set(info["versions"])
    assert info["versions"]["tokenforge"]
    assert info["versions"]["surely-not-an-installed-package"] is None
    assert info["env"]["OPENBLAS_NUM_THREADS"] == "3"
    assert info["env"]["OPENBLAS_CORETYPE"] == "Haswell"
    assert "RAYON_NUM_THREADS" in info["env"]
    json.dumps(info)  # goes into the results as it is


# ---------------------------------------------------------------- corpus readers

LINES = [b"alpha\n", b"beta \xff\n", b"gamma\n", b"delta\n", b"epsilon"]  # one invalid byte, no final newline


@pytest.fixture
def corpus(common, monkeypatch, tmp_path):
    path = tmp_path / "corpora" / "tiny.txt.gz"
    path.parent.mkdir()
    with gzip.open(path, "wb") as f:
        f.write(b"".join(LINES))
    monkeypatch.setattr(common, "CORPUS_DIR", path.parent)
    return path


def test_read_corpus(common, corpus):
    text = b"".join(LINES).decode("utf-8", errors="replace")
    assert common.read_corpus(corpus) == text
    assert common.read_corpus("tiny") == text  # a name is a corpus in the shared data
    assert common.read_corpus(corpus, max_bytes=8) == "alpha\nbe"
    plain = corpus.with_name("tiny.txt")
    plain.write_bytes(b"".join(LINES))
    assert common.read_corpus(plain) == text


def test_lines_and_sizes(common, corpus):
    assert list(common.iter_sized_lines(corpus)) == [
        ("alpha\n", 6), ("beta \ufffd\n", 7), ("gamma\n", 6), ("delta\n", 6), ("epsilon", 7)]
    assert list(common.iter_lines("tiny")) == ["alpha\n", "beta \ufffd\n", "gamma\n", "delta\n", "epsilon"]


def test_head_lines_keeps_the_line_that_reaches_the_limit(common, corpus):
    assert common.head_lines(corpus, 6) == ["alpha\n"]
    assert common.head_lines(corpus, 7) == ["alpha\n", "beta \ufffd\n"]
    assert common.head_lines(corpus, 13) == ["alpha\n", "beta \ufffd\n"]
    assert len(common.head_lines(corpus, 10**6)) == 5


def test_tail_text_starts_at_a_line(common, corpus):
    assert common.tail_text(corpus, 10) == "epsilon"  # "ta\nepsilon": cut after its first newline
    assert common.tail_text(corpus, 13) == "epsilon"  # "delta\nepsilon": so is a tail that starts a line
    assert common.tail_text(corpus, 14) == "delta\nepsilon"  # "\ndelta\nepsilon"


def test_documents(common, corpus):
    text = common.read_corpus(corpus)
    docs = common.split_docs(text, lines_per_doc=2)
    assert docs == ["alpha\nbeta \ufffd\n", "gamma\ndelta\n", "epsilon"]
    assert list(common.iter_docs(corpus, lines_per_doc=2)) == docs
    assert common.chunk_lines(["a\n", "b\n", "c\n"], 2) == ["a\nb\n", "c\n"]
    assert common.split_docs(text) == [text]  # 200 lines by default


def test_udhr_docs(common, monkeypatch, tmp_path):
    for lang, arts in (("eng", {"0": "p", "1": "a", "2": "b"}), ("fra", {"1": "a"}), ("deu", {"1": "a", "2": "b"})):
        (tmp_path / f"{lang}.json").write_text(json.dumps({"bcp47": lang[:2], "articles": arts}), encoding="utf-8")
    monkeypatch.setattr(common, "UDHR_DIR", tmp_path)
    assert list(common.udhr_docs()) == ["deu", "eng", "fra"]
    docs = common.udhr_docs(required_articles=range(1, 3))
    assert list(docs) == ["deu", "eng"]
    assert docs["eng"]["articles"]["0"] == "p"


# ---------------------------------------------------------------- results

def test_write_results(common, tmp_path):
    out = tmp_path / "new" / "r.json"
    common.write_results(out, {"a": [1, 2], "lang": "العربية"})
    text = out.read_text(encoding="utf-8")
    assert json.loads(text) == {"a": [1, 2], "lang": "العربية"}
    assert text.endswith("}\n") and "العربية" in text and '\n "a"' in text  # indent 1 by default
    common.write_results(out, {"b": 1}, indent=2)
    assert '\n  "b": 1' in out.read_text(encoding="utf-8")


def test_write_results_leaves_the_old_file_when_it_fails(common, tmp_path):
    out = tmp_path / "r.json"
    common.write_results(out, {"kept": True})
    with pytest.raises(TypeError):
        common.write_results(out, {"bad": object()})
    assert json.loads(out.read_text(encoding="utf-8")) == {"kept": True}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]
