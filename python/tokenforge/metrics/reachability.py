"""Unreachable, undecodable and unused tokens — the tokenizer-side checks of Land & Bartolo (2024), "Fishing for
Magikarp: Automatically Detecting Under-trained Tokens in Large Language Models".

- undecodable: the token's bytes are not valid UTF-8 on their own (partial characters); it can only appear next to
  the rest of its character;
- unreachable: the token decodes to a string, but encoding that string does not give back the token alone (some
  other segmentation wins), so plain text never produces it in that form;
- unused: the token never occurs when a reference corpus is encoded.
Such tokens get little or no training signal and are candidates for "glitch tokens".
"""

from __future__ import annotations

from typing import AbstractSet, Iterable, Mapping

from ._util import Counts, nonzero


def undecodable_tokens(token_bytes: Mapping[int, bytes]) -> list[int]:
    """Ids whose bytes are not valid UTF-8 by themselves."""
    out = []
    for i, data in token_bytes.items():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            out.append(i)
    return sorted(out)


def unreachable_tokens(tokenizer, token_bytes: Mapping[int, bytes], *, skip: AbstractSet[int] = frozenset(),
                       batch: int = 65536) -> list[int]:
    """Decodable ids t (not in `skip`, e.g. special tokens) for which `tokenizer.encode(decode(t)) != [t]`."""
    candidates: list[tuple[int, str]] = []
    for i, data in token_bytes.items():
        if i in skip:
            continue
        try:
            candidates.append((i, data.decode("utf-8")))
        except UnicodeDecodeError:
            continue
    out = []
    for start in range(0, len(candidates), batch):
        part = candidates[start:start + batch]
        encoded = tokenizer.encode_batch([s for _, s in part], disallowed_special=())
        out.extend(i for (i, _), ids in zip(part, encoded) if ids != [i])
    return sorted(out)


def unused_tokens(counts: Counts, ids: Iterable[int]) -> list[int]:
    """Ids among `ids` that never occur in `counts` (token occurrences on a reference corpus)."""
    used = {i for i, _ in nonzero(counts)}
    return sorted(i for i in ids if i not in used)
