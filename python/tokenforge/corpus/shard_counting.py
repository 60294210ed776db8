"""Counting one shard of a corpus into a pretoken table under the memory bound: what the local run and a Ray worker
both do (counting.py orchestrates the shards, ray_backend.py sends them to Ray)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from .. import _core
from ..pipeline.normalizers import Normalizer
from ..pipeline.pretokenizers import PreTokenizer
from .corpus import Shard, TableShard

ProgressFn = Callable[[int, int, int], None]
"""progress(records, chars, distinct): records and characters read so far, distinct pretokens held in memory."""


def new_counter(pretokenizer: PreTokenizer, normalizer: Normalizer) -> Any:
    """A native `PretokenCounter` for the pipeline."""
    kind, pattern, emit_gaps = pretokenizer.native_args()
    return _core.PretokenCounter(kind, pattern, emit_gaps, list(normalizer.steps))


@dataclass
class PruneReport:
    """What the memory bound dropped, summed over every pruning round (a pretoken dropped twice counts twice)."""

    dropped_distinct: int = 0
    dropped_occurrences: int = 0
    threshold: Optional[int] = None  # the largest k used: entries counted fewer than k times may be missing
    rounds: int = 0

    def add(self, other: "PruneReport") -> None:
        self.dropped_distinct += other.dropped_distinct
        self.dropped_occurrences += other.dropped_occurrences
        self.rounds += other.rounds
        if other.threshold is not None:
            self.threshold = max(self.threshold or 0, other.threshold)


def enforce_bound(counter: Any, max_distinct: Optional[int], report: PruneReport) -> None:
    """If the table holds more than `max_distinct` entries, drop those counted < k for k = 2, 4, 8, ... until at
    most `max_distinct // 2` remain (halving leaves room to grow before the next round)."""
    if max_distinct is None or len(counter) <= max_distinct:
        return
    k = 2
    while True:
        distinct, occurrences = counter.prune(k)
        report.dropped_distinct += distinct
        report.dropped_occurrences += occurrences
        report.threshold = max(report.threshold or 0, k)
        report.rounds += 1
        if len(counter) <= max_distinct // 2:
            return
        k *= 2


def _fix_surrogates(text: str) -> str:
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _add_batch(counter: Any, batch: list[str]) -> None:
    try:
        counter.add_texts(batch)
    except UnicodeEncodeError:  # lone surrogates from an in-memory iterable: U+FFFD, as the tokenizer does
        counter.add_texts([_fix_surrogates(t) for t in batch])


@dataclass
class ShardTally:
    """What counting one shard saw, besides the table itself."""

    records: int = 0
    chars: int = 0
    report: PruneReport = field(default_factory=PruneReport)


def count_shard(
    counter: Any,
    shard: Shard,
    pretokenizer: PreTokenizer,
    normalizer: Normalizer,
    batch_chars: int,
    max_distinct: Optional[int],
    on_batch: Optional[Callable[[ShardTally], None]] = None,
) -> ShardTally:
    """Count one shard into `counter`: text in batches of about `batch_chars` characters, the bound enforced after
    each batch; a word table added whole. Runs the same in the driver and in a Ray worker."""
    tally = ShardTally()
    if isinstance(shard, TableShard):
        counter.add_counts(shard.table.pretoken_counts(pretokenizer, normalizer))
        enforce_bound(counter, max_distinct, tally.report)
        return tally
    batch: list[str] = []
    size = 0

    def flush() -> None:
        _add_batch(counter, batch)
        tally.records += len(batch)
        tally.chars += size
        enforce_bound(counter, max_distinct, tally.report)
        if on_batch is not None:
            on_batch(tally)

    for record in shard.records():
        batch.append(record)
        size += len(record)
        if size >= batch_chars:
            flush()
            batch, size = [], 0
    if batch:
        flush()
    return tally
