"""Vocabulary allocation and overlap across languages.

Limisiewicz et al. (2023), "Tokenization Impacts Multilingual Language Modeling: Assessing Vocabulary Allocation and
Overlap Across Languages": allocation is measured per language by the average rank (AR) of its tokens in its own
frequency ranking (AR = sum_v rank_L(v) p_L(v); higher = the language draws on more of the vocabulary) and by
characters per token; overlap between two languages by the Jensen-Shannon divergence of their token distributions.
We add the share of the vocabulary each language uses and the Jaccard overlap of the used-token sets.
"""

from __future__ import annotations

import math
from typing import AbstractSet, Mapping, Optional

from ._util import Counts, nonzero, ratio


def vocab_share(counts: Counts, vocab_size: int) -> Optional[float]:
    """Share of the vocabulary a language's text uses at least once."""
    return ratio(sum(1 for _ in nonzero(counts)), vocab_size)


def average_rank(counts: Counts) -> Optional[float]:
    """Limisiewicz et al. AR: tokens ranked by this language's frequency (1 = most frequent, ties by id), then
    sum_v rank(v) * p(v)."""
    items = sorted(nonzero(counts), key=lambda kv: (-kv[1], kv[0]))  # type: ignore[index]
    total = sum(c for _, c in items)
    if not total:
        return None
    return sum(rank * c for rank, (_, c) in enumerate(items, start=1)) / total


def used_set(counts: Counts) -> set:
    """The ids that occur."""
    return {i for i, _ in nonzero(counts)}


def jaccard(a: AbstractSet, b: AbstractSet) -> Optional[float]:
    """|a & b| / |a | b|: the overlap of two languages' used-token sets."""
    return ratio(len(a & b), len(a | b))


def jensen_shannon(p_counts: Counts, q_counts: Counts) -> Optional[float]:
    """Jensen-Shannon divergence (base 2, in [0, 1]) between two token distributions: 0 = same distribution,
    1 = disjoint tokens."""
    p = dict(nonzero(p_counts))
    q = dict(nonzero(q_counts))
    sp, sq = sum(p.values()), sum(q.values())
    if not sp or not sq:
        return None
    total = 0.0
    for t in set(p) | set(q):
        pt, qt = p.get(t, 0) / sp, q.get(t, 0) / sq
        m = (pt + qt) / 2
        if pt:
            total += 0.5 * pt * math.log2(pt / m)
        if qt:
            total += 0.5 * qt * math.log2(qt / m)
    return max(0.0, min(1.0, total))


def overlap(counts_by_lang: Mapping[str, Counts]) -> dict[tuple[str, str], dict[str, Optional[float]]]:
    """For every language pair (a < b): {"jaccard": ..., "jsd": ...}. Uses numpy when it is installed (same
    values, to rounding: JSD = H(M) - (H(P) + H(Q)) / 2 with M the average distribution)."""
    try:
        import numpy as np
    except ImportError:
        return overlap_reference(counts_by_lang)
    langs = sorted(counts_by_lang)
    dists = {lang: dict(nonzero(counts_by_lang[lang])) for lang in langs}
    ids = sorted(set().union(*dists.values()), key=repr)
    col = {t: k for k, t in enumerate(ids)}
    mat = np.zeros((len(langs), len(ids)))
    for row, lang in enumerate(langs):
        for t, c in dists[lang].items():
            mat[row, col[t]] = c
    totals = mat.sum(axis=1)
    used = mat > 0
    prob = np.divide(mat, totals[:, None], out=np.zeros_like(mat), where=totals[:, None] > 0)

    def h(p):
        q = p[p > 0]
        return float(-(q * np.log2(q)).sum())

    ent = [h(prob[r]) for r in range(len(langs))]
    out = {}
    for i, a in enumerate(langs):
        for j in range(i + 1, len(langs)):
            b = langs[j]
            union = int((used[i] | used[j]).sum())
            jac = int((used[i] & used[j]).sum()) / union if union else None
            jsd = None
            if totals[i] and totals[j]:
                jsd = max(0.0, min(1.0, h((prob[i] + prob[j]) / 2) - (ent[i] + ent[j]) / 2))
            out[(a, b)] = {"jaccard": jac, "jsd": jsd}
    return out


def overlap_reference(counts_by_lang: Mapping[str, Counts]) -> dict[tuple[str, str], dict[str, Optional[float]]]:
    """`overlap` in plain Python, pair by pair (the readable twin the numpy path is tested against)."""
    langs = sorted(counts_by_lang)
    sets = {lang: used_set(counts_by_lang[lang]) for lang in langs}
    out = {}
    for i, a in enumerate(langs):
        for b in langs[i + 1:]:
            out[(a, b)] = {"jaccard": jaccard(sets[a], sets[b]),
                           "jsd": jensen_shannon(counts_by_lang[a], counts_by_lang[b])}
    return out
