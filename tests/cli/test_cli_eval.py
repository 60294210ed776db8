"""`tokenforge eval`: argument errors are one line and exit status 2 (before any long work starts); a real run writes
report.json and report.html that the report readers accept."""

from __future__ import annotations

import json
import os
import sys

import pytest

from tokenforge import cli
from tokenforge.cli.eval import tokenizer_names
from tokenforge.corpus.parallel_text import BUNDLED, parallel_dir
from tokenforge.errors import CorpusError

from conftest import ROOT, run_cli as run

EXAMPLES = ROOT / "examples"
TOK = str(EXAMPLES / "gpt2-small.tiktoken")
UDHR_EN = str(EXAMPLES / "udhr-en.txt")


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


# -- real runs ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    path = tmp_path_factory.mktemp("tok") / "udhr-bpe.json"
    assert cli.main(["train", UDHR_EN, "--vocab-size", "600", "-o", str(path), "-q"]) == 0
    return str(path)


def test_eval_writes_both_reports(capsys, monkeypatch, tmp_path, trained, enc):
    from tokenforge.reports import read_json

    out = tmp_path / "new" / "report"
    status, stdout, err = run(capsys, monkeypatch, ["eval", trained, TOK, "--corpus", UDHR_EN, "--parallel", "udhr",
                                                    "--baseline", TOK, "-o", str(out)])
    assert status == 0 and stdout == ""
    assert err == f"wrote {out / 'report.json'} and {out / 'report.html'}\n"  # stderr is not a TTY: no progress
    report = read_json(out / "report.json")
    assert [t["name"] for t in report["tokenizers"]] == ["udhr-bpe", "gpt2-small"]
    assert [t["source"] for t in report["tokenizers"]] == [trained, TOK]
    assert report["baseline"] == "gpt2-small"
    # Independent numbers: the corpus size on disk, and tiktoken's token counts (per line, as records are read).
    text = open(UDHR_EN, encoding="utf-8").read()
    assert report["corpus"]["bytes"] == os.path.getsize(UDHR_EN)
    assert report["metrics"]["gpt2-small"]["tokens"] == sum(
        len(enc.encode_ordinary(line)) for line in text.splitlines(keepends=True))
    # The bundled UDHR sample: 8 languages; English token count equals tiktoken's over the 31 segments.
    assert sorted(report["parity"]["languages"]) == ["arb", "cmn_hans", "eng", "hin", "rus", "swh", "tur", "vie"]
    eng = json.loads((BUNDLED["udhr"] / "eng.json").read_text(encoding="utf-8"))["articles"]
    assert report["parity"]["tokens"]["gpt2-small"]["eng"] == sum(len(enc.encode_ordinary(t))
                                                                  for t in eng.values())
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") >= 4 and "<script" not in page


def test_eval_quiet_and_tty_progress(tmp_path, trained):
    """-q prints nothing; on a terminal a progress line is drawn (carriage returns); in a pipe it is not."""
    import pty
    import subprocess

    import tokenforge

    here = os.path.dirname(os.path.dirname(tokenforge.__file__))  # the tree under test, first on the path
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([here, os.environ.get("PYTHONPATH", "")]))
    base = [sys.executable, "-m", "tokenforge.cli", "eval", trained, TOK, "--corpus", UDHR_EN]
    quiet = subprocess.run(base + ["-o", str(tmp_path / "q"), "-q"], capture_output=True, text=True, env=env)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    assert (tmp_path / "q" / "report.html").is_file()

    piped = subprocess.run(base + ["-o", str(tmp_path / "p")], capture_output=True, text=True, env=env)
    assert piped.returncode == 0 and "\r" not in piped.stderr

    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(base + ["-o", str(tmp_path / "t")], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=slave, env=env)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        assert proc.wait(timeout=60) == 0
    finally:
        os.close(master)
    seen = b"".join(chunks).decode("utf-8", "replace")
    assert "\r" in seen and "loading tokenizers" in seen
    assert "wrote " in seen
