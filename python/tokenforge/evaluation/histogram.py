"""Id histograms of encoded batches: numpy's bincount when numpy is installed, a Counter otherwise (same result)."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Sequence

try:  # optional: only speed depends on it
    import numpy as _np
except ImportError:  # pragma: no cover - exercised where numpy is absent
    _np = None


class IdHistogram:
    """Occurrences per token id, accumulated batch by batch."""

    def __init__(self, size: int):
        self.size = size
        self.total = 0
        self._dense = _np.zeros(size, dtype=_np.int64) if _np is not None else None
        self._counter: Counter = Counter()

    def add(self, batch: Sequence[Sequence[int]]) -> None:
        if self._dense is not None:
            ids = _np.fromiter(itertools.chain.from_iterable(batch), dtype=_np.int64)
            if ids.size:
                if ids.max() >= self._dense.size:  # an id past vocab_size (should not happen): grow
                    grown = _np.zeros(int(ids.max()) + 1, dtype=_np.int64)
                    grown[: self._dense.size] = self._dense
                    self._dense = grown
                self._dense += _np.bincount(ids, minlength=self._dense.size)
                self.total += int(ids.size)
        else:
            for ids in batch:
                self._counter.update(ids)
                self.total += len(ids)

    def add_counts(self, counts: Sequence[int]) -> None:
        """Adds a ready histogram (index = id), e.g. `Tokenizer.id_histogram`'s."""
        if self._dense is not None:
            dense = _np.asarray(counts, dtype=_np.int64)
            if dense.size > self._dense.size:
                grown = _np.zeros(dense.size, dtype=_np.int64)
                grown[: self._dense.size] = self._dense
                self._dense = grown
            self._dense[: dense.size] += dense
            self.total += int(dense.sum())
        else:
            for i, c in enumerate(counts):
                if c:
                    self._counter[i] += c
                    self.total += c

    def as_dict(self) -> dict[int, int]:
        """{id: count} for the ids that occur."""
        if self._dense is not None:
            nz = _np.nonzero(self._dense)[0]
            return dict(zip(nz.tolist(), self._dense[nz].tolist()))
        return dict(self._counter)
