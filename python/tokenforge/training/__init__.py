"""Training tokenizers: `train` is the one entry point; each method is a policy on the shared engine."""

from __future__ import annotations

import sys
from typing import Any, Mapping, Optional, Sequence

from .. import _core
from ..errors import ConfigError, TrainingWarning
from ..normalizers import Normalizer
from ..pretokenizers import PreTokenizer
from ..progress import CountingProgress, MergeProgress
from .bpe import BpeTrainerConfig, extend_bpe, train_bpe_from_counts

from .methods import METHODS as _METHODS  # wordpiece, mwt, supertokens, lib
from .wordpiece import MIN_FREQUENCY as WORDPIECE_MIN_FREQUENCY

MODELS = ("bpe", "superbpe", "boundless", "parity", "unigram", "pathpiece") + tuple(_METHODS)

# Marks "argument not given", so that resuming can tell an explicit pattern=None (no split) from the default.
_UNSET: Any = object()
DEFAULT_PATTERN = "o200k"

__all__ = ["BpeTrainerConfig", "MODELS", "train"]


# Keyword arguments of `train` that belong to the corpus reader and to counting.
_READ_OPTIONS = ("text_field", "column", "errors", "on_bad_record", "max_record_chars", "records", "recursive", "format")
_COUNT_OPTIONS = ("batch_chars", "max_distinct", "shard_size", "ray_address", "ray")


def _count(corpus: Any, pretok: PreTokenizer, norm: Normalizer, show: bool, options: dict):
    """Pretoken counts of `corpus`, whatever form it takes (a ready `PretokenCounts` is used as it is)."""
    from ..corpus import PretokenCounts, count_pretokens, open_corpus, word_counts

    unknown = set(options) - set(_READ_OPTIONS) - set(_COUNT_OPTIONS)
    if unknown:
        raise ConfigError(f"unknown training option(s): {', '.join(sorted(unknown))}")
    if isinstance(corpus, PretokenCounts):
        return corpus
    if isinstance(corpus, Mapping):
        corpus = word_counts(corpus)
    reader = open_corpus(corpus, **{k: v for k, v in options.items() if k in _READ_OPTIONS})
    printer = CountingProgress() if show else None
    try:
        return count_pretokens(reader, pretok, norm, progress=printer,
                               **{k: v for k, v in options.items() if k in _COUNT_OPTIONS})
    finally:
        if printer is not None:
            printer.close()


def _resolve_base(base):
    if base is None:
        return None
    from ..tokenizer import Tokenizer

    if isinstance(base, Tokenizer):
        return base
    from ..formats import load

    return load(base)


def train(
    corpus: Any,
    *,
    vocab_size: int,
    model: str = "bpe",
    byte_level: bool = True,
    pattern: "str | PreTokenizer | None" = _UNSET,
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
):
    """Trains a tokenizer on `corpus` and returns it (a `Tokenizer`; `.save()` it in any format).

    `corpus`: a path / glob / directory or a list of them (text, .gz, .zst, .jsonl, .parquet), an iterator of
    strings or `tokenforge.corpus.Texts([...])` (a plain list of strings means paths), a word -> count mapping, or
    a `tokenforge.corpus.count_pretokens` result. `base`: a tokenizer (object or file) to resume
    from: its ids are kept and new merges are appended (its pattern and normalizer are reused unless `pattern` /
    `normalizer` are passed explicitly). `progress`: a progress line on stderr (default: when stderr is a TTY).
    `model`: "bpe", "superbpe" (its own options `transition`, `max_words_per_token`, `sentence_punctuation`;
    training/superbpe.py), "boundless" (training/boundless.py), "parity" (training/parity.py), "unigram"
    (SentencePiece-style Unigram LM; options `character_coverage`, `max_piece_length`, `seed_size`,
    `shrinking_factor`, `num_sub_iterations`, `byte_fallback`) or "pathpiece" (options `init_factor`,
    `shrink`); see docs/training.md. `min_frequency` defaults to 0, and to 10 for "wordpiece" (docs/training.md).
    Other keyword arguments go to the corpus reader (`text_field`, `column`, `errors`, `max_record_chars`, ...) and
    to counting (`max_distinct`, `batch_chars`, `ray`, `ray_address`); see `docs/training.md`.
    """
    if model not in MODELS:
        raise ConfigError(f"unknown model {model!r}; this version trains: {', '.join(MODELS)}")
    if min_frequency is None:  # WordPiece's likelihood score needs a floor, or rare words take the vocabulary
        min_frequency = WORDPIECE_MIN_FREQUENCY if model == "wordpiece" else 0
    if model in ("superbpe", "boundless"):  # schedules / policies on the same engine: training/{superbpe,boundless}.py
        from . import boundless, superbpe

        variant = superbpe.train_superbpe if model == "superbpe" else boundless.train_boundless
        return variant(corpus, vocab_size=vocab_size, byte_level=byte_level, pattern=pattern, normalizer=normalizer,
                       min_frequency=min_frequency, max_token_length=max_token_length, special_tokens=special_tokens,
                       initial_alphabet=initial_alphabet, limit_alphabet=limit_alphabet, base=base, progress=progress,
                       check_every=check_every, **{k: v for k, v in (("max_words_per_token", max_words_per_token),
                                                                      ("sentence_punctuation", sentence_punctuation))
                                                   if v is not None}, **corpus_options)
    if model == "parity":  # corpus: language -> corpus; dev= and global_share= arrive in corpus_options
        from .parity import train_parity

        if base is not None or not byte_level or initial_alphabet or limit_alphabet is not None:
            raise ConfigError("parity-aware training is fresh and byte-level: base, byte_level=False, "
                              "initial_alphabet and limit_alphabet do not apply to it")
        return train_parity(corpus, vocab_size=vocab_size, pattern=DEFAULT_PATTERN if pattern is _UNSET else pattern,
                            normalizer=normalizer, min_frequency=min_frequency, max_token_length=max_token_length,
                            special_tokens=special_tokens, progress=progress, check_every=check_every,
                            **corpus_options)
    if model in ("unigram", "pathpiece"):
        from .scored import train_scored

        return train_scored(model, corpus, vocab_size=vocab_size, pattern=DEFAULT_PATTERN if pattern is _UNSET else
                            pattern, normalizer=normalizer, special_tokens=special_tokens, base=base,
                            progress=progress, max_token_length=max_token_length, options=corpus_options,
                            bpe_only={"byte_level": not byte_level, "min_frequency": min_frequency,
                                      "initial_alphabet": initial_alphabet, "limit_alphabet": limit_alphabet,
                                      "check_every": check_every})
    if model in _METHODS:
        return _METHODS[model](
            corpus, vocab_size=vocab_size, byte_level=byte_level, pattern=pattern, normalizer=normalizer,
            min_frequency=min_frequency, max_token_length=max_token_length, special_tokens=special_tokens,
            initial_alphabet=initial_alphabet, limit_alphabet=limit_alphabet, base=base, progress=progress,
            check_every=check_every, **corpus_options)
    base_tok = _resolve_base(base)
    if base_tok is not None:
        pretok = base_tok.pretokenizer if pattern is _UNSET else PreTokenizer.from_spec(pattern)
        norm = Normalizer.from_spec(normalizer) if normalizer is not None else base_tok.normalizer
        byte_level = not base_tok.model.char_level
    else:
        pretok = PreTokenizer.from_spec(DEFAULT_PATTERN if pattern is _UNSET else pattern)
        norm = Normalizer.from_spec(normalizer)
    config = BpeTrainerConfig(
        vocab_size=vocab_size, byte_level=byte_level, min_frequency=min_frequency, max_token_length=max_token_length,
        special_tokens=list(special_tokens), initial_alphabet=list(initial_alphabet), limit_alphabet=limit_alphabet,
        check_every=check_every, max_words_per_token=max_words_per_token,
        sentence_punctuation=sentence_punctuation or "",
    )
    config.validate()
    show = sys.stderr.isatty() if progress is None else progress
    counts = _count(corpus, pretok, norm, show, corpus_options)
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
        import warnings

        warnings.warn(f"the corpus yields only {tok.vocab_size} ids of the {vocab_size} asked for: no pair is left to "
                      "merge (a larger corpus, or a lower min_frequency, gives more)", TrainingWarning, stacklevel=2)
    tok.training = {"model": model, "byte_level": byte_level, "vocab_size": vocab_size,
                    "records": counts.records, "chars": counts.chars, "pretokens_counted": counts.total,
                    "distinct_pretokens": counts.distinct, "pruned": counts.prune_report()}
    return tok
