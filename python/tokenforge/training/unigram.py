"""Unigram LM training in the manner of SentencePiece (Kudo 2018): seed pieces from frequent substrings, EM with a
Bayesian (digamma) M-step, loss-based pruning by a shrinking factor, then the final cut to the vocabulary size.

The corpus is the pretoken count table (`tokenforge.corpus.count_pretokens`), the same one the BPE trainer uses:
every distinct pretoken is a "sentence" weighted by its count, so no piece crosses a pretoken boundary (SentencePiece
gets the same effect from splitting at whitespace). The hot loops (E-step forward-backward, Viterbi counts, the
alternatives of each piece) run natively in `_core.UnigramCorpus`; `tokenforge.reference.unigram_train` is their
twin. See docs/training.md, "Unigram".
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

from .. import _core
from ..errors import ConfigError, TrainingError, TrainingWarning
from ..models.unigram import UnigramModel
from ..tokenizers.tokenizer import Tokenizer
from ..util.math import digamma

# SentencePiece's constants (unigram_model_trainer.cc): pieces expected fewer times than this are dropped in the
# M-step; an unknown character scores this much below the worst piece.
EXPECTED_FREQUENCY_THRESHOLD = 0.5
UNK_PENALTY = 10.0
# Distinct required characters that did not make the final cut get min_score minus this step per rank.
REQUIRED_CHAR_PENALTY_STEP = 1e-4
UNK_TOKEN = "<unk>"
BYTE_PIECES = [f"<0x{b:02X}>" for b in range(256)]

# (round, pieces, log-likelihood per pretoken occurrence)
Progress = Callable[[int, int, float], None]


@dataclass
class UnigramTrainerConfig:
    """SentencePiece's defaults. `vocab_size` counts every id: special tokens, `<unk>`, the 256 byte pieces (with
    `byte_fallback`) and the learned pieces."""

    vocab_size: int
    special_tokens: Sequence[str] = ()
    character_coverage: float = 0.9995
    max_piece_length: int = 16
    seed_size: int = 1_000_000
    shrinking_factor: float = 0.75
    num_sub_iterations: int = 2
    byte_fallback: bool = True
    metadata: dict = field(default_factory=dict)

    def validate(self) -> None:
        if not isinstance(self.vocab_size, int) or self.vocab_size <= 0:
            raise ConfigError(f"vocab_size must be a positive integer, got {self.vocab_size!r}")
        if not 0.0 < self.character_coverage <= 1.0:
            raise ConfigError(f"character_coverage must be in (0, 1], got {self.character_coverage}")
        if not 0.0 < self.shrinking_factor < 1.0:
            raise ConfigError(f"shrinking_factor must be in (0, 1), got {self.shrinking_factor}")
        if self.max_piece_length < 1:
            raise ConfigError(f"max_piece_length must be >= 1, got {self.max_piece_length}")
        if self.seed_size < 1 or self.num_sub_iterations < 1:
            raise ConfigError("seed_size and num_sub_iterations must be >= 1")
        if len(set(self.special_tokens)) != len(self.special_tokens) or any(not s for s in self.special_tokens):
            raise ConfigError("special_tokens must be distinct non-empty strings")
        if self.vocab_size <= len(self.reserved()):
            raise ConfigError(f"vocab_size {self.vocab_size} leaves no room for learned pieces after "
                              f"{len(self.reserved())} special, <unk> and byte pieces")

    def reserved(self) -> list[str]:
        """The ids before the learned pieces, in order: special tokens, `<unk>`, byte pieces."""
        out = list(self.special_tokens)
        if UNK_TOKEN not in out:
            out.append(UNK_TOKEN)
        if self.byte_fallback:
            out += [b for b in BYTE_PIECES if b not in out]
        return out


@dataclass
class UnigramVocab:
    """A trained Unigram vocabulary: `pieces[i]` = (text, log probability) of id i; reserved ids score 0."""

    pieces: list[tuple[str, float]]
    unk_id: int
    byte_fallback: bool
    special_tokens: dict[str, int]
    history: list[dict]


def required_chars(words: Sequence[tuple[str, int]], coverage: float) -> list[tuple[str, int]]:
    """The most frequent characters whose occurrences cover `coverage` of all (SentencePiece's rule: add while the
    coverage so far is below the target), most frequent first, ties by code point."""
    counts: Counter = Counter()
    for w, c in words:
        for ch in w:
            counts[ch] += c
    total = sum(counts.values())
    out: list[tuple[str, int]] = []
    covered = 0
    for ch, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        if covered / total >= coverage:
            break
        covered += c
        out.append((ch, c))
    return out


def seed_pieces(words: Sequence[tuple[str, int]], chars: Sequence[tuple[str, int]], max_len: int,
                size: int) -> list[tuple[str, float]]:
    """Seed vocabulary: every required character, then the substrings of 2..max_len characters made only of
    required characters and occurring at least twice, top `size` by count x length (SentencePiece ranks its
    suffix-array substrings the same way; we count substrings of the distinct pretokens, each weighted by its
    count, which is the same as counting them in the pretoken stream). Scores: log(count x length), normalised."""
    ranked = _core.unigram_seed_substrings(list(words), "".join(ch for ch, _ in chars), max_len, size)
    seeds = [(ch, float(c)) for ch, c in chars] + [(s, float(c * len(s))) for s, c in ranked]
    log_total = math.log(sum(v for _, v in seeds))
    return [(s, math.log(v) - log_total) for s, v in seeds]


def m_step(pieces: list[str], expected: Sequence[float]) -> tuple[list[str], list[float]]:
    """Bayesian M-step: drop pieces expected fewer than 0.5 times, score = psi(count) - psi(total)."""
    kept = [(p, e) for p, e in zip(pieces, expected) if e >= EXPECTED_FREQUENCY_THRESHOLD]
    if not kept:
        raise TrainingError("every piece fell below the expected-frequency threshold (is the corpus empty?)")
    log_total = digamma(sum(e for _, e in kept))
    return [p for p, _ in kept], [digamma(e) - log_total for _, e in kept]


def prune(corpus, pieces: list[str], scores: list[float], unk_score: float, target: int,
          shrink: float = 0.75) -> tuple[list[str], list[float]]:
    """Loss-based pruning: keep max(target, shrink x size) pieces, dropping those whose removal (their Viterbi
    occurrences re-spelled by their best alternative) loses the least corpus likelihood."""
    status = _core.unigram_alternatives(pieces, scores, unk_score)
    freq = corpus.viterbi_counts(pieces, scores, unk_score)
    total = sum(freq)
    log_total = math.log(total)
    keep: list[int] = []
    candidates: list[tuple[float, int]] = []
    for i, (kind, alt) in enumerate(status):
        if freq[i] == 0 or kind == 0:
            continue  # not used by the Viterbi path, or re-spelled anyway by better pieces: removable at no cost
        if kind == 1:
            keep.append(i)  # no other way to spell it
            continue
        # Removing i moves its freq[i] occurrences to each alternative piece; the total grows accordingly.
        share = freq[i] / total
        log_sp = math.log(freq[i]) - log_total
        log_total_alt = math.log(total + freq[i] * (len(alt) - 1))
        log_alt = sum(math.log(freq[j] + freq[i]) - log_total_alt for j in alt)
        candidates.append((share * (log_sp - log_alt), i))
    size = max(target, int(len(pieces) * shrink))
    candidates.sort(key=lambda t: (-t[0], t[1]))
    for _, i in candidates:
        if len(keep) >= size:
            break
        keep.append(i)
    keep.sort()
    return [pieces[i] for i in keep], [scores[i] for i in keep]


def train_unigram(words: Sequence[tuple[str, int]], config: UnigramTrainerConfig,
                  progress: Optional[Progress] = None) -> UnigramVocab:
    """Trains on (pretoken text, count) pairs; returns the vocabulary (reserved ids first, then pieces by score)."""
    config.validate()
    words = [(w, int(c)) for w, c in words if w and c > 0]
    if not words:
        raise TrainingError("the corpus has no text to train on")
    reserved = config.reserved()
    room = config.vocab_size - len(reserved)
    chars = required_chars(words, config.character_coverage)
    if len(chars) > room:
        if not config.byte_fallback:
            raise TrainingError(f"vocab_size {config.vocab_size} is too small: {len(chars)} characters are needed "
                                f"to cover {config.character_coverage} of the text (lower character_coverage)")
        warnings.warn(f"only the {room} most frequent of {len(chars)} required characters fit in vocab_size "
                      f"{config.vocab_size}; the rest fall back to bytes", TrainingWarning, stacklevel=3)
        chars = chars[:room]
    seeds = seed_pieces(words, chars, config.max_piece_length, config.seed_size)
    pieces = [p for p, _ in seeds]
    scores = [s for _, s in seeds]
    corpus = _core.UnigramCorpus(words)
    occurrences = sum(c for _, c in words)
    desired = int(room * 1.1)
    history: list[dict] = []
    round_no = 0
    while True:
        for _ in range(config.num_sub_iterations):
            unk_score = min(scores) - UNK_PENALTY
            expected, loglik = corpus.e_step(pieces, scores, unk_score)
            pieces, scores = m_step(pieces, expected[:-1])
        history.append({"round": round_no, "pieces": len(pieces), "loglik_per_pretoken": loglik / occurrences})
        if progress is not None:
            progress(round_no, len(pieces), loglik / occurrences)
        if len(pieces) <= desired:
            break
        before = len(pieces)
        pieces, scores = prune(corpus, pieces, scores, min(scores) - UNK_PENALTY, desired,
                               config.shrinking_factor)
        if len(pieces) == before:
            break  # nothing removable is left
        round_no += 1
    return _finalize(pieces, scores, chars, reserved, room, config, history)


def _finalize(pieces, scores, chars, reserved, room, config, history) -> UnigramVocab:
    """Every required character, then the best-scoring pieces up to the room; reserved ids first."""
    have = dict(zip(pieces, scores))
    min_score = min(scores)
    final: dict[str, float] = {}
    penalty = 0.0
    for ch, _ in chars:
        if ch in have:
            final[ch] = have[ch]
        else:
            final[ch] = min_score + penalty
            penalty += REQUIRED_CHAR_PENALTY_STEP
    reserved_set = set(reserved)
    for p, s in sorted(have.items(), key=lambda kv: (-kv[1], kv[0])):
        if len(final) >= room:
            break
        if p not in final and p not in reserved_set:
            final[p] = s
    learned = sorted(final.items(), key=lambda kv: (-kv[1], kv[0]))
    if len(learned) < room:
        warnings.warn(f"the corpus yields only {len(reserved) + len(learned)} ids of the {config.vocab_size} asked "
                      "for: too few distinct substrings survive EM (a larger corpus gives more)", TrainingWarning,
                      stacklevel=4)
    vocab = [(r, 0.0) for r in reserved] + learned
    specials = {s: i for i, s in enumerate(config.special_tokens)}
    return UnigramVocab(vocab, reserved.index(UNK_TOKEN), config.byte_fallback, specials, history)


# Keyword arguments of `tokenforge.train(..., model="unigram")` that configure this trainer.
OPTIONS = ("character_coverage", "max_piece_length", "seed_size", "shrinking_factor", "num_sub_iterations",
           "byte_fallback")


def train_unigram_tokenizer(counts, pretok, norm, config: UnigramTrainerConfig, progress: Optional[Progress] = None):
    """A `Tokenizer` (Unigram model, Viterbi method) trained on pretoken `counts` (`count_pretokens`' result)."""
    words = [(b.decode("utf-8", "replace"), c) for b, c in counts.items]
    vocab = train_unigram(words, config, progress)
    # Special tokens stay ordinary pieces (score 0) rather than "unmatched", which tokenizer.json cannot express:
    # the tokenizer's special-token policy decides whether their text is recognised, as HF's added tokens do.
    model = UnigramModel(vocab.pieces, unk_id=vocab.unk_id, byte_fallback=vocab.byte_fallback)
    tok = Tokenizer(model, pretokenizer=pretok, normalizer=norm, special_tokens=vocab.special_tokens)
    tok.training = {"model": "unigram", "vocab_size": config.vocab_size, "records": counts.records,
                    "chars": counts.chars, "pretokens_counted": counts.total, "distinct_pretokens": counts.distinct,
                    "pruned": counts.prune_report(), "rounds": vocab.history,
                    "options": {k: getattr(config, k) for k in OPTIONS}}
    return tok
