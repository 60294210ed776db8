"""Zipf fit of the token frequency distribution: the least-squares line log f = a - s log r over the ranks.

Zipf's law (f proportional to 1 / r^s, s near 1 for words in natural text) is a standard descriptive check that a
tokenizer's units are distributed like a natural vocabulary.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from ._util import Counts, dense, nonzero


def zipf_fit(counts: Counts) -> Optional[dict[str, float]]:
    """{"exponent": s, "intercept": a, "r2": R^2} of the fit in natural logs; None for fewer than 2 used tokens."""
    array = dense(counts)
    freqs = array[array > 0] if array is not None else np.array([c for _, c in nonzero(counts)], dtype=np.int64)
    n = int(freqs.size)
    if n < 2:
        return None
    xs = np.log(np.arange(1, n + 1, dtype=np.float64))
    ys = np.log(np.sort(freqs)[::-1].astype(np.float64))
    mx, my = float(xs.mean()), float(ys.mean())
    sxx = float(((xs - mx) ** 2).sum())
    sxy = float(((xs - mx) * (ys - my)).sum())
    syy = float(((ys - my) ** 2).sum())
    slope = sxy / sxx
    intercept = my - slope * mx
    r2 = 1.0 if syy == 0 else (sxy * sxy) / (sxx * syy)
    return {"exponent": -slope + 0.0, "intercept": intercept, "r2": r2}
