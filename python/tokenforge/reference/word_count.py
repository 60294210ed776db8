"""Twin of `_core.WordTally`: whitespace words (as `str.split()` finds them), words, characters and UTF-8 bytes of
a corpus, batch by batch, with the same bound on the word table and the same order of `most_common`."""

from __future__ import annotations

from collections import Counter
from typing import Sequence


class WordTally:
    def __init__(self, max_distinct: int = 2**63):
        self.table: Counter = Counter()
        self.words = self.chars = self.bytes = self.newlines = 0
        self.pruned = False
        self.max_distinct = max_distinct

    def add(self, texts: Sequence[str]) -> None:
        """Counts `texts` (records or blocks of lines alike: words never span a line end)."""
        for text in texts:
            found = text.split()
            self.table.update(found)
            self.words += len(found)
            self.chars += len(text)
            self.newlines += text.count("\n")
            self.bytes += len(text.encode("utf-8", "surrogatepass"))  # a lone surrogate as its 3-byte escape
        if len(self.table) > self.max_distinct:  # bound memory: forget the words seen once so far
            self.table = Counter({w: c for w, c in self.table.items() if c > 1})
            self.pruned = True

    def most_common(self, n: int) -> list[tuple[str, int]]:
        """The `n` most frequent words, most frequent first; equal counts in code-point order of the word."""
        return sorted(self.table.items(), key=lambda wc: (-wc[1], wc[0]))[:n]

    def __getitem__(self, word: str) -> int:
        return self.table.get(word, 0)

    def __len__(self) -> int:
        return len(self.table)
