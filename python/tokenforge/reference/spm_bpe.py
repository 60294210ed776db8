"""Twin of the native SentencePiece BPE encode: SP's algorithm as SentencePiece describes it, in plain Python.

The normalized text is split into characters (a user-defined symbol, longest first, is one frozen symbol); then,
repeatedly, of all adjacent pairs of unfrozen symbols whose concatenation is a piece, the one whose piece has the
highest score is merged (leftmost first on equal scores) — over the whole text, with no pre-splitting, no rank
table and no cache, unlike the native path. A symbol that is not a piece is unknown: with byte fallback it becomes
its UTF-8 byte pieces, otherwise the unknown id, a run of unknowns reported as one.
"""

from __future__ import annotations

import heapq

from ..formats.sentencepiece.model import BYTE, CONTROL, NORMAL, UNKNOWN, USER_DEFINED, SentencePieceModel
from .spm_normalize import Charsmap, normalize


def sp_normalize(model: SentencePieceModel, text: str) -> str:
    ns, ts = model.normalizer_spec, model.trainer_spec
    return normalize(
        text,
        charsmap=Charsmap(ns.precompiled_charsmap) if ns.precompiled_charsmap else None,
        add_dummy_prefix=ns.add_dummy_prefix,
        remove_extra_whitespaces=ns.remove_extra_whitespaces,
        escape_whitespaces=ns.escape_whitespaces,
        treat_whitespace_as_suffix=ts.treat_whitespace_as_suffix,
        user_defined=[p.piece for p in model.pieces if p.type == USER_DEFINED],
    )


def merge_symbols(model: SentencePieceModel, normalized: str) -> list[str]:
    """The symbols SP's BPE ends with (before unknown handling)."""
    pieces = {p.piece: p.score for p in model.pieces if p.type in (NORMAL, USER_DEFINED)}
    user_defined = sorted((p.piece for p in model.pieces if p.type == USER_DEFINED), key=len, reverse=True)
    symbols: list[str] = []
    frozen: list[bool] = []
    i = 0
    while i < len(normalized):
        hit = next((u for u in user_defined if normalized.startswith(u, i)), None)
        symbols.append(hit or normalized[i])
        frozen.append(hit is not None)
        i += len(hit) if hit else 1
    n = len(symbols)
    prev = list(range(-1, n - 1))
    nxt = list(range(1, n + 1))
    nxt[-1:] = [-1] if n else []
    agenda: list[tuple[float, int, int, str]] = []

    def consider(left: int, right: int) -> None:
        if left < 0 or right < 0 or frozen[left] or frozen[right]:
            return
        joined = symbols[left] + symbols[right]
        if joined in pieces:
            heapq.heappush(agenda, (-pieces[joined], left, right, joined))

    for k in range(n - 1):
        consider(k, k + 1)
    while agenda:
        _, left, right, joined = heapq.heappop(agenda)
        if not symbols[left] or not symbols[right] or symbols[left] + symbols[right] != joined:
            continue  # stale: one side has been merged since
        symbols[left], symbols[right] = joined, ""
        nxt[left] = nxt[right]
        if nxt[right] >= 0:
            prev[nxt[right]] = left
        consider(prev[left], left)
        consider(left, nxt[left])
    return [s for s in symbols if s]


def encode(model: SentencePieceModel, text: str) -> list[int]:
    """What `SentencePieceTokenizer.encode(text)` must return."""
    ids_of = {p.piece: i for i, p in enumerate(model.pieces) if p.type in (NORMAL, USER_DEFINED)}
    byte_ids = {int(p.piece[3:5], 16): i for i, p in enumerate(model.pieces) if p.type == BYTE}
    unk = next(i for i, p in enumerate(model.pieces) if p.type == UNKNOWN)
    out: list[int] = []
    for symbol in merge_symbols(model, sp_normalize(model, text)):
        if symbol in ids_of:
            out.append(ids_of[symbol])
        elif model.trainer_spec.byte_fallback:
            out.extend(byte_ids[b] for b in symbol.encode("utf-8"))
        elif not (out and out[-1] == unk):
            out.append(unk)
    return out


__all__ = ["encode", "merge_symbols", "sp_normalize", "CONTROL"]
