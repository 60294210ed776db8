"""Reference BPE-dropout: at each step visit the applicable merges best first (lowest rank, then leftmost), drop
each with probability p, apply the first one kept; stop when a step drops them all. Same generator and draws as
rust/src/bpe_dropout.rs."""

from __future__ import annotations

from ..models.bpe import BpeModel
from .bpe import merge_ranks
from .rng import SplitMix64


def initial_parts(model: BpeModel, piece: bytes) -> list[bytes]:
    if not model.char_level:
        return [piece[i : i + 1] for i in range(len(piece))]
    parts = []
    for ch in piece.decode("utf-8"):
        raw = ch.encode("utf-8")
        parts.extend([raw] if raw in model.vocab else [raw[i : i + 1] for i in range(len(raw))])
    return parts


def encode_piece(model: BpeModel, piece: bytes, p: float, rng: SplitMix64, ranks=None) -> list[int]:
    if ranks is None:
        ranks = merge_ranks(model)
    if p <= 0.0 and (model.whole_piece_first or len(piece) == 1) and piece in model.vocab:
        return [model.vocab[piece]]
    parts = initial_parts(model, piece)
    while True:
        candidates = sorted(
            (ranks[(parts[i], parts[i + 1])], i) for i in range(len(parts) - 1) if (parts[i], parts[i + 1]) in ranks
        )
        kept = next((i for _, i in candidates if not rng.uniform() < p), None)
        if kept is None:
            break
        parts[kept : kept + 2] = [parts[kept] + parts[kept + 1]]
    return [model.vocab[x] for x in parts]
