"""Training text: streaming readers for every input kind, word-count tables, and pretoken counting (local, Ray).

    corpus = open_corpus(["data/", "extra.jsonl.zst"], errors="replace")
    counts = count_pretokens(corpus, "o200k", max_distinct=50_000_000)
"""

from .corpus import Corpus, Texts, open_corpus
from .counting import PretokenCounts, count_pretokens
from .readers import FileSource, ReadOptions
from .shard_counting import PruneReport, new_counter
from .splitting import split_record
from .tables import WordCounts, word_counts, wordfreq_counts

__all__ = [
    "Corpus",
    "FileSource",
    "PretokenCounts",
    "PruneReport",
    "ReadOptions",
    "Texts",
    "WordCounts",
    "count_pretokens",
    "new_counter",
    "open_corpus",
    "split_record",
    "word_counts",
    "wordfreq_counts",
]
