"""Corrupt, truncated or hostile tokenizer files raise a typed error naming the file and the fault.

Never a panic, a bare KeyError/TypeError/UnicodeDecodeError/JSONDecodeError, or a hang. Also: `save` is atomic.
"""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

import tokenforge
from tokenforge import FormatError, TokenforgeError, UnsupportedFeatureError

from conftest import ROOT

EXAMPLE = ROOT / "examples" / "gpt2-small.tiktoken"
EXAMPLE_SIDECAR = ROOT / "examples" / "gpt2-small.json"
# The sidecar of the example, written out here rather than copied, so the tests pin what a valid one holds.
GPT2_PAT = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""
SIDECAR = {"name": "tiny", "pat_str": GPT2_PAT, "special_tokens": {"<|endoftext|>": 4096}, "explicit_n_vocab": None}


def expect(exc_type, path, *fragments):
    """Loads `path`, requiring `exc_type` whose message names the file and contains every fragment."""
    with pytest.raises(TokenforgeError) as info:
        tokenforge.load(path)
    err = info.value
    assert type(err) is exc_type, f"{type(err).__name__}: {err}"
    message = str(err)
    assert str(path) in message, message
    for fragment in fragments:
        assert fragment.lower() in message.lower(), message
    return err


def rank_lines() -> list[bytes]:
    return EXAMPLE.read_bytes().splitlines()


def write_ranks(tmp_path: Path, lines: "list[bytes] | bytes", sidecar: "dict | bytes | None" = SIDECAR) -> Path:
    path = tmp_path / "tiny.tiktoken"
    path.write_bytes(lines if isinstance(lines, bytes) else b"\n".join(lines) + b"\n")
    if sidecar is not None:
        side = tmp_path / "tiny.json"
        side.write_bytes(sidecar if isinstance(sidecar, bytes) else json.dumps(sidecar).encode())
    return path


def b64(token: bytes) -> bytes:
    return base64.b64encode(token)


# -- tiktoken rank files ------------------------------------------------------------------------------------------


def test_valid_rank_file_with_sidecar_loads(tmp_path):
    """The baseline every corruption below starts from: it loads and encodes like the bundled example."""
    tok = tokenforge.load(write_ranks(tmp_path, rank_lines()))
    assert tok.special_tokens == {"<|endoftext|>": 4096}
    assert tok.decode(tok.encode("Hello world")) == "Hello world"


def test_truncated_mid_line(tmp_path):
    data = EXAMPLE.read_bytes()
    cut = data.index(b"\n", len(data) // 2) - 3  # inside a line: its rank (and newline) are gone
    line_no = data[:cut].count(b"\n") + 1
    expect(FormatError, write_ranks(tmp_path, data[:cut]), f"line {line_no}")


def test_truncated_at_line_boundary_is_caught_by_the_sidecar_count(tmp_path):
    """A rank file cut cleanly between lines parses; the declared total reveals it."""
    lines = rank_lines()[:3000]
    expect(FormatError, write_ranks(tmp_path, lines, {**SIDECAR, "explicit_n_vocab": 4097}), "4097", "truncated")


def test_truncated_before_all_bytes(tmp_path):
    """Fewer than the 256 single-byte tokens: not a usable byte-level file."""
    expect(FormatError, write_ranks(tmp_path, rank_lines()[:100]), "256 single bytes")


@pytest.mark.parametrize("bad", [b"!!!!", b"QQ", b"QQ=", b"Q=Q=", b"SGVsbG8*"])
@pytest.mark.parametrize("where", [0, 500])
def test_wrong_base64(tmp_path, bad, where):
    lines = rank_lines()
    lines[where] = bad + b" " + lines[where].split()[1]
    expect(FormatError, write_ranks(tmp_path, lines), f"line {where + 1}", "base64")


def test_duplicate_rank(tmp_path):
    lines = rank_lines() + [b64(b"zzqqzz") + b" 300"]
    expect(FormatError, write_ranks(tmp_path, lines), f"line {len(lines)}", "rank 300", "line 301")


def test_duplicate_token(tmp_path):
    lines = rank_lines()
    lines.append(lines[300].split()[0] + b" 5000")
    expect(FormatError, write_ranks(tmp_path, lines), f"line {len(lines)}", "already has rank 300")


@pytest.mark.parametrize("rank", [b"-5", b"1.5", b"0x10", b"\xd9\xa3"])  # the last: ARABIC-INDIC DIGIT THREE
def test_rank_not_a_nonnegative_integer(tmp_path, rank):
    lines = rank_lines() + [b64(b"zzqqzz") + b" " + rank]
    expect(FormatError, write_ranks(tmp_path, lines), f"line {len(lines)}", "rank")


@pytest.mark.parametrize("rank", [2**24, 2**31, 2**40, 10**30])
def test_huge_rank_is_refused_without_allocating(tmp_path, rank):
    """A rank is an index into an id table: 2**40 would claim terabytes ("2 GB claims" and worse)."""
    lines = rank_lines() + [b64(b"zzqqzz") + b" " + str(rank).encode()]
    expect(FormatError, write_ranks(tmp_path, lines), f"line {len(lines)}", str(rank))


@pytest.mark.parametrize("line", [b"SGVsbG8=", b"SGVsbG8= 5000 7", b"SGVsbG8=\t5000\tx"])
def test_wrong_field_count(tmp_path, line):
    lines = rank_lines() + [line]
    expect(FormatError, write_ranks(tmp_path, lines), f"line {len(lines)}")


def test_empty_token(tmp_path):
    lines = rank_lines() + [b"= 5000"]
    # "=" is not valid base64 at all; an empty base64 field cannot be written with two fields, so this is the
    # closest hostile spelling
    expect(FormatError, write_ranks(tmp_path, lines), f"line {len(lines)}")


@pytest.mark.parametrize("content", [b"", b"   \n\n\t\n"])
def test_empty_file(tmp_path, content):
    expect(FormatError, write_ranks(tmp_path, content), "empty")


def test_rank_file_without_pattern(tmp_path):
    """Not an OpenAI file (hash unknown) and no sidecar: refuse rather than guess a pattern."""
    expect(FormatError, write_ranks(tmp_path, rank_lines(), sidecar=None), "tiny.json", "pattern")


def test_special_token_reusing_an_ordinary_rank(tmp_path):
    expect(FormatError, write_ranks(tmp_path, rank_lines(), {**SIDECAR, "special_tokens": {"<s>": 5}}), "<s>", "5")


# -- sidecar NAME.json ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sidecar, fault",
    [
        (b"{not json", "json"),
        (b'{"pat_str": "\xff\xfe"}', "utf-8"),
        (b"[]", "pat_str"),
        (b'{"special_tokens": {}}', "pat_str"),
        (b'{"pat_str": 5}', "pat_str"),
        (json.dumps({"pat_str": GPT2_PAT, "special_tokens": {"<x>": "4096"}}).encode(), "special_tokens"),
        (json.dumps({"pat_str": GPT2_PAT, "special_tokens": ["<x>"]}).encode(), "special_tokens"),
        (json.dumps({"pat_str": GPT2_PAT, "special_tokens": {"<x>": -1}}).encode(), "-1"),
        (json.dumps({"pat_str": GPT2_PAT, "special_tokens": {"<x>": 2**40}}).encode(), str(2**40)),
        (json.dumps({"pat_str": GPT2_PAT, "special_tokens": {"": 4096}}).encode(), "special token"),
        (json.dumps({"pat_str": GPT2_PAT, "explicit_n_vocab": "many"}).encode(), "explicit_n_vocab"),
    ],
)
def test_corrupt_sidecar_names_the_sidecar(tmp_path, sidecar, fault):
    path = write_ranks(tmp_path, rank_lines(), sidecar)
    with pytest.raises(FormatError) as info:
        tokenforge.load(path)
    assert str(tmp_path / "tiny.json") in str(info.value)
    assert fault.lower() in str(info.value).lower()


def test_sidecar_with_invalid_regex_fails_at_load_naming_the_file(tmp_path):
    """The pattern is compiled when the file is loaded, not at the first encode (far from the file's name)."""
    path = write_ranks(tmp_path, rank_lines(), {**SIDECAR, "pat_str": "(unclosed"})
    expect(FormatError, path, "(unclosed")


# -- HF tokenizer.json ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hf_obj() -> dict:
    """A valid byte-level BPE tokenizer.json, written by HF `tokenizers` itself (not by the code under test)."""
    tokenizers = pytest.importorskip("tokenizers")
    from tokenizers import decoders, models, pre_tokenizers

    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab = {c: i for i, c in enumerate(sorted(alphabet))}
    merges = [("h", "e"), ("l", "l"), ("he", "ll"), ("Ġ", "w")]
    for a, b in merges:
        vocab[a + b] = len(vocab)
    tok = tokenizers.Tokenizer(models.BPE(vocab, merges))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens(["<|end|>"])
    return json.loads(tok.to_str())


def write_json(tmp_path: Path, obj, name: str = "tokenizer.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


def test_valid_hf_file_loads(tmp_path, hf_obj):
    tokenizers = pytest.importorskip("tokenizers")
    path = write_json(tmp_path, hf_obj)
    ours = tokenforge.load(path)
    theirs = tokenizers.Tokenizer.from_file(str(path))
    text = "hello hell, world <|end|>"
    assert ours.encode(text, allowed_special="all") == theirs.encode(text).ids


def mutated(obj: dict, edit) -> dict:
    obj = json.loads(json.dumps(obj))
    edit(obj)
    return obj


HF_CORRUPTIONS = {
    "merge refers to a missing token": (lambda o: o["model"]["merges"].append(["zq", "qz"]), "merge #4", "zq"),
    "merge result missing": (lambda o: o["model"]["merges"].append(["Ġ", "Ġ"]), "merge #4", "not in the vocabulary"),
    "merge with three parts": (lambda o: o["model"]["merges"].append("a b c"), "merge #4"),
    "merge not a string or pair": (lambda o: o["model"]["merges"].append(7), "merge #4"),
    "merges not a list": (lambda o: o["model"].__setitem__("merges", 5), "merges"),
    "merges a dict": (lambda o: o["model"].__setitem__("merges", {"a": "b"}), "merges"),
    "token outside the byte alphabet": (lambda o: o["model"]["vocab"].__setitem__("\x00", 999), "byte-level alphabet"),
    "negative id": (lambda o: o["model"]["vocab"].__setitem__("a", -1), "-1"),
    "huge id": (lambda o: o["model"]["vocab"].__setitem__("a", 2**40), str(2**40)),
    "float id": (lambda o: o["model"]["vocab"].__setitem__("a", 1.5), "1.5"),
    "two tokens one id": (lambda o: o["model"]["vocab"].__setitem__("a", o["model"]["vocab"]["b"]), "id"),
    "vocab is a list": (lambda o: o["model"].__setitem__("vocab", [["a", 0]]), "vocab"),
    "vocab empty": (lambda o: o["model"].__setitem__("vocab", {}), "empty"),
    "BPE without vocab": (lambda o: o["model"].pop("vocab"), "vocab"),
    "model is a string": (lambda o: o.__setitem__("model", "BPE"), "model"),
    "added_tokens not a list": (lambda o: o.__setitem__("added_tokens", 7), "added_tokens"),
    "added token malformed": (lambda o: o["added_tokens"].append({"content": 5}), "added token"),
    "added token huge id": (lambda o: o["added_tokens"][0].__setitem__("id", 2**40), str(2**40)),
    "added token negative id": (lambda o: o["added_tokens"][0].__setitem__("id", -3), "-3"),
    "added token empty": (lambda o: o["added_tokens"][0].__setitem__("content", ""), "empty"),
    "added token twice": (lambda o: o["added_tokens"].append({**o["added_tokens"][0], "id": 9999}), "twice"),
    "added token takes a model id": (lambda o: o["added_tokens"][0].__setitem__("id", 5), "<|end|>"),
    "pretokenizers not a list": (lambda o: o.__setitem__("pre_tokenizer", {"type": "Sequence", "pretokenizers": 3}), "pretokenizers"),
    "split pattern a string": (
        lambda o: o.__setitem__("pre_tokenizer", {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": "Regex", "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "use_regex": False}]}),
        "split pattern",
    ),
    "split regex not a string": (
        lambda o: o.__setitem__("pre_tokenizer", {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": 5}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "use_regex": False}]}),
        "split pattern",
    ),
    "split regex invalid": (
        lambda o: o.__setitem__("pre_tokenizer", {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "use_regex": False}]}),
        "(unclosed",
    ),
    "normalizers not a list": (lambda o: o.__setitem__("normalizer", {"type": "Sequence", "normalizers": 5}), "normalizers"),
    "normalizer a string": (lambda o: o.__setitem__("normalizer", "NFC"), "normalizer"),
}


@pytest.mark.parametrize("case", sorted(HF_CORRUPTIONS))
def test_corrupt_tokenizer_json(tmp_path, hf_obj, case):
    edit, *fragments = HF_CORRUPTIONS[case]
    expect(FormatError, write_json(tmp_path, mutated(hf_obj, edit)), *fragments)


HF_UNSUPPORTED = {
    "WordPiece": (lambda o: o.__setitem__("model", {"type": "WordPiece", "vocab": {"a": 0}, "unk_token": "[UNK]"}), "WordPiece"),
    "Unigram": (lambda o: o.__setitem__("model", {"type": "Unigram", "vocab": [["a", -1.0]], "unk_id": 0}), "Unigram"),
    "WordLevel": (lambda o: o.__setitem__("model", {"type": "WordLevel", "vocab": {"a": 0}}), "WordLevel"),
    "BPE dropout": (lambda o: o["model"].__setitem__("dropout", 0.1), "dropout"),
    "byte_fallback": (lambda o: o["model"].__setitem__("byte_fallback", True), "byte_fallback"),
    "continuing_subword_prefix": (lambda o: o["model"].__setitem__("continuing_subword_prefix", "##"), "continuing_subword_prefix"),
    "Metaspace pre-tokenizer": (lambda o: o.__setitem__("pre_tokenizer", {"type": "Metaspace", "replacement": "▁"}), "Metaspace"),
    "no pre-tokenizer": (lambda o: o.__setitem__("pre_tokenizer", None), "ByteLevel"),
    "add_prefix_space": (lambda o: o["pre_tokenizer"].__setitem__("add_prefix_space", True), "add_prefix_space"),
    "BertNormalizer": (lambda o: o.__setitem__("normalizer", {"type": "BertNormalizer"}), "BertNormalizer"),
    "WordPiece decoder": (lambda o: o.__setitem__("decoder", {"type": "WordPiece", "prefix": "##"}), "decoder"),
    "lstrip added token": (lambda o: o["added_tokens"][0].__setitem__("lstrip", True), "lstrip"),
}


@pytest.mark.parametrize("case", sorted(HF_UNSUPPORTED))
def test_unsupported_features_are_refused(tmp_path, hf_obj, case):
    edit, *fragments = HF_UNSUPPORTED[case]
    expect(UnsupportedFeatureError, write_json(tmp_path, mutated(hf_obj, edit)), *fragments)


def test_non_utf8_json(tmp_path):
    path = tmp_path / "tokenizer.json"
    data = b'{"model": {"type": "BPE", "vocab": {"\xff": 0}}}'
    path.write_bytes(data)
    expect(FormatError, path, "utf-8", "offset %d" % data.index(b"\xff"))


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b'{"model": {', "line 1, column 12"),
        (b'{"model": {"type": "BPE",}}', "invalid json"),
        (b"{\n\n  oops\n}", "line 3"),
        (b'{"model":' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested"),
    ],
)
def test_invalid_json(tmp_path, content, fragment):
    path = tmp_path / "tokenizer.json"
    path.write_bytes(content)
    expect(FormatError, path, fragment)


@pytest.mark.parametrize("content", [b'{"vocab": {"a": 0}}', b"{}", b'{"version": "1.0", "truncation": null}'])
def test_json_that_is_not_a_tokenizer(tmp_path, content):
    path = tmp_path / "config.json"
    path.write_bytes(content)
    expect(FormatError, path, "model")


@pytest.mark.parametrize("content", [b"[1, 2, 3]", b'"tokenizer"', b"\x00\x01\x02garbage", b"hello world\n"])
def test_unrecognised_content(tmp_path, content):
    path = tmp_path / "mystery.bin"
    path.write_bytes(content)
    expect(FormatError, path, "unrecognised")


# -- other files and paths ----------------------------------------------------------------------------------------


def test_sentencepiece_looking_file(tmp_path):
    """A serialized ModelProto: field 1 (pieces), a varint length, then the piece's field 1 (its text). This one
    defines the same piece three times, which SentencePiece refuses too. (Real .model files: test_sentencepiece.py.)"""
    piece = b"\x0a\x03\xe2\x96\x81" + b"\x15\x00\x00\x00\x00" + b"\x18\x01"  # piece "▁", score 0, type NORMAL
    model = (b"\x0a" + bytes([len(piece)]) + piece) * 3 + b"\x12\x02\x08\x02"
    path = tmp_path / "tokenizer.model"
    path.write_bytes(model)
    expect(FormatError, path, "defined twice")


def test_directory_path(tmp_path):
    expect(FormatError, tmp_path, "directory")


def test_missing_file(tmp_path):
    expect(FormatError, tmp_path / "nope.tiktoken", "no such file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path):
    path = write_ranks(tmp_path, rank_lines())
    path.chmod(0)
    try:
        expect(FormatError, path, "permission")
    finally:
        path.chmod(0o644)


def test_errors_are_typed_and_valueerrors():
    """Callers catching ValueError (as with tiktoken/json) still catch format errors."""
    assert issubclass(FormatError, TokenforgeError) and issubclass(FormatError, ValueError)
    assert issubclass(UnsupportedFeatureError, FormatError)


# -- atomic save ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small():
    return tokenforge.load(EXAMPLE)


def litter(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("name", ["out/tokenizer.json", "out/ranks.tiktoken"])
def test_save_into_missing_directory(tmp_path, small, name):
    target = tmp_path / name
    with pytest.raises(TokenforgeError) as info:
        small.save(target)
    assert isinstance(info.value, OSError)  # also an OSError, for callers that catch those
    assert str(target) in str(info.value) and "does not exist" in str(info.value)
    assert ".tmp" not in str(info.value)  # names the user's file, not our temp file
    assert not (tmp_path / "out").exists()


def test_save_onto_a_directory(tmp_path, small):
    (tmp_path / "taken.json").mkdir()
    with pytest.raises(TokenforgeError, match="directory"):
        small.save(tmp_path / "taken.json")
    assert litter(tmp_path) == []


@pytest.mark.parametrize("name", ["tokenizer.json", "ranks.tiktoken"])
def test_failed_write_leaves_old_file_and_no_litter(tmp_path, small, monkeypatch, name):
    target = tmp_path / name
    target.write_bytes(b"the old file")
    sidecar = tmp_path / (name + ".json")  # NAME.tiktoken.json; the old one must be a sidecar, or save refuses it
    old_sidecar = json.dumps({**SIDECAR, "name": "the old sidecar"}).encode()
    if name.endswith(".tiktoken"):
        sidecar.write_bytes(old_sidecar)

    from tokenforge.util import atomic

    real_fdopen = os.fdopen

    class Failing:
        """Writes the first chunk, then fails like a full disk."""

        def __init__(self, f):
            self.f, self.n = f, 0

        def write(self, data):
            self.n += 1
            if self.n > 3:
                raise OSError(28, "No space left on device")
            return self.f.write(data)

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            self.f.__enter__()
            return self

        def __exit__(self, *exc):
            return self.f.__exit__(*exc)

    monkeypatch.setattr(atomic.os, "fdopen", lambda *a, **k: Failing(real_fdopen(*a, **k)))
    with pytest.raises(OSError, match="No space left"):
        small.save(target)
    assert target.read_bytes() == b"the old file"
    if name.endswith(".tiktoken"):
        assert sidecar.read_bytes() == old_sidecar
    assert litter(tmp_path) == []


def test_failed_rename_leaves_old_file_and_no_litter(tmp_path, small, monkeypatch):
    target = tmp_path / "tokenizer.json"
    target.write_bytes(b"the old file")
    from tokenforge.util import atomic

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.os, "replace", refuse)
    with pytest.raises(TokenforgeError) as info:
        small.save(target)
    assert str(target) in str(info.value)
    assert target.read_bytes() == b"the old file"
    assert litter(tmp_path) == []


def test_interrupted_write_leaves_old_file(tmp_path, small, monkeypatch):
    """KeyboardInterrupt mid-write (not just Exceptions) must not leave a half-written file or a temp file."""
    target = tmp_path / "tokenizer.json"
    target.write_bytes(b"the old file")
    from tokenforge.formats.hf import write as hf_json

    def interrupted(obj, f, **kwargs):
        f.write('{"version": "1.0", "model": {')
        raise KeyboardInterrupt

    monkeypatch.setattr(hf_json.json, "dump", interrupted)
    with pytest.raises(KeyboardInterrupt):
        small.save(target)
    assert target.read_bytes() == b"the old file"
    assert litter(tmp_path) == []


def test_saved_files_get_normal_permissions(tmp_path, small):
    """Temp files are created 0600; the saved file must get what a plain open() would (0666 less the umask)."""
    umask = os.umask(0o022)
    try:
        small.save(tmp_path / "tokenizer.json")
        small.save(tmp_path / "ranks.tiktoken")
    finally:
        os.umask(umask)
    for name in ("tokenizer.json", "ranks.tiktoken", "ranks.tiktoken.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name
    (tmp_path / "tokenizer.json").chmod(0o640)
    small.save(tmp_path / "tokenizer.json")
    assert stat.S_IMODE((tmp_path / "tokenizer.json").stat().st_mode) == 0o640  # an existing file keeps its mode


def test_successful_save_round_trips_and_leaves_no_litter(tmp_path, small):
    small.save(tmp_path / "tokenizer.json")
    small.save(tmp_path / "ranks.tiktoken")
    assert litter(tmp_path) == []
    text = "Hello, world! 123 <|endoftext|>"
    for name in ("tokenizer.json", "ranks.tiktoken"):
        again = tokenforge.load(tmp_path / name)
        assert again.encode(text, allowed_special="all") == small.encode(text, allowed_special="all")


def test_save_unknown_format(tmp_path, small):
    with pytest.raises(tokenforge.ConfigError, match="unknown format"):
        small.save(tmp_path / "x.bin", format="pickle")
    assert list(tmp_path.iterdir()) == []
