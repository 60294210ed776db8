"""Every metric on small cases whose expected values are worked out by hand (the arithmetic is in each test)."""

from __future__ import annotations

import math

import pytest

import tokenforge
from tokenforge.errors import ConfigError, TokenforgeError
from tokenforge.metrics import (allocation, compression, entropy, fallback, lexicon, morphology, nsl, parity,
                                reachability, robustness, scripts, throughput, vocabulary, zipf)

from conftest import SHARED

approx = pytest.approx


def tiny_tokenizer() -> tokenforge.Tokenizer:
    """256 byte tokens, "ab" (256) from the one merge a+b, and "abc" (257), which no merge builds."""
    vocab = {bytes([i]): i for i in range(256)}
    vocab[b"ab"] = 256
    vocab[b"abc"] = 257
    return tokenforge.Tokenizer(tokenforge.BpeModel(vocab, [(b"a", b"b")], whole_piece_first=False),
                                pretokenizer=None)


# -- compression --------------------------------------------------------------------------------------------


def test_compression_ratios():
    assert compression.bytes_per_token(10, 4) == 2.5
    assert compression.chars_per_token(9, 3) == 3.0
    assert compression.tokens_per_word(6, 4) == 1.5
    assert compression.bytes_per_token(10, 0) is None  # an empty corpus has no ratio


def test_fertility_and_continued_words():
    words = {"a": 2, "bc": 1, "missing": 7}
    tokens = {"a": 1, "bc": 3}
    # fertility = (2*1 + 1*3) / (2 + 1) = 5/3; "missing" has no token count and is left out of both sums
    assert compression.fertility(words, tokens) == approx(5 / 3)
    # continued words: only "bc" (1 occurrence of 3) takes 2+ tokens
    assert compression.continued_words(words, tokens) == approx(1 / 3)
    assert compression.fertility({}, {}) is None


# -- parity / NSL -------------------------------------------------------------------------------------------


def test_premiums_and_spread():
    counts = {"en": 10, "de": 15, "fi": 20}
    assert parity.premiums(counts, "en") == {"en": 1.0, "de": 1.5, "fi": 2.0}
    assert parity.max_min_ratio(counts.values()) == 2.0
    # Gini: sum_i sum_j |xi - xj| = 2 * (5 + 10 + 5) = 40; 2 n^2 mean = 2 * 9 * 15 = 270
    assert parity.gini(counts.values()) == approx(40 / 270)
    # [1, 2, 3]: pair sum 2 * (1 + 2 + 1) = 8; 2 * 9 * 2 = 36
    assert parity.gini([1, 2, 3]) == approx(8 / 36)
    # [0, 0, 5]: pair sum 2 * (0 + 5 + 5) = 20; 2 * 9 * (5/3) = 30
    assert parity.gini([0, 0, 5]) == approx(20 / 30)
    assert parity.gini([4, 4, 4]) == 0.0
    with pytest.raises(ConfigError, match="pivot language 'xx'"):
        parity.premiums(counts, "xx")


def test_nsl():
    # (3 + 5) / (4 + 6)
    assert nsl.nsl([3, 5], [4, 6]) == approx(0.8)
    assert nsl.nsl_by_language({"en": [2], "tr": [9]}, {"en": [4], "tr": [3], "fr": [1]}) == {"en": 0.5, "tr": 3.0}
    with pytest.raises(ConfigError, match="same texts"):
        nsl.nsl([1, 2], [1])


# -- UNK / byte fallback ------------------------------------------------------------------------------------


def test_unk_and_byte_fallback_rates():
    counts = {0: 3, 1: 1, 2: 4}
    assert fallback.unk_rate(counts, {0}) == approx(3 / 8)
    assert fallback.byte_fallback_rate(counts, {1, 2}) == approx(5 / 8)
    assert fallback.unk_rate(counts, set()) == 0.0
    assert fallback.is_partial_utf8(b"\xe4\xb8") and not fallback.is_partial_utf8("中".encode())


# -- entropy ------------------------------------------------------------------------------------------------


def test_entropies_uniform():
    uniform = [1, 1, 1, 1]
    assert entropy.shannon_entropy(uniform) == approx(2.0)  # log2 4
    for alpha in (0, 0.5, 2, 2.5, math.inf):
        assert entropy.renyi_entropy(uniform, alpha) == approx(2.0)  # every order agrees on a uniform law
    assert entropy.renyi_efficiency(uniform, 16) == approx(2.0 / 4.0)  # H / log2 16


def test_entropies_skewed():
    counts = {0: 2, 1: 1, 2: 1}  # p = 1/2, 1/4, 1/4
    assert entropy.shannon_entropy(counts) == approx(0.5 * 1 + 2 * 0.25 * 2)  # 1.5 bits
    assert entropy.renyi_entropy(counts, 2) == approx(-math.log2(0.25 + 0.0625 + 0.0625))
    assert entropy.renyi_entropy(counts, 2.5) == approx(math.log2(0.5 ** 2.5 + 2 * 0.25 ** 2.5) / (1 - 2.5))
    assert entropy.renyi_entropy(counts, 1) == approx(1.5)
    assert entropy.renyi_entropy(counts, math.inf) == approx(1.0)  # -log2 max p
    assert entropy.renyi_entropy(counts, 0) == approx(math.log2(3))  # log of the support
    assert entropy.renyi_efficiency(counts, 8) == approx(entropy.renyi_entropy(counts, 2.5) / 3)
    assert entropy.shannon_entropy({}) is None
    with pytest.raises(ConfigError):
        entropy.renyi_entropy(counts, -1)


# -- vocabulary / Zipf --------------------------------------------------------------------------------------


def test_utilisation_and_lengths():
    counts = {0: 5, 3: 1}
    assert vocabulary.utilisation(counts, 8) == approx(2 / 8)
    dist = vocabulary.length_distribution(counts, {0: 1, 3: 4, 5: 9})
    assert dist == {1: 5, 4: 1}
    assert vocabulary.mean_length(dist) == approx((5 * 1 + 1 * 4) / 6)


def test_zipf_exact_power_laws():
    fit = zipf.zipf_fit([6, 3, 2])  # f = 6 / r
    assert fit["exponent"] == approx(1.0) and fit["r2"] == approx(1.0) and fit["intercept"] == approx(math.log(6))
    fit = zipf.zipf_fit({9: 16, 4: 4, 1: 0})  # f = 16 / r^2 over the two used ids
    assert fit["exponent"] == approx(2.0)
    assert zipf.zipf_fit([5]) is None


# -- allocation / overlap -----------------------------------------------------------------------------------


def test_average_rank():
    assert allocation.average_rank({7: 3, 9: 1}) == approx(1 * 0.75 + 2 * 0.25)
    assert allocation.average_rank({1: 2, 2: 2}) == approx(1.5)  # ranks 1 and 2, half the mass each
    assert allocation.average_rank({}) is None


def test_vocab_share_jaccard_jsd():
    assert allocation.vocab_share({1: 3, 2: 0, 5: 1}, 10) == approx(0.2)
    assert allocation.jaccard({1, 2, 3}, {2, 3, 4}) == approx(2 / 4)
    assert allocation.jensen_shannon({1: 5}, {1: 2}) == approx(0.0)
    assert allocation.jensen_shannon({1: 5}, {2: 5}) == approx(1.0)
    # p = (1, 0), q = (1/2, 1/2), m = (3/4, 1/4)
    expected = 0.5 * (1 * math.log2(1 / 0.75)) + 0.5 * (0.5 * math.log2(0.5 / 0.75) + 0.5 * math.log2(0.5 / 0.25))
    assert allocation.jensen_shannon({"a": 1}, {"a": 1, "b": 1}) == approx(expected)
    pairs = allocation.overlap({"en": {1: 1, 2: 1}, "de": {2: 3, 3: 1}, "fi": {4: 1}})
    assert set(pairs) == {("de", "en"), ("de", "fi"), ("en", "fi")}
    assert pairs[("de", "en")]["jaccard"] == approx(1 / 3)
    assert pairs[("en", "fi")]["jaccard"] == 0.0 and pairs[("en", "fi")]["jsd"] == approx(1.0)


# -- scripts / completeness ---------------------------------------------------------------------------------


def test_token_scripts():
    cases = {"hello": "Latin", " мир": "Cyrillic", "中文": "Han", "ab中": "Mixed", " ": "Common", "12": "Common",
             "e\u0301": "Latin", "Ελλάδα": "Greek", "नमस्ते": "Devanagari", "한국": "Hangul"}
    for text, script in cases.items():
        assert scripts.token_script(text.encode()) == script, text
    assert scripts.token_script(b"\xe4") == scripts.PARTIAL


def test_token_categories():
    cases = {" hello": "letters", "12": "digits", ",": "punctuation", "+": "symbols", "a1": "mixed", " ": "whitespace",
             "\n\n": "whitespace", " 中文": "letters"}
    for text, cat in cases.items():
        assert scripts.token_category(text.encode()) == cat, text
    assert scripts.token_category(b"\xe4\xb8") == "partial"


def test_script_distribution_and_completeness():
    labels = {0: "Latin", 1: "Han", 2: "Latin"}
    assert scripts.distribution(labels) == {"Latin": 2, "Han": 1}
    assert scripts.distribution(labels, {0: 5, 1: 1, 2: 0}) == {"Latin": 5, "Han": 1}
    assert scripts.completeness([b"a", b"\xe4\xb8", "中".encode()]) == {"complete": 2, "partial": 1}


# -- reachability -------------------------------------------------------------------------------------------


def test_unreachable_undecodable_unused():
    tok = tiny_tokenizer()
    assert tok.encode("abc") == [256, 99]  # "abc" comes out as ab + c: token 257 is never produced
    table = {i: tok.id_to_bytes(i) for i in range(tok.vocab_size)}
    assert reachability.unreachable_tokens(tok, table) == [257]
    assert reachability.undecodable_tokens(table) == list(range(128, 256))  # lone bytes >= 0x80
    assert reachability.unused_tokens({97: 3, 256: 1}, [97, 98, 256, 257]) == [98, 257]


# -- robustness ---------------------------------------------------------------------------------------------


def test_add_noise_is_seeded_and_keeps_length():
    text = "The lawful owner of 10 boxes, Çağrı, signed."
    a, b = robustness.add_noise(text, 0.3, seed=1), robustness.add_noise(text, 0.3, seed=1)
    assert a == b and len(a) == len(text) and a != text
    assert robustness.add_noise(text, 0.0, seed=1) == text
    full = robustness.add_noise(text, 1.0, seed=2)
    assert all((x != y) == y.isalnum() for x, y in zip(full, text))  # every letter/digit changed, nothing else
    with pytest.raises(ConfigError):
        robustness.add_noise(text, 1.5, seed=0)


def test_boundaries_and_stability():
    assert robustness.boundaries([b"ab", b"c"], "abc") == {2.0}
    # "éa": é is 2 bytes; a cut after its first byte lies inside character 0
    assert robustness.boundaries([b"\xc3", b"\xa9a"], "éa") == {0.5}
    assert robustness.boundaries([b"\xc3\xa9", b"a"], "éa") == {1.0}
    assert robustness.boundary_stability({1, 2, 3}, {2, 3, 4}) == approx(2 / 4)
    assert robustness.boundary_stability(set(), set()) == 1.0
    # pooled: intersections 1 + 0, unions 1 + 3
    assert robustness.pooled_stability([({1}, {1}), ({1, 2}, {3})]) == approx(1 / 4)
    assert robustness.token_inflation(10, 12) == approx(1.2)


def test_throughput():
    assert throughput.throughput_mb_s(5_000_000, 2.0) == approx(2.5)
    assert throughput.throughput_mb_s(5, 0.0) is None


# -- lexicons -----------------------------------------------------------------------------------------------


def test_valid_word_rate():
    lex = lexicon.WordSet(["Ev", "kitap"])
    assert "ev" in lex and "EV" in lex and "ler" not in lex
    counts = {b" ev": 3, b"ler": 2, b",": 5, b"kitap": 1, b"\xe4": 9}
    # tokens with a letter: " ev", "ler", "kitap" -> 2 of 3 are words; by occurrences (3 + 1) / (3 + 2 + 1)
    assert lexicon.valid_word_rate(counts, lex) == approx(2 / 3)
    assert lexicon.valid_word_rate(counts, lex, weighted=True) == approx(4 / 6)
    assert lexicon.valid_word_rate(counts, lambda w: w == "ler") == approx(1 / 3)
    assert lexicon.token_surface(" \u2581Ev ".encode()) == "Ev"
    assert lexicon.token_surface(b"123") is None


def test_wordfreq_lexicon():
    pytest.importorskip("wordfreq")
    lex = lexicon.wordfreq_lexicon("en")
    assert "the" in lex and "human" in lex and "qzxvw" not in lex
    with pytest.raises(ConfigError):
        lexicon.wordfreq_lexicon("xx-not-a-language")


@pytest.mark.skipif(not (SHARED / "lexicons" / "tr_TR.dic").is_file(), reason="no Turkish hunspell dictionary")
def test_hunspell_lexicon():
    pytest.importorskip("spylls")
    lex = lexicon.HunspellLexicon(SHARED / "lexicons" / "tr_TR.dic")
    assert "evlerimizden" in lex and "kitaplar" in lex and "xyzq" not in lex


def test_hunspell_lexicon_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="hunspell file not found"):
        lexicon.HunspellLexicon(tmp_path / "none")


# -- morphology ---------------------------------------------------------------------------------------------


def test_spans_and_boundaries():
    assert morphology.spans(["ev", "ler"]) == [(0, 2), (2, 5)]
    assert morphology.spans(["ö", "z"]) == [(0, 2), (2, 3)]  # UTF-8 byte offsets
    assert morphology.internal_boundaries([(0, 2), (2, 5)]) == {2}


def test_boundary_prf_and_pure():
    # word 1: predicted {2} gold {2}; word 2: predicted {1, 3} gold {3}: tp = 2, predicted 3, gold 2
    prf = morphology.boundary_prf([{2}, {1, 3}], [{2}, {3}])
    assert prf["precision"] == approx(2 / 3) and prf["recall"] == approx(1.0)
    assert prf["f1"] == approx(2 * (2 / 3) * 1 / (2 / 3 + 1))
    gold = [[(0, 2), (2, 5)]]
    assert morphology.pure_rate([[(0, 2), (2, 5)]], gold) == 1.0
    assert morphology.pure_rate([[(0, 1), (1, 5)]], gold) == 0.0
    assert morphology.pure_rate([[(0, 2), (2, 3), (3, 5)]], gold) == approx(1 / 3)
    # weights count word occurrences: 3 * 1 pure of 3 * 1, plus 1 * 0 of 1 * 2
    assert morphology.pure_rate([[(0, 5)], [(0, 1), (1, 5)]], [[(0, 5)], [(0, 2), (2, 5)]], [3, 1]) == approx(3 / 5)


def test_tokenize_words_and_segmentation_scores():
    tok = tiny_tokenizer()
    # " abc" -> " ", "ab", "c": the prefix token is dropped
    assert morphology.tokenize_words(tok, ["abc"]) == [[(0, 2), (2, 3)]]
    right = morphology.evaluate_segmentations(tok, {"abc": ["ab", "c"]})
    assert right == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "pure": 1.0, "words": 1}
    wrong = morphology.evaluate_segmentations(tok, {"abc": ["a", "bc"]})
    assert wrong == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "pure": 0.0, "words": 1}


def test_gold_sets():
    en, tr = morphology.load_gold("en"), morphology.load_gold("tr")
    assert len(en) >= 300 and len(tr) >= 300
    assert en["unhappiness"] == ["un", "happi", "ness"]
    assert tr["evlerimizden"] == ["ev", "ler", "imiz", "den"]
    for gold in (en, tr):
        for word, morphs in gold.items():
            assert "".join(morphs) == word
    with pytest.raises(ConfigError, match="no gold segmentation set"):
        morphology.load_gold("xx")


def test_read_gold_rejects_bad_lines(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("evler\tev lar\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.tsv:1: morphemes"):
        morphology.read_gold(str(bad))
    bad.write_text("# comment\nevler ev ler\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.tsv:2: expected"):
        morphology.read_gold(str(bad))


def test_zeyrek_silver_segmentation():
    pytest.importorskip("zeyrek")
    seg = morphology.ZeyrekSegmenter()
    assert seg("okullarda") == ["okul", "lar", "da"]
    assert seg("xqzw") is None


def test_errors_are_typed():
    assert issubclass(ConfigError, TokenforgeError)
    assert issubclass(tokenforge.errors.MissingDependencyError, TokenforgeError)


def test_surface_alignment():
    from tokenforge.metrics import surface

    assert surface.align([b"ab", b"c"], "abc") == [b"ab", b"c"]
    # SentencePiece style: "▁" for spaces and a dummy prefix the text does not have
    assert surface.align(["▁the".encode(), "▁cat".encode()], "the cat") == [b"the", b" cat"]
    assert surface.align(["▁".encode(), b"x"], "x") == [b"", b"x"]
    assert surface.align([b"ab"], "abc") is None
