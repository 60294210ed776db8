"""Reference BPE trainer: recount every pair before every merge. Slow and obviously right; the native engine
(incremental counts, lazy heap) must learn exactly the same merges."""

from __future__ import annotations

from collections import Counter
from typing import Mapping, Optional, Sequence


def train_merges(
    word_counts: Mapping[bytes, int],
    alphabet: Sequence[bytes],
    new_tokens: int,
    *,
    first_id: int = 0,
    min_frequency: int = 0,
    max_token_length: Optional[int] = None,
    forbidden: Sequence[bytes] = (),
    char_level: bool = False,
) -> tuple[dict[bytes, int], list[tuple[bytes, bytes]]]:
    """Byte-level (or char-level) BPE from pretoken counts. Ids: `alphabet` in order from `first_id`, then new
    tokens. Policy: the most frequent adjacent pair; ties to the smaller (left id, right id)."""
    vocab = {tok: first_id + k for k, tok in enumerate(alphabet)}
    by_id = {i: t for t, i in vocab.items()}
    length = (lambda t: len(t.decode("utf-8", "replace"))) if char_level else len
    words: list[tuple[list[int], int]] = []
    for piece, count in sorted(word_counts.items()):
        for run in _initial_runs(piece, vocab, char_level):
            if len(run) > 1:
                words.append((run, count))
    merges: list[tuple[bytes, bytes]] = []
    banned: set[tuple[int, int]] = set()
    added = 0
    while added < new_tokens:
        pairs: Counter = Counter()
        for symbols, count in words:
            for a, b in zip(symbols, symbols[1:]):
                pairs[(a, b)] += count
        candidates = [(c, p) for p, c in pairs.items() if p not in banned and c >= max(1, min_frequency)]
        if not candidates:
            break
        best_count = max(c for c, _ in candidates)
        a, b = min(p for c, p in candidates if c == best_count)
        joined = by_id[a] + by_id[b]
        if (max_token_length is not None and length(by_id[a]) + length(by_id[b]) > max_token_length) or joined in forbidden:
            banned.add((a, b))
            continue
        new, is_new = add_token(vocab, by_id, joined)
        added += is_new
        merges.append((by_id[a], by_id[b]))
        banned.add((a, b))  # its occurrences are all gone after this merge
        for symbols, _ in words:
            symbols[:] = merge_symbols(symbols, a, b, new)
    return vocab, merges


def add_token(vocab: dict, by_id: dict, joined) -> tuple[int, bool]:
    """The id of `joined`: the one it has, or (a new token) the next id after the largest. Returns (id, is new)."""
    if joined in vocab:
        return vocab[joined], False
    vocab[joined] = max(by_id) + 1
    by_id[vocab[joined]] = joined
    return vocab[joined], True


def merge_symbols(symbols: list[int], a: int, b: int, new: int) -> list[int]:
    """`symbols` with each occurrence of the pair (a, b), left to right and not overlapping, replaced by `new`."""
    out: list[int] = []
    i = 0
    while i < len(symbols):
        if i + 1 < len(symbols) and symbols[i] == a and symbols[i + 1] == b:
            out.append(new)
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out


def _initial_runs(piece: bytes, vocab: Mapping[bytes, int], char_level: bool) -> list[list[int]]:
    if not char_level:
        return [[vocab[piece[i : i + 1]] for i in range(len(piece))]]
    runs: list[list[int]] = [[]]
    for ch in piece.decode("utf-8", "replace"):
        i = vocab.get(ch.encode("utf-8"))
        if i is None:
            runs.append([])
        else:
            runs[-1].append(i)
    return runs
