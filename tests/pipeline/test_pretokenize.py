"""The hand-written scanners must split exactly as the patterns they implement.

Three engines are compared: our scanner, the fancy-regex engine (what tiktoken runs) and the `regex` module
(the reference twin), on hypothesis strings, all shared corpora and every UDHR language.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tokenforge import _core
from tokenforge.pipeline.pretokenizers import NAMED_PATTERNS, PreTokenizer
from tokenforge.reference import pretokenize as reference_pretokenize

from conftest import needs_shared

SCANNERS = ["r50k", "gpt2", "cl100k", "o200k", "qwen2"]

# Characters that sit on the patterns' edges: every class boundary, the case-folded contraction letters (incl.
# U+017F, which folds to 's'), marks of each kind, title/modifier/other letters, non-decimal numbers, exotic spaces.
TRICKY = list(
    " \t\n\r\x0b\x0c\x1c\x85\xa0\u1680\u2028\u2029\u3000\u180e\u200b\u200d\ufeff"
    "'sSſtTdDmMlLvVeErR"
    "aAzZ\u00df\u00e9\u00c9\u01c5\u02b0\u1d2c\u4e2d\u3042\u05d0\u0627"
    "\u0301\u0903\u20dd\u0488"
    "0919\u00b2\u00bd\u2167\u0663\u0967"
    "!./?#-_<>|\\\"`\u00a7\u2014\u2019\U0001f600\x00"
)

tricky_text = st.text(st.one_of(st.sampled_from(TRICKY), st.characters(exclude_categories=("Cs",))), max_size=60)


def _regex_module_agrees(ch: str) -> bool:
    """Whether the `regex` module and regex-syntax classify `ch` alike (their Unicode versions differ slightly)."""
    probe = r"\p{L}|\p{N}|\s|\p{M}|\p{Lu}|\p{Ll}|\p{Lt}|\p{Lm}|\p{Lo}"
    ours = _core.pretokenize(ch, "regex", f"({probe})", False)
    theirs = reference_pretokenize(ch, f"({probe})", False)
    return ours == theirs


@pytest.mark.parametrize("name", SCANNERS)
@given(text=tricky_text)
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_scanner_equals_fancy_regex(name, text):
    pre = PreTokenizer.named(name)
    assert _core.pretokenize(text, pre.scanner) == _core.pretokenize(text, "regex", pre.pattern, False)


@pytest.mark.parametrize("name", SCANNERS)
@given(text=tricky_text)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_scanner_equals_regex_module(name, text):
    if not all(_regex_module_agrees(c) for c in set(text)):
        return
    pre = PreTokenizer.named(name)
    assert _core.pretokenize(text, pre.scanner) == reference_pretokenize(text, pre.pattern, False)


@pytest.mark.parametrize("name", SCANNERS)
def test_pieces_tile_the_text(name):
    text = "Hello, World!  It's 2024... ſtrange\r\n\r\n  \tΑθήνα 中文 e\u0301 😀😀 123456 ½²\n"
    pieces = _core.pretokenize(text, PreTokenizer.named(name).scanner)
    assert "".join(pieces) == text and all(pieces)


@needs_shared
@pytest.mark.parametrize("name", SCANNERS)
def test_scanner_on_corpora(name, corpora):
    pre = PreTokenizer.named(name)
    for corpus_name, text in corpora.items():
        ours = _core.pretokenize(text, pre.scanner)
        assert ours == _core.pretokenize(text, "regex", pre.pattern, False), corpus_name
        head = text[:300_000]
        assert _core.pretokenize(head, pre.scanner) == reference_pretokenize(head, pre.pattern, False), corpus_name


@needs_shared
@pytest.mark.parametrize("name", SCANNERS)
def test_scanner_on_udhr(name, udhr):
    pre = PreTokenizer.named(name)
    for lang, text in udhr.items():
        ours = _core.pretokenize(text, pre.scanner)
        assert ours == _core.pretokenize(text, "regex", pre.pattern, False), lang
        assert ours == reference_pretokenize(text, pre.pattern, False), lang
        nfd = unicodedata.normalize("NFD", text)  # marks everywhere: the o200k letter classes' edge
        assert _core.pretokenize(nfd, pre.scanner) == _core.pretokenize(nfd, "regex", pre.pattern, False), lang


@needs_shared
def test_named_patterns_are_the_official_ones():
    import json

    from conftest import TOKENIZERS

    for name, key in (("r50k_base", "r50k"), ("p50k_base", "r50k"), ("cl100k_base", "cl100k"), ("o200k_base", "o200k")):
        assert json.loads((TOKENIZERS / f"{name}.json").read_text())["pat_str"] == NAMED_PATTERNS[key]
    qwen = json.loads((TOKENIZERS / "qwen3.tokenizer.json").read_text())
    assert qwen["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] == NAMED_PATTERNS["qwen2"]


def test_user_pattern_uses_regex_fallback():
    pre = PreTokenizer.from_spec(r"\d+|[a-z]+")
    assert pre.scanner is None
    # gaps (text no alternative matches) become pieces too, as in HF's Isolated split
    assert _core.pretokenize("ab12 cd", "regex", pre.pattern, True) == ["ab", "12", " ", "cd"]
    assert _core.pretokenize("ab12 cd", "regex", pre.pattern, False) == ["ab", "12", "cd"]


@needs_shared
def test_hf_spelling_of_named_patterns_keeps_the_scanner(udhr):
    """Files we write spell cl100k's `{1,3}+` as `{1,3}`; on reload the scanner must still run and agree with the
    regex engine on that spelling."""
    from tokenforge.pipeline.pretokenizers import hf_spelling

    for name, pattern in NAMED_PATTERNS.items():
        spelled = PreTokenizer(hf_spelling(pattern))
        assert spelled.scanner is not None and spelled.name is not None, name
        for text in list(udhr.values())[:10] + ["12345 6789\n\n  x", "a1b22c333d4444"]:
            assert _core.pretokenize(text, spelled.scanner) == _core.pretokenize(text, "regex", spelled.pattern, False), name
