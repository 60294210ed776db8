"""The starting symbols of BPE training, in the id order that decides ties.

Ties between equally frequent pairs go to the smaller (left id, right id). Giving the byte-level alphabet the
order HF tokenizers gives it (its byte-level characters sorted by code point) makes our merges equal to HF's
`BpeTrainer` merges on the same counts, which the differential tests check.
"""

from __future__ import annotations

from typing import Iterable, Optional

from ..pipeline.byte_level import byte_to_char


def byte_alphabet() -> list[bytes]:
    """All 256 single bytes, ordered by their byte-level character (HF's alphabet order)."""
    table = byte_to_char()
    return [bytes([b]) for b in sorted(range(256), key=lambda b: table[b])]


def char_alphabet(
    char_counts: Iterable[tuple[str, int]],
    initial_alphabet: Iterable[str] = (),
    limit_alphabet: Optional[int] = None,
) -> list[str]:
    """Characters for char-level training: those in `initial_alphabet` always, then the most frequent ones up to
    `limit_alphabet` characters in all (HF's rule); sorted by code point. Everything else is byte fallback."""
    required = []
    for s in initial_alphabet:
        required.extend(s)
    required = list(dict.fromkeys(required))
    ranked = sorted(((c, n) for c, n in char_counts if c not in set(required)), key=lambda cn: (-cn[1], cn[0]))
    chosen = list(required)
    room = None if limit_alphabet is None else max(0, limit_alphabet - len(chosen))
    chosen.extend(c for c, _ in (ranked if room is None else ranked[:room]))
    return sorted(set(chosen))
