"""MWT (Gee et al., "Multi-Word Tokenization for Sequence Compression"): the top-k most frequent word n-grams
of the training corpus become single tokens on top of a base subword tokenizer.

The base is trained here (BPE with `vocab_size - k` ids, on the same pass over the corpus) or given (`base=`, then
`k = vocab_size - base.vocab_size`). Encoding matches the n-grams over the pretoken stream before subword encoding
(`tokenforge.tokenizers.multiword`).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from .. import _core
from ..corpus import PretokenCounts, open_corpus
from ..errors import ConfigError
from ..tokenizers.multiword import MultiWordTokenizer
from .bpe import train_bpe
from .common import READ_OPTIONS, resolve_base, resolve_pipeline

DEFAULT_K = 2500
DEFAULT_NGRAM_SIZES = (2,)


def train_mwt(
    corpus: Any,
    *,
    vocab_size: int,
    mwt_k: Optional[int] = None,
    ngram_sizes: Sequence[int] = DEFAULT_NGRAM_SIZES,
    min_ngram_count: int = 2,
    base: Any = None,
    pattern: Any = "o200k",
    normalizer: Any = None,
    progress: Optional[bool] = None,
    batch_chars: int = 4_000_000,
    **options: Any,
):
    """`tokenforge.train(corpus, model="mwt", vocab_size=N, mwt_k=K, ngram_sizes=(2,))`. Other keyword arguments
    go to the base BPE trainer (`min_frequency`, `special_tokens`, ...) and to the corpus reader."""
    sizes = tuple(ngram_sizes)
    if not sizes or any(not isinstance(n, int) or isinstance(n, bool) or n < 2 for n in sizes):
        raise ConfigError(f"ngram_sizes must be integers >= 2 (words per multi-word token), got {ngram_sizes!r}")
    if not isinstance(min_ngram_count, int) or min_ngram_count < 1:
        raise ConfigError(f"min_ngram_count must be a positive integer, got {min_ngram_count!r}")
    if not isinstance(vocab_size, int) or isinstance(vocab_size, bool) or vocab_size <= 0:
        raise ConfigError(f"vocab_size must be a positive integer, got {vocab_size!r}")
    base_tok = resolve_base(base)
    if base_tok is not None:
        k = vocab_size - base_tok.vocab_size
        if mwt_k is not None and mwt_k != k:
            raise ConfigError(f"with base=, the n-grams fill vocab_size: mwt_k must be {k} (or left out), got {mwt_k}")
        if k <= 0:
            raise ConfigError(f"vocab_size={vocab_size} leaves no room for n-grams above the base's {base_tok.vocab_size} ids")
        pretok, norm = base_tok.pretokenizer, base_tok.normalizer
    else:
        k = DEFAULT_K if mwt_k is None else mwt_k
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise ConfigError(f"mwt_k must be a positive integer, got {mwt_k!r}")
        if vocab_size - k < 257:
            raise ConfigError(f"vocab_size={vocab_size} with mwt_k={k} leaves {vocab_size - k} ids for the base "
                              "tokenizer; a byte-level base needs more than 256: lower mwt_k or raise vocab_size")
        pretok, norm = resolve_pipeline(pattern, normalizer)
    if isinstance(corpus, (PretokenCounts, dict)):
        raise ConfigError("MWT counts word n-grams, so it needs running text, not a table of word counts")

    read = {key: options.pop(key) for key in list(options) if key in READ_OPTIONS}
    kind, pat, gaps = pretok.native_args()
    counter = _core.PretokenCounter(kind, pat, gaps, list(norm.steps)) if base_tok is None else None
    ngrams: Any = None
    from collections import Counter

    from .ngrams import count_ngrams, top_ngrams

    ngrams = Counter()
    records = chars = 0
    batch: list[str] = []
    size = 0

    def flush() -> None:
        if counter is not None:
            counter.add_texts(batch)
        count_ngrams((_core.pretokenize(norm(t), kind, pat, gaps) for t in batch), sizes, ngrams)
        batch.clear()

    for record in open_corpus(corpus, **read):
        batch.append(record)
        records += 1
        chars += len(record)
        size += len(record)
        if size >= batch_chars:
            flush()
            size = 0
    flush()
    if records == 0:
        from ..errors import CorpusError

        raise CorpusError("the corpus is empty")
    if base_tok is None:
        counts = PretokenCounts(counter, records=records, chars=chars)
        base_tok = train_bpe(counts, vocab_size=vocab_size - k, pattern=pretok, normalizer=norm, progress=progress,
                             **options)
    elif options:
        unknown = set(options) - {"min_frequency", "max_token_length", "special_tokens", "initial_alphabet",
                                  "limit_alphabet", "check_every", "byte_level"}
        if unknown:
            raise ConfigError(f"unknown training option(s): {', '.join(sorted(unknown))}")
    chosen = top_ngrams(ngrams, k, min_ngram_count)
    first = max([base_tok.model.max_id, *base_tok.special_tokens.values(), *base_tok.added_tokens.values()]) + 1
    tok = MultiWordTokenizer(base_tok, {g: first + i for i, g in enumerate(chosen)})
    tok.training = {"model": "mwt", "vocab_size": vocab_size, "mwt_k": k, "ngrams_added": len(chosen),
                    "ngram_sizes": list(sizes), "min_ngram_count": min_ngram_count, "records": records,
                    "chars": chars, "base": base_tok.training}
    if len(chosen) < k:
        import warnings

        from ..errors import TrainingWarning

        warnings.warn(f"the corpus has only {len(chosen)} word n-grams seen {min_ngram_count}+ times of the {k} "
                      "asked for", TrainingWarning, stacklevel=3)
    return tok
