"""Pure-Python twin of `rust/src/unigram_train.rs`: the Unigram trainer's E-step, corpus Viterbi counts and each
piece's best alternative segmentation. Slow and plain; the tests hold it equal to the native core.

Words are (text, count) pairs; pieces are strings with log-probability scores. A position that no one-character
piece covers gets an unknown edge of one character scored `unk_score`; its counts go to slot `len(pieces)`.
"""

from __future__ import annotations

import math

from ..util.math import digamma  # noqa: F401  (the M-step's psi, shared with the trainer)

NEG_INF = float("-inf")


def lattice(word: str, pieces: dict[str, int], max_len: int) -> list[tuple[int, int, int]]:
    """Edges (start, end, piece id) of `word`'s lattice, ordered by start then end; unknown edges have id -1."""
    edges = []
    for start in range(len(word)):
        here = []
        for end in range(start + 1, min(len(word), start + max_len) + 1):
            pid = pieces.get(word[start:end])
            if pid is not None:
                here.append((start, end, pid))
        if not here or here[0][1] != start + 1:
            here.insert(0, (start, start + 1, -1))
        edges.extend(here)
    return edges


def _log_add(a: float, b: float) -> float:
    if a == NEG_INF:
        return b
    if b == NEG_INF:
        return a
    hi, lo = (a, b) if a > b else (b, a)
    return hi + math.log1p(math.exp(lo - hi))


def _index(pieces: list[str]) -> tuple[dict[str, int], int]:
    index: dict[str, int] = {}
    for i, p in enumerate(pieces):
        index.setdefault(p, i)
    return index, max((len(p) for p in pieces), default=1)


def e_step(words, pieces, scores, unk_score):
    """(expected count of each piece, unknown last; sum over words of count * log Z)."""
    index, max_len = _index(pieces)
    unk = len(pieces)
    expected = [0.0] * (len(pieces) + 1)
    loglik = 0.0
    for word, count in words:
        n = len(word)
        if n == 0:
            continue
        edges = [(s, e, unk if i < 0 else i) for s, e, i in lattice(word, index, max_len)]
        score = [unk_score if i == unk else scores[i] for _, _, i in edges]
        alpha = [NEG_INF] * (n + 1)
        alpha[0] = 0.0
        for (s, e, _), sc in zip(edges, score):
            alpha[e] = _log_add(alpha[e], alpha[s] + sc)
        beta = [NEG_INF] * (n + 1)
        beta[n] = 0.0
        for (s, e, _), sc in reversed(list(zip(edges, score))):
            beta[s] = _log_add(beta[s], sc + beta[e])
        z = alpha[n]
        loglik += count * z
        for (s, e, i), sc in zip(edges, score):
            expected[i] += count * math.exp(alpha[s] + sc + beta[e] - z)
    return expected, loglik


def viterbi(n, edges, scores, unk, unk_score, skip=None):
    """Best path's ids over `edges`; ties keep the first edge found; `skip` is an edge that may not be used."""
    best = [NEG_INF] * (n + 1)
    back = [None] * (n + 1)
    best[0] = 0.0
    for k, (s, e, i) in enumerate(edges):
        if (s, e, i) == skip or best[s] == NEG_INF:
            continue
        sc = best[s] + (unk_score if i == unk else scores[i])
        if sc > best[e]:
            best[e], back[e] = sc, k
    if n == 0 or back[n] is None:
        return []
    path, at = [], n
    while at > 0:
        s, _, i = edges[back[at]]
        path.append(i)
        at = s
    return path[::-1]


def viterbi_counts(words, pieces, scores, unk_score):
    """How often each piece (unknown last) occurs in the Viterbi segmentation of the corpus."""
    index, max_len = _index(pieces)
    unk = len(pieces)
    freq = [0] * (len(pieces) + 1)
    for word, count in words:
        edges = [(s, e, unk if i < 0 else i) for s, e, i in lattice(word, index, max_len)]
        for i in viterbi(len(word), edges, scores, unk, unk_score):
            freq[i] += count
    return freq


def alternatives(pieces, scores, unk_score):
    """Per piece: (0, []) its best segmentation splits it; (1, []) it has no other; (2, ids) the best without it."""
    index, max_len = _index(pieces)
    unk = len(pieces)
    out = []
    for i, piece in enumerate(pieces):
        edges = [(s, e, unk if j < 0 else j) for s, e, j in lattice(piece, index, max_len)]
        if len(viterbi(len(piece), edges, scores, unk, unk_score)) != 1:
            out.append((0, []))
            continue
        alt = viterbi(len(piece), edges, scores, unk, unk_score, skip=(0, len(piece), i))
        out.append((2, alt) if alt else (1, []))
    return out


def seed_substrings(words, allowed: str, max_len: int, size: int) -> list[tuple[str, int]]:
    """Substrings of 2..max_len characters within runs of `allowed` characters, counted over the words (weighted
    by their counts); those seen at least twice, top `size` by count x length, ties to the smaller string."""
    ok = set(allowed)
    counts: dict[str, int] = {}
    for w, c in words:
        n, start = len(w), 0
        while start < n:
            while start < n and w[start] not in ok:
                start += 1
            end = start
            while end < n and w[end] in ok:
                end += 1
            for i in range(start, end):
                for j in range(i + 2, min(end, i + max_len) + 1):
                    counts[w[i:j]] = counts.get(w[i:j], 0) + c
            start = end
    ranked = sorted(((s, c) for s, c in counts.items() if c >= 2), key=lambda sc: (-sc[1] * len(sc[0]), sc[0]))
    return ranked[:size]
