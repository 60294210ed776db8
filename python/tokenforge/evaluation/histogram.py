"""Id histograms of encoded batches, accumulated batch by batch in one dense uint64 array (index = id), which the
native `Tokenizer.id_histogram(..., out=)` adds into directly."""

from __future__ import annotations

import itertools
from typing import Sequence

import numpy as np


class IdHistogram:
    """Occurrences per token id, accumulated batch by batch."""

    def __init__(self, size: int):
        self.size = size
        self.dense = np.zeros(size, dtype=np.uint64)

    @property
    def total(self) -> int:
        """Token occurrences counted so far."""
        return int(self.dense.sum())

    def _grow(self, size: int) -> None:
        if size > self.dense.size:  # an id past vocab_size (should not happen)
            grown = np.zeros(size, dtype=np.uint64)
            grown[: self.dense.size] = self.dense
            self.dense = grown

    def add(self, batch: Sequence[Sequence[int]]) -> None:
        """Adds the ids of encoded texts."""
        ids = np.fromiter(itertools.chain.from_iterable(batch), dtype=np.int64)
        if ids.size:
            self._grow(int(ids.max()) + 1)
            self.dense += np.bincount(ids, minlength=self.dense.size).astype(np.uint64)

    def add_counts(self, counts: Sequence[int]) -> None:
        """Adds a ready histogram (index = id), e.g. `Tokenizer.id_histogram`'s."""
        dense = np.asarray(counts, dtype=np.uint64)
        self._grow(dense.size)
        self.dense[: dense.size] += dense

    def as_dict(self) -> dict[int, int]:
        """{id: count} for the ids that occur."""
        nz = np.nonzero(self.dense)[0]
        return dict(zip(nz.tolist(), self.dense[nz].tolist()))
