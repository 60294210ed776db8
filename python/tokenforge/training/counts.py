"""Interim corpus counting for training: iterables of strings and word -> count tables (files: tokenforge.corpus)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .. import _core
from ..errors import TrainingError
from ..normalizers import Normalizer
from ..pretokenizers import PreTokenizer


@dataclass
class Counts:
    counter: Any
    total: int
    distinct: int

    def prune_report(self) -> dict:
        return {"dropped_distinct": 0, "dropped_occurrences": 0, "threshold": None}


def count_pretokens(corpus: Any, pretokenizer: PreTokenizer, normalizer: Normalizer, *, progress: bool = False,
                    batch_chars: int = 4_000_000) -> Counts:
    kind, pattern, gaps = pretokenizer.native_args()
    counter = _core.PretokenCounter(kind, pattern, gaps, list(normalizer.steps))
    if isinstance(corpus, Mapping):
        counter.add_counts([(w.encode("utf-8") if isinstance(w, str) else bytes(w), int(c)) for w, c in corpus.items()])
    else:
        batch: list[str] = []
        size = 0
        for text in corpus:
            batch.append(text)
            size += len(text)
            if size >= batch_chars:
                counter.add_texts(batch)
                batch, size = [], 0
        if batch:
            counter.add_texts(batch)
    if counter.total() == 0:
        raise TrainingError("the corpus is empty")
    return Counts(counter, counter.total(), len(counter))
