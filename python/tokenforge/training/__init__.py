"""Training tokenizers: `train` is the one entry point; each method is a policy on the shared engine."""

from __future__ import annotations

from typing import Any, Optional, Sequence

from ..errors import ConfigError
from ..pipeline.normalizers import Normalizer
from ..pipeline.pretokenizers import PreTokenizer
from .boundless import train_boundless
from .bpe import BpeTrainerConfig, train_bpe
from .common import DEFAULT_PATTERN, UNSET
from .methods import METHODS as _METHODS  # wordpiece, mwt, supertokens, lib
from .parity import train_parity
from .scored import train_scored
from .superbpe import train_superbpe
from .wordpiece import MIN_FREQUENCY as WORDPIECE_MIN_FREQUENCY

MODELS = ("bpe", "superbpe", "boundless", "parity", "unigram", "pathpiece") + tuple(_METHODS)

__all__ = ["BpeTrainerConfig", "MODELS", "train"]


def train(
    corpus: Any,
    *,
    vocab_size: int,
    model: str = "bpe",
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
        variant = train_superbpe if model == "superbpe" else train_boundless
        return variant(corpus, vocab_size=vocab_size, byte_level=byte_level, pattern=pattern, normalizer=normalizer,
                       min_frequency=min_frequency, max_token_length=max_token_length, special_tokens=special_tokens,
                       initial_alphabet=initial_alphabet, limit_alphabet=limit_alphabet, base=base, progress=progress,
                       check_every=check_every, **{k: v for k, v in (("max_words_per_token", max_words_per_token),
                                                                      ("sentence_punctuation", sentence_punctuation))
                                                   if v is not None}, **corpus_options)
    if model == "parity":  # corpus: language -> corpus; dev= and global_share= arrive in corpus_options
        if base is not None or not byte_level or initial_alphabet or limit_alphabet is not None:
            raise ConfigError("parity-aware training is fresh and byte-level: base, byte_level=False, "
                              "initial_alphabet and limit_alphabet do not apply to it")
        return train_parity(corpus, vocab_size=vocab_size, pattern=DEFAULT_PATTERN if pattern is UNSET else pattern,
                            normalizer=normalizer, min_frequency=min_frequency, max_token_length=max_token_length,
                            special_tokens=special_tokens, progress=progress, check_every=check_every,
                            **corpus_options)
    if model in ("unigram", "pathpiece"):
        return train_scored(model, corpus, vocab_size=vocab_size, pattern=DEFAULT_PATTERN if pattern is UNSET else
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
    return train_bpe(corpus, vocab_size=vocab_size, byte_level=byte_level, pattern=pattern, normalizer=normalizer,
                     min_frequency=min_frequency, max_token_length=max_token_length, special_tokens=special_tokens,
                     initial_alphabet=initial_alphabet, limit_alphabet=limit_alphabet, base=base, progress=progress,
                     check_every=check_every, max_words_per_token=max_words_per_token,
                     sentence_punctuation=sentence_punctuation, **corpus_options)
