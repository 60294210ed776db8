"""LZW hypertokens (zip2zip's tokenizer side): hand-checked codes, lossless round trips, the codebook bound."""

from __future__ import annotations


import pytest
from hypothesis import given, settings, strategies as st

import tokenforge
from tokenforge.errors import ConfigError, DecodeError
from tokenforge.tokenizers.lzw import LzwTokenizer, lzw_compress, lzw_compression_ratio, lzw_decompress

from conftest import ROOT

EXAMPLES = ROOT / "examples"
UDHR_EN = (EXAMPLES / "udhr-en.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def base():
    return tokenforge.load(EXAMPLES / "gpt2-small.tiktoken")


def test_hand_checked_example():
    # Base vocab 10. Reading 1 2 1 2 1 2 1 2 3 (codebook entries in order of creation):
    #   emit 1, add (1,2)=10 | emit 2, add (2,1)=11 | (1,2) known; emit 10, add (1,2,1)=12
    #   (1,2,1) known; (1,2,1,2) too long: emit 12, no entry | emit 2, add (2,3)=13 | emit 3 at the end.
    ids = [1, 2, 1, 2, 1, 2, 1, 2, 3]
    assert lzw_compress(ids, 10, 100, 3) == [1, 2, 10, 12, 2, 3]
    assert lzw_decompress([1, 2, 10, 12, 2, 3], 10, 100, 3) == ids
    # The code defined by the step that emits it (LZW's KwKwK case): 1 1 1 -> 1, then (1,1)=10 before its entry.
    assert lzw_compress([1, 1, 1], 10, 100, 3) == [1, 10]
    assert lzw_decompress([1, 10], 10, 100, 3) == [1, 1, 1]
    # A codebook of 1 entry: only (1,2) is ever defined: 1 | 2 | 1 2 | 1 2 | 1 2 | 3.
    assert lzw_compress(ids, 10, 1, 3) == [1, 2, 10, 10, 10, 3]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 4), max_size=200), st.integers(0, 20), st.integers(1, 5))
def test_round_trip_and_bound_on_ids(ids, size, max_len):
    codes = lzw_compress(ids, 5, size, max_len)
    assert lzw_decompress(codes, 5, size, max_len) == ids
    assert all(0 <= c < 5 + size for c in codes)
    assert len(codes) <= len(ids)
    # Every hypertoken spells at most max_len base tokens.
    for c in codes:
        assert len(lzw_decompress(codes[:codes.index(c) + 1], 5, size, max_len)) - len(
            lzw_decompress(codes[:codes.index(c)], 5, size, max_len)) <= max_len


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_text_round_trip_on_arbitrary_unicode(base, text):
    tok = LzwTokenizer(base, max_codebook_size=64, max_hypertoken_length=3)
    ids = tok.encode(text, disallowed_special=())
    clean = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")  # lone surrogates -> U+FFFD
    assert tok.decode_bytes(ids) == clean.encode("utf-8")
    assert tok.decode(ids) == clean


def test_repetitive_text_compresses_and_bound_holds(base):
    text = UDHR_EN
    tok = LzwTokenizer(base, max_codebook_size=100, max_hypertoken_length=4)
    ids = tok.encode(text)
    assert max(ids) < base.vocab_size + 100
    assert len({i for i in ids if i >= base.vocab_size}) <= 100
    assert tok.decode(ids) == text
    ratio = lzw_compression_ratio(base, [text], max_codebook_size=100, max_hypertoken_length=4)
    assert ratio == pytest.approx(len(base.encode(text)) / len(ids))
    assert ratio > 1.0
    # A bigger codebook never helps less on this text; texts are compressed independently.
    assert lzw_compression_ratio(base, [text]) >= ratio
    assert lzw_compression_ratio(base, [""]) == 1.0


def test_bad_input(base):
    with pytest.raises(DecodeError, match="never defined"):
        lzw_decompress([1, 12], 10, 100, 3)
    with pytest.raises(DecodeError, match="position 0"):
        lzw_decompress([-1], 10, 100, 3)
    with pytest.raises(ConfigError, match="outside"):
        lzw_compress([10], 10)
    with pytest.raises(ConfigError, match="max_hypertoken_length"):
        LzwTokenizer(base, max_hypertoken_length=0)
