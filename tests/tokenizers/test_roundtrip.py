"""Encoding is lossless: decode(encode(x)) == x for any text, every pattern and the shared tokenizers.

Plus the edges of that promise: lone surrogates (replaced by U+FFFD, as tiktoken does), character offsets, strict
decoding of a cut character, unknown ids, megabyte-long single pieces, batch == one by one.
"""

from __future__ import annotations

import base64
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tokenforge
from tokenforge import DecodeError

from conftest import ROOT, needs_shared

EXAMPLE = ROOT / "examples" / "gpt2-small.tiktoken"
PATTERNS = ["r50k", "gpt2", "cl100k", "o200k", "qwen2", r"\w+|\W", None]
SHARED = ["cl100k_base", "o200k_base", "qwen3"]

EDGES = ["\x00", "\r\n", "\n\n", " \t ", "\xa0", "\u2028", "e\u0301", "\u0301", "\U0001f469\u200d\U0001f467",
         "\u05e9\u05dc\u05d5\u05dd", "\u200f", "'s", "\u017f", "\u0130", "12345", "\ufeff", "\U0010ffff", "<|endoftext|>",
         "\u212b", "\u1e9b\u0323", "\uac00\u11a8", "\ufb01"]  # the last four change under NFC / NFKC
any_text = st.lists(st.one_of(st.sampled_from(EDGES), st.characters(exclude_categories=("Cs",)), st.text(max_size=5)),
                    max_size=30).map("".join)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def ranks() -> dict[bytes, int]:
    out = {}
    for line in EXAMPLE.read_bytes().splitlines():
        b64, rank = line.split()
        out[base64.b64decode(b64)] = int(rank)
    return out


@pytest.fixture(scope="module", params=PATTERNS, ids=lambda p: str(p)[:8])
def pattern_tok(request, ranks):
    return tokenforge.Tokenizer(tokenforge.BpeModel.from_ranks(ranks), pretokenizer=request.param)


@pytest.fixture(scope="module", params=SHARED)
def shared_tok(request, ours):
    if not (ROOT.parent / "shared" / "data").is_dir():
        pytest.skip("shared data not found")
    return ours(request.param)


def expected_text(tok, text: str) -> str:
    """What decoding gives back: the text itself, or its normal form where the tokenizer normalizes."""
    return tok.normalizer(text)


def check_roundtrip(tok, text: str) -> None:
    ids = tok.encode(text, disallowed_special=())
    want = expected_text(tok, text)
    assert tok.decode(ids) == want
    assert tok.decode(ids, errors="strict") == want
    assert tok.decode_bytes(ids) == want.encode("utf-8")
    assert tok.count(text, disallowed_special=()) == len(ids)


@given(text=any_text)
@SETTINGS
def test_roundtrip_every_pattern(pattern_tok, text):
    check_roundtrip(pattern_tok, text)


@needs_shared
@given(text=any_text)
@SETTINGS
def test_roundtrip_shared(shared_tok, text):
    check_roundtrip(shared_tok, text)


@needs_shared
def test_qwen3_normalizes_to_nfc(ours):
    tok = ours("qwen3")
    assert tok.normalizer.steps == ("nfc",)
    text = "Cafe\u0301 \u212b \uac00\u11a8"  # decomposed é, ANGSTROM SIGN, a Hangul syllable + jamo
    assert tok.decode(tok.encode(text)) == unicodedata.normalize("NFC", text) != text


# -- lone surrogates ----------------------------------------------------------------------------------------------


def with_surrogates():
    return st.lists(st.one_of(st.characters(categories=("Cs",)), st.characters(exclude_categories=("Cs",))),
                    min_size=1, max_size=20).map("".join)


@given(text=with_surrogates())
@settings(max_examples=100, deadline=None)
def test_lone_surrogates_become_replacement_char(pattern_tok, text):
    # Python's own definition of what tiktoken does: a UTF-16 round trip, pairs joined, lone ones U+FFFD.
    fixed = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    ids = pattern_tok.encode(text, disallowed_special=())
    assert ids == pattern_tok.encode(fixed, disallowed_special=())
    assert pattern_tok.decode(ids) == fixed
    assert pattern_tok.encode_batch([text, "ok"], disallowed_special=()) == [ids, pattern_tok.encode("ok")]
    assert pattern_tok.encode_with_offsets(text, disallowed_special=())[0] == ids


def test_surrogates_explicitly(pattern_tok):
    tok = pattern_tok
    assert tok.decode(tok.encode("a\ud800b")) == "a\ufffdb"
    assert tok.decode(tok.encode("\udfff")) == "\ufffd"
    assert tok.decode(tok.encode("x\ud83d\ude00y")) == "x\U0001f600y"  # a pair written as two halves is joined


@needs_shared
def test_surrogates_like_tiktoken(ours, theirs):
    tok, enc = ours("cl100k_base"), theirs("cl100k_base")
    for text in ("a\ud800b", "\udc00\udc00 x", "\ud83d\ude00", "end\ud83d"):
        assert tok.encode(text) == enc.encode(text), ascii(text)


# -- offsets --------------------------------------------------------------------------------------------------------


def check_offsets(tok, text: str) -> None:
    text_fixed = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    ids, spans = tok.encode_with_offsets(text, disallowed_special=())
    assert ids == tok.encode(text, disallowed_special=())
    assert len(spans) == len(ids)
    if not ids:
        assert tok.normalizer(text_fixed) == ""
        return
    assert spans[0][0] == 0 and spans[-1][1] == len(text_fixed)
    # In order; neighbours abut, or share the one character a token boundary cuts (or a normalized stretch).
    groups = [[0]]
    for k in range(1, len(spans)):
        (s0, e0), (s1, e1) = spans[k - 1], spans[k]
        assert s0 <= s1 <= e0 <= e1 and s1 < e1, (spans[k - 1], spans[k])
        if s1 == e0:
            groups.append([k])
        else:
            groups[-1].append(k)
    # Each group of tokens decodes to exactly (the normal form of) the text its spans cover.
    for group in groups:
        start, end = spans[group[0]][0], spans[group[-1]][1]
        want = tok.normalizer(text_fixed[start:end])
        assert tok.decode_bytes([ids[k] for k in group]) == want.encode("utf-8"), (start, end)


@given(text=any_text)
@SETTINGS
def test_offsets_every_pattern(pattern_tok, text):
    check_offsets(pattern_tok, text)


@needs_shared
@given(text=any_text)
@SETTINGS
def test_offsets_shared(shared_tok, text):
    check_offsets(shared_tok, text)


def test_offsets_hand_computed(ranks):
    tok = tokenforge.Tokenizer(tokenforge.BpeModel.from_ranks(ranks), pretokenizer="r50k")
    ids, spans = tok.encode_with_offsets("日 a")
    # "日" is three bytes none of which merge in this 4k vocabulary: three tokens, each covering the character
    assert [tok.id_to_bytes(i) for i in ids] == [b"\xe6", b"\x97", b"\xa5", b" a"]
    assert spans == [(0, 1), (0, 1), (0, 1), (1, 3)]


# -- decode errors ----------------------------------------------------------------------------------------------


def test_strict_decode_of_a_cut_character(pattern_tok):
    tok = pattern_tok
    ids = tok.encode("ab日")
    data = tok.decode_bytes(ids)
    assert data == "ab日".encode()
    cut = ids[:-1]
    assert tok.decode_bytes(cut) == data[:-1]
    with pytest.raises(DecodeError, match="byte 2"):
        tok.decode(cut, errors="strict")
    assert tok.decode(cut) == "ab\ufffd"  # default: replace
    assert tok.decode(cut, errors="ignore") == "ab"


@pytest.mark.parametrize("bad", [4097, 5000, 2**31, 2**32, 2**64, -1])
def test_decode_unknown_id(pattern_tok, bad):
    with pytest.raises(DecodeError, match=str(bad)):
        pattern_tok.decode([1, bad, 2])
    with pytest.raises(DecodeError):
        pattern_tok.decode_bytes([bad])
    with pytest.raises(DecodeError):
        pattern_tok.id_to_bytes(bad)


def test_special_token_decodes_to_its_text(ranks):
    tok = tokenforge.Tokenizer(tokenforge.BpeModel.from_ranks(ranks), pretokenizer="r50k",
                               special_tokens={"<|endoftext|>": 4096})
    ids = tok.encode("hi<|endoftext|>", allowed_special="all")
    assert ids[-1] == 4096 and tok.decode(ids) == "hi<|endoftext|>"


# -- huge single pieces, batch ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["a" * 10**6, " " * 10**6, "ab" * 500_000 + "\n"])
def test_megabyte_pieces_roundtrip(ranks, text):
    for pattern in ("r50k", "o200k", None):
        tok = tokenforge.Tokenizer(tokenforge.BpeModel.from_ranks(ranks), pretokenizer=pattern)
        ids = tok.encode(text)
        assert tok.decode(ids) == text
        assert tok.count(text) == len(ids)


@needs_shared
def test_megabyte_pieces_shared(ours):
    for name in ("cl100k_base", "o200k_base"):
        tok = ours(name)
        for text in ("a" * 10**6, " " * 10**6):
            assert tok.decode(tok.encode(text)) == text


@given(texts=st.lists(any_text, max_size=12))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_batch_equals_one_by_one(pattern_tok, texts):
    assert pattern_tok.encode_batch(texts, disallowed_special=()) == [
        pattern_tok.encode(t, disallowed_special=()) for t in texts
    ]
    assert pattern_tok.count_batch(texts, disallowed_special=()) == [
        len(pattern_tok.encode(t, disallowed_special=())) for t in texts
    ]


@needs_shared
@given(texts=st.lists(any_text, max_size=8))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_batch_equals_one_by_one_shared(shared_tok, texts):
    assert shared_tok.encode_batch(texts, disallowed_special=()) == [
        shared_tok.encode(t, disallowed_special=()) for t in texts
    ]


def test_surrogates_with_special_tokens_defined(ranks):
    """Regression: with special tokens defined, the disallowed-token scan raised a bare UnicodeEncodeError."""
    tok = tokenforge.Tokenizer(tokenforge.BpeModel.from_ranks(ranks), pretokenizer="r50k",
                               special_tokens={"<|endoftext|>": 4096})
    assert tok.encode("a\ud800b") == tok.encode("a\ufffdb")
    assert tok.encode_batch(["a\ud800b"]) == [tok.encode("a\ufffdb")]
    assert tok.count("a\ud800b") == len(tok.encode("a\ufffdb"))
    with pytest.raises(tokenforge.DisallowedSpecialTokenError):
        tok.encode("\ud800<|endoftext|>")
