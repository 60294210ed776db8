"""The model layer and the inference methods: hand-worked examples of each method's definition, lossless round
trips on arbitrary Unicode, WordPiece's guarantees, seeded reproducibility, and the typed errors."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tokenforge
from tokenforge import ConfigError, EncodeError, ModelError, Tokenizer, UnigramModel, WordPieceModel

from lattice_models import UDHR_EN, bpe_models

BYTES = [(f"<0x{b:02X}>", -20.0) for b in range(256)]


def unigram(pieces, unk=0, byte_fallback=True):
    return Tokenizer(UnigramModel(pieces + (BYTES if byte_fallback else []), unk, byte_fallback), pretokenizer=None)


# A vocabulary where the methods disagree, worked by hand below.
TOY = [("<unk>", 0.0), ("a", -3.0), ("b", -3.0), ("c", -3.0), ("d", -3.0), ("ab", -2.0), ("bcd", -7.0),
       ("abc", -6.5), ("cd", -2.5), ("bc", -4.0)]
ID = {p: i for i, (p, _) in enumerate(TOY)}


def ids(*pieces):
    return [ID[p] for p in pieces]


def test_methods_by_hand():
    tok = unigram(TOY)
    # viterbi over "abcd": ab+cd = -4.5 beats a+bcd = -10, abc+d = -9.5, ab+c+d = -8, a+bc+d = -10 ...
    assert tok.encode("abcd") == ids("ab", "cd")
    # longest prefix: "abc" is the longest token at 0, then "d"
    assert tok.with_method("longest_prefix").encode("abcd") == ids("abc", "d")
    # longest suffix: "bcd" is the longest token ending at 4, then "a"
    assert tok.with_method("longest_suffix").encode("abcd") == ids("a", "bcd")
    # longest token: "abc" and "bcd" both have length 3: the leftmost wins, then "d" on its right
    assert tok.with_method("longest_token").encode("abcd") == ids("abc", "d")
    # ... and in "xbcdab" the longest is "bcd", then "ab" on its right and "x" (unknown) on its left
    assert tok.with_method("longest_token").encode("xbcdab") == [TOY.__len__() + ord("x")] + ids("bcd", "ab")
    # fewest: two tokens at least (ab+cd, a+bcd, abc+d); the longest first token is "abc"
    assert tok.with_method("fewest").encode("abcd") == ids("abc", "d")
    # random tie-break: every seed yields one of the three two-token paths, and all three occur
    seen = {tuple(tok.with_method("fewest", tie_break="random", seed=s).encode("abcd")) for s in range(60)}
    assert seen == {tuple(ids("ab", "cd")), tuple(ids("a", "bcd")), tuple(ids("abc", "d"))}


def test_unknown_characters_fall_back_to_bytes_or_one_unk():
    with_bytes = unigram(TOY)
    assert with_bytes.encode("a\u00e9b") == ids("a") + [len(TOY) + 0xC3, len(TOY) + 0xA9] + ids("b")
    no_bytes = unigram(TOY, byte_fallback=False)
    # adjacent unknown characters fuse into one unknown token (HF's fuse_unk, SentencePiece's behaviour)
    assert no_bytes.encode("a\u00e9xyb") == ids("a", "<unk>", "b")
    assert no_bytes.with_method("fewest").encode("\u00e9a\u00e9") == ids("<unk>", "a", "<unk>")
    none = unigram(TOY, unk=None, byte_fallback=False)
    with pytest.raises(EncodeError, match="has no token"):
        none.encode("ax")


def _segmentations(word, vocab):
    if not word:
        yield []
        return
    for k in range(1, len(word) + 1):
        if word[:k] in vocab:
            for rest in _segmentations(word[k:], vocab):
                yield [word[:k]] + rest


def test_sample_draws_segmentations_by_their_probability():
    """P(segmentation) is proportional to exp(alpha * score); 4000 seeds land within 4 standard errors."""
    tok = unigram(TOY)
    vocab = dict(TOY)
    alpha = 0.5
    segs = list(_segmentations("abcd", vocab))
    weights = {tuple(s): math.exp(alpha * sum(vocab[p] for p in s)) for s in segs}
    total = sum(weights.values())
    n = 4000
    counts = Counter(tuple(TOY[i][0] for i in tok.with_method("sample", alpha=alpha, seed=s).encode("abcd")) for s in range(n))
    assert set(counts) <= set(weights)
    for seg, w in weights.items():
        p = w / total
        assert abs(counts[seg] / n - p) <= 4 * math.sqrt(p * (1 - p) / n) + 1e-9, (seg, counts[seg] / n, p)


def test_nbest_is_the_top_of_all_segmentations():
    tok = unigram(TOY)
    vocab = dict(TOY)
    scored = sorted((sum(vocab[p] for p in s) for s in _segmentations("abcd", vocab)), reverse=True)
    best = tok.encode_nbest("abcd", 5)
    assert [s for _, s in best] == pytest.approx(scored[:5])
    assert best[0][0] == tok.encode("abcd")
    assert len(tok.encode_nbest("abcd", 100)) == len(scored)


def test_fewest_is_minimal_on_real_text():
    """PathPiece's count is the minimum: never more tokens than any other method on the same vocabulary."""
    tok = bpe_models()["bpe_bytes"]
    counts = {m: len(tok.with_method(m).encode(UDHR_EN)) for m in tok.model.methods}
    assert counts["fewest"] == min(counts.values())
    assert counts["fewest"] < counts["merge"]


def test_wordpiece_by_hand_and_guarantees():
    vocab = {"[UNK]": 0, "un": 1, "##aff": 2, "##able": 3, "a": 4, "##b": 5, "aff": 6, "##a": 7, "##ble": 8}
    tok = Tokenizer(WordPieceModel(vocab, max_input_chars_per_word=10), pretokenizer="whitespace")
    assert tok.encode("unaffable") == [1, 2, 3]
    # no complete segmentation ("z"), or too long: the whole word is one [UNK]
    assert tok.encode("unaffz ab unaffableab") == [0, 4, 5, 0]
    assert tok.decode(tok.encode("unaffable ab")) == "unaffable ab"
    assert tok.decode(tok.encode("unaffz, ab")) == "[UNK] [UNK] ab"
    # longest_suffix: from the right, "##able" (covering "able"), then "##aff", then "un"
    assert tok.with_method("longest_suffix").encode("unaffable") == [1, 2, 3]
    # "aable": longest prefix takes "a" then "##able"; from the right "##able" then "a" too
    assert tok.encode("aable") == [4, 3]
    assert tok.with_method("longest_suffix").encode("aable") == [4, 3]
    # "ab": longest suffix tries "##b" ending at 2, then "a" word-initial
    assert tok.with_method("longest_suffix").encode("ab") == [4, 5]
    # a word-initial position takes word-initial tokens only: "aff" starts a word, "##aff" continues one
    assert tok.with_method("fewest").encode("aff") == [6]
    assert tok.token_to_id("##aff") == 2 and tok.id_to_token(2) == "##aff" and tok.id_to_bytes(2) == b"aff"


@given(st.lists(st.sampled_from(["unaff", "able", "ab", "a", "zz", "aff", "b", ",", "  "]), max_size=12).map("".join))
@settings(max_examples=100, deadline=None)
def test_wordpiece_guarantee_each_word_survives_or_is_one_unk(text):
    vocab = {"[UNK]": 0, "un": 1, "##aff": 2, "##able": 3, "a": 4, "##b": 5, "aff": 6, "##a": 7, "##ble": 8, ",": 9}
    base = Tokenizer(WordPieceModel(vocab), pretokenizer="whitespace")
    for method in base.model.methods:
        tok = base.with_method(method)
        words = tok.pretokenize(text)
        expected = []
        for word in words:
            ids = tok.encode(word)
            assert ids == [0] or tok.decode(ids) == word
            expected.append(tok.decode(ids))
        assert tok.decode(tok.encode(text)) == " ".join(expected)


# -- lossless round trips ------------------------------------------------------------------------------------------

EDGES = ["\x00", "\r\n", " ", "\u200d", "e\u0301", "\u0301", "\U0001f469\u200d\U0001f469\u200d\U0001f467",
         "\u05e9\u05dc\u05d5\u05dd", "\u0627\u0644\u0633\u0644\u0627\u0645", "\u200f", "\u202e", "\U0010ffff", "rights"]
unicode_text = st.lists(st.one_of(st.sampled_from(EDGES), st.text(max_size=6)), max_size=12).map("".join)


@pytest.fixture(scope="module")
def lossless():
    toks = [*bpe_models().values(), unigram(TOY)]
    out = []
    for tok in toks:
        for pre in ("o200k", None):
            t = Tokenizer(tok.model, pretokenizer=pre)
            for method in t.model.methods:
                out.append(t.with_method(method))
            if t.model.kind == "unigram":
                out.append(t.with_method("sample", alpha=0.2, seed=1))
                out.append(t.with_method("fewest", tie_break="random", seed=1))
            else:
                out.append(t.with_method("merge", dropout=0.3, seed=2))
    return out


@given(text=unicode_text)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_lossless_round_trip(lossless, text):
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates are not text
    for tok in lossless:
        assert tok.decode(tok.encode(text, disallowed_special=())) == text, (tok.model.kind, tok.method)


# -- seeds -------------------------------------------------------------------------------------------------------------


def test_seeded_methods_reproduce_and_vary():
    bpe = bpe_models()["bpe_chars"]
    uni = unigram(TOY)
    cases = [
        (bpe, "merge", {"dropout": 0.2}, UDHR_EN[:2000]),
        (uni, "sample", {"alpha": 0.3}, "abcdabcdbcdabcabcd" * 20),
        (uni, "fewest", {"tie_break": "random"}, "abcdabcdbcdabcabcd" * 20),
    ]
    for tok, method, options, text in cases:
        a = tok.with_method(method, seed=1, **options)
        again = tok.with_method(method, seed=1, **options)
        other = tok.with_method(method, seed=2, **options)
        assert a.encode(text) == a.encode(text) == again.encode(text)
        assert a.encode_batch([text, text]) == [a.encode(text)] * 2  # per text, whatever the thread
        assert other.encode(text) != a.encode(text)
        assert a.decode(a.encode(text)) == text


def test_dropout_zero_is_ordinary_bpe_and_one_is_no_merges():
    for tok in bpe_models().values():
        assert tok.with_method("merge", dropout=0.0, seed=5).encode(UDHR_EN) == tok.encode(UDHR_EN)
        none = tok.with_method("merge", dropout=1.0, seed=5)
        if not tok.model.char_level:
            assert none.encode("human rights") == [tok.model.vocab[bytes([b])] for b in b"human rights"]
        assert len(tok.with_method("merge", dropout=0.1, seed=5).encode(UDHR_EN)) > len(tok.encode(UDHR_EN))


# -- errors ------------------------------------------------------------------------------------------------------------


def test_methods_a_model_does_not_define_are_typed_errors():
    bpe = bpe_models()["bpe_bytes"]
    wp = Tokenizer(WordPieceModel({"[UNK]": 0, "a": 1}), pretokenizer="whitespace")
    uni = unigram(TOY)
    with pytest.raises(ConfigError, match="'merge' is not available for a unigram model: it needs a merge list"):
        uni.with_method("merge")
    with pytest.raises(ConfigError, match="'merge' is not available for a wordpiece model"):
        wp.with_method("merge")
    for tok in (bpe, wp):
        for m in ("viterbi", "sample"):
            with pytest.raises(ConfigError, match="needs token scores"):
                tok.with_method(m)
    with pytest.raises(ConfigError, match="n-best needs token scores"):
        bpe.encode_nbest("x", 2)
    with pytest.raises(ConfigError, match="unknown inference method 'greedy'"):
        bpe.with_method("greedy")
    with pytest.raises(ConfigError, match="takes dropout, seed; got alpha"):
        bpe.with_method("merge", alpha=1.0)
    with pytest.raises(ConfigError, match="dropout must be a probability"):
        bpe.with_method("merge", dropout=1.5)
    with pytest.raises(ConfigError, match="seed must be an integer"):
        uni.with_method("sample", seed=-1)
    with pytest.raises(ConfigError, match="tie_break"):
        uni.with_method("fewest", tie_break="shortest")
    with pytest.raises(ConfigError, match="alpha must be a finite number"):
        uni.with_method("sample", alpha=float("nan"))


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: UnigramModel([]), "empty"),
        (lambda: UnigramModel([("a", -1.0), ("a", -2.0)]), "listed twice"),
        (lambda: UnigramModel([("a", float("inf"))]), "finite"),
        (lambda: UnigramModel([("", -1.0)]), "non-empty string"),
        (lambda: UnigramModel([("a", -1.0)], unk_id=3), "unk_id 3"),
        (lambda: WordPieceModel({}), "empty"),
        (lambda: WordPieceModel({"a": 0, "b": 0}), "id 0 is given to both"),
        (lambda: WordPieceModel({"a": 0}, max_input_chars_per_word=0), "positive integer"),
    ],
)
def test_bad_models_are_typed_errors(build, message):
    with pytest.raises(ModelError, match=message):
        build()


def test_every_model_follows_the_protocol():
    from tokenforge.models import Model

    for model in (bpe_models()["bpe_bytes"].model, UnigramModel(TOY), WordPieceModel({"[UNK]": 0, "a": 1})):
        assert isinstance(model, Model)
        assert model.default_method in model.methods
        tok = Tokenizer(model, pretokenizer=None)
        assert tok.vocab_size == model.max_id + 1
        for token, i in list(model.vocab.items())[:50]:
            assert tok.token_to_id(token) == i
            assert tok.id_to_bytes(i) == model.id_to_bytes(i)


def test_offsets_cover_what_each_token_stands_for():
    """Character spans: a byte-fallback run shares its character's span, a fused UNK spans the whole unknown run,
    a WordPiece UNK the whole word."""
    with_bytes = unigram(TOY)
    ids, spans = with_bytes.encode_with_offsets("ab\u00e9cd")
    assert ids == ids_of(["ab"]) + [len(TOY) + 0xC3, len(TOY) + 0xA9] + ids_of(["cd"])
    assert spans == [(0, 2), (2, 3), (2, 3), (3, 5)]
    fused = unigram(TOY, byte_fallback=False)
    assert fused.encode_with_offsets("a\u00e9xyb") == (ids_of(["a", "<unk>", "b"]), [(0, 1), (1, 4), (4, 5)])
    wp = Tokenizer(WordPieceModel({"[UNK]": 0, "a": 1, "##b": 2}), pretokenizer="whitespace")
    assert wp.encode_with_offsets("ab zz ab") == ([1, 2, 0, 1, 2], [(0, 1), (1, 2), (3, 5), (6, 7), (7, 8)])


def test_special_tokens_split_before_the_lattice():
    tok = Tokenizer(UnigramModel(TOY + BYTES + [("<s>", 0.0)], 0, True), pretokenizer=None, special_tokens={"<s>": len(TOY) + 256})
    s = len(TOY) + 256
    assert tok.encode("ab<s>cd", allowed_special="all") == ids_of(["ab"]) + [s] + ids_of(["cd"])
    with pytest.raises(tokenforge.DisallowedSpecialTokenError):
        tok.encode("ab<s>cd")
    sampled = tok.with_method("sample", alpha=0.5, seed=3)
    assert tok.decode(sampled.encode("abcd<s>abcd", allowed_special="all")) == "abcd<s>abcd"


def ids_of(pieces):
    return [ID[p] for p in pieces]

