"""Reference pretoken counter: the pure-Python twin of `_core.PretokenCounter` (same interface, same results).

It is the definition the native counter is held to, and the fallback the corpus orchestration uses when the native
module has no counter.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Optional, Sequence

from ..errors import ConfigError
from ..pipeline.normalizers import Normalizer
from ..pipeline.pretokenizers import NAMED_PATTERNS
from .pretokenize import pretokenize

# Native scanner names -> the pattern each implements ("whole" and "regex" are handled apart).
_SCANNER_PATTERNS = {name: NAMED_PATTERNS[name] for name in ("r50k", "cl100k", "o200k", "qwen2")}


def _fix_surrogates(text: str) -> str:
    """Lone surrogates cannot be UTF-8: U+FFFD instead, as the tokenizer does before encoding."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


class PretokenCounter:
    """Counts the pieces a pre-tokenizer cuts normalized text into, keyed by their UTF-8 bytes.

    Arguments are `PreTokenizer.native_args()` (`kind`, `pattern`, `emit_gaps`) and `list(Normalizer.steps)`.
    """

    def __init__(self, kind: str, pattern: Optional[str], emit_gaps: bool, normalizer: Sequence[str]) -> None:
        if kind == "whole":
            self._pattern: Optional[str] = None
        elif kind == "regex":
            if pattern is None:
                raise ConfigError("a regex pre-tokenizer needs a pattern")
            self._pattern = pattern
        elif kind in _SCANNER_PATTERNS:
            self._pattern = _SCANNER_PATTERNS[kind]
        else:
            raise ConfigError(f"unknown pre-tokenizer {kind!r}")
        self._emit_gaps = emit_gaps
        self._normalize = Normalizer(tuple(normalizer))
        self._counts: Counter[bytes] = Counter()

    def _pieces(self, text: str) -> Iterable[str]:
        text = self._normalize(text)
        if self._pattern is None:
            return [text] if text else []
        return pretokenize(text, self._pattern, self._emit_gaps)

    def add_texts(self, texts: list[str]) -> None:
        """Pre-tokenize each text (after normalizing) and count its pieces."""
        counts = self._counts
        for text in texts:
            if not text.isascii():
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    text = _fix_surrogates(text)
            counts.update(piece.encode("utf-8") for piece in self._pieces(text))

    def add_counts(self, items: Iterable[tuple[bytes, int]]) -> None:
        """Merge a partial count table in (counts of equal keys add up)."""
        counts = self._counts
        for key, n in items:
            if n < 0:
                raise ValueError(f"negative count {n} for {key!r}")
            if n:
                counts[bytes(key)] += n

    def __len__(self) -> int:
        return len(self._counts)

    def total(self) -> int:
        return sum(self._counts.values())

    def prune(self, min_count: int) -> tuple[int, int]:
        """Drop entries counted fewer than `min_count` times; returns (distinct dropped, occurrences dropped)."""
        dropped = [(key, n) for key, n in self._counts.items() if n < min_count]
        for key, _ in dropped:
            del self._counts[key]
        return len(dropped), sum(n for _, n in dropped)

    def items(self) -> list[tuple[bytes, int]]:
        """(pretoken bytes, count), sorted by bytes."""
        return sorted(self._counts.items())
