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


def _texts(corpus: Any, errors: str) -> Iterable[str]:
    import gzip
    import os

    paths = [corpus] if isinstance(corpus, (str, os.PathLike)) else corpus
    if isinstance(paths, (list, tuple)) and paths and all(isinstance(p, os.PathLike) or p is corpus for p in paths):
        for p in paths:
            if not os.path.isfile(p):
                raise TrainingError(f"{os.fspath(p)}: no such file")
            opener = gzip.open if os.fspath(p).endswith(".gz") else open
            with opener(p, "rt", encoding="utf-8", errors="replace" if errors != "strict" else "strict") as f:
                yield from f
    else:
        yield from corpus


def count_pretokens(corpus: Any, pretokenizer: PreTokenizer, normalizer: Normalizer, *, progress: bool = False,
                    batch_chars: int = 4_000_000, errors: str = "replace", **_: Any) -> Counts:
    kind, pattern, gaps = pretokenizer.native_args()
    counter = _core.PretokenCounter(kind, pattern, gaps, list(normalizer.steps))
    if isinstance(corpus, Mapping):
        counter.add_counts([(w.encode("utf-8") if isinstance(w, str) else bytes(w), int(c)) for w, c in corpus.items()])
    else:
        batch: list[str] = []
        size = 0
        for text in _texts(corpus, errors):
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
