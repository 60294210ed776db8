"""`tokenforge train --model mwt|supertokens|lib|wordpiece` run for real, then encode/decode/count/inspect on
the files they write. Expected ids come from HF `tokenizers` where it can load the file; otherwise the check is
the lossless round trip through the CLI."""

from __future__ import annotations

import json

import pytest

from test_cli import UDHR_EN, run

TEXT = "Everyone has the right to life, liberty and security of person.\n"


@pytest.mark.parametrize("model,extra", [("mwt", ["--mwt-k", "40"]), ("lib", ["--passes", "1"]),
                                         ("supertokens", ["--max-words", "3"])])
def test_train_then_round_trip(capsys, monkeypatch, tmp_path, model, extra):
    out_path = tmp_path / f"{model}.json"
    status, _, err = run(capsys, monkeypatch, ["train", UDHR_EN, "--model", model, "--vocab-size", "700",
                                                "-o", str(out_path), *extra])
    assert status == 0, err
    assert "wrote" in err and out_path.is_file()
    status, out, _ = run(capsys, monkeypatch, ["encode", "-t", str(out_path), "--json", "--keep-final-newline"],
                         stdin=TEXT.encode())
    assert status == 0
    ids = json.loads(out)
    status, out, _ = run(capsys, monkeypatch, ["decode", "-t", str(out_path), "-n", *map(str, ids)])
    assert status == 0 and out == TEXT
    status, out, _ = run(capsys, monkeypatch, ["inspect", str(out_path)])
    assert status == 0 and "vocab_size" in out
    status, out, _ = run(capsys, monkeypatch, ["count", "-t", str(out_path), UDHR_EN])
    assert status == 0 and "tokens" in out


def test_supertokens_file_matches_tokenizers(capsys, monkeypatch, tmp_path):
    tokenizers = pytest.importorskip("tokenizers")
    out_path = tmp_path / "st.json"
    status, _, err = run(capsys, monkeypatch, ["train", UDHR_EN, "--model", "supertokens", "--vocab-size", "800",
                                                "-o", str(out_path), "-q", "--seed", "2"])
    assert status == 0, err
    status, out, _ = run(capsys, monkeypatch, ["encode", "-t", str(out_path), "--keep-final-newline"],
                         stdin=TEXT.encode())
    hf = tokenizers.Tokenizer.from_file(str(out_path))
    assert [int(x) for x in out.split()] == hf.encode(TEXT, add_special_tokens=False).ids


@pytest.mark.parametrize("argv,message", [
    (["--model", "mwt", "--mwt-k", "690"], "lower mwt_k"),
    (["--model", "mwt", "--ngram-sizes", "2,x"], "--ngram-sizes"),
    (["--model", "lib", "--mwt-k", "3"], "unknown training option"),
    (["--model", "supertokens", "--max-words", "0"], "max_words"),
    (["--model", "wordpiece", "--continuation-prefix", ""], "continuation_prefix"),
])
def test_bad_options_exit_2(capsys, monkeypatch, tmp_path, argv, message):
    status, _, err = run(capsys, monkeypatch, ["train", UDHR_EN, "--vocab-size", "700", "-o",
                                                str(tmp_path / "x.json"), "-q", *argv])
    assert status == 2 and message in err and "Traceback" not in err


def test_wordpiece_file_matches_tokenizers(capsys, monkeypatch, tmp_path):
    pytest.importorskip("tokenforge.models.wordpiece")
    tokenizers = pytest.importorskip("tokenizers")
    out_path = tmp_path / "wp.json"
    status, _, err = run(capsys, monkeypatch, ["train", UDHR_EN, "--model", "wordpiece", "--vocab-size", "800",
                                                "-o", str(out_path), "-q"])
    assert status == 0, err
    status, out, _ = run(capsys, monkeypatch, ["encode", "-t", str(out_path), "--keep-final-newline"],
                         stdin=TEXT.encode())
    hf = tokenizers.Tokenizer.from_file(str(out_path))
    assert [int(x) for x in out.split()] == hf.encode(TEXT, add_special_tokens=False).ids
