"""The one streaming pass: the corpus is read once, in batches; each batch is encoded by every tokenizer and folded
into id histograms (`Tokenizer.id_histogram`, native and parallel, no id lists), while corpus-wide counts (bytes,
characters, whitespace words: `_core.WordTally`) and a bounded sample of records spread over the corpus (for the
expensive metrics) are taken along the way. Plain-text files come as blocks of whole lines (`LineBlock`), which
cross into native code as one string each instead of one Python string per line."""

from __future__ import annotations

import bisect
import itertools
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Optional, Sequence, Union

from .. import _core
from ..corpus.corpus import group_records
from ..corpus.readers import LineBlock
from ..tokenizers.tokenizer import _fix_surrogates
from .histogram import IdHistogram
from .inputs import Progress

Batch = Union[list, LineBlock]


@dataclass
class CorpusScan:
    bytes: int = 0
    chars: int = 0
    words: int = 0
    records: int = 0
    word_counts: object = None  # a `_core.WordTally`: most_common(n), [word], len()
    sample: list[str] = field(default_factory=list)
    pruned_words: bool = False  # the word table was pruned (only fertility's word list is affected)


@dataclass
class TokenizerScan:
    histogram: IdHistogram
    seconds: float = 0.0

    @property
    def tokens(self) -> int:
        return self.histogram.total


class RecordSample:
    """The records that hold a character position divisible by `stride` (positions counted over the whole corpus),
    each cut to `record_chars`; the stride doubles whenever more than 2 * `limit` are held, so the sample stays
    spread evenly over the text seen so far at bounded memory (deterministic; empty records are never taken)."""

    def __init__(self, limit: int, record_chars: int):
        self.limit, self.record_chars = limit, record_chars
        self.stride = 1
        self.items: list[tuple[int, int, str]] = []  # (start, end, text) in corpus positions

    def _double(self) -> None:
        self.stride *= 2
        s = self.stride
        self.items = [it for it in self.items if -(-it[0] // s) * s < it[1]]

    def add(self, start: int, length: int, locate: Callable[[int], tuple[int, int, str]]) -> None:
        """Takes the sampled records of a batch covering corpus positions [start, start + length); `locate(p)`
        gives the (start, end, text) of the batch's record holding batch position p."""
        if not self.limit:
            return
        while length > 2 * self.limit * self.stride:  # at most about 2 * limit lookups per batch
            self._double()
        s, end = self.stride, start + length
        p = -(-start // s) * s
        while p < end:
            rs, re_, text = locate(p - start)
            self.items.append((start + rs, start + re_, text[: self.record_chars]))
            p = -(-(start + re_) // s) * s  # the next sampled position past this record
        while len(self.items) > 2 * self.limit:
            self._double()

    def texts(self) -> list[str]:
        items = self.items
        if len(items) > self.limit:
            step = len(items) / self.limit
            items = [items[int(k * step)] for k in range(self.limit)]
        return [text for _, _, text in items]


def _locate_in_block(text: str) -> Callable[[int], tuple[int, int, str]]:
    def locate(p: int) -> tuple[int, int, str]:
        rs, re_ = text.rfind("\n", 0, p) + 1, text.find("\n", p) + 1
        return rs, re_, text[rs:re_]
    return locate


def _locate_in_list(records: list[str]) -> Callable[[int], tuple[int, int, str]]:
    ends = list(itertools.accumulate(map(len, records)))

    def locate(p: int) -> tuple[int, int, str]:
        k = bisect.bisect_right(ends, p)
        return (ends[k - 1] if k else 0), ends[k], records[k]
    return locate


def read_ahead(items: Iterable, depth: int = 1) -> Iterator:
    """Yields `items`, each produced one step ahead on a background thread: reading and decompressing the next
    block (zlib releases the GIL) overlaps the native counting of this one. Errors reach the consumer in order;
    the thread stops when the consumer does."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                q.put(entry, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((end, None))
        except BaseException as exc:  # handed to the consumer, raised there
            put((end, exc))

    thread = threading.Thread(target=produce, name="tokenforge-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item, exc = q.get()
            if item is end:
                if exc is not None:
                    raise exc
                return
            yield item
    finally:
        stop.set()
        thread.join()


RUNNING_PIECE_CHARS = 1 << 16


def running_pieces(text: str, size: int = RUNNING_PIECE_CHARS) -> list[str]:
    """A block of lines cut into pieces at line ends (from each piece's start, `size` characters on, then to the
    end of that line), to be encoded as running text in parallel: counts differ from encoding the block whole
    only where a pre-token would have spanned a cut, a few per million tokens. Native twin:
    `histogram_batch(..., units="running")`."""
    pieces, pos, n = [], 0, len(text)
    while pos < n:
        end = text.find("\n", pos + size) + 1 if pos + size < n else n
        end = end or n
        pieces.append(text[pos:end])
        pos = end
    return pieces


def _batches(records: Iterable[str], chars: int) -> Iterator[Batch]:
    batches = getattr(records, "batches", None)  # a Corpus: line blocks where it can
    return batches(chars) if batches is not None else group_records(records, chars)


def scan(records: Iterable[str], tokenizers: Sequence, *, chunk_chars: int = 1 << 20, sample_records: int = 256,
         sample_record_chars: int = 2000, max_distinct_words: int = 2_000_000, line_records: bool = False,
         progress: Optional[Progress] = None
         ) -> tuple[CorpusScan, list[TokenizerScan]]:
    """Reads `records` (a `Corpus`, or any iterable of strings) once; returns corpus counts and, per tokenizer, its
    id histogram and encode time.

    Plain-text files are encoded as running text (`running_pieces` of each block of lines), as a tokenizer sees a
    document; with `line_records` each line is encoded on its own instead (the convention of trainers reading
    text files), which adds a token wherever a pre-token would span a line end (about 4% more tokens on indented
    text). Records of other sources (JSON Lines, Parquet, in-memory texts) are always encoded one by one.

    The sample holds at most `sample_records` records spread evenly over the corpus text (see `RecordSample`), cut
    to `sample_record_chars` characters. The word table keeps at most about `max_distinct_words` words (words seen
    once are dropped when it grows past that; the word total stays exact)."""
    corpus = CorpusScan()
    tally = _core.WordTally(max_distinct_words)
    results = [TokenizerScan(IdHistogram(t.vocab_size)) for t in tokenizers]
    sample = RecordSample(sample_records, sample_record_chars)
    for batch in read_ahead(_batches(records, chunk_chars)):
        block = isinstance(batch, LineBlock)
        texts = [batch.text] if block else batch
        if not texts:
            continue
        start, newlines = corpus.chars, tally.newlines
        try:
            tally.add(texts)  # parallel, GIL released
        except UnicodeEncodeError:  # lone surrogates: counted as U+FFFD (same characters and bytes)
            tally.add([_fix_surrogates(t) for t in texts])
        corpus.chars = tally.chars
        corpus.records += (tally.newlines - newlines) if block else len(batch)
        sample.add(start, corpus.chars - start, _locate_in_block(batch.text) if block else _locate_in_list(batch))
        # what each tokenizer encodes: a block as running text or line by line, or the batch's records
        units = ("lines" if line_records else "running") if block else "records"
        for tok, res in zip(tokenizers, results):
            t0 = time.perf_counter()
            if hasattr(tok, "id_histogram"):  # counted natively: no id lists built
                tok.id_histogram(texts, disallowed_special=(), units=units, piece_chars=RUNNING_PIECE_CHARS,
                                 out=res.histogram.dense)
            else:
                res.histogram.add(tok.encode_batch(
                    batch.records() if units == "lines" else running_pieces(batch.text) if units == "running"
                    else texts, disallowed_special=()))
            res.seconds += time.perf_counter() - t0
        if progress:
            progress("encoding", tally.bytes)
    corpus.bytes, corpus.words, corpus.pruned_words = tally.bytes, tally.words, tally.pruned
    corpus.word_counts = tally
    corpus.sample = sample.texts()
    return corpus, results
