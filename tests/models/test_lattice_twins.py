"""Every model x method of the native lattice (rust/src/lattice.rs) and BPE-dropout equals its pure-Python twin
(`tokenforge.reference.lattice`, `reference.bpe_dropout`) — ids, fallbacks, tie-breaks and seeded random draws —
on generated Unicode and on real text."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tokenforge
from tokenforge.reference import bpe_dropout as ref_dropout
from tokenforge.reference import lattice as ref
from tokenforge.reference.bpe import merge_ranks
from tokenforge.reference.rng import SplitMix64

from conftest import needs_shared
from lattice_models import all_models, unigram_without_unk

EDGES = [
    "\x00", "\r\n", "\n", "\t", " ", "  ", "\xa0", "\u3000", "\u200d", "e\u0301", "\u0301",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467", "\U0001f1eb\U0001f1f7", "\u05e9\u05dc\u05d5\u05dd",
    "\u0627\u0644\u0633\u0644\u0627\u0645", "\u200f", "\u00df", "123", "...", "\U0010ffff", "\ufffd",
    "the", "rights", "human", "freedom", "dignity", "everyone", "Article", "shall", "of the", "nation",
]
text_st = st.lists(st.one_of(st.sampled_from(EDGES), st.characters(exclude_categories=("Cs",))), max_size=20).map("".join)

# (method, options) pairs; each model runs those it defines.
VARIANTS = [
    ("longest_prefix", {}), ("longest_suffix", {}), ("longest_token", {}), ("fewest", {}),
    ("fewest", {"tie_break": "random", "seed": 7}), ("viterbi", {}), ("sample", {"alpha": 0.5, "seed": 3}),
    ("sample", {"alpha": 0.1, "seed": 11}),
]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    m = all_models(str(tmp_path_factory.mktemp("lattice")))
    m["unigram_no_unk"] = unigram_without_unk(m["unigram"])
    return m


def reference_encode(tok: tokenforge.Tokenizer, text: str) -> list[int]:
    """The twin over the native pre-tokenizer's pieces (tested on its own elsewhere), one generator per text."""
    rng = SplitMix64(tok.method_options.get("seed", 0))
    ids: list[int] = []
    if tok.method == "merge":
        ranks = merge_ranks(tok.model)
        for piece in tok.pretokenize(text):
            ids += ref_dropout.encode_piece(tok.model, piece.encode(), tok.method_options["dropout"], rng, ranks)
        return ids
    spec = ref.LatticeSpec.for_model(tok.model)
    for piece in tok.pretokenize(text):
        ids += ref.encode_piece(spec, piece.encode(), tok.method, rng, **tok.method_options)
    return ids


def check(tok: tokenforge.Tokenizer, text: str) -> None:
    try:
        expected = reference_encode(tok, text)
    except ref.Stuck:
        with pytest.raises(tokenforge.EncodeError):
            tok.encode(text, disallowed_special=())
        return
    assert tok.encode(text, disallowed_special=()) == expected


def variants(tok: tokenforge.Tokenizer):
    for method, options in VARIANTS:
        if method in tok.model.methods:
            yield tok.with_method(method, **options)
    if tok.model.kind == "bpe":
        for p, seed in ((0.0, 1), (0.1, 5), (0.5, 9)):
            yield tok.with_method("merge", dropout=p, seed=seed)


@given(text=text_st)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
def test_every_model_and_method_equals_twin(models, text):
    for tok in models.values():
        for variant in variants(tok):
            check(variant, text)


@given(text=text_st, k=st.integers(1, 6))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
def test_nbest_equals_twin(models, text, k):
    for name in ("unigram", "unigram_bytes"):
        tok = models[name]
        spec = ref.LatticeSpec.for_model(tok.model)
        for piece in tok.pretokenize(text)[:3]:
            if len(piece.encode()) > 12:
                continue  # the twin enumerates every path
            got = tok.encode_nbest(piece, k) if tok.pretokenize(piece) == [piece] else None
            if got is None:
                continue
            assert got == ref.nbest_piece(spec, piece.encode(), k)


def test_long_pieces_do_not_blow_up(models):
    """The native methods are O(n·L) (longest_token O(n·L·log n)): a 20,000-character piece is quick; the twin
    agrees on a shorter one."""
    for tok in models.values():
        whole = tokenforge.Tokenizer(tok.model, pretokenizer=None)
        for variant in variants(whole):
            ids = variant.encode("a" * 20_000 + "rights" * 500)
            assert ids
            check(variant, "ab" * 150 + "\u00e9" * 50)


@needs_shared
def test_real_text_equals_twin(models, udhr, corpora):
    sample = udhr["eng"][:4000] + udhr.get("deu", "")[:1500] + udhr.get("rus", "")[:800] + udhr.get("cmn_hans", "")[:300]
    sample += corpora["en-rustdocs"][100_000:104_000]
    for tok in models.values():
        for variant in variants(tok):
            check(variant, sample)


@given(words=st.lists(st.sampled_from(["the", "rights", "of", "man", "\u00e9t\u00e9", "dignity", "x", "freedom"]), min_size=1, max_size=4),
       k=st.integers(1, 8))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
def test_nbest_over_pieces_equals_twin(models, words, k):
    """Across pieces: the k best sums of each piece's k-best, ties to the earlier combination."""
    tok = models["unigram_bytes"]
    text = " ".join(words)
    spec = ref.LatticeSpec.for_model(tok.model)
    acc = [([], 0.0)]
    for piece in tok.pretokenize(text):
        options = ref.nbest_piece(spec, piece.encode(), k)
        combined = [(a + b, sa + sb) for a, sa in acc for b, sb in options]
        acc = sorted(combined, key=lambda x: -x[1])[:k]
    assert tok.encode_nbest(text, k) == acc


def test_nbest_bounds_and_errors(models):
    tok = models["unigram_bytes"]
    best = tok.encode_nbest("freedom " * 300, 1024)  # 600 pieces, the largest k: quick, bounded
    assert len(best) == 1024 and best[0][0] == tok.encode("freedom " * 300)
    assert [s for _, s in best] == sorted((s for _, s in best), reverse=True)
    with pytest.raises(tokenforge.ConfigError, match="1..1024"):
        tok.encode_nbest("x", 0)
    with pytest.raises(tokenforge.EncodeError, match="has no token"):
        models["unigram_no_unk"].encode_nbest("\u2603", 3)


def test_piece_cache_serves_each_model_its_own_results():
    """Deterministic methods cache piece results per thread: two models over the same pieces, used alternately in
    one thread, called again and again with and without offsets, must each keep giving their twin's answer."""
    text = "lower lowest slower lower lowest " * 3
    chars = [(c, -2.0) for c in "<lowerst "]
    a = tokenforge.Tokenizer(tokenforge.UnigramModel([("<unk>", 0.0)] + chars + [(" low", -1.0), ("er", -1.5)], 0),
                             pretokenizer="o200k")
    b = tokenforge.Tokenizer(tokenforge.UnigramModel([("<unk>", 0.0)] + chars + [(" lo", -1.0), ("west", -1.0)], 0),
                             pretokenizer="o200k")
    expected = [reference_encode(t, text) for t in (a, b)]
    assert expected[0] != expected[1]
    for _ in range(3):
        for t, want in zip((a, b), expected):
            assert t.encode(text) == want
            ids, spans = t.encode_with_offsets(text)
            assert ids == want and "".join(text[s:e] for s, e in spans) == text
            assert t.with_method("longest_suffix").encode(text) == reference_encode(t.with_method("longest_suffix"), text)
