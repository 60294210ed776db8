"""LiB: hand-checked reading and redundancy test, the memorize loop learning multi-word units, lossless round
trip, determinism, the file, bad parameters."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tokenforge
from tokenforge import Texts
from tokenforge.errors import ConfigError, DecodeError, FormatError
from tokenforge.tokenizers.lib import LibTokenizer
from tokenforge.training.lib import DEFAULTS, _compare, _Lexicon, learn_lexicon

from conftest import ROOT

UDHR_EN = (ROOT / "examples" / "udhr-en.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def lib_tok():
    return tokenforge.train(Texts(UDHR_EN.splitlines(True)), model="lib", vocab_size=700, passes=3)


def test_greedy_longest_match_by_hand():
    tok = LibTokenizer(["a", "b", "c", "ab", "abc", " c"])
    ids = tok.encode("abcab c")
    assert [tok.id_to_token(i) for i in ids] == ["abc", "ab", " c"]
    assert tok.encode("é") == [0xC3, 0xA9]  # unknown character: its UTF-8 bytes
    assert tok.decode(tok.encode("abé c")) == "abé c"
    with pytest.raises(DecodeError, match="not in this tokenizer"):
        tok.decode([10_000])


def test_redundancy_test_by_hand():
    # "abc": reading "ab" then "c" (ranks 3 + 2 = 5) vs "a" then "bc" (0 + 4 = 4): as many tokens, worse ranks.
    lex = _Lexicon(["a", "b", "c", "ab", "bc"])
    assert _compare(lex, "abc", 0, "ab", "a", 12) is True
    # "abd": "ab" + "d" (2 tokens) vs "a" + "b" + "d" (3 tokens): the longer unit saves a token.
    lex = _Lexicon(["a", "b", "d", "ab"])
    assert _compare(lex, "abd", 0, "ab", "a", 12) is False


def test_memorizes_multi_word_units():
    sentences = ["the cat sat on the mat\n"] * 200
    units = learn_lexicon(sentences, **{**DEFAULTS, "passes": 2})
    assert any(" " in u.strip() for u in units), "no multi-word unit learned"
    assert set("the cat sat on the mat\n") <= set(units)  # characters are never forgotten


def test_compresses_better_than_characters(lib_tok):
    ids = lib_tok.encode(UDHR_EN)
    assert len(ids) < len(UDHR_EN) / 2
    assert lib_tok.decode(ids) == UDHR_EN
    assert lib_tok.vocab_size <= 700


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_roundtrip(lib_tok, text):
    assert lib_tok.decode(lib_tok.encode(text)) == text


def test_deterministic_and_seeded():
    corpus = UDHR_EN.splitlines(True)[:60]
    a = tokenforge.train(Texts(corpus), model="lib", vocab_size=500)
    b = tokenforge.train(Texts(corpus), model="lib", vocab_size=500)
    c = tokenforge.train(Texts(corpus), model="lib", vocab_size=500, seed=3)
    assert a.units == b.units and a.units != c.units


def test_save_load(lib_tok, tmp_path):
    path = tmp_path / "lib.json"
    lib_tok.save(path)
    loaded = tokenforge.load(path)
    assert isinstance(loaded, LibTokenizer) and loaded.units == lib_tok.units
    obj = json.loads(path.read_text())
    obj["units"].append("")
    path.write_text(json.dumps(obj))
    with pytest.raises(FormatError, match="units"):
        tokenforge.load(path)


def test_bad_parameters():
    corpus = Texts(["a b c\n"])
    with pytest.raises(ConfigError, match="above 256"):
        tokenforge.train(corpus, model="lib", vocab_size=200)
    with pytest.raises(ConfigError, match="memorize_rate"):
        tokenforge.train(corpus, model="lib", vocab_size=300, memorize_rate=2)
    with pytest.raises(ConfigError, match="passes"):
        tokenforge.train(corpus, model="lib", vocab_size=300, passes=0)
    with pytest.raises(ConfigError, match="running text"):
        tokenforge.train({"a b": 2}, model="lib", vocab_size=300)
    with pytest.raises(ConfigError, match="unknown training option"):
        tokenforge.train(corpus, model="lib", vocab_size=300, mwt_k=3)
    with pytest.raises(ConfigError, match="pattern"):
        tokenforge.train(corpus, model="lib", vocab_size=300, pattern="gpt2")
