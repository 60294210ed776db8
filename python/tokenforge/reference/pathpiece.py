"""Pure-Python twin of `rust/src/pathpiece_train.rs`: fewest-tokens segmentation and PathPiece removal costs."""

from __future__ import annotations

import math
from typing import Iterable, Optional, Sequence

INF = math.inf


def lattice(word: bytes, tokens: "set[bytes] | dict[bytes, int]", max_len: int) -> list[list[int]]:
    """For each start position, the lengths of the tokens found there, longest first."""
    n = len(word)
    out = []
    for i in range(n):
        found = [k for k in range(min(max_len, n - i), 0, -1) if word[i:i + k] in tokens]
        out.append(found)
    return out


def fewest(word: bytes, edges: list[list[int]], banned: Optional[bytes] = None) -> tuple[float, list[bytes]]:
    """Fewest tokens for `word` over its lattice, never using `banned`; ties go to the longest token first at each
    position from the left. Returns (count, tokens), or (inf, []) when no path exists."""
    n = len(word)
    # cost[i]: fewest tokens for word[i:]; computed right to left so the choice at i can prefer the longest token.
    cost = [INF] * (n + 1)
    pick = [0] * (n + 1)
    cost[n] = 0
    for i in range(n - 1, -1, -1):
        for k in edges[i]:
            if cost[i + k] + 1 < cost[i] and (banned is None or word[i:i + k] != banned):
                cost[i] = cost[i + k] + 1
                pick[i] = k
    if cost[0] == INF:
        return INF, []
    out, i = [], 0
    while i < n:
        out.append(word[i:i + pick[i]])
        i += pick[i]
    return cost[0], out


def removal_costs(words: Sequence[tuple[bytes, int]], tokens: set[bytes], max_len: int) -> tuple[dict[bytes, int], int]:
    """(increase of the corpus token count if each token alone were removed, current corpus token count)."""
    costs = {t: 0 for t in tokens}
    total = 0
    for word, count in words:
        edges = lattice(word, tokens, max_len)
        n, path = fewest(word, edges)
        total += int(n) * count
        for t in set(path):
            if len(t) == 1:
                continue  # bytes stay
            m, _ = fewest(word, edges, banned=t)
            costs[t] += int(m - n) * count
    return costs, total


def corpus_tokens(words: Iterable[tuple[bytes, int]], tokens: set[bytes]) -> int:
    """Corpus token count under fewest-tokens segmentation."""
    max_len = max(len(t) for t in tokens)
    total = 0
    for word, count in words:
        n, _ = fewest(word, lattice(word, tokens, max_len))
        total += int(n) * count
    return total
