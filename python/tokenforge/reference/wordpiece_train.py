"""Reference WordPiece trainer: recount every pair and symbol before every merge. Slow and obviously right; the
native engine under the likelihood policy (incremental counts, lazily validated heap) must learn the same merges.

A symbol is `(continuation, text)`: `(False, "un")` starts a word, `(True, "able")` continues one (`##able`).
"""

from __future__ import annotations

from collections import Counter
from typing import Mapping, Optional, Sequence

from .bpe_train import add_token, merge_symbols

Symbol = tuple[bool, str]


def score(pair_count: int, left_count: int, right_count: int) -> float:
    """count(ab) / (count(a) * count(b)) in floating point, computed exactly as the native engine does."""
    return float(pair_count) / max(float(left_count) * float(right_count), 1.0)


def train_wordpiece(
    word_counts: Mapping[str, int],
    alphabet: Sequence[Symbol],
    new_tokens: int,
    *,
    first_id: int = 0,
    min_frequency: int = 0,
    max_token_length: Optional[int] = None,
    forbidden: Sequence[str] = (),
    forbidden_prefix: str = "##",
) -> tuple[dict[Symbol, int], list[tuple[Symbol, Symbol]]]:
    """WordPiece from word counts. Ids: `alphabet` in order from `first_id`, then new tokens. Each step merges
    the pair with the highest score; ties to the more frequent pair, then the smaller (left id, right id). A word
    holding a character outside the alphabet is left out."""
    vocab = {sym: first_id + k for k, sym in enumerate(alphabet)}
    by_id = {i: s for s, i in vocab.items()}
    words: list[tuple[list[int], int]] = []
    for word, count in sorted(word_counts.items()):
        symbols = [vocab.get((k > 0, ch)) for k, ch in enumerate(word)]
        if word and count > 0 and None not in symbols:
            words.append((symbols, count))
    merges: list[tuple[Symbol, Symbol]] = []
    banned: set[tuple[int, int]] = set()
    added = 0
    while added < new_tokens:
        pairs: Counter = Counter()
        singles: Counter = Counter()
        for symbols, count in words:
            for s in symbols:
                singles[s] += count
            for a, b in zip(symbols, symbols[1:]):
                pairs[(a, b)] += count
        candidates = [
            (score(c, singles[a], singles[b]), c, -a, -b)
            for (a, b), c in pairs.items()
            if (a, b) not in banned and c >= max(1, min_frequency)
        ]
        if not candidates:
            break
        _, _, a, b = max(candidates)
        a, b = -a, -b
        (cont, left), (_, right) = by_id[a], by_id[b]
        joined = (cont, left + right)
        too_long = max_token_length is not None and len(joined[1]) > max_token_length
        if too_long or (not cont and (joined[1] in forbidden or joined[1].startswith(forbidden_prefix))):
            banned.add((a, b))
            continue
        new, is_new = add_token(vocab, by_id, joined)
        added += is_new
        merges.append((by_id[a], by_id[b]))
        banned.add((a, b))  # its occurrences are all gone after this merge
        for symbols, _ in words:
            symbols[:] = merge_symbols(symbols, a, b, new)
    return vocab, merges
