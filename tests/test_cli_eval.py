"""`tokenforge eval`: argument errors are one line and exit status 2 (before any long work starts); a real run writes
report.json and report.html that the report readers accept."""

from __future__ import annotations

import io
import json
import os
import sys

import pytest

from tokenforge import cli
from tokenforge.eval_command import tokenizer_names
from tokenforge.parallel import BUNDLED, parallel_dir
from tokenforge.errors import CorpusError

from conftest import ROOT

EXAMPLES = ROOT / "examples"
TOK = str(EXAMPLES / "gpt2-small.tiktoken")
UDHR_EN = str(EXAMPLES / "udhr-en.txt")


def run(capsys, monkeypatch, argv):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8"))
    try:
        status = cli.main(argv)
    except SystemExit as exc:
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("argv, message", [
    (["eval", "missing.json", "--corpus", UDHR_EN], "missing.json: cannot read: No such file or directory"),
    (["eval", TOK, "--corpus", "missing.txt"], "missing.txt: no such file or directory"),
    (["eval", TOK, "--corpus", UDHR_EN, "--baseline", "gpt3"],
     "--baseline 'gpt3' is not one of the tokenizers being evaluated (gpt2-small) nor a tokenizer file"),
    (["eval", TOK, "--corpus", UDHR_EN, "--parallel", "no-such-dir"], "no-such-dir: --parallel must be 'udhr'"),
    (["eval", UDHR_EN, "--corpus", UDHR_EN], "udhr-en.txt: unrecognised tokenizer format"),
])
def test_errors_are_one_line_exit_2(capsys, monkeypatch, tmp_path, argv, message):
    status, out, err = run(capsys, monkeypatch, argv + ["-o", str(tmp_path / "out")])
    assert status == 2 and out == ""
    assert err.startswith("tokenforge: error: ") and err.count("\n") == 1
    assert message in err
    assert not (tmp_path / "out").exists()  # nothing created for a run that could not start


def test_output_must_be_a_directory(capsys, monkeypatch, tmp_path):
    file = tmp_path / "file"
    file.write_text("keep")
    status, out, err = run(capsys, monkeypatch, ["eval", TOK, "--corpus", UDHR_EN, "-o", str(file)])
    assert status == 2
    assert f"{file}: is not a directory" in err
    assert file.read_text() == "keep"


def test_usage_errors(capsys, monkeypatch):
    status, _, err = run(capsys, monkeypatch, ["eval", TOK])
    assert status == 2 and "--corpus" in err
    status, _, err = run(capsys, monkeypatch, ["eval", "--corpus", UDHR_EN])
    assert status == 2 and "TOKENIZER" in err


def test_help_names_the_outputs(capsys, monkeypatch):
    status, out, _ = run(capsys, monkeypatch, ["eval", "--help"])
    assert status == 0
    for word in ("report.json", "report.html", "--parallel", "udhr", "--baseline", "--lang", "-q"):
        assert word in out
    status, out, _ = run(capsys, monkeypatch, ["--help"])
    assert "eval" in out


def test_tokenizer_names():
    assert tokenizer_names(["a/cl100k_base.tiktoken", "b/qwen3.tokenizer.json", "x.tokenforge.json", "plain"]) == \
        ["cl100k_base", "qwen3", "x", "plain"]
    # clashes: the parent folder first, then a counter
    assert tokenizer_names(["a/t.json", "b/t.tiktoken", "b/t.json"]) == ["a/t", "b/t", "b/t#2"]


def test_bundled_udhr():
    path = parallel_dir("udhr")
    assert path == BUNDLED["udhr"]
    names = sorted(p.stem for p in path.glob("*.json"))
    assert names == ["arb", "cmn_hans", "eng", "hin", "rus", "swh", "tur", "vie"]
    for p in path.glob("*.json"):
        doc = json.loads(p.read_text(encoding="utf-8"))
        assert sorted(doc["articles"], key=int) == [str(i) for i in range(31)]
    with pytest.raises(CorpusError, match="not a directory"):
        parallel_dir(UDHR_EN)
