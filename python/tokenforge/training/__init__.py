"""Training tokenizers: `train` is the one entry point; each method is a policy on the shared engine."""

from __future__ import annotations

import os
import sys
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from .. import _core
from ..errors import ConfigError, TrainingError
from ..normalizers import Normalizer
from ..pretokenizers import PreTokenizer
from .bpe import BpeTrainerConfig, MergeProgressPrinter, extend_bpe, train_bpe_from_counts

MODELS = ("bpe",)

# Marks "argument not given", so that resuming can tell an explicit pattern=None (no split) from the default.
_UNSET: Any = object()
DEFAULT_PATTERN = "o200k"

__all__ = ["BpeTrainerConfig", "MODELS", "train"]


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
    min_frequency: int = 0,
    max_token_length: Optional[int] = None,
    special_tokens: Sequence[str] = (),
    initial_alphabet: Sequence[str] = (),
    limit_alphabet: Optional[int] = None,
    base: Any = None,
    progress: Optional[bool] = None,
    check_every: int = 0,
    **corpus_options: Any,
):
    """Trains a tokenizer on `corpus` and returns it (a `Tokenizer`; `.save()` it in any format).

    `corpus`: paths / globs / directories (text, .gz, .zst, .jsonl, .parquet), an iterable of strings, a
    word -> count mapping, or a `tokenforge.corpus` count result. `base`: a tokenizer (object or file) to resume
    from: its ids are kept and new merges are appended (its pattern and normalizer are reused unless `pattern` /
    `normalizer` are passed explicitly). `progress`: a progress line on stderr (default: when stderr is a TTY).
    Other keyword arguments go to the corpus reader (`text_field`, `column`, `errors`, `max_distinct`, `ray`, ...).
    """
    if model not in MODELS:
        raise ConfigError(f"unknown model {model!r}; this version trains: {', '.join(MODELS)}")
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
        check_every=check_every,
    )
    config.validate()
    show = sys.stderr.isatty() if progress is None else progress
    from .counts import count_pretokens

    counts = count_pretokens(corpus, pretok, norm, progress=show, **corpus_options)
    printer = MergeProgressPrinter(sys.stderr) if show else None
    try:
        if base_tok is None:
            tok = train_bpe_from_counts(counts.counter, config, pretok, norm, progress=printer, consume=True)
        else:
            tok = extend_bpe(base_tok, counts.counter, config, pretok, norm, progress=printer, consume=True)
    finally:
        if printer is not None:
            printer.close()
    tok.training = {"model": model, "byte_level": byte_level, "vocab_size": vocab_size,
                    "pretokens_counted": counts.total, "distinct_pretokens": counts.distinct,
                    "pruned": counts.prune_report()}
    return tok
