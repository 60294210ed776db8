"""Vocabulary utilisation and token-length distribution: how much of the vocabulary a corpus actually uses, and how
long the tokens it uses are. Standard descriptive statistics of tokenizer evaluations (token distributions are
part of Qtok, Chelombitko et al. 2024); utilisation is the support of the unigram distribution whose entropy
`entropy.py` measures."""

from __future__ import annotations

from typing import Mapping, Optional

import numpy as np

from ._util import Counts, dense, nonzero, ratio


def utilisation(counts: Counts, vocab_size: int) -> Optional[float]:
    """Share of the vocabulary's ids that occur at least once: |{t : c(t) > 0}| / |V|."""
    array = dense(counts)
    used = int(np.count_nonzero(array)) if array is not None else sum(1 for _ in nonzero(counts))
    return ratio(used, vocab_size)


def length_distribution(counts: Counts, lengths: Mapping[int, int]) -> dict[int, int]:
    """Token occurrences per token length (`lengths[id]`, e.g. in bytes): {length: occurrences}."""
    out: dict[int, int] = {}
    for i, c in nonzero(counts):
        n = lengths[i]
        out[n] = out.get(n, 0) + c
    return dict(sorted(out.items()))


def mean_length(distribution: Mapping[int, int]) -> Optional[float]:
    """Mean token length from a {length: occurrences} distribution."""
    return ratio(sum(n * c for n, c in distribution.items()), sum(distribution.values()))
