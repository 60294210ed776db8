"""The native encoder equals its pure-Python twin (`tokenforge.reference`) on generated and real text.

The twin runs the pattern with the `regex` module and merges pairs by a plain quadratic loop: slow, obviously
correct, independent of the Rust scanners, merge tables, caches and long-piece queue.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import tokenforge
from tokenforge import _core, reference

from conftest import ROOT, needs_shared

EXAMPLE = ROOT / "examples" / "gpt2-small.tiktoken"

# Characters on the edges of the patterns and of UTF-8: combining marks, an emoji ZWJ sequence and flags,
# right-to-left text and marks, NUL, CRLF, exotic spaces, case-folding letters, digits of other scripts.
EDGES = [
    "\x00", "\r\n", "\r", "\n", "\t", " ", "  ", "\xa0", "\u2028", "\u3000", "\u200b", "\u200d", "\ufeff",
    "e\u0301", "\u0301", "\u0903", "\u20dd", "\U0001f469\u200d\U0001f469\u200d\U0001f467", "\U0001f1eb\U0001f1f7",
    "\U0001f937\u200d\u2640\ufe0f", "\u05e9\u05dc\u05d5\u05dd", "\u0627\u0644\u0633\u0644\u0627\u0645", "\u200f",
    "\u202e", "'s", "'LL", "\u017f", "\u0130", "\u00df", "\u01c5", "\u02b0", "123456", "\u0663\u0664", "\u00bd",
    "\u2167", "...", "!?", "<|endoftext|>", "<|endoftext", "\U0010ffff", "\ufffd",
]
edge_text = st.lists(
    st.one_of(st.sampled_from(EDGES), st.characters(exclude_categories=("Cs",)), st.text(max_size=4)),
    max_size=25,
).map("".join)


def regex_engines_agree(text: str) -> bool:
    """The twin's `regex` module and the core's regex-syntax tables come from different Unicode versions; skip
    the few characters they classify differently (the scanners are held to regex-syntax in test_pretokenize)."""
    probe = r"\p{L}|\p{N}|\s|\p{M}|\p{Lu}|\p{Ll}|\p{Lt}|\p{Lm}|\p{Lo}"
    for ch in set(text):
        if _core.pretokenize(ch, "regex", f"({probe})", False) != reference.pretokenize(ch, f"({probe})", False):
            return False
    return True


def native(tok, text, allowed=()):
    return tok.encode(text, allowed_special=set(allowed), disallowed_special=())


# -- the bundled tiktoken file --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gpt2_small():
    return tokenforge.load(EXAMPLE)


@given(text=edge_text, allow=st.booleans())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_example_tiktoken_equals_twin(gpt2_small, text, allow):
    assume(regex_engines_agree(text))
    allowed = {"<|endoftext|>"} if allow else set()
    assert native(gpt2_small, text, allowed) == reference.encode(gpt2_small, text, allowed)


# -- a small model with an explicit HF merge list, under every pre-tokenizer ---------------------------------------

# Merges chosen so that order matters (overlapping pairs, a merge whose parts only exist after later-listed
# merges is unreachable, duplicates), with multi-byte UTF-8 and whitespace runs in them.
MERGES = [
    (b"t", b"h"), (b"th", b"e"), (b" ", b"the"), (b"a", b"b"), (b"b", b"c"), (b"a", b"bc"), (b"ab", b"c"),
    (b"abc", b"abc"), (b"e", b"r"), (b" ", b" "), (b"  ", b"  "), (b"\n", b"\n"), (b"\r", b"\n"),
    (b"\xc3", b"\xa9"), (b"\xe2\x80", b"\x8d"), (b"\xe2", b"\x80"), (b"a", b"a"), (b"aa", b"aa"),
    (b"aaaa", b"aaaa"), (b"aa", b"a"), (b"1", b"2"), (b"12", b"3"), (b"'", b"s"), (b" ", b"a"),
    (b"a", b"b"),  # a duplicate: the first occurrence's rank counts
    (b"\xd7", b"\xa9"), (b"\xf0\x9f", b"\x98\x80"), (b"\xf0", b"\x9f"), (b"\x00", b"\x00"),
]


def small_vocab() -> dict[bytes, int]:
    vocab = {bytes([b]): b for b in range(256)}
    for a, b in MERGES:
        for tok in (a, b, a + b):
            vocab.setdefault(tok, len(vocab))
    return vocab


@pytest.fixture(scope="module", params=["r50k", "cl100k", "o200k", "qwen2", "custom", "none"])
def small_tok(request):
    pattern = {"custom": r"\p{L}+|\p{N}|[^\p{L}\p{N}]+", "none": None}.get(request.param, request.param)
    return [
        tokenforge.Tokenizer(tokenforge.BpeModel(small_vocab(), MERGES, whole_piece_first=first), pretokenizer=pattern,
                             special_tokens={"<|endoftext|>": 1000})
        for first in (False, True)
    ]


@given(text=edge_text.map(lambda t: t.replace("x", "abcabc the aaaaaaa 123")))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_merge_list_model_equals_twin(small_tok, text):
    assume(regex_engines_agree(text))
    for tok in small_tok:
        assert native(tok, text) == reference.encode(tok, text)
        assert native(tok, text, {"<|endoftext|>"}) == reference.encode(tok, text, {"<|endoftext|>"})


def test_merge_list_hand_computed():
    """The rule itself, on a case worked by hand: lowest-ranked pair first, leftmost on ties."""
    vocab = small_vocab()
    tok = tokenforge.Tokenizer(tokenforge.BpeModel(vocab, MERGES, whole_piece_first=False), pretokenizer=None)
    # "abc": (a,b) rank 3 < (b,c) rank 4 -> [ab][c] -> (ab,c) rank 6 -> [abc]
    assert tok.encode("abc") == [vocab[b"abc"]]
    # "bcabc": b c a b c -> (a,b) first -> b c ab c -> (b,c) -> bc ab c -> (ab,c) -> bc abc
    assert tok.encode("bcabc") == [vocab[b"bc"], vocab[b"abc"]]
    # "aaaaa": (a,a) leftmost twice -> aa aa a -> (aa,aa) rank 17 < (aa,a) rank 19 -> aaaa a
    assert tok.encode("aaaaa") == [vocab[b"aaaa"], vocab[b"a"]]
    # "aab": (a,b) rank 3 beats (a,a) rank 16 -> a ab; (a,ab) is no merge
    assert tok.encode("aab") == [vocab[b"a"], vocab[b"ab"]]
    # "aaa" (a token, as the result of merge aa+a, rank 19): (a,a) leftmost -> aa a -> (aa,a) -> aaa
    assert tok.encode("aaa") == [vocab[b"aaa"]]

    # whole_piece_first (HF ignore_merges): a vocabulary token that no merge produces is used only with it on
    extra = {**vocab, b"xy": len(vocab)}
    for first, expected in ((False, [ord("x"), ord("y")]), (True, [extra[b"xy"]])):
        t = tokenforge.Tokenizer(tokenforge.BpeModel(extra, MERGES, whole_piece_first=first), pretokenizer=None)
        assert t.encode("xy") == expected
        assert reference.encode(t, "xy") == expected


# -- long pieces (the native long-piece path) ------------------------------------------------------------------


@pytest.mark.parametrize("piece", ["a" * 3000, " " * 3000, "ab" * 1500, "abc" * 1000 + "a", "\u00e9" * 1500,
                                   "\U0001f600" * 800, "th" * 700 + "e" + "a" * 1299])
def test_long_piece_equals_twin(gpt2_small, piece):
    raw = piece.encode("utf-8")
    for tok in (gpt2_small, *(tokenforge.Tokenizer(tokenforge.BpeModel(small_vocab(), MERGES, whole_piece_first=f),
                                                    pretokenizer=None) for f in (False, True))):
        expected = reference.encode_piece(tok.model, raw)
        assert tok.encode(piece, disallowed_special=()) == expected  # no split: the whole text is one piece
        assert b"".join(tok.id_to_bytes(i) for i in expected) == raw


def test_long_piece_inside_a_pattern(gpt2_small):
    """Through the scanner too: a 3000-letter word and a 3000-space run are single pieces of r50k."""
    for text in ("x " + "a" * 3000 + " y", "x" + " " * 3000 + "y", "ab" * 1500):
        assert native(gpt2_small, text) == reference.encode(gpt2_small, text)


# -- real text with the shared tokenizers -------------------------------------------------------------------------


@needs_shared
@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base"])
def test_shared_tokenizers_on_real_text(name, ours, corpora, udhr):
    tok = ours(name)
    sample = "".join(text[len(text) // 3 : len(text) // 3 + 60_000] for text in corpora.values())
    langs = ["arb", "cmn_hans", "hin", "rus", "tur", "vie", "heb", "jpn"]
    sample += "\n\n".join(udhr[lang][:6000] for lang in langs if lang in udhr)
    sample += "\n" + unicodedata.normalize("NFD", udhr.get("vie", "")[:3000])  # combining marks everywhere
    assert regex_engines_agree(sample)
    assert native(tok, sample) == reference.encode(tok, sample)


def _tallies(batches, max_distinct=2**63):
    from tokenforge.reference.word_count import WordTally

    native, twin = _core.WordTally(max_distinct), WordTally(max_distinct)
    for texts in batches:
        native.add(texts)
        twin.add(texts)
    return native, twin


def _same_tally(native, twin):
    assert (native.words, native.chars, native.bytes, native.newlines, native.pruned, len(native)) == (
        twin.words, twin.chars, twin.bytes, twin.newlines, twin.pruned, len(twin))
    assert native.most_common(len(twin) + 1) == twin.most_common(len(twin) + 1)
    assert native.most_common(3) == twin.most_common(3)  # ties broken by the word, the same way
    for word, _ in twin.most_common(5):
        assert native[word] == twin[word]
    assert native["\x00never\x00"] == twin["\x00never\x00"] == 0


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",))), max_size=8), max_size=4),
       st.integers(1, 12))
def test_word_tally_equals_twin(batches, max_distinct):
    """The evaluation scan's native word table splits where `str.split()` does (Unicode spaces, \x1c-\x1f), prunes
    at the same bound and orders `most_common` the same way."""
    _same_tally(*_tallies(batches, max_distinct))


def test_word_tally_on_every_space_character():
    import sys

    spaces = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF and chr(c).isspace()]
    text = "x".join(spaces) + " y\u200bz"  # U+200B is not a space for str.split
    _same_tally(*_tallies([[text], [text + "\n" + text]]))
    _same_tally(*_tallies([[(text + "\n") * 40_000]]))  # long enough to be cut into pieces counted in parallel


@needs_shared
def test_word_tally_on_a_real_corpus(corpora):
    text = next(iter(corpora.values()))[:2_000_000]
    lines = text.splitlines(keepends=True)
    native, twin = _tallies([lines[: len(lines) // 2], lines[len(lines) // 2:]])
    _same_tally(native, twin)
    block, _ = _tallies([["".join(lines)]])  # one string, cut into pieces natively
    assert block.most_common(1000) == native.most_common(1000) and block.words == native.words
