"""PathPiece: fewest-tokens segmentation against brute force, removal costs against recounting, and the trained
vocabulary's token counts against BPE on the training text."""

from __future__ import annotations

from functools import lru_cache

import pytest
from hypothesis import given, settings, strategies as st

import tokenforge
from tokenforge.corpus import Texts, count_pretokens
from tokenforge.errors import ConfigError, TrainingError
from tokenforge.pipeline.normalizers import Normalizer
from tokenforge.pipeline.pretokenizers import PreTokenizer
from tokenforge.reference.pathpiece import corpus_tokens as ref_corpus_tokens, fewest, lattice
from tokenforge.reference.pathpiece import removal_costs as ref_removal_costs
from tokenforge.training.pathpiece import corpus_tokens, prune_vocabulary, removal_costs

from conftest import ROOT

UDHR_EN = (ROOT / "examples" / "udhr-en.txt").read_text(encoding="utf-8")
BYTES = {bytes([b]) for b in range(256)}


def brute_fewest(word: bytes, tokens) -> float:
    @lru_cache(None)
    def best(i):
        if i == len(word):
            return 0
        return min((1 + best(j) for j in range(i + 1, len(word) + 1) if word[i:j] in tokens), default=float("inf"))

    return best(0)


token_st = st.sets(st.binary(min_size=2, max_size=4).map(lambda b: bytes(x % 3 + 97 for x in b)), max_size=12)
word_st = st.binary(max_size=12).map(lambda b: bytes(x % 3 + 97 for x in b))


@settings(max_examples=300, deadline=None)
@given(word_st, token_st, st.none() | st.binary(min_size=2, max_size=3).map(lambda b: bytes(x % 3 + 97 for x in b)))
def test_fewest_equals_brute_force(word, tokens, banned):
    vocab = BYTES | tokens
    n, path = fewest(word, lattice(word, vocab, 4), banned=banned)
    allowed = vocab - {banned}
    assert n == brute_fewest(word, frozenset(allowed))
    assert b"".join(path) == word and len(path) == n and all(t in allowed for t in path)


def test_fewest_tie_break_prefers_longest_first():
    vocab = BYTES | {b"ab", b"abc", b"cd", b"bcd"}
    # "abcd": ab+cd, a+bcd and abc+d are all 2 tokens; longest first picks abc.
    assert fewest(b"abcd", lattice(b"abcd", vocab, 3)) == (2, [b"abc", b"d"])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(word_st, st.integers(1, 5)), max_size=8), token_st)
def test_removal_costs_equal_recount(words, tokens):
    vocab = BYTES | tokens
    costs, total = ref_removal_costs(words, vocab, 4)
    assert total == ref_corpus_tokens(words, vocab) if words else total == 0
    order = sorted(vocab)
    assert removal_costs(words, order) == ([costs[t] if len(t) > 1 else 0 for t in order], total)
    for t in tokens:
        # The cost is against the chosen paths: removing t changes only words whose chosen path uses t, and for
        # those it is exactly the recount; other words keep their count (their path avoids t).
        recount = sum(c * (brute_fewest(w, frozenset(vocab - {t})) - brute_fewest(w, frozenset(vocab)))
                      for w, c in words)
        assert costs[t] == recount


def test_native_costs_equal_reference_on_real_text():
    counts = _counts(UDHR_EN)
    words = [(w, c) for w, c in counts.items]
    vocab = tokenforge.train(counts, vocab_size=700, progress=False).model.vocab
    order = sorted(vocab, key=vocab.get)
    costs, total = ref_removal_costs(words, set(order), max(map(len, order)))
    assert removal_costs(words, order) == ([costs[t] if len(t) > 1 else 0 for t in order], total)


def _counts(text):
    return count_pretokens(Texts([text]), PreTokenizer.from_spec("o200k"), Normalizer.from_spec(None))


def test_pruned_vocabulary_against_bpe_on_training_text():
    counts = _counts(UDHR_EN)
    words = [(w, c) for w, c in counts.items]
    init = tokenforge.train(counts, vocab_size=1000, progress=False)
    kept, history = prune_vocabulary(words, dict(init.model.vocab), 600, 0.9)
    assert len(kept) == 600 and BYTES <= set(kept) and set(kept) <= set(init.model.vocab)
    pathpiece = corpus_tokens(words, set(kept))
    # BPE of the same size, encoding with its merges: PathPiece should need no more tokens on its training text.
    bpe = tokenforge.train(counts, vocab_size=600, progress=False)
    bpe_tokens = sum(len(bpe.encode(w.decode())) * c for w, c in words)
    assert pathpiece <= bpe_tokens, (pathpiece, bpe_tokens)
    # Fewest-tokens over the BPE init never needs more tokens than BPE's own merges on any word, and pruning only
    # ever adds tokens, round by round.
    full = set(init.model.vocab)
    for w, c in words:
        assert fewest(w, lattice(w, full, 32))[0] <= len(init.encode(w.decode()))
    totals = [h["corpus_tokens"] for h in history]
    assert totals == sorted(totals) and totals[0] == corpus_tokens(words, full)


def test_prune_errors():
    with pytest.raises(TrainingError, match="single bytes"):
        prune_vocabulary([(b"ab", 1)], {b"a": 0, b"b": 1, b"ab": 2}, 300, 0.9)
    with pytest.raises(ConfigError, match="256"):
        prune_vocabulary([(b"ab", 1)], {bytes([b]): b for b in range(256)}, 100, 0.9)
