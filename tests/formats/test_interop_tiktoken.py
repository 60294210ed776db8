"""Ids of the shared OpenAI rank files must be identical to tiktoken's on all shared text."""

from __future__ import annotations

import pytest

import tokenforge
from conftest import TIKTOKEN_NAMES, TOKENIZERS, chunks, needs_shared

pytestmark = needs_shared


@pytest.mark.parametrize("name", TIKTOKEN_NAMES)
def test_corpora_identical(name, ours, theirs, corpora):
    tok, enc = ours(name), theirs(name)
    for corpus_name, text in corpora.items():
        assert tok.encode_ordinary(text) == enc.encode_ordinary(text), corpus_name


@pytest.mark.parametrize("name", TIKTOKEN_NAMES)
def test_udhr_identical(name, ours, theirs, udhr):
    tok, enc = ours(name), theirs(name)
    for lang, text in udhr.items():
        assert tok.encode(text) == enc.encode(text), lang


@pytest.mark.parametrize("name", TIKTOKEN_NAMES)
def test_batch_equals_single(name, ours, corpora):
    tok = ours(name)
    docs = chunks(corpora["en-rustdocs"][:2_000_000])
    assert tok.encode_batch(docs) == [tok.encode(d) for d in docs]
    assert tok.count_batch(docs) == [len(tok.encode(d)) for d in docs]


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base"])
def test_decode_matches(name, ours, theirs, udhr):
    tok, enc = ours(name), theirs(name)
    for lang, text in udhr.items():
        ids = enc.encode(text)
        assert tok.decode(ids) == enc.decode(ids) == text, lang
        assert tok.decode_bytes(ids[:7]) == enc.decode_bytes(ids[:7])


@pytest.mark.parametrize("name", TIKTOKEN_NAMES)
def test_known_hash_gives_pattern_and_specials_without_sidecar(name, tmp_path, theirs):
    """A bare rank file (no NAME.json beside it) of an OpenAI encoding is recognised by its SHA-256."""
    bare = tmp_path / "renamed.tiktoken"
    bare.write_bytes((TOKENIZERS / f"{name}.tiktoken").read_bytes())
    tok = tokenforge.load(bare)
    enc = theirs(name)
    assert tok.pretokenizer.pattern == enc._pat_str
    assert tok.special_tokens == enc._special_tokens
    assert tok.vocab_size == enc.n_vocab
    text = "Hello <|endoftext|> world"
    assert tok.encode(text, allowed_special="all") == enc.encode(text, allowed_special="all")


def test_special_token_policy_matches_tiktoken(ours, theirs):
    tok, enc = ours("cl100k_base"), theirs("cl100k_base")
    text = "a<|endoftext|>b<|fim_prefix|>c<|endofprompt|>"
    for kwargs in (
        dict(allowed_special="all"),
        dict(allowed_special={"<|endoftext|>"}, disallowed_special=()),
        dict(disallowed_special=()),
        dict(allowed_special={"<|endoftext|>", "<|fim_prefix|>"}, disallowed_special=()),
    ):
        assert tok.encode(text, **kwargs) == enc.encode(text, **kwargs), kwargs
    for kwargs in (dict(), dict(allowed_special={"<|endoftext|>"})):
        with pytest.raises(ValueError):
            enc.encode(text, **kwargs)
        with pytest.raises(tokenforge.DisallowedSpecialTokenError):
            tok.encode(text, **kwargs)
    with pytest.raises(tokenforge.DisallowedSpecialTokenError) as info:
        tok.encode("xyz <|fim_prefix|>", disallowed_special={"<|fim_prefix|>"})
    assert info.value.token == "<|fim_prefix|>" and info.value.position == 4


def test_hostile_inputs_identical(ours, theirs):
    """Long single pieces take the heap path; tiktoken (quadratic there) is the reference at moderate size."""
    for name in ("cl100k_base", "o200k_base"):
        tok, enc = ours(name), theirs(name)
        for text in ("a" * 20_000, "^" * 20_000, " " * 20_000, "ab" * 10_000, "\n" * 5000 + "x", "é" * 8000,
                     "1" * 9001, "Aa" * 7000, "😀" * 3000):
            assert tok.encode(text) == enc.encode(text), (name, text[:4], len(text))
