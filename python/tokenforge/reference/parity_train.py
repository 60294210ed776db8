"""Reference parity-aware BPE trainer: recount every language's pairs and re-measure every dev set before every
merge. Slow and obviously right; the native policy (incremental per-language counts, dev words in the engine's
table) must learn exactly the same merges."""

from __future__ import annotations

from collections import Counter
from typing import Mapping, Optional, Sequence

from .bpe_train import add_token, merge_symbols


def train_parity_merges(
    train: Sequence[Mapping[bytes, int]],
    dev: Sequence[Mapping[bytes, int]],
    alphabet: Sequence[bytes],
    new_tokens: int,
    *,
    global_tokens: int = 0,
    first_id: int = 0,
    min_frequency: int = 0,
    max_token_length: Optional[int] = None,
    forbidden: Sequence[bytes] = (),
    window: int = 0,
    alpha: float = 2.0,
) -> tuple[dict[bytes, int], list[tuple[bytes, bytes]], list[int]]:
    """Byte-level parity-aware BPE from per-language pretoken counts. `train[l]` / `dev[l]`: language l's training
    and dev pretokens. While fewer than `global_tokens` tokens are new, the most frequent pair over all languages;
    then the most frequent pair of the language whose dev text has the most tokens (ties: lower index), falling to
    the next-worst language when one has no mergeable pair. Pair ties: smaller (left id, right id).
    `window` > 0 (moving-window variant): a language chosen more than `alpha / len(train)` of the last `window`
    parity steps is passed over unless no other language can be served.
    Returns (vocab, merges, language per merge with -1 for a global merge)."""
    vocab = {tok: first_id + k for k, tok in enumerate(alphabet)}
    by_id = {i: t for t, i in vocab.items()}
    # train_words[l] / dev_words[l]: [symbols, count]; symbols are rewritten in place by every merge.
    train_words = [[[list(vocab[piece[i:i + 1]] for i in range(len(piece))), c] for piece, c in sorted(t.items())]
                   for t in train]
    dev_words = [[[list(vocab[piece[i:i + 1]] for i in range(len(piece))), c] for piece, c in sorted(d.items())]
                 for d in dev]
    merges: list[tuple[bytes, bytes]] = []
    chosen: list[int] = []
    chosen_parity: list[int] = []  # the languages of the parity steps, for the window
    banned: set[tuple[int, int]] = set()
    added = 0
    floor = max(1, min_frequency)

    def pair_counts(words) -> Counter:
        pairs: Counter = Counter()
        for symbols, count in words:
            for a, b in zip(symbols, symbols[1:]):
                pairs[(a, b)] += count
        return pairs

    def best(pairs: Counter) -> Optional[tuple[int, int]]:
        """The most frequent allowed pair (ties: smaller ids); pairs that can never merge are banned on the way."""
        while True:
            candidates = [(c, p) for p, c in pairs.items() if p not in banned and c >= floor]
            if not candidates:
                return None
            top = max(c for c, _ in candidates)
            a, b = min(p for c, p in candidates if c == top)
            joined = by_id[a] + by_id[b]
            if (max_token_length is not None and len(joined) > max_token_length) or joined in forbidden:
                banned.add((a, b))
                continue
            return a, b

    while added < new_tokens:
        if added < global_tokens:
            total: Counter = Counter()
            for words in train_words:
                total.update(pair_counts(words))
            pick, who = best(total), -1
        else:
            dev_tokens = [sum(len(s) * c for s, c in words) for words in dev_words]
            order = sorted(range(len(train)), key=lambda l: (-dev_tokens[l], l))
            pick, who = None, -1
            recent = chosen_parity[-window:] if window > 0 else []
            over = {l for l in order if window > 0 and recent.count(l) / window > alpha / len(train)}
            for candidates in ([l for l in order if l not in over], order if window > 0 else []):
                for lang in candidates:
                    pick = best(pair_counts(train_words[lang]))
                    if pick is not None:
                        who = lang
                        break
                if pick is not None:
                    break
            if pick is not None:
                chosen_parity.append(who)
        if pick is None:
            break
        a, b = pick
        joined = by_id[a] + by_id[b]
        new, is_new = add_token(vocab, by_id, joined)
        added += is_new
        merges.append((by_id[a], by_id[b]))
        chosen.append(who)
        banned.add((a, b))  # no occurrence is left after the merge
        for words in (*train_words, *dev_words):
            for entry in words:
                entry[0] = merge_symbols(entry[0], a, b, new)
    return vocab, merges, chosen



def dev_token_counts(dev: Sequence[Mapping[bytes, int]], merges: Sequence[tuple[bytes, bytes]]) -> list[int]:
    """Tokens of each dev set after applying `merges` in order to every pretoken (what the policy measures)."""
    result = []
    for table in dev:
        n = 0
        for piece, count in table.items():
            symbols = [piece[i:i + 1] for i in range(len(piece))]
            for a, b in merges:
                out, i = [], 0
                while i < len(symbols):
                    if i + 1 < len(symbols) and symbols[i] == a and symbols[i + 1] == b:
                        out.append(a + b)
                        i += 2
                    else:
                        out.append(symbols[i])
                        i += 1
                symbols = out
            n += len(symbols) * count
        result.append(n)
    return result
