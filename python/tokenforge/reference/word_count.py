"""Twin of `_core.count_words`: whitespace words (as `str.split()` finds them), characters and UTF-8 bytes of a
batch of texts. Also the evaluation scan's path for text the native call cannot take (lone surrogates)."""

from __future__ import annotations

from collections import Counter
from typing import Sequence


def count_words(texts: Sequence[str]) -> tuple[Counter, int, int, int]:
    """(word -> occurrences, words, characters, bytes); bytes count a lone surrogate as its 3-byte escape."""
    words: Counter = Counter()
    n_words = chars = size = 0
    for text in texts:
        found = text.split()
        words.update(found)
        n_words += len(found)
        chars += len(text)
        size += len(text.encode("utf-8", "surrogatepass"))
    return words, n_words, chars, size
