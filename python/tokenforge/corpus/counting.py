"""Counting pretokens over a corpus, streaming and memory-bounded: the first stage of every trainer.

The table of distinct pretokens is what runs out of memory on big corpora (HF tokenizers #1345, #1577, #1681), so
it is bounded: see `count_pretokens` for the rule. Work is cut into shards (`Corpus.shards`) and merged in corpus
order, the same way on one machine and on Ray, so both give the same table, pruned or not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Union

from ..errors import ConfigError, CorpusError
from ..pipeline.normalizers import Normalizer
from ..pipeline.pretokenizers import PreTokenizer
from .corpus import Corpus, open_corpus
from .ray_backend import count_with_ray
from .shard_counting import ProgressFn, PruneReport, ShardTally, count_shard, enforce_bound, new_counter

class PretokenCounts:
    """The counted pretokens of a corpus, and what the memory bound dropped.

    `counter` is the table itself (native, so trainers read it without copying); `items` lists it sorted by bytes,
    built on first use. `total` sums the kept counts; `total + dropped_occurrences` is every pretoken occurrence
    read. `prune_threshold` is None when nothing was pruned, else entries counted fewer times may be missing.
    """

    def __init__(self, counter: Any, *, records: int = 0, chars: int = 0, dropped_distinct: int = 0,
                 dropped_occurrences: int = 0, prune_threshold: Optional[int] = None):
        self.counter = counter
        self.total: int = counter.total()
        self.distinct: int = len(counter)
        self.records = records
        self.chars = chars
        self.dropped_distinct = dropped_distinct
        self.dropped_occurrences = dropped_occurrences
        self.prune_threshold = prune_threshold
        self._items: Optional[list[tuple[bytes, int]]] = None

    @property
    def items(self) -> list[tuple[bytes, int]]:
        if self._items is None:
            self._items = self.counter.items()
        return self._items

    @property
    def pruned(self) -> bool:
        return self.prune_threshold is not None

    def prune_report(self) -> dict:
        return {"dropped_distinct": self.dropped_distinct, "dropped_occurrences": self.dropped_occurrences,
                "threshold": self.prune_threshold}

    def as_dict(self) -> dict[bytes, int]:
        return dict(self.items)

    def most_common(self, n: Optional[int] = None) -> list[tuple[bytes, int]]:
        ranked = sorted(self.items, key=lambda kv: (-kv[1], kv[0]))
        return ranked if n is None else ranked[:n]

    def __len__(self) -> int:
        return self.distinct

    def _key(self) -> tuple:
        return (self.items, self.total, self.distinct, self.records, self.chars, self.dropped_distinct,
                self.dropped_occurrences, self.prune_threshold)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PretokenCounts) and self._key() == other._key()

    __hash__ = None  # mutable contents

    def __repr__(self) -> str:
        return (f"PretokenCounts(total={self.total}, distinct={self.distinct}, records={self.records}, "
                f"chars={self.chars}, pruned={self.pruned})")


@dataclass
class _Totals:
    records: int = 0
    chars: int = 0
    report: PruneReport = field(default_factory=PruneReport)


def _count_local(corpus: Corpus, pretokenizer: PreTokenizer, normalizer: Normalizer, batch_chars: int,
                 max_distinct: Optional[int], shard_size: int, progress: Optional[ProgressFn]) -> tuple[Any, _Totals]:
    """Shards in order; each counted into its own table and merged (the first straight into the main table)."""
    main = new_counter(pretokenizer, normalizer)
    totals = _Totals()
    for shard in corpus.shards(shard_size):
        target = main if len(main) == 0 else new_counter(pretokenizer, normalizer)
        base_records, base_chars = totals.records, totals.chars

        def on_batch(tally: ShardTally, target: Any = target, base_records: int = base_records,
                     base_chars: int = base_chars) -> None:
            if progress is not None:
                held = len(main) + (len(target) if target is not main else 0)
                progress(base_records + tally.records, base_chars + tally.chars, held)

        tally = count_shard(target, shard, pretokenizer, normalizer, batch_chars, max_distinct, on_batch)
        totals.records += tally.records
        totals.chars += tally.chars
        totals.report.add(tally.report)
        if target is not main:
            main.add_counts(target.items())
            del target
            enforce_bound(main, max_distinct, totals.report)
        if progress is not None:
            progress(totals.records, totals.chars, len(main))
    return main, totals


def count_pretokens(
    corpus: Union[Corpus, Any],
    pretokenizer: Union[PreTokenizer, str, None],
    normalizer: Union[Normalizer, str, None] = None,
    *,
    batch_chars: int = 4_000_000,
    max_distinct: Optional[int] = None,
    shard_size: int = 64_000_000,
    progress: Optional[ProgressFn] = None,
    ray_address: Optional[str] = None,
    ray: bool = False,
) -> PretokenCounts:
    """Count the pretokens of `corpus` (a `Corpus`, or anything `open_corpus` takes) under `pretokenizer`
    (a `PreTokenizer`, a pattern name like "o200k", or a regex) after `normalizer`.

    Text goes to the counter in batches of about `batch_chars` characters. Memory bound: whenever the table holds
    more than `max_distinct` distinct pretokens, entries counted fewer than k times are dropped, for k = 2, 4,
    8, ... until at most `max_distinct / 2` remain; the result reports what was dropped (`dropped_distinct`,
    `dropped_occurrences`, `prune_threshold`). The corpus is cut into shards (`Corpus.shards(shard_size)`), each
    counted into its own table under the bound and merged in corpus order under the bound again, so the local run
    and the Ray run (`ray=True` or `ray_address=`) give the same result. Without pruning the counts are exact.

    `progress(records, chars, distinct)` is called after each batch (each shard on Ray).
    Raises `CorpusError("the corpus is empty ...")` when there is no text at all.
    """
    if max_distinct is not None and max_distinct < 2:
        raise ConfigError(f"max_distinct must be at least 2, not {max_distinct}")
    if batch_chars < 1:
        raise ConfigError("batch_chars must be positive")
    if not isinstance(corpus, Corpus):
        corpus = open_corpus(corpus)
    pretok = PreTokenizer.from_spec(pretokenizer)
    norm = Normalizer.from_spec(normalizer)
    if ray or ray_address is not None:
        main, records, chars, report = count_with_ray(
            corpus, pretok, norm, batch_chars=batch_chars, max_distinct=max_distinct, shard_size=shard_size,
            progress=progress, address=ray_address)
    else:
        main, totals = _count_local(corpus, pretok, norm, batch_chars, max_distinct, shard_size, progress)
        records, chars, report = totals.records, totals.chars, totals.report
    if main.total() == 0 and report.dropped_occurrences == 0:
        raise CorpusError(f"the corpus is empty: no text to count in {corpus.describe()}")
    return PretokenCounts(
        main, records=records, chars=chars, dropped_distinct=report.dropped_distinct,
        dropped_occurrences=report.dropped_occurrences, prune_threshold=report.threshold,
    )

