"""Zipf fit of the token frequency distribution: the least-squares line log f = a - s log r over the ranks.

Zipf's law (f proportional to 1 / r^s, s near 1 for words in natural text) is a standard descriptive check that a
tokenizer's units are distributed like a natural vocabulary.
"""

from __future__ import annotations

import math
from typing import Optional

from ._util import Counts, nonzero


def zipf_fit(counts: Counts) -> Optional[dict[str, float]]:
    """{"exponent": s, "intercept": a, "r2": R^2} of the fit in natural logs; None for fewer than 2 used tokens."""
    freqs = sorted((c for _, c in nonzero(counts)), reverse=True)
    n = len(freqs)
    if n < 2:
        return None
    xs = [math.log(r) for r in range(1, n + 1)]
    ys = [math.log(f) for f in freqs]
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    syy = sum((y - my) ** 2 for y in ys)
    slope = sxy / sxx
    intercept = my - slope * mx
    r2 = 1.0 if syy == 0 else (sxy * sxy) / (sxx * syy)
    return {"exponent": -slope + 0.0, "intercept": intercept, "r2": r2}
