"""The `tokenforge` command line, run for real: `cli.main([...])` in-process and `python -m tokenforge.cli`.

Expected ids come from tiktoken (built from the bundled example's rank file and sidecar) and HF `tokenizers`,
never from tokenforge itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tokenforge.cli import encode as cli_encode

from conftest import ROOT, run_cli as run

EXAMPLES = ROOT / "examples"
TOK = str(EXAMPLES / "gpt2-small.tiktoken")
UDHR_EN = str(EXAMPLES / "udhr-en.txt")
COMMANDS = ["encode", "decode", "count", "convert", "inspect"]


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's published byte -> printable character table (encoder.py), written out independently."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def ids_of(line: str) -> list[int]:
    return [int(x) for x in line.split()]


TEXT = "Hello world! It's 2024: naïve café, ﬁle 日本語 🤷‍♀️\tend  \n second line\r\n"


# -- encode ----------------------------------------------------------------------------------------------------


def test_encode_file(capsys, monkeypatch, tmp_path, enc):
    path = tmp_path / "in.txt"
    path.write_bytes(TEXT.encode())
    status, out, err = run(capsys, monkeypatch, ["encode", "-t", TOK, str(path)])
    assert (status, err) == (0, "")
    # The final newline of the input is not encoded (as `echo text | tokenforge encode` expects) ...
    assert out == " ".join(map(str, enc.encode(TEXT[:-1]))) + "\n"
    status, out, _ = run(capsys, monkeypatch, ["encode", "-t", TOK, "--keep-final-newline", str(path)])
    assert ids_of(out) == enc.encode(TEXT)  # ... unless asked to


def test_encode_stdin_and_json(capsys, monkeypatch, enc):
    status, out, err = run(capsys, monkeypatch, ["encode", "-t", TOK, "--json"], stdin=b"Hello world\n")
    assert status == 0 and json.loads(out) == enc.encode("Hello world")
    status, out, err = run(capsys, monkeypatch, ["encode", "-t", TOK, "-"], stdin="¿Qué tal?\n".encode())
    assert ids_of(out) == enc.encode("¿Qué tal?")


def test_encode_tokens(capsys, monkeypatch, enc):
    status, out, _ = run(capsys, monkeypatch, ["encode", "-t", TOK, "--tokens"], stdin=TEXT.encode())
    assert status == 0
    table = bytes_to_unicode()
    tokens = [json.loads(t) for t in out.split()]  # the byte-level alphabet has no whitespace characters
    expected = ["".join(table[b] for b in enc.decode_single_token_bytes(i)) for i in enc.encode(TEXT[:-1])]
    assert tokens == expected


def test_encode_lines(capsys, monkeypatch, enc):
    # \f, \x1c and U+2028 are line breaks to str.splitlines, not to a file: one output line per "\n" line.
    lines = ["first line", "", "form\x0cfeed \x1c and\u2028separator", "crlf ending", "last"]
    data = ("\n".join(lines[:3]) + "\n" + lines[3] + "\r\n" + lines[4] + "\n").encode()
    status, out, _ = run(capsys, monkeypatch, ["encode", "-t", TOK, "--lines"], stdin=data)
    assert status == 0
    assert [ids_of(l) for l in out.split("\n")[:-1]] == [enc.encode(l) for l in lines]


def test_encode_special_tokens(capsys, monkeypatch, enc):
    text = "a<|endoftext|>b"
    status, out, err = run(capsys, monkeypatch, ["encode", "-t", TOK], stdin=text.encode())
    assert status == 2 and out == "" and "<|endoftext|>" in err and len(err.splitlines()) == 1
    status, out, err = run(capsys, monkeypatch, ["encode", "-t", TOK, "--allow-special"], stdin=text.encode())
    assert status == 0 and ids_of(out) == enc.encode(text, allowed_special="all")


# -- decode ----------------------------------------------------------------------------------------------------


def test_decode_args_and_stdin(capsys, monkeypatch, enc):
    ids = enc.encode(TEXT)
    status, out, err = run(capsys, monkeypatch, ["decode", "-t", TOK, *map(str, ids)])
    assert (status, err) == (0, "") and out == TEXT + "\n"
    status, out, _ = run(capsys, monkeypatch, ["decode", "-t", TOK, "-n"], stdin=json.dumps(ids).encode())
    assert out == TEXT


def test_decode_cut_character(capsys, monkeypatch, enc):
    ids = enc.encode("日")
    assert len(ids) > 1  # the small vocabulary spells it in several byte tokens
    status, out, _ = run(capsys, monkeypatch, ["decode", "-t", TOK, "-n", str(ids[0])])
    assert status == 0 and out == "\ufffd"
    status, out, err = run(capsys, monkeypatch, ["decode", "-t", TOK, "--errors", "strict", str(ids[0])])
    assert status == 2 and "byte 0" in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("arg", ["99999", "4097", "-5", "18446744073709551616", "abc"])
def test_decode_bad_ids(capsys, monkeypatch, arg):
    status, out, err = run(capsys, monkeypatch, ["decode", "-t", TOK, "--", "1", arg])
    assert status == 2 and out == ""
    assert err.startswith("tokenforge: error:") and arg in err and len(err.splitlines()) == 1


# -- count -----------------------------------------------------------------------------------------------------


def test_count_udhr(capsys, monkeypatch, enc):
    import tokenforge

    text = open(UDHR_EN, encoding="utf-8").read()
    n = len(enc.encode(text))
    assert n == len(tokenforge.load(TOK).encode(text))
    status, out, err = run(capsys, monkeypatch, ["count", "-t", TOK, UDHR_EN])
    assert status == 0 and err == ""
    assert out.split()[0].replace(",", "") == str(n) and UDHR_EN in out
    status, out, _ = run(capsys, monkeypatch, ["count", "-t", TOK, "--json", UDHR_EN])
    assert json.loads(out) == {UDHR_EN: {"tokens": n, "bytes": len(text.encode()), "chars": len(text)}}


@pytest.mark.parametrize("block", [1, 5, 64, 1000])
def test_count_streaming_equals_whole_text(capsys, monkeypatch, enc, tmp_path, block):
    """Big files are counted block by block; the cut points must not change the count. (Regression: a block
    ending in "\\n\\n" before a letter counted one token less.)"""
    text = open(UDHR_EN, encoding="utf-8").read()[:3000] + "x\n\n\nA\n \nB  \n1\n\r\nC\n\tD é\n2"
    path = tmp_path / "in.txt"
    path.write_bytes(text.encode())
    monkeypatch.setattr(cli_encode, "BLOCK_BYTES", block)
    status, out, _ = run(capsys, monkeypatch, ["count", "-t", TOK, "--json", str(path)])
    assert status == 0 and json.loads(out)[str(path)]["tokens"] == len(enc.encode(text))


def test_count_several_files_and_total(capsys, monkeypatch, enc, tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("one two three", encoding="utf-8")
    b.write_text("vier fünf", encoding="utf-8")
    status, out, _ = run(capsys, monkeypatch, ["count", "-t", TOK, str(a), str(b)])
    rows = out.splitlines()
    assert status == 0 and len(rows) == 3 and rows[2].endswith("total")
    total = len(enc.encode("one two three")) + len(enc.encode("vier fünf"))
    assert rows[2].split()[0] == str(total)


# -- convert and inspect ---------------------------------------------------------------------------------------


def test_convert_to_hf_and_back(capsys, monkeypatch, enc, tmp_path):
    tokenizers = pytest.importorskip("tokenizers")
    hf_path, back = tmp_path / "tokenizer.json", tmp_path / "back.tiktoken"
    status, out, err = run(capsys, monkeypatch, ["convert", TOK, str(hf_path)])
    assert status == 0 and str(hf_path) in err
    hf = tokenizers.Tokenizer.from_file(str(hf_path))
    text = open(UDHR_EN, encoding="utf-8").read() + TEXT
    assert hf.encode(text, add_special_tokens=False).ids == enc.encode(text)
    assert hf.decode(enc.encode(text)) == text

    status, out, err = run(capsys, monkeypatch, ["convert", str(hf_path), str(back)])
    assert status == 0, err
    assert back.read_bytes() == (EXAMPLES / "gpt2-small.tiktoken").read_bytes()
    sidecar = json.loads((tmp_path / "back.tiktoken.json").read_text())
    assert sidecar["pat_str"] == enc._pat_str and sidecar["special_tokens"] == {"<|endoftext|>": 4096}
    status, out, _ = run(capsys, monkeypatch, ["encode", "-t", str(back), "--keep-final-newline"], stdin=text.encode())
    assert ids_of(out) == enc.encode(text)


def test_convert_explicit_format(capsys, monkeypatch, enc, tmp_path):
    out_path = tmp_path / "ranks.txt"
    status, _, err = run(capsys, monkeypatch, ["convert", TOK, str(out_path), "--to", "tiktoken"])
    assert status == 0, err
    assert out_path.read_bytes() == (EXAMPLES / "gpt2-small.tiktoken").read_bytes()


def test_inspect(capsys, monkeypatch, enc):
    status, out, err = run(capsys, monkeypatch, ["inspect", TOK])
    assert status == 0 and err == ""
    assert "vocab_size: 4097" in out and "<|endoftext|>" in out and "r50k" in out
    status, out, _ = run(capsys, monkeypatch, ["inspect", TOK, "--json", "--longest", "3"])
    info = json.loads(out)
    assert info["vocab_size"] == enc.n_vocab and info["special_tokens"] == {"<|endoftext|>": 4096}
    longest = max(len(enc.decode_single_token_bytes(i)) for i in range(4096))
    assert len(info["longest_tokens"]) == 3 and info["longest_tokens"][0]["bytes"] == longest


# -- help and errors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_help(capsys, monkeypatch, command):
    status, out, err = run(capsys, monkeypatch, [command, "--help"])
    assert status == 0 and out.startswith(f"usage: tokenforge {command}")


def test_top_level_help_lists_commands(capsys, monkeypatch):
    status, out, _ = run(capsys, monkeypatch, ["--help"])
    assert status == 0 and all(c in out for c in COMMANDS)


def one_error_line(err: str, *fragments: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tokenforge: error:"), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], err


def test_missing_tokenizer(capsys, monkeypatch, tmp_path):
    missing = str(tmp_path / "nope.tiktoken")
    for argv in (["encode", "-t", missing], ["decode", "-t", missing, "1"], ["count", "-t", missing],
                 ["inspect", missing], ["convert", missing, str(tmp_path / "x.json")]):
        status, out, err = run(capsys, monkeypatch, argv, stdin=b"x")
        assert status == 2 and out == "", argv
        one_error_line(err, missing)


def test_missing_input_file(capsys, monkeypatch, tmp_path):
    missing = str(tmp_path / "nope.txt")
    for command in ("encode", "count"):
        status, out, err = run(capsys, monkeypatch, [command, "-t", TOK, missing])
        assert status == 2
        one_error_line(err, missing, "No such file")


def test_corrupt_tokenizer(capsys, monkeypatch, tmp_path):
    bad = tmp_path / "bad.tiktoken"
    bad.write_bytes((EXAMPLES / "gpt2-small.tiktoken").read_bytes()[:5003])
    status, out, err = run(capsys, monkeypatch, ["encode", "-t", str(bad)], stdin=b"x")
    assert status == 2
    one_error_line(err, str(bad), "line")
    bad_json = tmp_path / "tokenizer.json"
    bad_json.write_bytes(b'{"model": {"type": "WordPiece", "vocab": {}}}')
    status, out, err = run(capsys, monkeypatch, ["inspect", str(bad_json)])
    assert status == 2
    one_error_line(err, str(bad_json), "WordPiece")


def test_convert_into_missing_directory(capsys, monkeypatch, tmp_path):
    target = str(tmp_path / "no" / "such" / "dir" / "tokenizer.json")
    status, out, err = run(capsys, monkeypatch, ["convert", TOK, target])
    assert status == 2
    one_error_line(err, target, "does not exist")
    assert ".tmp" not in err


@pytest.mark.parametrize("prefix, bad", [(b"", b"\xff"), (b"abc\n", b"\xc3("), ("日本".encode(), b"\xe6\x97"),
                                         (b"x" * 100, b"\xed\xa0\x80")])  # the last: an encoded surrogate
@pytest.mark.parametrize("block", [3, 8 << 20])
@pytest.mark.parametrize("command", ["encode", "count"])
def test_invalid_utf8_input_names_file_and_byte_offset(capsys, monkeypatch, tmp_path, prefix, bad, block, command):
    path = tmp_path / "in.txt"
    path.write_bytes(prefix + bad + b" tail")
    monkeypatch.setattr(cli_encode, "BLOCK_BYTES", block)
    status, out, err = run(capsys, monkeypatch, [command, "-t", TOK, "--errors", "strict", str(path)])
    assert status == 2 and out == ""
    one_error_line(err, str(path), f"byte offset {len(prefix)}")
    # --errors replace (the default): U+FFFD instead, and one warning naming the file and offset
    status, out, err = run(capsys, monkeypatch, [command, "-t", TOK, str(path)])
    assert status == 0, err
    assert f"{path}: " in err and f"byte offset {len(prefix)}" in err


def test_invalid_utf8_on_stdin(capsys, monkeypatch):
    status, out, err = run(capsys, monkeypatch, ["encode", "-t", TOK, "--errors", "strict"], stdin=b"ok \x80")
    assert status == 2
    one_error_line(err, "<stdin>", "byte offset 3")


def test_usage_error_exits_2(capsys, monkeypatch):
    status, out, err = run(capsys, monkeypatch, ["encode"])  # -t missing
    assert status == 2 and "required" in err


# -- the real console entry, in a subprocess -----------------------------------------------------------------


def test_subprocess_module_entry(enc, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "python") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    text = "Hello world, from a subprocess 🌍"
    done = subprocess.run([sys.executable, "-m", "tokenforge.cli", "encode", "-t", TOK], input=text.encode(),
                          capture_output=True, env=env, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    assert ids_of(done.stdout.decode()) == enc.encode(text)

    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"abc\xffdef")
    done = subprocess.run([sys.executable, "-m", "tokenforge.cli", "count", "-t", TOK, "--errors", "strict", str(bad)],
                          capture_output=True, env=env, cwd=tmp_path, timeout=60)
    assert done.returncode == 2 and done.stdout == b""
    one_error_line(done.stderr.decode(), str(bad), "byte offset 3")
