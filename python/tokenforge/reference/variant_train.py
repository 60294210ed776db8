"""Reference trainers for SuperBPE and BoundlessBPE: recount every candidate before every merge.

Slow and obviously right; the native engine (incremental counts, lazy heap, supermerge bookkeeping) must learn
exactly the same merges. The policy is the engine's: the most frequent candidate; ties to ordinary pairs before
supermerges, then to the smaller (left id, right id).
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Mapping, Optional, Sequence

from .bpe import encode_piece
from .bpe_train import add_token, merge_symbols
from .pretokenize import pretokenize

_WS = b" \t\n\r\x0b\x0c"


def count_words(token: bytes) -> int:
    """Runs of bytes that are not ASCII whitespace (SuperBPE's words per token)."""
    return len(bytes(b if b not in _WS else 32 for b in token).split())


def crosses_sentence(token: bytes, punctuation: bytes) -> bool:
    """A character of `punctuation`, whitespace right after it, then more text: "end. The" (not "std::io")."""
    i = 0
    while i < len(token):
        if token[i] in punctuation:
            j = i + 1
            while j < len(token) and token[j] in punctuation:
                j += 1
            k = j
            while k < len(token) and token[k] in _WS:
                k += 1
            if k > j and k < len(token):
                return True
            i = j
        else:
            i += 1
    return False



def learn(segmented: Mapping[bytes, list[int]], counts: Mapping[bytes, int], by_id: dict[int, bytes], new_tokens: int,
          *, max_words: Optional[int] = None, punctuation: bytes = b"", records: Sequence[tuple[list[Optional[bytes]], int]] = ()
          ) -> list[tuple[bytes, bytes, bool]]:
    """Learns on pieces `segmented` (piece -> ids, changed in place) counted `counts`; `by_id` grows with the new
    tokens. `records` (piece sequences, None for a piece that never joins a superword) turns on BoundlessBPE's
    supermerges. Returns (left, right, is_supermerge) in the order learned."""
    vocab = {t: i for i, t in by_id.items()}
    units = [(list(seq), c) for seq, c in records]
    learned: list[tuple[bytes, bytes, bool]] = []
    banned: set[tuple[bool, int, int]] = set()
    added = 0
    while added < new_tokens:
        cand: Counter = Counter()
        for piece, ids in segmented.items():
            for a, b in zip(ids, ids[1:]):
                cand[(False, a, b)] += counts[piece]
        for seq, c in units:
            for p, q in zip(seq, seq[1:]):
                if p is not None and q is not None and len(segmented[p]) == 1 and len(segmented[q]) == 1:
                    cand[(True, segmented[p][0], segmented[q][0])] += c
        live = [(c, k) for k, c in cand.items() if k not in banned]
        if not live:
            break
        best = max(c for c, _ in live)
        key = min(k for c, k in live if c == best)
        sup, a, b = key
        joined = by_id[a] + by_id[b]
        if (max_words is not None and count_words(joined) > max_words) or crosses_sentence(joined, punctuation):
            banned.add(key)
            continue
        new, is_new = add_token(vocab, by_id, joined)
        added += is_new
        learned.append((by_id[a], by_id[b], sup))
        if sup:
            for seq, _ in units:
                i = 0
                while i + 1 < len(seq):
                    p, q = seq[i], seq[i + 1]
                    if (p is not None and q is not None and segmented[p] == [a] and segmented[q] == [b]):
                        seq[i] = seq[i + 1] = None
                        i += 2
                    else:
                        i += 1
        else:
            banned.add(key)  # its occurrences are all gone
            for piece in segmented:
                segmented[piece] = merge_symbols(segmented[piece], a, b, new)
    return learned


def _byte_ids(by_id: Mapping[int, bytes]) -> dict[bytes, int]:
    return {t: i for i, t in by_id.items() if len(t) == 1}


def superbpe(texts: Iterable[str], alphabet: Sequence[bytes], vocab_size: int, transition: int, stage1_pattern: str,
             stage2_pattern: str, max_words: Optional[int], punctuation: bytes
             ) -> tuple[dict[bytes, int], list[tuple[bytes, bytes]]]:
    """SuperBPE from whole records: stage 1 on `stage1_pattern` pieces up to `transition` ids, stage 2 on
    `stage2_pattern` pieces (first segmented by the stage-1 merges) up to `vocab_size`, with the word bound and no
    token crossing `punctuation`."""
    from ..models.bpe import BpeModel

    texts = list(texts)
    by_id = dict(enumerate(alphabet))
    merges: list[tuple[bytes, bytes]] = []
    for pattern, target, bound, punct in ((stage1_pattern, transition, None, b""),
                                          (stage2_pattern, vocab_size, max_words, punctuation)):
        counts: Counter = Counter()
        for t in texts:
            for piece in pretokenize(t, pattern):
                counts[piece.encode("utf-8")] += 1
        model = BpeModel({t: i for i, t in by_id.items()}, list(merges), whole_piece_first=False)
        segmented = {p: encode_piece(model, p) for p in sorted(counts)}
        learned = learn(segmented, counts, by_id, target - len(by_id), max_words=bound, punctuation=punct)
        merges += [(a, b) for a, b, _ in learned]
    return {t: i for i, t in by_id.items()}, merges


def boundless(texts: Iterable[str], alphabet: Sequence[bytes], vocab_size: int, pattern: str
              ) -> tuple[dict[bytes, int], list[tuple[bytes, bytes]], list[tuple[bytes, bytes]]]:
    """BoundlessBPE from whole records: (vocab, ordinary merges, supermerges with repeats removed)."""
    by_id = dict(enumerate(alphabet))
    byte_ids = _byte_ids(by_id)
    record_counts: Counter = Counter(texts)
    counts: Counter = Counter()
    records = []
    for text, c in record_counts.items():
        pieces = [p.encode("utf-8") for p in pretokenize(text, pattern)]
        for p in pieces:
            counts[p] += c
        records.append(([None if (b"\n" in p or b"\r" in p) else p for p in pieces], c))
    segmented = {p: [byte_ids[p[i:i + 1]] for i in range(len(p))] for p in sorted(counts)}
    learned = learn(segmented, counts, by_id, vocab_size - len(by_id), records=records)
    merges = [(a, b) for a, b, s in learned if not s]
    supers = list(dict.fromkeys((a, b) for a, b, s in learned if s))
    return {t: i for i, t in by_id.items()}, merges, supers
