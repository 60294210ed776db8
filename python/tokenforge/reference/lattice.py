"""Reference lattice methods: each definition of docs/models.md written out plainly, one piece at a time.

Held equal to rust/src/lattice.rs by the tests. The edge order (by start, then end, a fallback edge last) and the
random draws are part of the definitions, so ties and samples agree exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from .rng import SplitMix64

FALLBACK = -1
UNK_PENALTY = 10.0


@dataclass(frozen=True)
class Edge:
    start: int
    end: int
    id: int  # FALLBACK for a character that is not a token


class Stuck(Exception):
    """No segmentation of the piece exists (the native core raises EncodeError, or WordPiece emits UNK)."""


class LatticeSpec:
    """The vocabulary facts the methods need, from any model (see `for_model`)."""

    def __init__(self, tokens, continuation=None, scores=None, byte_ids=None, char_fallback=False, unk=None,
                 fuse_unk=False, max_word_chars=None):
        self.tokens = {bytes(t): i for t, i in tokens}
        self.continuation = None if continuation is None else {bytes(t): i for t, i in continuation}
        self.scores = list(scores) if scores is not None else None
        self.byte_ids = byte_ids
        self.char_fallback = char_fallback
        self.unk = unk
        self.fuse_unk = fuse_unk
        self.max_word_chars = max_word_chars
        finite = [s for s in (self.scores or []) if math.isfinite(s)]
        self.unk_score = (min(finite) if finite else 0.0) - UNK_PENALTY

    @classmethod
    def for_model(cls, model) -> "LatticeSpec":
        if model.kind == "bpe":
            return cls(model.vocab.items())
        if model.kind == "unigram":
            return cls(model.matched_pieces(), scores=model.scores, byte_ids=model.byte_ids(), char_fallback=True,
                       unk=model.unk_id, fuse_unk=True)
        return cls(model.initial_tokens(), continuation=model.continuation_tokens(), unk=model.unk_id,
                   max_word_chars=model.max_input_chars_per_word)


def _is_char_start(b: int) -> bool:
    return not 0x80 <= b < 0xC0


def _char_width(b: int) -> int:
    return 2 if 0xC0 <= b < 0xE0 else 3 if 0xE0 <= b < 0xF0 else 4 if 0xF0 <= b < 0xF8 else 1


def edges(spec: LatticeSpec, piece: bytes) -> list[Edge]:
    """Every token matching at every offset (shortest first), then the offset's fallback edge if any."""
    n = len(piece)
    out: list[Edge] = []
    for i in range(n):
        vocab = spec.continuation if (i > 0 and spec.continuation is not None) else spec.tokens
        here = [Edge(i, j, vocab[piece[i:j]]) for j in range(i + 1, n + 1) if piece[i:j] in vocab]
        out.extend(here)
        if spec.char_fallback and _is_char_start(piece[i]):
            end = min(i + _char_width(piece[i]), n)
            if not any(e.end == end for e in here):
                out.append(Edge(i, end, FALLBACK))
    return out


def _score(spec: LatticeSpec, e: Edge) -> float:
    return spec.unk_score if e.id == FALLBACK else spec.scores[e.id]


def _bytes_covered(spec: LatticeSpec, data: bytes) -> bool:
    return spec.byte_ids is not None and all(spec.byte_ids[b] is not None for b in data)


def _cost(spec: LatticeSpec, piece: bytes, e: Edge) -> int:
    if e.id != FALLBACK:
        return 1
    return e.end - e.start if _bytes_covered(spec, piece[e.start : e.end]) else 1


def longest_prefix(spec, piece, es, rng) -> list[Edge]:
    path, i = [], 0
    while i < len(piece):
        at = [e for e in es if e.start == i]
        tokens = [e for e in at if e.id != FALLBACK]
        if not at:
            raise Stuck(i)
        e = max(tokens, key=lambda e: e.end) if tokens else at[-1]
        path.append(e)
        i = e.end
    return path


def longest_suffix(spec, piece, es, rng) -> list[Edge]:
    path, j = [], len(piece)
    while j > 0:
        at = [e for e in es if e.end == j]
        tokens = [e for e in at if e.id != FALLBACK]
        if not at:
            raise Stuck(j)
        e = min(tokens, key=lambda e: e.start) if tokens else at[-1]
        path.append(e)
        j = e.start
    return path[::-1]


def longest_token(spec, piece, es, rng) -> list[Edge]:
    """The longest token anywhere in the span (leftmost on ties), then recursively on both sides of it."""

    def segment(a: int, b: int) -> list[Edge]:
        if a == b:
            return []
        inside = [e for e in es if e.id != FALLBACK and a <= e.start and e.end <= b]
        if not inside:
            out, i = [], a
            while i < b:
                fb = [e for e in es if e.start == i and e.id == FALLBACK]
                if not fb:
                    raise Stuck(i)
                out.append(fb[0])
                i = fb[0].end
            return out
        best = min(inside, key=lambda e: (-(e.end - e.start), e.start))
        return segment(a, best.start) + [best] + segment(best.end, b)

    return segment(0, len(piece))


def fewest(spec, piece, es, rng, random=False) -> list[Edge]:
    """Fewest tokens; among tied choices the longest token, or (random) a uniform draw where there is a choice."""
    n = len(piece)
    inf = float("inf")
    f = [inf] * (n + 1)
    f[n] = 0
    for i in range(n - 1, -1, -1):
        for e in es:
            if e.start == i and f[e.end] != inf:
                f[i] = min(f[i], _cost(spec, piece, e) + f[e.end])
    if f[0] == inf:
        raise Stuck(0)
    path, i = [], 0
    while i < n:
        tied = [e for e in es if e.start == i and f[e.end] != inf and _cost(spec, piece, e) + f[e.end] == f[i]]
        e = tied[rng.below(len(tied))] if random and len(tied) > 1 else max(tied, key=lambda e: e.end)
        path.append(e)
        i = e.end
    return path


def viterbi(spec, piece, es, rng) -> list[Edge]:
    """Highest total score; an edge replaces the best path into its end only when strictly better."""
    n = len(piece)
    best: list[Optional[float]] = [None] * (n + 1)
    back: list[Optional[Edge]] = [None] * (n + 1)
    best[0] = 0.0
    for e in es:  # edges come ordered by start, so best[e.start] is final here
        if best[e.start] is None:
            continue
        cand = best[e.start] + _score(spec, e)
        if best[e.end] is None or cand > best[e.end]:
            best[e.end], back[e.end] = cand, e
    if best[n] is None:
        raise Stuck(0)
    path, j = [], n
    while j > 0:
        path.append(back[j])
        j = back[j].start
    return path[::-1]


def _log_add(x: float, y: float) -> float:
    lo, hi = (y, x) if x > y else (x, y)
    if hi > lo + 50.0:
        return hi
    return hi + math.log(math.exp(lo - hi) + 1.0)


def sample(spec, piece, es, rng, alpha=1.0) -> list[Edge]:
    """Forward filtering (log-sum of alpha * score into each offset), then backward sampling of edges."""
    n = len(piece)
    fwd: list[Optional[float]] = [None] * (n + 1)
    fwd[0] = 0.0
    for e in es:
        if fwd[e.start] is None:
            continue
        v = fwd[e.start] + alpha * _score(spec, e)
        fwd[e.end] = v if fwd[e.end] is None else _log_add(fwd[e.end], v)
    if fwd[n] is None:
        raise Stuck(0)
    path, j = [], n
    while j > 0:
        r = rng.uniform()
        acc, pick = 0.0, None
        for e in es:
            if e.end != j or fwd[e.start] is None:
                continue
            pick = e
            acc += math.exp(fwd[e.start] + alpha * _score(spec, e) - fwd[j])
            if r < acc:
                break
        path.append(pick)
        j = pick.start
    return path[::-1]


def emit(spec: LatticeSpec, piece: bytes, path: list[Edge]) -> list[int]:
    """Ids of a path: a fallback edge becomes its byte tokens, else the unknown token (adjacent ones fused)."""
    out: list[int] = []
    unk_end = None
    for e in path:
        if e.id != FALLBACK:
            out.append(e.id)
            unk_end = None
            continue
        data = piece[e.start : e.end]
        if _bytes_covered(spec, data):
            out.extend(spec.byte_ids[b] for b in data)
            unk_end = None
        elif spec.unk is not None:
            if not (spec.fuse_unk and unk_end == e.start):
                out.append(spec.unk)
            unk_end = e.end
        else:
            raise Stuck(e.start)
    return out


METHODS = {
    "longest_prefix": longest_prefix,
    "longest_suffix": longest_suffix,
    "longest_token": longest_token,
    "fewest": fewest,
    "viterbi": viterbi,
    "sample": sample,
}


def encode_piece(spec: LatticeSpec, piece: bytes, method: str, rng: SplitMix64, **options) -> list[int]:
    """Ids of one piece; raises `Stuck` where the native core raises EncodeError."""
    if not piece:
        return []
    if spec.max_word_chars is not None and sum(_is_char_start(b) for b in piece) > spec.max_word_chars:
        return _word_unknown(spec)
    kw = {}
    if method == "fewest":
        kw["random"] = options.get("tie_break") == "random"
    if method == "sample":
        kw["alpha"] = options.get("alpha", 1.0)
    try:
        return emit(spec, piece, METHODS[method](spec, piece, edges(spec, piece), rng, **kw))
    except Stuck:
        if spec.max_word_chars is not None:
            return _word_unknown(spec)
        raise


def _word_unknown(spec: LatticeSpec) -> list[int]:
    if spec.unk is None:
        raise Stuck(0)
    return [spec.unk]


def nbest_piece(spec: LatticeSpec, piece: bytes, k: int) -> list[tuple[list[int], float]]:
    """The k best segmentations by score, best first. Every path into every offset, ranked by score with ties in
    the order they are found (edges in enumeration order, each extending the paths into its start in rank
    order); exhaustive, so only for short pieces."""
    es = edges(spec, piece)
    n = len(piece)
    ranked: list[list[tuple[float, list[Edge]]]] = [[] for _ in range(n + 1)]
    ranked[0] = [(0.0, [])]
    for j in range(1, n + 1):
        found = [(score + _score(spec, e), p + [e]) for e in es if e.end == j for score, p in ranked[e.start]]
        ranked[j] = sorted(found, key=lambda sp: -sp[0])  # stable
    return [(emit(spec, piece, p), s) for s, p in ranked[n][:k]]
