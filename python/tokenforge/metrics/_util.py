"""Small helpers the metric modules share: a ratio that is None on an empty denominator, count iteration."""

from __future__ import annotations

from typing import Iterable, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

Counts = Union[Mapping[int, int], Sequence[int]]


def ratio(num: float, den: float) -> Optional[float]:
    """num / den, or None when den is 0 (an empty corpus has no bytes per token, not infinitely many)."""
    return None if not den else num / den


def dense(counts: "Counts | Mapping[object, int]") -> "Optional[np.ndarray]":
    """`counts` as an int64 array when it is a dense numpy histogram (index = id), for the vectorised paths;
    None for mappings and plain sequences."""
    if not isinstance(counts, np.ndarray):
        return None
    out = counts.astype(np.int64, copy=False)
    if out.size and int(out.min()) < 0:
        k = int(np.argmin(out))
        raise ValueError(f"negative count {int(out[k])} for {k!r}")
    return out


def nonzero(counts: "Counts | Mapping[object, int]") -> Iterable[Tuple[object, int]]:
    """(key, count) pairs with a positive count, from a mapping or a dense histogram (index = id)."""
    array = dense(counts)
    if array is not None:
        ids = np.flatnonzero(array)
        return zip(ids.tolist(), array[ids].tolist())
    return _nonzero_items(counts)


def _nonzero_items(counts) -> Iterable[Tuple[object, int]]:
    items = counts.items() if isinstance(counts, Mapping) else enumerate(counts)
    for key, c in items:
        c = int(c)
        if c < 0:
            raise ValueError(f"negative count {c} for {key!r}")
        if c:
            yield key, c
