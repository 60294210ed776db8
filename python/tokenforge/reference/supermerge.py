"""Reference BoundlessBPE encoding: ordinary BPE per piece, then supermerges across adjacent pieces."""

from __future__ import annotations

from typing import Collection

from .bpe import encode_piece, merge_ranks
from .pipeline import _split_specials
from .pretokenize import pretokenize


def apply_supermerges(pieces: list[list[int]], ranks: dict[tuple[int, int], int], ids: dict[tuple[int, int], int]
                      ) -> list[int]:
    """Joins adjacent one-token pieces: repeatedly the candidate of lowest rank (leftmost at equal rank) whose two
    pieces are both still free; a piece joins at most once."""
    free = [len(p) == 1 for p in pieces]
    joined: dict[int, int] = {}
    while True:
        best = None
        for k in range(len(pieces) - 1):
            if free[k] and free[k + 1]:
                pair = (pieces[k][0], pieces[k + 1][0])
                if pair in ranks and (best is None or ranks[pair] < best[0]):
                    best = (ranks[pair], k)
        if best is None:
            break
        k = best[1]
        free[k] = free[k + 1] = False
        joined[k] = ids[(pieces[k][0], pieces[k + 1][0])]
    out: list[int] = []
    k = 0
    while k < len(pieces):
        if k in joined:
            out.append(joined[k])
            k += 2
        else:
            out.extend(pieces[k])
            k += 1
    return out


def encode(tokenizer, text: str, allowed_special: Collection[str] = ()) -> list[int]:
    """What a BoundlessBPE `tokenizer.encode(text, allowed_special=..., disallowed_special=())` must return."""
    model = tokenizer.model
    ranks = merge_ranks(model)
    sranks: dict[tuple[int, int], int] = {}
    sids: dict[tuple[int, int], int] = {}
    for rank, (a, b) in enumerate(model.supermerges):
        pair = (model.vocab[a], model.vocab[b])
        if pair not in sranks:
            sranks[pair] = rank
            sids[pair] = model.vocab[a + b]
    recognised = {t: i for t, i in tokenizer.special_tokens.items() if t in allowed_special}
    recognised.update(tokenizer.added_tokens)
    ids: list[int] = []
    for segment in _split_specials(text, recognised):
        if isinstance(segment, int):
            ids.append(segment)
            continue
        normalized = tokenizer.normalizer(segment)
        pieces = pretokenize(normalized, tokenizer.pretokenizer.pattern, tokenizer.pretokenizer.emit_gaps)
        ids.extend(apply_supermerges([encode_piece(model, p.encode("utf-8"), ranks) for p in pieces], sranks, sids))
    return ids
