"""Regression tests for issue 13's CLI and training defects (items 7, 10 and the smaller ones of 11)."""

from __future__ import annotations

import json
import sys

import pytest

import tokenforge
from tokenforge import cli
from tokenforge.corpus import Texts
from tokenforge.util.progress import MergeProgress, eta

from conftest import ROOT

EXAMPLES = ROOT / "examples"
TOK = str(EXAMPLES / "gpt2-small.tiktoken")
UDHR_EN = str(EXAMPLES / "udhr-en.txt")


def run(capsys, argv):
    status = cli.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def help_text(capsys, argv) -> str:
    with pytest.raises(SystemExit):
        cli.main([*argv, "--help"])
    return capsys.readouterr().out


# -- 7: every corpus option has a flag, and messages name it ------------------------------------------------------

def test_train_reads_another_jsonl_field(capsys, tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(json.dumps({"body": line}) for line in open(UDHR_EN, encoding="utf-8")),
                      encoding="utf-8")
    out = tmp_path / "t.json"
    status, _, err = run(capsys, ["train", str(corpus), "--text-field", "body", "--vocab-size", "300", "-o", str(out),
                                  "-q"])
    assert status == 0, err
    assert tokenforge.load(out).vocab_size == 300


def test_missing_field_names_the_flag(capsys, tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"body": "x"}\n', encoding="utf-8")
    status, _, err = run(capsys, ["train", str(corpus), "--vocab-size", "300", "-o", str(tmp_path / "t.json"), "-q"])
    assert status == 2 and "--text-field" in err and "--on-bad-record skip" in err


def test_bad_records_skipped_on_request(capsys, tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"text": "some text here"}\nnot json\n{"text": "more text"}\n', encoding="utf-8")
    status, _, err = run(capsys, ["train", str(corpus), "--on-bad-record", "skip", "--vocab-size", "258",
                                  "-o", str(tmp_path / "t.json"), "-q"])
    assert status == 0, err
    assert "tokenforge: warning:" in err and "1 bad record(s) skipped" in err


def test_strict_utf8_error_names_the_flag(capsys, tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(b"abc\xffdef\n")
    status, _, err = run(capsys, ["train", str(corpus), "--errors", "strict", "--vocab-size", "258",
                                  "-o", str(tmp_path / "t.json"), "-q"])
    assert status == 2 and "--errors replace" in err


def test_corpus_flags_share_one_default(capsys):
    for command in (["train"], ["count"], ["encode"], ["eval"]):
        text = " ".join(help_text(capsys, command).split())
        assert "--errors {replace,skip,strict}" in text and "(default: replace)" in text, command
        assert "--text-field" in text and "--column" in text and "--on-bad-record" in text, command


def test_texts_hint_when_a_list_of_strings_is_no_paths():
    with pytest.raises(tokenforge.CorpusError, match=r"Texts\(\[\.\.\.\]\)"):
        tokenforge.train(["some text", "more text"], vocab_size=300)


# -- 10: defaults that mislead -------------------------------------------------------------------------------------

def test_wordpiece_defaults_to_min_frequency_10():
    text = Texts([open(UDHR_EN, encoding="utf-8").read()] * 3)
    default = tokenforge.train(text, model="wordpiece", vocab_size=600, progress=False)
    explicit = tokenforge.train(text, model="wordpiece", vocab_size=600, min_frequency=10, progress=False)
    bare = tokenforge.train(text, model="wordpiece", vocab_size=600, min_frequency=0, progress=False)
    vocab = lambda t: sorted(t.model.vocab.items())  # noqa: E731
    assert vocab(default) == vocab(explicit)
    assert vocab(default) != vocab(bare)


def test_lib_shows_progress_and_says_it_is_slow(capsys):
    tokenforge.train(UDHR_EN, model="lib", vocab_size=400, progress=True, passes=1)
    err = capsys.readouterr().err
    assert "LiB: 92/92 sentences read (100.0%)" in err
    assert "pure Python" in " ".join(help_text(capsys, ["train"]).split())


# -- 11: smaller ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["inspect", TOK, "--longest", "-3"],
    ["train", UDHR_EN, "--vocab-size", "300", "--char-level", "--limit-alphabet", "-1", "-o", "x.json"],
    ["train", UDHR_EN, "--vocab-size", "-5", "-o", "x.json"],
    ["train", UDHR_EN, "--vocab-size", "300", "--min-frequency", "-1", "-o", "x.json"],
])
def test_negative_counts_are_refused(capsys, argv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2 and "must be" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()


def test_inspect_shows_byte_tokens_escaped_once(capsys):
    status, out, _ = run(capsys, ["inspect", TOK, "--longest", "4096"])
    assert status == 0
    assert "b'\\xf0'" in out  # a lone lead byte, as a bytes literal
    assert "\\\\x" not in out  # never a doubled backslash


def test_inspect_explains_rank_merges_instead_of_none(capsys):
    status, out, _ = run(capsys, ["inspect", TOK])
    assert status == 0 and "None" not in out and "tiktoken rank rule" in out


def test_bad_split_regex_is_reported_as_such(tmp_path):
    tok = tokenforge.train(Texts(["some text"]), vocab_size=258, byte_level=False, pattern=r"\w+|\s+")
    path = tmp_path / "t.json"
    tok.save(path)
    obj = json.loads(path.read_text(encoding="utf-8"))
    obj["pre_tokenizer"] = {"type": "Split", "pattern": {"Regex": "(?<bad"}, "behavior": "Isolated", "invert": False}
    path.write_text(json.dumps(obj), encoding="utf-8")
    with pytest.raises(tokenforge.FormatError, match="invalid pre-tokenizer pattern"):
        tokenforge.load(path)
    obj["model"]["byte_fallback"] = False  # no ByteLevel step either: the regex is still what is reported
    path.write_text(json.dumps(obj), encoding="utf-8")
    with pytest.raises(tokenforge.FormatError, match="invalid pre-tokenizer pattern"):
        tokenforge.load(path)


def test_warnings_are_lines_of_their_own(capsys, tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(b"abc\xffdef some text\n")
    status, _, err = run(capsys, ["train", str(corpus), "--vocab-size", "258", "-o", str(tmp_path / "t.json"), "-q"])
    assert status == 0
    assert "tokenforge: warning: " in err and "CorpusWarning" not in err and "warnings.warn" not in err


def test_eta_is_never_negative():
    assert eta(10.0, 1.0000001) == "  0.0s" and eta(1.0, 0.0) == "?"
    line = MergeProgress(stream=_Sink())
    line.start -= 5
    line(10, 11, 10)
    assert "-0.0" not in line.stream.text and "ETA   0.0s" in line.stream.text


class _Sink:
    text = ""

    def write(self, s):
        self.text += s

    def flush(self):
        pass


def test_help_texts(capsys):
    top = " ".join(help_text(capsys, []).split())
    assert ".model" in top
    train = " ".join(help_text(capsys, ["train"]).split())
    assert "Train a BPE tokenizer" not in train and "Unigram" in train and "WordPiece" in train
    decode = help_text(capsys, ["decode"])
    assert "-t TOKENIZER, --tokenizer TOKENIZER\n                        tokenizer file" in decode


def test_unrecognised_format_mentions_sentencepiece(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"\x00\x01garbage")
    with pytest.raises(tokenforge.FormatError, match=r"SentencePiece \.model"):
        tokenforge.load(path)


def test_main_job_outputs_are_ignored_by_git():
    import subprocess

    ignored = subprocess.run(["git", "check-ignore", "udhr-bpe.json", "report/report.html"], cwd=ROOT,
                             capture_output=True, text=True)
    if ignored.returncode == 128:
        pytest.skip("not a git checkout")
    assert ignored.stdout.split() == ["udhr-bpe.json", "report/report.html"]


def test_special_token_error_gives_cli_advice(capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"a <|endoftext|> b\n")))
    status, _, err = run(capsys, ["encode", "-t", TOK])
    assert status == 2 and "--allow-special" in err and "--special-as-text" in err and "disallowed_special" not in err


def test_special_as_text_encodes_it_as_text(capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"a <|endoftext|> b\n")))
    status, out, err = run(capsys, ["encode", "-t", TOK, "--special-as-text"])
    tok = tokenforge.load(TOK)
    assert status == 0, err
    assert [int(x) for x in out.split()] == tok.encode("a <|endoftext|> b", disallowed_special=())


def test_load_takes_a_pattern_name():
    tok = tokenforge.load(TOK, pattern="cl100k")
    assert tok.pretokenizer.name == "cl100k"


@pytest.mark.parametrize("model", ["mwt", "lib"])
def test_convert_keeps_a_multiword_or_lib_tokenizer_whole(capsys, tmp_path, model):
    """`convert` (and `formats.save`) used to write only the base tokenizer of a multi-word model."""
    src, dst = tmp_path / "a.json", tmp_path / "b.json"
    extra = ["--mwt-k", "50"] if model == "mwt" else []
    status, _, err = run(capsys, ["train", UDHR_EN, "--model", model, "--vocab-size", "600", *extra, "-o", str(src),
                                  "-q"])
    assert status == 0, err
    status, _, err = run(capsys, ["convert", str(src), str(dst)])
    assert status == 0, err
    text = open(UDHR_EN, encoding="utf-8").read()
    before, after = tokenforge.load(src), tokenforge.load(dst)
    assert type(after) is type(before) and after.vocab_size == before.vocab_size
    assert after.encode(text) == before.encode(text)
    tokenforge.save(before, tmp_path / "c.json")
    assert tokenforge.load(tmp_path / "c.json").encode(text) == before.encode(text)
