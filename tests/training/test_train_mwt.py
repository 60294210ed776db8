"""MWT: the native n-gram matcher against its reference twin, hand-checked n-gram counts and matches, lossless
round trip (hypothesis), the tokenizer file, bad parameters."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tokenforge
from tokenforge import Texts, _core
from tokenforge.errors import ConfigError, FormatError
from tokenforge.tokenizers.multiword import MultiWordTokenizer
from tokenforge.reference.ngram_match import find_ngrams
from tokenforge.training.ngrams import count_ngrams, top_ngrams

from conftest import ROOT

UDHR_EN = (ROOT / "examples" / "udhr-en.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def mwt():
    return tokenforge.train(Texts(UDHR_EN.splitlines(True)), model="mwt", vocab_size=700, mwt_k=60)


def test_matcher_by_hand():
    table = {("a", "b"): 10, ("a", "b", "c"): 11, ("b", "c"): 12}
    m = _core.NgramMatcher([(list(k), v) for k, v in table.items()])
    pieces = ["a", "b", "c", "b", "c", "a", "b", "a"]
    assert m.find(pieces) == [(0, 3, 11), (3, 2, 12), (5, 2, 10)]
    assert find_ngrams(table, pieces) == [(0, 3, 11), (3, 2, 12), (5, 2, 10)]
    assert m.find([]) == [] and m.find(["a"]) == []


@settings(max_examples=300, deadline=None)
@given(grams=st.lists(st.lists(st.sampled_from(["a", "b", " c", "dé"]), min_size=1, max_size=4), max_size=12),
       pieces=st.lists(st.sampled_from(["a", "b", " c", "dé", "x"]), max_size=30))
def test_matcher_equals_reference(grams, pieces):
    table = {}
    for g in grams:
        table.setdefault(tuple(g), 100 + len(table))
    native = _core.NgramMatcher([(list(k), v) for k, v in table.items()])
    assert native.find(pieces) == find_ngrams(table, pieces)


def test_matcher_rejects_bad_tables():
    with pytest.raises(ConfigError, match="twice"):
        _core.NgramMatcher([(["a", "b"], 1), (["a", "b"], 2)])
    with pytest.raises(ConfigError, match="empty"):
        _core.NgramMatcher([(["a", ""], 1)])


def test_count_ngrams_by_hand():
    pieces = ["the", " cat", " sat", " on", " the", " mat", ".", " the", " cat", "\n"]
    counts = count_ngrams([pieces], (2, 3))
    assert counts[(" the", " cat")] == 1 and counts[("the", " cat")] == 1
    assert counts[(" the", " mat")] == 1
    assert (" mat", ".") not in counts and (" mat", " the") not in counts  # punctuation ends a run
    assert counts[("the", " cat", " sat")] == 1
    assert sum(1 for k in counts if len(k) == 2) == 6 and sum(1 for k in counts if len(k) == 3) == 4
    twice = count_ngrams([pieces, pieces], (2,))
    assert top_ngrams(twice, 2) == [(" cat", " sat"), (" on", " the")]  # all 2; ties in tuple order
    assert top_ngrams(Counter({("a", " b"): 1}), 5) == []  # seen once: below min_count=2


def test_mwt_tokens_are_the_top_bigrams(mwt):
    # Independent count: split each line on spaces into letter-only words, bigrams of adjacent words.
    counts: Counter = Counter()
    for line in UDHR_EN.splitlines():
        run: list[str] = []
        for piece in _core.pretokenize(line, "o200k", None, True):
            if piece.lstrip(" ").isalpha() and not piece.startswith("  "):
                run.append(piece)
            else:
                counts.update(zip(run, run[1:]))
                run = []
        counts.update(zip(run, run[1:]))
    ranked = sorted(((g, c) for g, c in counts.items() if c >= 2), key=lambda gc: (-gc[1], gc[0]))[:60]
    assert set(mwt.ngrams) == {g for g, _ in ranked}
    assert mwt.vocab_size == 700 and mwt.base.vocab_size == 640
    assert sorted(mwt.ngrams.values()) == list(range(640, 700))


def test_encoding_uses_the_ngrams(mwt):
    text = "Everyone has the right to life, liberty and security of person."
    ids = mwt.encode(text)
    assert mwt.ngrams[(" the", " right")] in ids or mwt.ngrams.get((" right", " to")) in ids
    assert len(ids) < len(mwt.base.encode(text))
    assert mwt.decode(ids) == text


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_roundtrip_arbitrary_text(mwt, text):
    assert mwt.decode(mwt.encode(text)) == text


@settings(max_examples=100, deadline=None)
@given(parts=st.lists(st.sampled_from([" the right", " of the", " to", "Everyone", " has", ".", "\n", "  ", "é"]),
                      max_size=20))
def test_roundtrip_ngram_dense_text(mwt, parts):
    text = "".join(parts)
    assert mwt.decode(mwt.encode(text)) == text


def test_base_is_kept_when_given(tmp_path):
    base = tokenforge.train(Texts(UDHR_EN.splitlines(True)), vocab_size=500)
    tok = tokenforge.train(Texts(UDHR_EN.splitlines(True)), model="mwt", vocab_size=530, base=base)
    assert tok.base.model.vocab == base.model.vocab and len(tok.ngrams) == 30
    with pytest.raises(ConfigError, match="mwt_k must be 30"):
        tokenforge.train(Texts(UDHR_EN.splitlines(True)), model="mwt", vocab_size=530, base=base, mwt_k=10)


def test_save_load(mwt, tmp_path):
    path = tmp_path / "mwt.json"
    mwt.save(path)
    loaded = tokenforge.load(path)
    assert isinstance(loaded, MultiWordTokenizer)
    assert loaded.ngrams == mwt.ngrams and loaded.encode(UDHR_EN) == mwt.encode(UDHR_EN)
    obj = json.loads(path.read_text())
    obj["ngrams"][0] = ["not a list", 5]
    path.write_text(json.dumps(obj))
    with pytest.raises(FormatError, match="ngrams"):
        tokenforge.load(path)
    with pytest.raises(ConfigError, match="tokenforge JSON"):
        mwt.save(tmp_path / "x.tiktoken", "tiktoken")


def test_deterministic(mwt, tmp_path):
    again = tokenforge.train(Texts(UDHR_EN.splitlines(True)), model="mwt", vocab_size=700, mwt_k=60)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    mwt.save(a)
    again.save(b)
    assert a.read_bytes() == b.read_bytes()


def test_bad_parameters():
    corpus = Texts(UDHR_EN.splitlines(True))
    with pytest.raises(ConfigError, match="lower mwt_k"):
        tokenforge.train(corpus, model="mwt", vocab_size=300, mwt_k=100)
    with pytest.raises(ConfigError, match="ngram_sizes"):
        tokenforge.train(corpus, model="mwt", vocab_size=700, mwt_k=10, ngram_sizes=(1,))
    with pytest.raises(ConfigError, match="mwt_k"):
        tokenforge.train(corpus, model="mwt", vocab_size=700, mwt_k=0)
    with pytest.raises(ConfigError, match="running text"):
        tokenforge.train({"the cat": 3}, model="mwt", vocab_size=700, mwt_k=10)


def test_token_lookup(mwt):
    gram, i = next(iter(mwt.ngrams.items()))
    assert mwt.token_to_id("".join(gram)) == i and mwt.id_to_token(i) == "".join(gram)
    assert mwt.token_to_id("Ġthe") == mwt.base.token_to_id("Ġthe")
