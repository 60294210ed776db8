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

META_SPACE = "\u2581".encode("utf-8")


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
    """Decodable ids t (not in `skip`, e.g. special tokens) for which encoding t's decoded string,
    `tokenizer.decode([t])`, does not give back [t].

    SentencePiece-style vocabularies (over 5% of entries start with "▁", the word-start mark) add a dummy space
    before the text, so a piece that continues a word can never come out of its string alone; such a piece counts
    as reachable when it comes out last after a digit, `encode("0" + s) == ids_of("0") + [t]` (the digit keeps it
    inside a word)."""
    starts = sum(1 for i, data in token_bytes.items() if i not in skip and data.startswith(META_SPACE))
    marks_word_start = starts > 0.05 * max(len(token_bytes), 1)  # a SentencePiece vocabulary, not a stray "▁"
    candidates: list[tuple[int, str]] = []
    for i, data in token_bytes.items():
        if i in skip:
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        # byte-level tokens decode to their own bytes; only "▁" vocabularies need the tokenizer's decoder
        candidates.append((i, tokenizer.decode([i]) if marks_word_start else text))
    # Every string is encoded and the id compared: a single token that comes out may still be another id (a
    # normalizer maps a compatibility character to its canonical form, which has a token of its own).
    failed: list[tuple[int, str]] = []
    for part in _batches(candidates, batch):
        encoded = tokenizer.encode_batch([s for _, s in part], disallowed_special=())
        failed.extend((i, s) for (i, s), ids in zip(part, encoded) if ids != [i])
    if not marks_word_start:
        return sorted(i for i, _ in failed)
    out = []
    for part in _batches([(i, s) for i, s in failed if not token_bytes[i].startswith(META_SPACE)], batch):
        encoded = tokenizer.encode_batch(["0" + s for _, s in part], disallowed_special=())
        for (i, _), ids in zip(part, encoded):
            if not (ids and ids[-1] == i and tokenizer.decode(ids[:-1]).strip() == "0"):
                out.append(i)
    out.extend(i for i, _ in failed if token_bytes[i].startswith(META_SPACE))
    return sorted(out)


def _batches(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def unused_tokens(counts: Counts, ids: Iterable[int]) -> list[int]:
    """Ids among `ids` that never occur in `counts` (token occurrences on a reference corpus)."""
    used = {i for i, _ in nonzero(counts)}
    return sorted(i for i in ids if i not in used)
