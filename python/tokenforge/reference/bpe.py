"""Reference BPE: merge the lowest-ranked adjacent pair, leftmost first, until no pair merges."""

from __future__ import annotations

from typing import Optional

from ..models.bpe import BpeModel


def merge_ranks(model: BpeModel) -> dict[tuple[bytes, bytes], int]:
    """Pair -> rank. Rank semantics: any two tokens whose concatenation is a token merge at that token's rank."""
    if model.merges is not None:
        ranks: dict[tuple[bytes, bytes], int] = {}
        for rank, pair in enumerate(model.merges):
            ranks.setdefault(pair, rank)
        return ranks
    return {(a, b): model.vocab[a + b] for a, b in model.merge_list()}


def encode_piece(model: BpeModel, piece: bytes, ranks: Optional[dict[tuple[bytes, bytes], int]] = None) -> list[int]:
    if ranks is None:
        ranks = merge_ranks(model)
    if (model.whole_piece_first or len(piece) == 1) and piece in model.vocab:
        return [model.vocab[piece]]
    if model.char_level:
        # Characters that are tokens start as one part; any other character falls back to its bytes.
        parts = []
        for ch in piece.decode("utf-8"):
            raw = ch.encode("utf-8")
            parts.extend([raw] if raw in model.vocab else [raw[i : i + 1] for i in range(len(raw))])
    else:
        parts = [piece[i : i + 1] for i in range(len(piece))]
    while len(parts) > 1:
        best_rank, best_at = None, -1
        for i in range(len(parts) - 1):
            rank = ranks.get((parts[i], parts[i + 1]))
            if rank is not None and (best_rank is None or rank < best_rank):
                best_rank, best_at = rank, i
        if best_rank is None:
            break
        parts[best_at : best_at + 2] = [parts[best_at] + parts[best_at + 1]]
    return [model.vocab[p] for p in parts]
