"""Corpus readers: every input kind, long records, the UTF-8 and bad-record policies, located errors."""

from __future__ import annotations

import gzip
import json
import warnings

import pytest

from tokenforge.corpus import Texts, open_corpus, split_record
from tokenforge.errors import ConfigError, CorpusError, CorpusWarning, TokenforgeError

from conftest import CORPORA, needs_shared

LINES = ["first line\n", "  second, indented\n", "\n", "third: naïve café ✓\n", "no newline at the end"]
TEXT = "".join(LINES)


def records(*args, **kwargs) -> list[str]:
    return list(open_corpus(*args, **kwargs))


def caught_warnings(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return result, [str(w.message) for w in caught if issubclass(w.category, CorpusWarning)]


def write_zst(path, data: bytes) -> None:
    zstandard = pytest.importorskip("zstandard")
    # two frames: the reader must read across them
    cctx = zstandard.ZstdCompressor()
    half = len(data) // 2
    path.write_bytes(cctx.compress(data[:half]) + cctx.compress(data[half:]))


# ---------------------------------------------------------------------------------------------------------- kinds


def test_plain_text_one_record_per_line_newline_kept(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    assert records(path) == LINES
    assert records(str(path)) == LINES


def test_paragraph_mode_keeps_blank_lines_with_the_block(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("one\ntwo\n\n\n  three\nfour\n\nfive", encoding="utf-8")
    assert records(path, records="paragraphs") == ["one\ntwo\n\n\n", "  three\nfour\n\n", "five"]


def test_gzip_and_zstd_text(tmp_path):
    gz = tmp_path / "a.txt.gz"
    gz.write_bytes(gzip.compress(TEXT.encode()))
    zst = tmp_path / "a.txt.zst"
    write_zst(zst, TEXT.encode())
    assert records(gz) == LINES
    assert records(zst) == LINES


def test_jsonl_plain_gz_zst(tmp_path):
    docs = [{"text": "alpha beta\n", "id": 1}, {"text": "gamma", "id": 2}, {"text": None}, {"text": ""},
            {"body": "other field", "text": "δ"}]
    data = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs) + "\n"  # a blank line is ignored
    (tmp_path / "a.jsonl").write_text(data, encoding="utf-8")
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(data.encode()))
    write_zst(tmp_path / "c.jsonl.zst", data.encode())
    expected = ["alpha beta\n", "gamma", "δ"]
    for name in ("a.jsonl", "b.jsonl.gz", "c.jsonl.zst"):
        assert records(tmp_path / name) == expected
    out, messages = caught_warnings(lambda: records(tmp_path / "a.jsonl", text_field="body", on_bad_record="skip"))
    assert out == ["other field"] and "4 bad record(s) skipped; first: line 1: no field 'body'" in messages[0]


def test_parquet_column_read_in_batches(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    texts = [f"row {i} text\n" for i in range(50)] + [None, ""]
    table = pa.table({"id": list(range(len(texts))), "content": texts})
    path = tmp_path / "a.parquet"
    pq.write_table(table, path, row_group_size=7)
    assert records(path, column="content") == [t for t in texts if t]
    with pytest.raises(CorpusError, match=r"a\.parquet: no column 'text' \(columns: 'id', 'content'\)"):
        records(path)
    with pytest.raises(CorpusError, match="holds int64, not text"):
        records(path, column="id")


def test_parquet_binary_column_invalid_utf8(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "b.parquet"
    pq.write_table(pa.table({"text": pa.array([b"good", b"bad \xff here", b"fine"], pa.binary())}), path)
    with pytest.raises(CorpusError, match=r"b\.parquet: row 2, byte 4 of the value: invalid UTF-8"):
        records(path, errors="strict")
    out, messages = caught_warnings(lambda: records(path))
    assert out == ["good", "bad \ufffd here", "fine"]
    assert len(messages) == 1 and "1 invalid UTF-8 byte(s) replaced" in messages[0] and "row 2" in messages[0]
    assert caught_warnings(lambda: records(path, errors="skip"))[0] == ["good", "fine"]


def test_directory_recursive_glob_and_order(tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "b.txt").write_text("b\n")
    (tmp_path / "a.txt").write_text("a\n")
    (tmp_path / "sub" / "c.jsonl").write_text('{"text": "c"}\n')
    (tmp_path / "sub" / "deeper" / "d.txt.gz").write_bytes(gzip.compress(b"d\n"))
    (tmp_path / ".hidden" / "e.txt").write_text("hidden\n")
    (tmp_path / ".f.txt").write_text("hidden\n")
    (tmp_path / "notes.bin").write_bytes(b"\x00\x01")  # unknown suffix: not picked up by a walk
    assert records(tmp_path) == ["a\n", "b\n", "c", "d\n"]
    assert records(tmp_path, recursive=False) == ["a\n", "b\n"]
    assert records(str(tmp_path / "*.txt")) == ["a\n", "b\n"]
    assert records(str(tmp_path / "**" / "*.txt*")) == ["a\n", "b\n", "d\n"]
    # a list keeps its order; the same file named twice is read once
    assert records([tmp_path / "b.txt", str(tmp_path / "*.txt")]) == ["b\n", "a\n"]
    # a file named explicitly is read whatever its suffix (plain text by default)
    (tmp_path / "data.log").write_text("x\ny")
    assert records(tmp_path / "data.log") == ["x\n", "y"]


def test_missing_paths_are_named(tmp_path):
    with pytest.raises(CorpusError, match="nothing.txt: no such file or directory"):
        open_corpus(tmp_path / "nothing.txt")
    with pytest.raises(CorpusError, match=r"\*\.zzz: no file matches this pattern"):
        open_corpus(str(tmp_path / "*.zzz"))
    with pytest.raises(CorpusError, match=r"Texts\(\[\.\.\.\]\)"):
        open_corpus(["hello world", "these are texts, not paths"])


def test_iterables_of_strings():
    gen = (f"text {i}\n" for i in range(3))
    assert records(gen) == ["text 0\n", "text 1\n", "text 2\n"]
    assert records(Texts(["a", "", "b"])) == ["a", "b"]
    assert records([Texts(["x"]), Texts(["y"])]) == ["x", "y"]
    with pytest.raises(CorpusError, match="record 1 is int, not str"):
        records(Texts(["ok", 3]))
    with pytest.raises(ConfigError):
        Texts("a single string")


def test_bad_options_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="errors must be one of"):
        open_corpus(Texts([]), errors="ignore")
    with pytest.raises(ConfigError, match="on_bad_record"):
        open_corpus(Texts([]), on_bad_record="drop")


# ----------------------------------------------------------------------------------------------- long records


def test_split_record_prefers_whitespace_and_is_lossless():
    text = "word " * 30 + "x" * 50
    pieces = list(split_record(text, 16))
    assert "".join(pieces) == text
    assert all(0 < len(p) <= 16 for p in pieces)
    # cut before a space, so the next piece starts " word" as GPT patterns would cut it
    assert pieces[0] == "word word word" and pieces[1].startswith(" word")
    assert list(split_record("a" * 10, 4)) == ["aaaa", "aaaa", "aa"]  # no whitespace: hard cut
    assert list(split_record("short", 16)) == ["short"]
    assert list(split_record("", 16)) == []


def test_long_lines_are_cut_while_streaming(tmp_path):
    # multi-byte characters straddle the reader's segment boundaries; the text must come back intact
    line = ("é" * 7 + " ✓日本 ") * 40 + "\n"
    path = tmp_path / "long.txt"
    path.write_text(line + "short\n" + line.rstrip("\n"), encoding="utf-8")
    out = records(path, max_record_chars=64)
    assert "".join(out) == path.read_text(encoding="utf-8")
    assert all(len(r) <= 64 for r in out)
    assert "short\n" in out
    (tmp_path / "long.jsonl").write_text(json.dumps({"text": line}) + "\n")
    out = records(tmp_path / "long.jsonl", max_record_chars=64)
    assert "".join(out) == line and max(map(len, out)) <= 64 and len(out) > 1


# ---------------------------------------------------------------------------------------------- UTF-8 policies

BAD = b"good line\nbad \xff\xfe line\nalso good\n"  # the bad bytes are at offset 14 (line 2)


def test_strict_utf8_names_file_line_and_offset(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(BAD)
    with pytest.raises(CorpusError, match=r"bad\.txt: line 2, byte offset 14: invalid UTF-8") as info:
        records(path, errors="strict")
    err = info.value
    assert isinstance(err, TokenforgeError)
    assert (err.path, err.line, err.offset) == (str(path), 2, 14)


def test_replace_warns_once_per_file_with_count_and_offset(tmp_path):
    path = tmp_path / "bad.txt.gz"
    path.write_bytes(gzip.compress(BAD + b"again \x80\n"))
    out, messages = caught_warnings(lambda: records(path))
    assert out == ["good line\n", "bad \ufffd\ufffd line\n", "also good\n", "again \ufffd\n"]
    assert messages == [f"{path}: 3 invalid UTF-8 byte(s) replaced with U+FFFD; first at line 2, byte offset 14"]


def test_skip_drops_the_bad_record(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(BAD)
    out, messages = caught_warnings(lambda: records(path, errors="skip"))
    assert out == ["good line\n", "also good\n"]
    assert len(messages) == 1 and "1 record(s) with invalid UTF-8 skipped" in messages[0]
    jl = tmp_path / "bad.jsonl"
    jl.write_bytes(b'{"text": "ok"}\n{"text": "bad \xff"}\n')
    with pytest.raises(CorpusError, match=r"bad\.jsonl: line 2, byte offset 29: invalid UTF-8"):
        records(jl, errors="strict")
    assert caught_warnings(lambda: records(jl, errors="skip"))[0] == ["ok"]


def test_truncated_multibyte_character_at_end_of_file(tmp_path):
    path = tmp_path / "cut.txt"
    path.write_bytes("fine\ncaf".encode() + "é".encode()[:1])
    with pytest.raises(CorpusError, match=r"line 2, byte offset 8"):
        records(path, errors="strict", max_record_chars=16)
    assert caught_warnings(lambda: records(path, max_record_chars=16))[0] == ["fine\n", "caf\ufffd"]


def test_byte_order_mark_is_dropped(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfhello\n")
    assert records(path) == ["hello\n"]


@needs_shared
def test_real_invalid_bytes_in_gcide():
    path = CORPORA / "en-gcide.txt.gz"
    with pytest.raises(CorpusError) as info:
        for _ in open_corpus(path, errors="strict"):
            pass
    assert (info.value.line, info.value.offset) == (110764, 3641181)
    assert "en-gcide.txt.gz: line 110764, byte offset 3641181: invalid UTF-8" in str(info.value)
    n_replace, messages = caught_warnings(lambda: sum(1 for _ in open_corpus(path)))
    assert len(messages) == 1 and "3 invalid UTF-8 byte(s) replaced" in messages[0]
    n_skip, messages = caught_warnings(lambda: sum(1 for _ in open_corpus(path, errors="skip")))
    assert n_replace - n_skip == 3 and "3 record(s) with invalid UTF-8 skipped" in messages[0]


# ------------------------------------------------------------------------------------------------- bad records


def test_bad_json_lines_raise_or_skip(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text('{"text": "a"}\n{not json}\n[1, 2]\n{"title": "x"}\n{"text": 5}\n{"text": "b"}\n')
    with pytest.raises(CorpusError, match=r"docs\.jsonl: line 2: invalid JSON"):
        records(path)
    out, messages = caught_warnings(lambda: records(path, on_bad_record="skip"))
    assert out == ["a", "b"]
    assert messages == [f"{path}: 4 bad record(s) skipped; first: line 2: invalid JSON "
                        "(Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"]
    path.write_text('{"text": "a"}\n{"title": "x"}\n')
    with pytest.raises(CorpusError, match=r"line 2: no field 'text' \(keys: 'title'\)"):
        records(path)


def test_corrupt_and_truncated_compressed_files(tmp_path):
    bad = tmp_path / "bad.txt.gz"
    bad.write_bytes(b"this is not gzip at all\n")
    with pytest.raises(CorpusError, match=r"bad\.txt\.gz: cannot read the gz stream"):
        records(bad)
    cut = tmp_path / "cut.txt.gz"
    cut.write_bytes(gzip.compress("".join(f"{i} {i * i}\n" for i in range(10_000)).encode())[:200])
    with pytest.raises(CorpusError, match=r"cut\.txt\.gz: cannot read"):
        records(cut)
    zst = tmp_path / "bad.jsonl.zst"
    zst.write_bytes(b"\x28\xb5\x2f\xfd garbage")
    with pytest.raises(CorpusError, match=r"bad\.jsonl\.zst: cannot read the zst stream"):
        records(zst)
