"""BPE training (byte- and char-level) on the native incremental engine, fresh or resumed from a tokenizer.

The flow is the same for every BPE-family method: count pretokens (`tokenforge.corpus`), lay out the starting
vocabulary (special tokens, then the alphabet, or an existing model), and let the engine pick merges by its policy
(here: most frequent pair, ties to the smaller id pair). Resuming is the same call with an existing model as the
starting vocabulary: its merges segment the words first, and new merges are appended after them.
"""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

from .. import _core
from ..errors import ConfigError, TrainingError, TrainingWarning
from ..models.bpe import BpeModel
from ..pipeline.normalizers import Normalizer
from ..pipeline.pretokenizers import PreTokenizer
from ..tokenizers.tokenizer import Tokenizer
from ..util.progress import MergeProgress
from .alphabet import byte_alphabet, char_alphabet
from .common import DEFAULT_PATTERN, UNSET, count_corpus, resolve_base

# Progress callback: (merges done, new tokens so far, new tokens wanted).
MergeCallback = Callable[[int, int, int], None]


@dataclass
class BpeTrainerConfig:
    """What to learn. `vocab_size` counts every id: special tokens, the alphabet and the merged tokens (HF's
    meaning). `max_token_length` is in bytes for byte-level models and in characters for char-level ones."""

    vocab_size: int
    byte_level: bool = True
    min_frequency: int = 0
    max_token_length: Optional[int] = None
    special_tokens: Sequence[str] = ()
    initial_alphabet: Sequence[str] = ()
    limit_alphabet: Optional[int] = None
    # Debug: re-count every pair from scratch every N merges and fail on any difference (0: never).
    check_every: int = 0
    # No token with more words than this (runs of non-whitespace bytes): SuperBPE's stage-2 bound.
    max_words_per_token: Optional[int] = None
    # No token with one of these (ASCII) characters followed by whitespace and another word: SuperBPE's stage 2.
    sentence_punctuation: str = ""
    metadata: dict = field(default_factory=dict)

    def validate(self) -> None:
        if not isinstance(self.vocab_size, int) or self.vocab_size <= 0:
            raise ConfigError(f"vocab_size must be a positive integer, got {self.vocab_size!r}")
        if self.min_frequency < 0:
            raise ConfigError(f"min_frequency must be >= 0, got {self.min_frequency}")
        if self.max_token_length is not None and self.max_token_length < 1:
            raise ConfigError(f"max_token_length must be >= 1, got {self.max_token_length}")
        if self.max_words_per_token is not None and (isinstance(self.max_words_per_token, bool) or not isinstance(self.max_words_per_token, int) or self.max_words_per_token < 1):
            raise ConfigError(f"max_words_per_token must be an integer >= 1, got {self.max_words_per_token!r}")
        if not isinstance(self.sentence_punctuation, str) or not self.sentence_punctuation.isascii() or any(
                c.isalnum() or c.isspace() for c in self.sentence_punctuation):
            raise ConfigError(f"sentence_punctuation must be ASCII punctuation characters, got {self.sentence_punctuation!r}")
        if len(set(self.special_tokens)) != len(self.special_tokens):
            raise ConfigError("special_tokens lists a token twice")
        if any(not s for s in self.special_tokens):
            raise ConfigError("special tokens must be non-empty strings")


def _run_engine(counter, config: BpeTrainerConfig, vocab: dict[bytes, int], merges, *, rank_semantics: bool,
                whole_piece_first: bool, new_tokens: int, forbidden: Sequence[str], reserved_ids: Sequence[int],
                progress: Optional[MergeCallback], consume: bool):
    """Runs the native engine. `forbidden`: texts no merge may spell (every special and added token)."""
    if new_tokens <= 0:
        return [], []

    def report(m: int, t: int) -> None:
        progress(m, t, new_tokens)

    return _core.train_bpe(
        counter,
        list(vocab.items()),
        None if merges is None else list(merges),
        rank_semantics,
        whole_piece_first,
        not config.byte_level,
        new_tokens,
        min_frequency=config.min_frequency,
        max_token_length=config.max_token_length,
        forbidden=[s.encode("utf-8") for s in forbidden],
        reserved_ids=list(reserved_ids),
        progress=report if progress is not None else None,
        check_every=config.check_every,
        consume=consume,
        max_words=config.max_words_per_token,
        sentence_punctuation=list(config.sentence_punctuation.encode("ascii")),
    )


def train_bpe_from_counts(
    counter: "_core.PretokenCounter",
    config: BpeTrainerConfig,
    pretokenizer: PreTokenizer,
    normalizer: Normalizer,
    *,
    progress: Optional[MergeCallback] = None,
    consume: bool = False,
) -> "Tokenizer":
    """A fresh BPE tokenizer from pretoken counts. Ids: special tokens first (in the order given), then the
    alphabet, then merged tokens in the order learned."""
    config.validate()
    specials = {s: i for i, s in enumerate(config.special_tokens)}
    first = len(specials)
    if config.byte_level:
        alphabet = byte_alphabet()
    else:
        # Byte fallback: all 256 single bytes are tokens (ASCII characters are their own byte), then the
        # multi-byte characters of the alphabet.
        chars = char_alphabet(counter.char_counts(), config.initial_alphabet, config.limit_alphabet)
        alphabet = [bytes([b]) for b in range(256)] + [c.encode("utf-8") for c in chars if ord(c) >= 0x80]
    vocab = {tok: first + k for k, tok in enumerate(alphabet)}
    new_tokens = config.vocab_size - len(specials) - len(vocab)
    if new_tokens < 0:
        raise TrainingError(
            f"vocab_size={config.vocab_size} is smaller than the {len(specials)} special tokens plus the "
            f"{len(vocab)}-symbol alphabet; ask for at least {len(specials) + len(vocab)}"
        )
    new_vocab, learned = _run_engine(counter, config, vocab, [], rank_semantics=False, whole_piece_first=False,
                                     new_tokens=new_tokens, forbidden=config.special_tokens, reserved_ids=(),
                                     progress=progress, consume=consume)
    vocab.update(dict(new_vocab))
    model = BpeModel(vocab, [(a, b) for a, b, _ in learned], whole_piece_first=False, char_level=not config.byte_level)
    return Tokenizer(model, pretokenizer=pretokenizer, normalizer=normalizer, special_tokens=specials)


def extend_bpe(
    base: "Tokenizer",
    counter: "_core.PretokenCounter",
    config: BpeTrainerConfig,
    pretokenizer: PreTokenizer,
    normalizer: Normalizer,
    *,
    progress: Optional[MergeCallback] = None,
    consume: bool = False,
) -> "Tokenizer":
    """`base` grown to `config.vocab_size` ids with merges learned on `counter`. Every existing id keeps its
    meaning; new tokens take the free ids after the model's (skipping ids of special tokens), and special tokens
    that `base` lacks go after everything."""
    config.validate()
    model = base.model
    if model.char_level != (not config.byte_level):
        raise TrainingError("cannot resume a byte-level model as char-level or the reverse")
    taken = {**base.special_tokens, **base.added_tokens}
    extra_specials = [s for s in config.special_tokens if s not in taken]
    current = len(model.vocab) + len(set(taken.values()) - set(model.vocab.values()))
    new_tokens = config.vocab_size - current - len(extra_specials)
    if new_tokens < 0:
        raise TrainingError(f"the base tokenizer already has {current} ids; vocab_size={config.vocab_size} cannot shrink it")
    new_vocab, learned = _run_engine(
        counter, config, model.vocab, model.merges, rank_semantics=model.rank_semantics,
        whole_piece_first=model.whole_piece_first, new_tokens=new_tokens,
        forbidden=list(config.special_tokens) + list(taken), reserved_ids=sorted(set(taken.values())),
        progress=progress, consume=consume,
    )
    vocab = dict(model.vocab)
    vocab.update(dict(new_vocab))
    merges = model.merge_list() + [(a, b) for a, b, _ in learned]
    grown = BpeModel(vocab, merges, whole_piece_first=model.whole_piece_first, char_level=model.char_level)
    special_tokens = dict(base.special_tokens)
    next_id = max([grown.max_id, *taken.values()]) + 1
    for s in extra_specials:
        special_tokens[s] = next_id
        next_id += 1
    return Tokenizer(grown, pretokenizer=pretokenizer, normalizer=normalizer, special_tokens=special_tokens,
                     added_tokens=dict(base.added_tokens))


def train_bpe(
    corpus: Any,
    *,
    vocab_size: int,
    byte_level: bool = True,
    pattern: "str | PreTokenizer | None" = UNSET,
    normalizer: "str | Sequence[str] | Normalizer | None" = None,
    min_frequency: Optional[int] = None,
    max_token_length: Optional[int] = None,
    special_tokens: Sequence[str] = (),
    initial_alphabet: Sequence[str] = (),
    limit_alphabet: Optional[int] = None,
    base: Any = None,
    progress: Optional[bool] = None,
    check_every: int = 0,
    max_words_per_token: Optional[int] = None,
    sentence_punctuation: Optional[str] = None,
    **corpus_options: Any,
) -> Tokenizer:
    """`tokenforge.train(corpus, model="bpe", ...)`: counts the corpus and trains BPE on it, fresh or resumed from
    `base` (see `train` for the arguments). The variants that run BPE as a stage (SuperBPE, PathPiece, MWT,
    supertokens) call this directly."""
    if min_frequency is None:
        min_frequency = 0
    base_tok = resolve_base(base)
    if base_tok is not None:
        pretok = base_tok.pretokenizer if pattern is UNSET else PreTokenizer.from_spec(pattern)
        norm = Normalizer.from_spec(normalizer) if normalizer is not None else base_tok.normalizer
        byte_level = not base_tok.model.char_level
    else:
        pretok = PreTokenizer.from_spec(DEFAULT_PATTERN if pattern is UNSET else pattern)
        norm = Normalizer.from_spec(normalizer)
    config = BpeTrainerConfig(
        vocab_size=vocab_size, byte_level=byte_level, min_frequency=min_frequency, max_token_length=max_token_length,
        special_tokens=list(special_tokens), initial_alphabet=list(initial_alphabet), limit_alphabet=limit_alphabet,
        check_every=check_every, max_words_per_token=max_words_per_token,
        sentence_punctuation=sentence_punctuation or "",
    )
    config.validate()
    show = sys.stderr.isatty() if progress is None else progress
    counts = count_corpus(corpus, pretok, norm, show, corpus_options)
    # Counts made here are consumed (their memory freed as the word table is built); a caller's are left intact.
    consume = counts is not corpus
    counter = counts.counter
    if not isinstance(counter, _core.PretokenCounter):
        counter = _core.PretokenCounter(*pretok.native_args(), list(norm.steps))
        counter.add_counts(counts.items)
        consume = True
    printer = MergeProgress() if show else None
    try:
        if base_tok is None:
            tok = train_bpe_from_counts(counter, config, pretok, norm, progress=printer, consume=consume)
        else:
            tok = extend_bpe(base_tok, counter, config, pretok, norm, progress=printer, consume=consume)
    finally:
        if printer is not None:
            printer.close()
    if tok.vocab_size < vocab_size:
        # stacklevel 3: the caller of `tokenforge.train`, through which this is usually called.
        warnings.warn(f"the corpus yields only {tok.vocab_size} ids of the {vocab_size} asked for: no pair is left to "
                      "merge (a larger corpus, or a lower min_frequency, gives more)", TrainingWarning, stacklevel=3)
    tok.training = {"model": "bpe", "byte_level": byte_level, "vocab_size": vocab_size,
                    "records": counts.records, "chars": counts.chars, "pretokens_counted": counts.total,
                    "distinct_pretokens": counts.distinct, "pruned": counts.prune_report()}
    return tok
