"""What every trainer shares: the "argument not given" marker, the default pre-tokenizer patterns, the corpus
options, counting a corpus under a pipeline, and resolving a base tokenizer to resume from."""

from __future__ import annotations

import sys
from typing import Any, Mapping

from .. import _core
from ..corpus import PretokenCounts, count_pretokens, open_corpus, word_counts
from ..errors import ConfigError
from ..formats.reading import load
from ..pipeline.normalizers import Normalizer
from ..pipeline.pretokenizers import PreTokenizer
from ..tokenizers.tokenizer import Tokenizer
from ..util.progress import CountingProgress

# Marks "argument not given", so that resuming can tell an explicit pattern=None (no split) from the default.
UNSET: Any = object()
# The pre-tokenizer every trainer uses unless told otherwise (BPE and its variants, Unigram, PathPiece, MWT).
DEFAULT_PATTERN = "o200k"
# WordPiece's own default: BERT's pre-tokenizer (whitespace dropped, punctuation alone), the "bert" pattern.
WORDPIECE_DEFAULT_PATTERN = "bert"

# Keyword arguments of `train` that belong to the corpus reader and to counting.
READ_OPTIONS = ("text_field", "column", "errors", "on_bad_record", "max_record_chars", "records", "recursive", "format")
COUNT_OPTIONS = ("batch_chars", "max_distinct", "shard_size", "ray_address", "ray")


def show_progress(progress) -> bool:
    return sys.stderr.isatty() if progress is None else bool(progress)


def count_corpus(corpus: Any, pretok: PreTokenizer, norm: Normalizer, show: bool, options: dict):
    """Pretoken counts of `corpus`, whatever form it takes (a ready `PretokenCounts` is used as it is)."""
    unknown = set(options) - set(READ_OPTIONS) - set(COUNT_OPTIONS)
    if unknown:
        raise ConfigError(f"unknown training option(s): {', '.join(sorted(unknown))}")
    if isinstance(corpus, PretokenCounts):
        return corpus
    if isinstance(corpus, Mapping):
        corpus = word_counts(corpus)
    reader = open_corpus(corpus, **{k: v for k, v in options.items() if k in READ_OPTIONS})
    printer = CountingProgress() if show else None
    try:
        return count_pretokens(reader, pretok, norm, progress=printer,
                               **{k: v for k, v in options.items() if k in COUNT_OPTIONS})
    finally:
        if printer is not None:
            printer.close()


def resolve_base(base):
    """The tokenizer to resume from: None, a `Tokenizer`, or a file `load` reads."""
    if base is None:
        return None
    if isinstance(base, Tokenizer):
        return base
    return load(base)


def resolve_pipeline(pattern: Any, normalizer: Any, default_pattern: "str | None" = None):
    """The pre-tokenizer and normalizer a method trains with (`pattern` unset: `default_pattern`, or o200k)."""
    if pattern is UNSET:
        pattern = default_pattern or DEFAULT_PATTERN
    return PreTokenizer.from_spec(pattern), Normalizer.from_spec(normalizer)


def native_counts(corpus: Any, pretok, norm, progress, options: dict):
    """(counts, native PretokenCounter) of `corpus` under the pipeline; `options`: reader and counting options."""
    counts = count_corpus(corpus, pretok, norm, show_progress(progress), options)
    counter = counts.counter
    if not isinstance(counter, _core.PretokenCounter):
        counter = _core.PretokenCounter(*pretok.native_args(), list(norm.steps))
        counter.add_counts(counts.items)
    return counts, counter


def no_base(model: str, base: Any) -> None:
    if base is not None:
        raise ConfigError(f"model={model!r} does not resume from a base tokenizer (base=...); train it from a corpus")
