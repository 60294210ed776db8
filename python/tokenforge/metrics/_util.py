"""Small helpers the metric modules share: a ratio that is None on an empty denominator, count iteration."""

from __future__ import annotations

from typing import Iterable, Mapping, Optional, Sequence, Tuple, Union

Counts = Union[Mapping[int, int], Sequence[int]]


def ratio(num: float, den: float) -> Optional[float]:
    """num / den, or None when den is 0 (an empty corpus has no bytes per token, not infinitely many)."""
    return None if not den else num / den


def nonzero(counts: "Counts | Mapping[object, int]") -> Iterable[Tuple[object, int]]:
    """(key, count) pairs with a positive count, from a mapping or a dense histogram (index = id)."""
    items = counts.items() if isinstance(counts, Mapping) else enumerate(counts)
    for key, c in items:
        c = int(c)
        if c < 0:
            raise ValueError(f"negative count {c} for {key!r}")
        if c:
            yield key, c
