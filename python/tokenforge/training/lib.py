"""LiB, the Less-is-Better model (Yang, Frank & van den Bosch 2020; proposed as an LLM tokenizer in "Rethinking
Tokenization: Crafting Better Tokenizers for Large Language Models"): a lexicon of subwords, words and multi-word
units learned by reading, under the principle of least effort (fewer tokens *and* fewer types).

The lexicon is a ranked list, seeded with the characters of the corpus. Sentences are read in batches; reading
cuts a sentence greedily into the longest lexicon units. While reading, the model
- **memorizes**: with probability `memorize_rate` (α) the concatenation of two adjacent units becomes a candidate;
  a candidate met a second time joins the lexicon at its tail (units are at most `max_unit_len` characters);
- **tests**: where a shorter unit also matches, it reads on both ways until the two readings meet again; if the
  longer unit gives no fewer tokens (or as many, with worse-ranked units), it is *redundant*: punished (moved
  towards the tail) and the shorter one rewarded; otherwise the longer unit is rewarded (moved towards the head);
- **forgets**: after each batch, moves are applied (a unit at rank r moves by `int(r * update_rate) + 1`); a unit
  pushed past the tail is dropped; units in the tail (`forget_share` of the lexicon) that go unused for `life`
  batches are dropped. Single characters are never dropped.

The tokenizer keeps the best-ranked `vocab_size - 256` units (256 byte tokens cover everything else).
"""

from __future__ import annotations

import random
import sys
from typing import Any, Callable, Optional

from ..corpus import PretokenCounts, open_corpus
from ..errors import ConfigError, CorpusError
from ..pipeline.normalizers import Normalizer
from ..tokenizers.lib import LibTokenizer
from ..util.progress import ReadingProgress
from .common import READ_OPTIONS, UNSET, no_base

DEFAULTS = dict(memorize_rate=0.25, max_unit_len=12, update_rate=0.2, life=10, forget_share=0.0001,
                batch_sentences=100, passes=2, seed=0)


class _Lexicon:
    """Ranked units with O(1) membership and rank lookup (ranks refreshed after each batch)."""

    def __init__(self, units: list[str]):
        self.units = list(units)
        self.rank = {u: i for i, u in enumerate(self.units)}
        self.max_len = max(map(len, self.units), default=1)

    def append(self, unit: str) -> None:
        self.rank[unit] = len(self.units)
        self.units.append(unit)
        self.max_len = max(self.max_len, len(unit))

    def matches(self, text: str, i: int, limit: int) -> list[str]:
        """Units that start `text` at `i`, longest first."""
        return [text[i:i + n] for n in range(min(limit, len(text) - i), 0, -1) if text[i:i + n] in self.rank]

    def reread(self, text: str, i: int, limit: int) -> list[str]:
        """Greedy longest-match reading of `text` from `i` to its end."""
        out = []
        while i < len(text):
            m = self.matches(text, i, limit)
            unit = m[0] if m else text[i]
            out.append(unit)
            i += len(unit)
        return out


def _compare(lex: _Lexicon, sent: str, i: int, long: str, short: str, limit: int) -> bool:
    """True when reading `long` at `i` is redundant: the reading through `short` meets it again with no more
    tokens (or as many, of better total rank)."""
    end_a, units_a = i + len(long), [long]
    end_b, units_b = i + len(short), [short]
    while end_a != end_b:
        if end_a < end_b:
            m = lex.matches(sent, end_a, limit)
            u = m[0] if m else sent[end_a]
            units_a.append(u)
            end_a += len(u)
        else:
            m = lex.matches(sent, end_b, limit)
            u = m[0] if m else sent[end_b]
            units_b.append(u)
            end_b += len(u)
    if len(units_a) != len(units_b):
        return len(units_a) > len(units_b)
    worst = len(lex.units)
    return sum(lex.rank.get(u, worst) for u in units_a) > sum(lex.rank.get(u, worst) for u in units_b)


def learn_lexicon(sentences: list[str], *, memorize_rate: float, max_unit_len: int, update_rate: float, life: int,
                  forget_share: float, batch_sentences: int, passes: int, seed: int,
                  progress: Optional[Callable[[int, int, int], None]] = None) -> list[str]:
    """The LiB memorize / test / forget loop over `sentences`; returns the lexicon, best-ranked first.
    `progress(done, total, lexicon_size)` is called after each batch."""
    rng = random.Random(seed)
    chars: dict[str, int] = {}
    for s in sentences:
        for ch in s:
            chars[ch] = chars.get(ch, 0) + 1
    lex = _Lexicon(sorted(chars, key=lambda c: (-chars[c], c)))
    order = list(range(len(sentences)))
    pending: set[str] = set()
    countdown: dict[str, int] = {}
    done, total = 0, passes * len(sentences)
    for _ in range(passes):
        rng.shuffle(order)
        for b in range(0, len(order), batch_sentences):
            moves: list[tuple[str, int]] = []
            used: set[str] = set()
            for k in order[b:b + batch_sentences]:
                sent = sentences[k]
                i, prev = 0, None
                while i < len(sent):
                    m = lex.matches(sent, i, max_unit_len)
                    unit = m[0]
                    if prev is not None and rng.random() < memorize_rate and len(prev) + len(unit) <= max_unit_len:
                        cand = prev + unit
                        if cand not in lex.rank:
                            if cand in pending:
                                pending.discard(cand)
                                lex.append(cand)
                            else:
                                pending.add(cand)
                    if len(m) > 1:
                        if _compare(lex, sent, i, unit, m[1], max_unit_len):
                            moves.append((unit, +1))
                            moves.append((m[1], -1))
                        else:
                            moves.append((unit, -1))
                            used.add(unit)
                    else:
                        used.add(unit)
                    prev = unit
                    i += len(unit)
            _update(lex, moves, used, countdown, update_rate=update_rate, life=life, forget_share=forget_share)
            if progress is not None:
                done += len(order[b:b + batch_sentences])
                progress(done, total, len(lex.units))
    return lex.units


def _update(lex: _Lexicon, moves: list[tuple[str, int]], used: set[str], countdown: dict[str, int], *,
            update_rate: float, life: int, forget_share: float) -> None:
    """Applies a batch's rewards (-1: towards the head) and punishments (+1: towards the tail), then forgetting."""
    units = lex.units
    dropped: set[str] = set()
    for unit, direction in moves:
        r = lex.rank.get(unit)
        if r is None or unit in dropped:
            continue
        step = int(r * update_rate) + 1
        target = r - step if direction < 0 else r + step
        if target >= len(units):
            if len(unit) > 1:
                dropped.add(unit)
            target = len(units) - 1
        target = max(0, target)
        del units[r]
        units.insert(target, unit)
        lo, hi = min(r, target), max(r, target)
        for j in range(lo, hi + 1):
            lex.rank[units[j]] = j
    for unit in list(countdown):
        if unit in used:
            del countdown[unit]
        elif countdown[unit] <= 1:
            del countdown[unit]
            if len(unit) > 1:
                dropped.add(unit)
        else:
            countdown[unit] -= 1
    if dropped:
        lex.units = units = [u for u in units if u not in dropped]
    tail = max(1, int(len(units) * forget_share))
    for u in units[len(units) - tail:]:
        if len(u) > 1:
            countdown.setdefault(u, life)
    lex.rank = {u: i for i, u in enumerate(units)}


def train_lib(
    corpus: Any,
    *,
    vocab_size: int,
    normalizer: Any = None,
    base: Any = None,
    max_sentences: Optional[int] = 200_000,
    **options: Any,
):
    """`tokenforge.train(corpus, model="lib", vocab_size=N, ...)`: LiB options (`memorize_rate`, `max_unit_len`,
    `update_rate`, `life`, `forget_share`, `batch_sentences`, `passes`, `seed`) as in `DEFAULTS`; the corpus is
    read as records (lines), at most `max_sentences` of them."""
    no_base("lib", base)
    params = {k: options.pop(k, v) for k, v in DEFAULTS.items()}
    for k in ("max_unit_len", "life", "batch_sentences", "passes"):
        if not isinstance(params[k], int) or isinstance(params[k], bool) or params[k] < 1:
            raise ConfigError(f"{k} must be a positive integer, got {params[k]!r}")
    for k in ("memorize_rate", "update_rate", "forget_share"):
        if not isinstance(params[k], (int, float)) or not 0 <= params[k] <= 1:
            raise ConfigError(f"{k} must be a number in [0, 1], got {params[k]!r}")
    if not isinstance(vocab_size, int) or isinstance(vocab_size, bool) or vocab_size <= 256:
        raise ConfigError(f"vocab_size must be an integer above 256 (the byte tokens), got {vocab_size!r}")
    if isinstance(corpus, (PretokenCounts, dict)):
        raise ConfigError("LiB reads running text (it learns multi-word units), not a table of word counts")
    # train()'s BPE options do not apply to LiB; anything else must be a reader option.
    progress = options.pop("progress", None)
    for k in ("byte_level", "pattern", "min_frequency", "max_token_length", "special_tokens", "initial_alphabet",
              "limit_alphabet", "check_every"):
        value = options.pop(k, None)
        if k == "special_tokens" and value:
            raise ConfigError("LiB tokenizers take no special tokens in this version")
        if k == "pattern" and value is not None and value is not UNSET:
            raise ConfigError("LiB reads whole records (its units may span words); pattern= does not apply")
    unknown = set(options) - set(READ_OPTIONS)
    if unknown:
        raise ConfigError(f"unknown training option(s): {', '.join(sorted(unknown))}")
    norm = Normalizer.from_spec(normalizer)
    sentences = []
    for record in open_corpus(corpus, **options):
        if record:
            sentences.append(norm(record))
        if max_sentences is not None and len(sentences) >= max_sentences:
            break
    if not sentences:
        raise CorpusError("the corpus is empty")
    printer = ReadingProgress() if (sys.stderr.isatty() if progress is None else progress) else None
    try:
        units = learn_lexicon(sentences, **params, progress=printer)
    finally:
        if printer is not None:
            printer.close()
    chars = [u for u in units if len(u) == 1]
    longer = [u for u in units if len(u) > 1]
    room = vocab_size - 256 - len(chars)
    if room < 0:
        # Keep the best-ranked characters; the rest fall back to bytes.
        kept = units[: vocab_size - 256]
    else:
        keep = set(longer[:room])
        kept = [u for u in units if len(u) == 1 or u in keep]
    tok = LibTokenizer(kept, normalizer=norm)
    tok.training = {"model": "lib", "vocab_size": vocab_size, "lexicon_size": len(units), "sentences": len(sentences),
                    **params}
    if tok.vocab_size < vocab_size:
        import warnings

        from ..errors import TrainingWarning

        warnings.warn(f"LiB learned only {len(units)} units; the tokenizer has {tok.vocab_size} ids of the "
                      f"{vocab_size} asked for (more text or more passes give more)", TrainingWarning, stacklevel=3)
    return tok
