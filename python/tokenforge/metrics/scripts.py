"""Script coverage and token completeness (Qtok: Chelombitko et al. 2024, "Qtok: A Comprehensive Framework for
Evaluating Multilingual Tokenizer Quality in Large Language Models").

Each token is labelled with the Unicode script of its letters (Latin, Cyrillic, Han, ...; "Common" when it has no
letters, "Mixed" when they come from several scripts, "Partial UTF-8" when its bytes are not a whole character
sequence) and with a character category (letters, digits, whitespace, punctuation, symbols, mixed). Distributions
are counted over the vocabulary or weighted by occurrences on a corpus.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Iterable, Mapping, Optional

import regex

# Scripts checked by name; any other script's letters are labelled "Other". Order matters only for speed.
SCRIPTS = (
    "Latin", "Cyrillic", "Greek", "Han", "Hiragana", "Katakana", "Hangul", "Arabic", "Hebrew", "Devanagari",
    "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada", "Malayalam", "Sinhala", "Thai", "Lao",
    "Khmer", "Myanmar", "Tibetan", "Georgian", "Armenian", "Ethiopic", "Mongolian", "Thaana", "Syriac", "Cherokee",
    "Canadian_Aboriginal", "Tifinagh", "Javanese", "Balinese", "Yi", "Vai", "Ol_Chiki", "Bopomofo", "Inherited",
)
_SCRIPT_RE = regex.compile("|".join(f"(?P<{name}>\\p{{Script={name}}})" for name in SCRIPTS))

PARTIAL = "Partial UTF-8"
_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
COMMON = "Common"
MIXED = "Mixed"


@lru_cache(maxsize=None)
def char_script(ch: str) -> str:
    """Unicode Script property of one character, from `SCRIPTS` (else "Other"; non-letters are "Common")."""
    cat = unicodedata.category(ch)
    if cat[0] not in "LM":
        return COMMON
    m = _SCRIPT_RE.match(ch)
    return m.lastgroup if m else "Other"  # type: ignore[return-value]


def token_script(token: bytes) -> str:
    """Script of a token's letters; marks of the "Inherited" script follow the letters they sit on."""
    if token.isascii():  # fast path: ASCII letters are Latin, anything else ASCII is Common
        return "Latin" if len(token.translate(None, _ASCII_LETTERS)) < len(token) else COMMON
    try:
        text = token.decode("utf-8")
    except UnicodeDecodeError:
        return PARTIAL
    found = {char_script(ch) for ch in text} - {COMMON, "Inherited"}
    if not found:
        return COMMON
    return found.pop() if len(found) == 1 else MIXED


_CATEGORY = {"L": "letters", "M": "letters", "N": "digits", "Z": "whitespace", "P": "punctuation", "S": "symbols",
             "C": "control"}


def token_category(token: bytes) -> str:
    """Character class of a token: one of letters/digits/whitespace/punctuation/symbols/control when all its
    characters share it (leading whitespace or "▁", as in GPT-style " word" or SentencePiece "▁word", is ignored),
    else "mixed"."""
    try:
        text = token.decode("utf-8")
    except UnicodeDecodeError:
        return "partial"
    core = text.lstrip().lstrip("\u2581").lstrip()  # GPT-style " word" and SentencePiece "▁word"
    if not core:
        return "whitespace" if text else "empty"
    if core.isalpha():  # fast paths for the common shapes
        return "letters"
    if core.isspace():
        return "whitespace"
    kinds = {char_category(ch) for ch in core}
    return kinds.pop() if len(kinds) == 1 else "mixed"


def char_category(ch: str) -> str:
    """Character class of one character: whitespace (`str.isspace`), else from its Unicode general category."""
    return "whitespace" if ch.isspace() else _CATEGORY[unicodedata.category(ch)[0]]


def distribution(labels: Mapping[int, str], counts: Optional[Mapping[int, int]] = None) -> dict[str, int]:
    """{label: number of tokens}, over all ids of `labels`, or weighted by `counts` (occurrences) when given."""
    out: dict[str, int] = {}
    if counts is None:
        for label in labels.values():
            out[label] = out.get(label, 0) + 1
    else:
        for i, c in counts.items():
            if c:
                label = labels[i]
                out[label] = out.get(label, 0) + c
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


def completeness(tokens: Iterable[bytes]) -> dict[str, int]:
    """Qtok token completeness: {"complete": tokens that are whole UTF-8 text, "partial": the others}."""
    complete = partial = 0
    for t in tokens:
        try:
            t.decode("utf-8")
            complete += 1
        except UnicodeDecodeError:
            partial += 1
    return {"complete": complete, "partial": partial}
