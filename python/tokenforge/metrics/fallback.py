"""UNK and byte-fallback rates: how often a tokenizer fails to find a real unit for the text.

An UNK token loses the text; a byte-fallback token spells a character as raw bytes (SentencePiece's byte fallback,
or a byte-level BPE token that holds only part of a UTF-8 character). Both are shares of token occurrences.
"""

from __future__ import annotations

from typing import AbstractSet, Optional

from ._util import Counts, dense, nonzero, ratio


def is_partial_utf8(token: bytes) -> bool:
    """True when the token's bytes are not valid UTF-8 on their own (part of a character)."""
    try:
        token.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def rate_of(counts: Counts, ids: AbstractSet[int]) -> Optional[float]:
    """Share of token occurrences whose id is in `ids`."""
    array = dense(counts)
    if array is not None:
        inside = [i for i in ids if 0 <= i < array.size]
        return ratio(int(array[inside].sum()) if inside else 0, int(array.sum()))
    total = hit = 0
    for i, c in nonzero(counts):
        total += c
        if i in ids:
            hit += c
    return ratio(hit, total)


def unk_rate(counts: Counts, unk_ids: AbstractSet[int]) -> Optional[float]:
    """Share of token occurrences that are the unknown token (0 for byte-level models, which have none)."""
    return rate_of(counts, unk_ids)


def byte_fallback_rate(counts: Counts, partial_ids: AbstractSet[int]) -> Optional[float]:
    """Share of token occurrences that are partial-UTF-8 tokens, i.e. text spelled as bytes."""
    return rate_of(counts, partial_ids)
