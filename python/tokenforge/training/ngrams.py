"""Word n-grams of a corpus: the candidates of multi-word tokens (MWT).

A *word pretoken* is a pretoken made of letters, with at most one leading space (" the", "of"): GPT-style
pre-tokenizers attach the space to the word that follows it. An n-gram is n consecutive word pretokens inside one
record; anything else (digits, punctuation, line breaks) ends the run, so n-grams never cross sentence punctuation.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Sequence


def is_word_piece(piece: str) -> bool:
    body = piece[1:] if piece.startswith(" ") else piece
    return body.isalpha()


def count_ngrams(piece_lists: Iterable[Sequence[str]], sizes: Sequence[int], counts: "Counter | None" = None) -> Counter:
    """Counts of every word n-gram (as a tuple of pretokens) for n in `sizes`."""
    counts = Counter() if counts is None else counts
    for pieces in piece_lists:
        run: list[str] = []
        for p in [*pieces, ""]:
            if p and is_word_piece(p):
                run.append(p)
                continue
            for n in sizes:
                for i in range(len(run) - n + 1):
                    counts[tuple(run[i : i + n])] += 1
            run = []
    return counts


def top_ngrams(counts: Counter, k: int, min_count: int = 2) -> list[tuple[str, ...]]:
    """The `k` most frequent n-grams seen at least `min_count` times; ties to the smaller tuple (deterministic)."""
    ranked = sorted((kv for kv in counts.items() if kv[1] >= min_count), key=lambda kv: (-kv[1], kv[0]))
    return [k_ for k_, _ in ranked[:k]]
