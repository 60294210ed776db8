"""Qwen3's tokenizer.json must give `tokenizers`' ids; the files we write must load in `tokenizers` and
`transformers` and give our ids."""

from __future__ import annotations

import pytest

import tokenforge
from conftest import TOKENIZERS, chunks, needs_shared

pytestmark = needs_shared
tokenizers = pytest.importorskip("tokenizers")


@pytest.fixture(scope="module")
def qwen_hf():
    return tokenizers.Tokenizer.from_file(str(TOKENIZERS / "qwen3.tokenizer.json"))


def _hf_ids(hf, docs):
    return [e.ids for e in hf.encode_batch(docs, add_special_tokens=False)]


def test_qwen3_corpora_identical(ours, qwen_hf, corpora):
    tok = ours("qwen3")
    for corpus_name, text in corpora.items():
        docs = chunks(text, 400)
        assert tok.encode_batch(docs) == _hf_ids(qwen_hf, docs), corpus_name


def test_qwen3_udhr_identical(ours, qwen_hf, udhr):
    tok = ours("qwen3")
    for lang, text in udhr.items():
        assert tok.encode(text) == qwen_hf.encode(text, add_special_tokens=False).ids, lang


def test_qwen3_added_and_special_tokens(ours, qwen_hf):
    tok = ours("qwen3")
    text = "<|im_start|>user\nHi <think>hmm</think> there<|im_end|>"
    assert tok.encode(text, allowed_special="all") == qwen_hf.encode(text, add_special_tokens=False).ids
    assert tok.token_to_id("<think>") == qwen_hf.token_to_id("<think>")
    assert tok.token_to_id("Ġthe") == qwen_hf.token_to_id("Ġthe")
    assert tok.id_to_token(1782) == qwen_hf.id_to_token(1782)
    with pytest.raises(tokenforge.DisallowedSpecialTokenError):
        tok.encode(text)


def test_qwen3_nfc_normalizer(ours, qwen_hf):
    tok = ours("qwen3")
    text = "Cafe\u0301 A\u030a ﬁ \u1e9b\u0323"  # decomposed forms that NFC composes
    assert tok.encode(text) == qwen_hf.encode(text, add_special_tokens=False).ids


@pytest.mark.parametrize("name", ["r50k_base", "cl100k_base", "o200k_base", "qwen3"])
def test_saved_tokenizer_json_loads_in_hf_with_same_ids(name, ours, tmp_path, udhr, corpora):
    tok = ours(name)
    path = tmp_path / "tokenizer.json"
    tok.save(path)
    hf = tokenizers.Tokenizer.from_file(str(path))
    docs = list(udhr.values()) + chunks(corpora["en-rustdocs"][:1_500_000], 300)
    docs.append("Hello <|endoftext|> there")
    assert _hf_ids(hf, docs) == tok.encode_batch(docs, allowed_special="all")
    # and our own loader reads our file back to the same tokenizer
    again = tokenforge.load(path)
    assert again.encode_batch(docs, allowed_special="all") == tok.encode_batch(docs, allowed_special="all")


@pytest.mark.parametrize("name", ["cl100k_base", "qwen3"])
def test_saved_tokenizer_json_loads_in_transformers(name, ours, tmp_path, udhr):
    transformers = pytest.importorskip("transformers")
    tok = ours(name)
    path = tmp_path / "tokenizer.json"
    tok.save(path)
    fast = transformers.PreTrainedTokenizerFast(tokenizer_file=str(path))
    for lang in ("eng", "deu_1996", "cmn_hans", "arb", "hin", "tur"):
        text = udhr[lang]
        assert fast.encode(text, add_special_tokens=False) == tok.encode(text), lang
        assert fast.decode(tok.encode(text)) == tok.decode(tok.encode(text)) == tok.normalizer(text)


def test_tiktoken_roundtrip_through_files(ours, tmp_path, udhr):
    tok = ours("o200k_base")
    path = tmp_path / "mine.tiktoken"
    tok.save(path)
    assert (tmp_path / "mine.tiktoken.json").exists() and not (tmp_path / "mine.json").exists()
    again = tokenforge.load(path)
    assert again.special_tokens == tok.special_tokens
    for text in udhr.values():
        assert again.encode(text) == tok.encode(text)
