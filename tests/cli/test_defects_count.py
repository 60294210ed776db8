"""Regressions of issue 13 (items 3, 4 and parts of 7 and 11): `count` and `encode` read what `train` and `eval`
read, stream any text in linear time and bounded memory, say when a count may be inexact, and show progress.

Expected counts come from tiktoken (built from the bundled example's rank file), or from encoding the whole text
in one call; never from the streaming code under test.
"""

from __future__ import annotations

import gzip
import io
import json
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tokenforge
from tokenforge import cli
from tokenforge.cli import encode as cli_encode
from tokenforge.pipeline import safe_splits
from tokenforge.tokenizers.tokenizer import Tokenizer

from conftest import CORPORA, ROOT, TOKENIZERS, needs_shared, run_cli as run

EXAMPLES = ROOT / "examples"
TOK = str(EXAMPLES / "gpt2-small.tiktoken")
UDHR_EN = EXAMPLES / "udhr-en.txt"
RUSTDOCS = CORPORA / "en-rustdocs.txt.gz"


def count_json(capsys, monkeypatch, *argv, stdin: bytes = b"", tok: str = TOK) -> tuple[dict, str]:
    status, out, err = run(capsys, monkeypatch, ["count", "-t", tok, "--json", *map(str, argv)], stdin=stdin)
    assert status == 0, err
    return json.loads(out), err


def warning_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("tokenforge: warning:")]


UDHR = UDHR_EN.read_text(encoding="utf-8")


# -- item 3: one corpus reader for every command ----------------------------------------------------------------


def test_count_gz_is_the_decompressed_text(capsys, monkeypatch, enc, tmp_path):
    """Was: the compressed bytes counted as text (or `invalid UTF-8 at byte 1`)."""
    path = tmp_path / "udhr.txt.gz"
    path.write_bytes(gzip.compress(UDHR.encode()))
    report, err = count_json(capsys, monkeypatch, path)
    assert report == {str(path): {"tokens": len(enc.encode(UDHR)), "bytes": len(UDHR.encode()), "chars": len(UDHR)}}
    assert err == ""


def test_count_zst(capsys, monkeypatch, enc, tmp_path):
    zstandard = pytest.importorskip("zstandard")
    path = tmp_path / "udhr.txt.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(UDHR.encode()))
    report, _ = count_json(capsys, monkeypatch, path)
    assert report[str(path)]["tokens"] == len(enc.encode(UDHR))


def test_count_directory_and_glob_key_each_file(capsys, monkeypatch, enc, tmp_path):
    """Was: "Is a directory". A directory stands for its corpus files (sorted, recursive, hidden ones left out),
    each reported under its own path."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("one two three\n", encoding="utf-8")
    (tmp_path / "sub" / "b.txt.gz").write_bytes(gzip.compress("vier fünf\n".encode()))
    (tmp_path / ".hidden.txt").write_text("not me", encoding="utf-8")
    report, _ = count_json(capsys, monkeypatch, tmp_path)
    assert report == {
        str(tmp_path / "a.txt"): {"tokens": len(enc.encode("one two three\n")), "bytes": 14, "chars": 14},
        str(tmp_path / "sub" / "b.txt.gz"): {"tokens": len(enc.encode("vier fünf\n")), "bytes": 11, "chars": 10},
    }
    report, _ = count_json(capsys, monkeypatch, str(tmp_path / "*.txt"), tmp_path / "a.txt")  # each file once
    assert list(report) == [str(tmp_path / "a.txt")]
    status, out, err = run(capsys, monkeypatch, ["count", "-t", TOK, str(tmp_path)])
    assert status == 0 and out.splitlines()[-1].endswith("total")


def test_count_jsonl_counts_each_record(capsys, monkeypatch, enc, tmp_path):
    """Was: the JSON text itself counted. JSON Lines hold documents: each record is a text of its own."""
    docs = ["Hello world", "  indented\n\nparagraphs", "naïve café 日本"]
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps({"id": i, "body": d}) + "\n" for i, d in enumerate(docs)), encoding="utf-8")
    report, _ = count_json(capsys, monkeypatch, "--text-field", "body", path)
    assert report[str(path)]["tokens"] == sum(len(enc.encode(d)) for d in docs)
    assert report[str(path)]["chars"] == sum(map(len, docs))
    status, _, err = run(capsys, monkeypatch, ["count", "-t", TOK, str(path)])  # no "text" field: named
    assert status == 2 and "'text'" in err and "--text-field" in err


def test_count_parquet_column(capsys, monkeypatch, enc, tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    docs = ["first document", "second, longer document\n", "Третий"]
    path = tmp_path / "docs.parquet"
    pq.write_table(pa.table({"content": docs}), path)
    report, _ = count_json(capsys, monkeypatch, "--column", "content", path)
    assert report[str(path)]["tokens"] == sum(len(enc.encode(d)) for d in docs)


def test_encode_reads_gz_and_records(capsys, monkeypatch, enc, tmp_path):
    gz = tmp_path / "in.txt.gz"
    gz.write_bytes(gzip.compress(b"Hello world\n"))
    status, out, err = run(capsys, monkeypatch, ["encode", "-t", TOK, str(gz)])
    assert status == 0 and out == " ".join(map(str, enc.encode("Hello world"))) + "\n"
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text('{"text": "one"}\n{"text": "two\\n"}\n', encoding="utf-8")
    status, out, err = run(capsys, monkeypatch, ["encode", "-t", TOK, "--json", str(jsonl)])
    assert status == 0 and [json.loads(line) for line in out.splitlines()] == [enc.encode("one"), enc.encode("two\n")]


def test_stdin_dash_and_files_together(capsys, monkeypatch, enc, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("file text", encoding="utf-8")
    piped = "from stdin ✓"
    report, _ = count_json(capsys, monkeypatch, path, "-", stdin=piped.encode())
    assert report == {str(path): {"tokens": len(enc.encode("file text")), "bytes": 9, "chars": 9},
                      "<stdin>": {"tokens": len(enc.encode(piped)), "bytes": len(piped.encode()), "chars": len(piped)}}
    report, _ = count_json(capsys, monkeypatch, stdin=piped.encode())  # no FILE: stdin
    assert list(report) == ["<stdin>"]


@pytest.mark.parametrize("command", ["count", "encode"])
def test_invalid_utf8_default_replace_warns_once_per_file(capsys, monkeypatch, enc, tmp_path, command):
    """The default is now --errors replace everywhere (was strict for count/encode): U+FFFD and one warning per
    file naming it and the first byte offset; strict still fails naming the file and offset."""
    monkeypatch.setattr(cli_encode, "BLOCK_BYTES", 5)  # faults in several blocks, a character cut by a block end
    data = "ok é\n".encode() + b"bad \xff here \xc3(\n" + "日本".encode() + b"\xe6\x97"
    a, b = tmp_path / "a.txt", tmp_path / "b.txt.gz"
    a.write_bytes(data)
    b.write_bytes(gzip.compress(data))
    first_bad = len("ok é\n".encode()) + len(b"bad ")
    keep = ["--keep-final-newline"] if command == "encode" else []
    status, out, err = run(capsys, monkeypatch, [command, "-t", TOK, *keep, str(a), str(b)])
    assert status == 0, err
    lines = warning_lines(err)
    assert len(lines) == 2 and all(f"line 2, byte offset {first_bad}" in line for line in lines), err
    assert str(a) in lines[0] and str(b) in lines[1] and "4 invalid UTF-8 byte(s)" in lines[0]
    expected = enc.encode(data.decode("utf-8", "replace"))
    if command == "count":
        assert f"{len(expected):,} tokens" in out.splitlines()[0]
    else:
        assert [int(x) for x in out.splitlines()[0].split()] == expected
    status, out, err = run(capsys, monkeypatch, [command, "-t", TOK, "--errors", "strict", str(a)])
    assert status == 2 and out == "" and f"{a}: line 2, byte offset {first_bad}" in err


def test_errors_skip_drops_the_line(capsys, monkeypatch, enc, tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"keep this\nbad \xff line\nand this\n")
    report, err = count_json(capsys, monkeypatch, "--errors", "skip", path)
    assert report[str(path)]["tokens"] == len(enc.encode("keep this\nand this\n"))
    assert len(warning_lines(err)) == 1 and "skipped" in err


def test_bom_is_dropped_as_train_does(capsys, monkeypatch, enc, tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfHello")
    report, _ = count_json(capsys, monkeypatch, path)
    assert report[str(path)]["tokens"] == len(enc.encode("Hello"))


@needs_shared
def test_rustdocs_gz_count_equals_whole_text_count(capsys, monkeypatch, enc):
    """The issue's file: `count` on the .gz gives what encoding the decompressed file in one call gives."""
    text = gzip.decompress(RUSTDOCS.read_bytes()).decode("utf-8")
    report, _ = count_json(capsys, monkeypatch, RUSTDOCS)
    assert report[str(RUSTDOCS)]["tokens"] == tokenforge.load(TOK).count(text) == len(enc.encode(text))
    cl100k = TOKENIZERS / "cl100k_base.tiktoken"
    if cl100k.is_file():
        from conftest import tiktoken_reference

        assert len(tiktoken_reference("cl100k_base").encode_ordinary(text)) == 4_061_083  # the number
        report, _ = count_json(capsys, monkeypatch, RUSTDOCS, tok=str(cl100k))
        assert report[str(RUSTDOCS)]["tokens"] == 4_061_083


# -- item 4: safe cuts, linear time, bounded memory -------------------------------------------------------------


def rule_cuts(text: str) -> set[int]:
    """Every cut the two rules allow, written out from their definitions (the reference for `last_safe_cut`)."""
    cuts = set()
    for k in range(1, len(text)):
        if k >= 2 and text[k - 1] == "\n" and text[k].isascii() and text[k].isalnum() and not text[k - 2].isspace():
            cuts.add(k)
        if k + 1 < len(text) and text[k] == " " and text[k - 1].isalpha() and text[k + 1].isalpha():
            cuts.add(k)
    return cuts


def found_cuts(text: str) -> set[int]:
    """All cuts `last_safe_cut` finds, by asking for the last one before the previous (two cuts are never
    adjacent)."""
    cuts, end = set(), len(text)
    while (k := safe_splits.last_safe_cut(text[:end])) > 0:
        cuts.add(k)
        end = k
    return cuts


def pattern_tokenizers() -> list:
    base = tokenforge.load(TOK)
    toks = [Tokenizer(base.model, pretokenizer=name, special_tokens=base.special_tokens)
            for name in ("r50k", "cl100k", "o200k", "qwen2")]
    for name in ("cl100k_base", "o200k_base", "r50k_base"):
        if (TOKENIZERS / f"{name}.tiktoken").is_file():
            toks.append(tokenforge.load(TOKENIZERS / f"{name}.tiktoken"))
    return toks


PATTERN_TOKENIZERS = pattern_tokenizers()
# Rich in what the rules look at: letters, spaces, newlines; and in what could break them: other whitespace,
# digits, punctuation, apostrophes (contractions), marks, titlecase/modifier letters, numerals, Cyrillic, CJK.
ALPHABET = list("aaeeiottnnssrhlAZ" "     " "\n\n\n" "\r\t\u00a0\u3000" "0129" ".,!?-'\"()" "ǅʰ½Ⅻ\u0301"
                "яЖщдь" "中文字" "é🤷")
texts = st.text(alphabet=st.sampled_from(ALPHABET), max_size=120)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts)
def test_last_safe_cut_finds_exactly_the_rule_cuts(text):
    assert found_cuts(text) == rule_cuts(text)


@pytest.mark.parametrize("tok", PATTERN_TOKENIZERS, ids=lambda t: f"{t.name or ''}-{t.pretokenizer.scanner}")
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(text=texts)
def test_every_safe_cut_tokenizes_the_same(tok, text):
    """The rules' premise, for every named pattern: encoding text[:k] and text[k:] apart gives the whole's ids."""
    assert safe_splits.can_split(tok)
    whole = tok.encode(text)
    for k in sorted(rule_cuts(text)):
        assert tok.encode(text[:k]) + tok.encode(text[k:]) == whole, (k, text[:k], text[k:])


@settings(max_examples=100, deadline=None)
@given(text=texts, block=st.integers(1, 40), cap=st.integers(16, 64))
def test_splitter_pieces_concatenate_and_stay_under_the_cap(text, block, cap):
    split = safe_splits.SafeSplitter(cap)
    pieces = [p for i in range(0, len(text), block) for p in split.feed(text[i : i + block])] + list(split.finish())
    assert "".join(pieces) == text and all(pieces)
    assert max(map(len, pieces), default=0) <= cap + block


@pytest.mark.parametrize("kind", ["one line", "lines starting with Cyrillic"])
def test_streaming_is_linear_and_bounded(capsys, monkeypatch, enc, tmp_path, kind):
    """Was: no safe cut in such text, so the pending buffer grew to the whole file and was rescanned for every
    block (one line of 200 MB: 175 s, 1.3 GB). Now each character is scanned about once and pieces stay small."""
    if kind == "one line":
        text = UDHR.replace("\n", " ") * 8
    else:
        text = "".join(f"Статья {i}: каждый человек имеет право на свободу.\n" for i in range(3000))
    path = tmp_path / "in.txt"
    path.write_bytes(text.encode())
    block = 4096
    monkeypatch.setattr(cli_encode, "BLOCK_BYTES", block)
    scanned = []
    real = safe_splits.last_safe_cut

    def spy(pending: str, start: int = 0) -> int:
        scanned.append(len(pending) - start)
        return real(pending, start)

    monkeypatch.setattr(safe_splits, "last_safe_cut", spy)
    pieces = [p for piece in cli_encode.read_texts([str(path)], {"errors": "strict", "on_bad_record": "raise",
                                                            "text_field": "text", "column": "text"}, True)
              for p in piece.texts]
    assert "".join(pieces) == text
    assert max(map(len, pieces)) <= 2 * block  # bounded: every block ends in a safe cut
    assert sum(scanned) <= len(text) + 3 * len(scanned)  # linear: each character scanned once
    report, err = count_json(capsys, monkeypatch, path)
    assert report[str(path)]["tokens"] == len(enc.encode(text)) and err == ""


def test_no_safe_cut_is_cut_at_the_cap_with_one_warning_per_file(capsys, monkeypatch, enc, tmp_path):
    """One CJK line has no safe cut: memory stays bounded by cutting at the cap anyway, and one warning per file
    says the count may differ (never silently)."""
    monkeypatch.setattr(safe_splits, "SPLIT_CAP_CHARS", 1000)
    monkeypatch.setattr(cli_encode, "BLOCK_BYTES", 300)
    text = "人人生而自由在尊严和权利上一律平等。" * 400
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(text, encoding="utf-8")
    b.write_text(text, encoding="utf-8")
    report, err = count_json(capsys, monkeypatch, a, b)
    lines = warning_lines(err)
    assert len(lines) == 2 and str(a) in lines[0] and str(b) in lines[1] and "may differ" in lines[0], err
    assert abs(report[str(a)]["tokens"] - len(enc.encode(text))) <= 2 * (len(text) // 500)


def test_special_token_with_a_newline_is_never_cut(capsys, monkeypatch, tmp_path):
    """Was: streamed whenever the pattern had a native scanner, so the newline rule cut "<|a\\nb|>" in two."""
    tok = tokenforge.load(TOK, special_tokens={"<|a\nb|>": 4096})
    tok_path = tmp_path / "special.json"
    tok.save(tok_path)
    text = "Hello there<|a\nb|>\nWorld\n" * 50
    path = tmp_path / "in.txt"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(cli_encode, "BLOCK_BYTES", 7)
    report, _ = count_json(capsys, monkeypatch, "--allow-special", path, tok=str(tok_path))
    assert report[str(path)]["tokens"] == tok.count(text, allowed_special="all")
    assert not safe_splits.can_split(tok)


def test_can_split_only_when_it_is_safe():
    base = tokenforge.load(TOK)
    assert safe_splits.can_split(base)
    assert not safe_splits.can_split(Tokenizer(base.model, pretokenizer="r50k", normalizer="nfkc"))
    assert not safe_splits.can_split(Tokenizer(base.model, pretokenizer=r"\S+|\s+"))  # no named scanner
    assert not safe_splits.can_split(Tokenizer(base.model, pretokenizer="r50k", added_tokens={"a b": 4096}))
    assert not safe_splits.can_split(base.with_method("merge", dropout=0.1))  # random: drawn afresh per text


# -- item 11 (part): progress --------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("quiet", [False, True])
def test_count_shows_progress_on_a_terminal_unless_quiet(monkeypatch, tmp_path, quiet):
    path = tmp_path / "in.txt"
    path.write_text(UDHR, encoding="utf-8")
    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert cli.main(["count", "-t", TOK, str(path)] + (["-q"] if quiet else [])) == 0
    shown = err.getvalue()
    if quiet:
        assert shown == ""
    else:
        assert "MB read" in shown and "tokens" in shown and "MB/s" in shown and shown.startswith("\r")
