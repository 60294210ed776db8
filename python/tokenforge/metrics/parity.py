"""Parity / tokenization premium across languages on parallel text.

Petrov et al. (2023), "Language Model Tokenizers Introduce Unfairness Between Languages": the premium of language A
is the token count of a text in A divided by the token count of the same text in a pivot language (English).
The spread is summarised by the max/min ratio and the Gini coefficient of the per-language counts.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Optional

from ..errors import ConfigError
from ._util import ratio


def premiums(counts: Mapping[str, int], pivot: str) -> dict[str, Optional[float]]:
    """Per language: its token count divided by the pivot language's (1.0 = parity with the pivot)."""
    if pivot not in counts:
        raise ConfigError(f"pivot language {pivot!r} is not among the languages ({', '.join(sorted(counts))})")
    base = counts[pivot]
    return {lang: ratio(c, base) for lang, c in counts.items()}


def max_min_ratio(values: Iterable[float]) -> Optional[float]:
    """Largest value divided by the smallest (1.0 = every language costs the same); None if empty or min is 0."""
    vals = list(values)
    if not vals:
        return None
    return ratio(max(vals), min(vals))


def gini(values: Iterable[float]) -> Optional[float]:
    """Gini coefficient, sum_i sum_j |x_i - x_j| / (2 n^2 mean): 0 = equal, towards 1 = concentrated."""
    vals = sorted(float(v) for v in values)
    n = len(vals)
    if n == 0:
        return None
    total = sum(vals)
    if total == 0:
        return 0.0
    # sum_i sum_j |x_i - x_j| = 2 * sum_i (2i - n + 1) x_i over the sorted values (i from 0).
    pair_sum = 2 * sum((2 * i - n + 1) * x for i, x in enumerate(vals))
    return pair_sum / (2 * n * n * (total / n))
