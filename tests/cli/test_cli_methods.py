"""`--method` / `--option` on the command line, and `inspect` of Unigram and WordPiece files."""

from __future__ import annotations

import pytest

import tokenforge
from tokenforge import cli

from lattice_models import UDHR_EN, hf_files


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return hf_files(str(tmp_path_factory.mktemp("cli")))


def run(capsys, argv):
    status = cli.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_encode_and_count_with_a_method(files, capsys, tmp_path):
    text = tmp_path / "t.txt"
    text.write_text(UDHR_EN[:2000], encoding="utf-8")
    tok = tokenforge.load(files["unigram_bytes"])
    status, out, _ = run(capsys, ["encode", "-t", files["unigram_bytes"], str(text), "--method", "sample",
                                  "--option", "alpha=0.2", "--option", "seed=9"])
    assert status == 0
    assert [int(x) for x in out.split()] == tok.with_method("sample", alpha=0.2, seed=9).encode(UDHR_EN[:2000].rstrip("\n"))
    status, out, _ = run(capsys, ["count", "-t", files["wordpiece"], str(text), "--method", "fewest", "--json"])
    assert status == 0
    assert f'"tokens": {tokenforge.load(files["wordpiece"]).with_method("fewest").count(UDHR_EN[:2000])}' in out


def test_method_errors_are_one_line(files, capsys, tmp_path):
    text = tmp_path / "t.txt"
    text.write_text("x", encoding="utf-8")
    status, _, err = run(capsys, ["encode", "-t", files["wordpiece"], str(text), "--method", "viterbi"])
    assert status == 2 and "needs token scores" in err and len(err.strip().splitlines()) == 1
    status, _, err = run(capsys, ["encode", "-t", files["unigram"], str(text), "--option", "seed=1"])
    assert status == 2 and "--option needs --method" in err


def test_inspect_names_the_model(files, capsys):
    status, out, _ = run(capsys, ["inspect", files["unigram_bytes"]])
    assert status == 0 and "Unigram (unk id 0, byte fallback on)" in out and "viterbi" in out
    status, out, _ = run(capsys, ["inspect", files["wordpiece"]])
    assert status == 0 and "WordPiece (unk '[UNK]', continuation prefix '##')" in out
