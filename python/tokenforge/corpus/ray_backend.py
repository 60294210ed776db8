"""Counting on Ray: one task per shard, each with its own counter; the driver merges the tables in corpus order.

Ray is imported only here, and only when asked for, so tokenforge imports and runs without it. The workers need
tokenforge importable (on a local instance they inherit the driver's environment; on a cluster, install it there)
and must see the corpus files at the same paths.
"""

from __future__ import annotations

import warnings
from collections import deque
from typing import Any, Optional

from ..errors import ConfigError, CorpusWarning, TokenforgeError
from ..pipeline.normalizers import Normalizer
from ..pipeline.pretokenizers import PreTokenizer
from .corpus import Corpus, Shard
from .shard_counting import ProgressFn, PruneReport, count_shard, enforce_bound, new_counter

_remote_task: Any = None


def _count_task(shard: Shard, pretokenizer: PreTokenizer, normalizer: Normalizer, batch_chars: int,
                max_distinct: Optional[int]) -> tuple[list[tuple[bytes, int]], int, int, PruneReport, list[str]]:
    """Runs in a worker: the shard's table under the bound, its tallies, and the warnings reading it raised."""
    counter = new_counter(pretokenizer, normalizer)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CorpusWarning)
        tally = count_shard(counter, shard, pretokenizer, normalizer, batch_chars, max_distinct)
    messages = [str(w.message) for w in caught if issubclass(w.category, CorpusWarning)]
    return counter.items(), tally.records, tally.chars, tally.report, messages


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigError("counting on Ray needs Ray: pip install 'tokenforge[ray]'") from None
    return ray


def count_with_ray(
    corpus: Corpus,
    pretokenizer: PreTokenizer,
    normalizer: Normalizer,
    *,
    batch_chars: int,
    max_distinct: Optional[int],
    shard_size: int,
    progress: Optional[ProgressFn] = None,
    address: Optional[str] = None,
) -> tuple[Any, int, int, PruneReport]:
    """The table of `corpus` counted on Ray: (counter, records, chars, prune report).

    Connects to `address` (or starts a local instance) unless Ray is already initialized, and leaves it running.
    At most twice as many shards as the cluster has CPUs are in flight, so the driver holds a bounded number of
    shard texts and result tables.
    """
    global _remote_task
    ray = _import_ray()
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    if _remote_task is None:
        _remote_task = ray.remote(_count_task)
    window = max(2, 2 * int(ray.cluster_resources().get("CPU", 1)))

    main = new_counter(pretokenizer, normalizer)
    report = PruneReport()
    records = chars = 0
    pending: deque[Any] = deque()

    def merge_oldest() -> None:
        nonlocal records, chars
        ref = pending.popleft()
        try:
            items, n_records, n_chars, shard_report, messages = ray.get(ref)
        except ray.exceptions.RayTaskError as err:
            cause = getattr(err, "cause", None)
            if isinstance(cause, TokenforgeError):
                raise cause from None
            raise
        for message in messages:
            warnings.warn(message, CorpusWarning, stacklevel=4)
        main.add_counts(items)
        del items
        enforce_bound(main, max_distinct, report)
        report.add(shard_report)
        records += n_records
        chars += n_chars
        if progress is not None:
            progress(records, chars, len(main))

    try:
        for shard in corpus.shards(shard_size):
            pending.append(_remote_task.remote(shard, pretokenizer, normalizer, batch_chars, max_distinct))
            if len(pending) >= window:
                merge_oldest()
        while pending:
            merge_oldest()
    finally:
        for ref in pending:
            ray.cancel(ref)
    return main, records, chars, report
