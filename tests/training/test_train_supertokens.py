"""Learned supertokens: the widened pattern against o200k, the random chunking's invariants, files that load in
`tokenizers` with our ids (real text), lossless round trip, determinism, bad parameters."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tokenforge
from tokenforge import Texts, _core
from tokenforge.errors import ConfigError
from tokenforge.pipeline.pretokenizers import O200K_PATTERN
from tokenforge.training.supertokens import chunk_pieces, supertoken_pattern

from conftest import CORPORA, ROOT, read_corpus

UDHR_EN = (ROOT / "examples" / "udhr-en.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def super_tok():
    return tokenforge.train(Texts(UDHR_EN.splitlines(True)), model="supertokens", vocab_size=900)


def _split(text, pattern):
    return _core.pretokenize(text, "regex", pattern, True)


def test_one_word_pattern_is_o200k():
    sample = UDHR_EN[:20000] + " HTMLParser don't  x\n\n 123 ¿Qué? 日本語 "
    assert _split(sample, supertoken_pattern(1)) == _core.pretokenize(sample, "regex", O200K_PATTERN, True)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab AB.,'\n1é")), max_size=80), m=st.integers(1, 5))
def test_widened_pattern_joins_o200k_words(text, m):
    pieces = _split(text, supertoken_pattern(m))
    assert "".join(pieces) == text
    words = _core.pretokenize(text, "regex", O200K_PATTERN, True)
    # Every widened piece is a run of whole o200k pieces, at most m of them.
    k = 0
    for p in pieces:
        joined, n = "", 0
        while joined != p:
            joined += words[k]
            k += 1
            n += 1
            assert len(joined) <= len(p)
        assert n <= m


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(st.sampled_from(["the", " cat", " sat", ".", " on", "\n", "  ", " 12"]), max_size=30),
       m=st.integers(1, 4), seed=st.integers(0, 10))
def test_chunks_keep_text_and_bounds(pieces, m, seed):
    chunks = chunk_pieces(pieces, m, random.Random(seed))
    assert "".join(chunks) == "".join(pieces)
    for c in chunks:
        assert c.count(" ") <= m or not c.replace(" ", "").isalpha()
        if any(ch in c for ch in ".\n1"):
            assert c in (".", "\n", " 12")  # non-words stay alone


def test_learns_multi_word_tokens(super_tok):
    multi = [t for t, i in super_tok.model.vocab.items() if t.strip(b" ").count(b" ") >= 1]
    assert multi, "no token spans two words"
    text = "Everyone has the right to life"
    assert super_tok.decode(super_tok.encode(text)) == text


def test_loads_in_tokenizers_with_our_ids(super_tok, tmp_path):
    tokenizers = pytest.importorskip("tokenizers")
    path = tmp_path / "super.json"
    super_tok.save(path)
    hf = tokenizers.Tokenizer.from_file(str(path))
    texts = [UDHR_EN]
    if (CORPORA / "en-rustdocs.txt.gz").is_file():
        texts.append(read_corpus(CORPORA / "en-rustdocs.txt.gz")[:300_000])
    for text in texts:
        assert hf.encode(text, add_special_tokens=False).ids == super_tok.encode(text)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_roundtrip(super_tok, text):
    assert super_tok.decode(super_tok.encode(text)) == text


def test_deterministic_and_seeded(super_tok, tmp_path):
    again = tokenforge.train(Texts(UDHR_EN.splitlines(True)), model="supertokens", vocab_size=900)
    assert again.model.merges == super_tok.model.merges
    other = tokenforge.train(Texts(UDHR_EN.splitlines(True)), model="supertokens", vocab_size=900, chunk_seed=1)
    assert other.model.merges != super_tok.model.merges


def test_bad_parameters():
    corpus = Texts(["a b c\n"])
    with pytest.raises(ConfigError, match="max_words"):
        tokenforge.train(corpus, model="supertokens", vocab_size=300, max_words=0)
    with pytest.raises(ConfigError, match="pattern"):
        tokenforge.train(corpus, model="supertokens", vocab_size=300, pattern="gpt2")
    with pytest.raises(ConfigError, match="running text"):
        tokenforge.train({"a b": 2}, model="supertokens", vocab_size=300)
    with pytest.raises(ConfigError, match="base"):
        tokenforge.train(corpus, model="supertokens", vocab_size=300, base=object())
