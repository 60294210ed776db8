"""The one streaming pass: the corpus is read once, in chunks; each chunk is encoded by every tokenizer and
folded into id histograms (`Tokenizer.id_histogram`, native and parallel, no id lists), while corpus-wide counts
(bytes, characters, whitespace words: `_core.count_words`) and a bounded sample of records spread over the corpus
(for the expensive metrics) are taken along the way."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

from .. import _core
from ..reference.word_count import count_words as reference_count_words
from .histogram import IdHistogram
from .inputs import Progress


@dataclass
class CorpusScan:
    bytes: int = 0
    chars: int = 0
    words: int = 0
    records: int = 0
    word_counts: Counter = field(default_factory=Counter)
    sample: list[str] = field(default_factory=list)
    pruned_words: bool = False  # the word table was pruned (only fertility's word list is affected)


@dataclass
class TokenizerScan:
    histogram: IdHistogram
    seconds: float = 0.0

    @property
    def tokens(self) -> int:
        return self.histogram.total


def scan(records: Iterable[str], tokenizers: Sequence, *, chunk_chars: int = 1 << 20, sample_records: int = 256,
         sample_record_chars: int = 2000, max_distinct_words: int = 2_000_000,
         progress: Optional[Progress] = None
         ) -> tuple[CorpusScan, list[TokenizerScan]]:
    """Reads `records` once; returns corpus counts and, per tokenizer, its id histogram and encode time.

    The sample is spread evenly over the corpus (every stride-th record, the stride doubling as the corpus grows;
    deterministic), at most `sample_records` records cut to `sample_record_chars` characters. The word table keeps
    at most about `max_distinct_words` words (words seen once are dropped when it grows past that; the word total
    stays exact)."""
    corpus = CorpusScan()
    results = [TokenizerScan(IdHistogram(t.vocab_size)) for t in tokenizers]
    stride = 1
    chunk: list[str] = []
    size = 0

    def flush() -> None:
        try:
            words, n_words, chars, size = _core.count_words(chunk)  # parallel, GIL released
        except UnicodeEncodeError:  # a lone surrogate: the plain twin counts it
            words, n_words, chars, size = reference_count_words(chunk)
        corpus.chars += chars
        corpus.bytes += size
        corpus.words += n_words
        corpus.word_counts.update(words)
        if len(corpus.word_counts) > max_distinct_words:  # bound memory: forget the words seen once so far
            corpus.word_counts = Counter({w: c for w, c in corpus.word_counts.items() if c > 1})
            corpus.pruned_words = True
        for tok, res in zip(tokenizers, results):
            start = time.perf_counter()
            if hasattr(tok, "id_histogram"):  # counted natively: no id lists built
                res.histogram.add_counts(tok.id_histogram(chunk, disallowed_special=()))
            else:
                res.histogram.add(tok.encode_batch(chunk, disallowed_special=()))
            res.seconds += time.perf_counter() - start
        if progress:
            progress("encoding", corpus.bytes)

    for record in records:
        if corpus.records % stride == 0 and sample_records:
            corpus.sample.append(record[:sample_record_chars])
            if len(corpus.sample) >= 2 * sample_records:  # keep every other one, take half as often
                del corpus.sample[1::2]
                stride *= 2
        corpus.records += 1
        chunk.append(record)
        size += len(record)
        if size >= chunk_chars:
            flush()
            chunk, size = [], 0
    if chunk:
        flush()
    if len(corpus.sample) > sample_records:
        step = len(corpus.sample) / sample_records
        corpus.sample = [corpus.sample[int(k * step)] for k in range(sample_records)]
    return corpus, results
