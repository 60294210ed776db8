"""Pre-tokenizers: how text is cut into pieces before the model sees it.

The GPT-family patterns have hand-written native scanners (exactly equal to the regex); any other pattern runs
on the fancy-regex engine (the one tiktoken uses).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from ..errors import ConfigError

# The official patterns, as tiktoken and the model authors publish them.
R50K_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""
CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
O200K_PATTERN = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
QWEN2_PATTERN = (
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
)
# GPT-2's original spelling (HF ByteLevel with use_regex=True); it splits exactly as r50k does.
GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""

# Word splitters whose gaps (the whitespace) are dropped, as HF's pre-tokenizers of the same names do; the usual
# companions of WordPiece and Unigram vocabularies. BERT's punctuation is Unicode P* plus the ASCII symbols.
WHITESPACE_PATTERN = r"""\w+|[^\w\s]+"""
WHITESPACE_SPLIT_PATTERN = r"""\S+"""
_BERT_PUNCT = r"""\p{P}!-/:-@\[-`{-~"""
BERT_PATTERN = rf"""[^\s{_BERT_PUNCT}]+|[{_BERT_PUNCT}]"""
WORD_PATTERNS: dict[str, str] = {
    "whitespace": WHITESPACE_PATTERN,
    "whitespace_split": WHITESPACE_SPLIT_PATTERN,
    "bert": BERT_PATTERN,
}

NAMED_PATTERNS: dict[str, str] = {
    "r50k": R50K_PATTERN,
    "cl100k": CL100K_PATTERN,
    "o200k": O200K_PATTERN,
    "qwen2": QWEN2_PATTERN,
    "gpt2": GPT2_PATTERN,
}

# Pattern spellings that a named scanner implements exactly (checked by the differential tests).
_SCANNER_FOR_PATTERN: dict[str, str] = {
    R50K_PATTERN: "r50k",
    GPT2_PATTERN: "r50k",
    CL100K_PATTERN: "cl100k",
    O200K_PATTERN: "o200k",
    QWEN2_PATTERN: "qwen2",
}


def hf_spelling(pattern: str) -> str:
    """The pattern as written into tokenizer.json: HF's regex engine (Oniguruma) reads `{m,n}+` as a repeat of a
    repeat, not as possessive; in the named patterns nothing after it can backtrack, so dropping the `+` is exact."""
    return re.sub(r"(\{\d+(?:,\d*)?\})\+", r"\1", pattern)


# The same patterns as tokenizer.json files spell them (what we write, and what such files say on reload).
for _pattern, _scanner in list(_SCANNER_FOR_PATTERN.items()):
    _SCANNER_FOR_PATTERN.setdefault(hf_spelling(_pattern), _scanner)


@dataclass(frozen=True)
class PreTokenizer:
    """A regex split (`pattern`), or no split at all (`pattern=None`).

    `emit_gaps`: text between matches becomes pieces too (HF `Split` with `Isolated`), instead of being dropped
    (tiktoken). For the named patterns every character is matched, so the two agree.
    """

    pattern: Optional[str]
    emit_gaps: bool = True

    @classmethod
    def named(cls, name: str) -> "PreTokenizer":
        try:
            return cls(NAMED_PATTERNS[name])
        except KeyError:
            raise ConfigError(f"unknown pattern name {name!r}; known: {', '.join(sorted(NAMED_PATTERNS))}") from None

    @classmethod
    def from_spec(cls, spec: "str | PreTokenizer | None") -> "PreTokenizer":
        """A name ("cl100k"), a regex pattern, an existing PreTokenizer, or None (no split)."""
        if spec is None or isinstance(spec, PreTokenizer):
            return spec if spec is not None else cls(None)
        if spec in NAMED_PATTERNS:
            return cls.named(spec)
        if spec in WORD_PATTERNS:
            return cls(WORD_PATTERNS[spec], emit_gaps=False)
        return cls(spec)

    @property
    def scanner(self) -> Optional[str]:
        """Name of the native scanner that implements this pattern, if any."""
        return _SCANNER_FOR_PATTERN.get(self.pattern) if self.pattern is not None else None

    @property
    def name(self) -> Optional[str]:
        for name, pattern in NAMED_PATTERNS.items():
            if self.pattern in (pattern, hf_spelling(pattern)):
                return name
        for name, pattern in WORD_PATTERNS.items():
            if self.pattern == pattern and not self.emit_gaps:
                return name
        return None

    def native_args(self) -> tuple[str, Optional[str], bool]:
        if self.pattern is None:
            return ("whole", None, self.emit_gaps)
        if self.scanner is not None:
            return (self.scanner, None, self.emit_gaps)
        return ("regex", self.pattern, self.emit_gaps)
