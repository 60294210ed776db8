"""The inputs of `count` and `encode`, read the way `train` and `eval` read them (`open_corpus`).

Each argument is a file (.txt, .gz, .zst, JSON Lines, Parquet), a directory or a glob, or "-" for standard input;
a directory or glob stands for the files in it, each reported under its own name. Plain text is *running text*:
one text per file, as encoding the whole file would see it, streamed in pieces cut where the tokenizer cannot
tell (`safe_splits`). JSON Lines and Parquet hold documents: each record is a text of its own.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import sys
import warnings
from typing import Callable, Iterator, Optional, Sequence

from ..errors import CorpusError, CorpusWarning
from .corpus import _GLOB_CHARS, open_corpus
from .readers import FileSource, ReadOptions, read_file
from .running_text import BLOCK_BYTES, read_running_stream, read_running_text

STDIN = "<stdin>"
# Records are handed out in batches of about this many characters (a tokenizer counts a batch in parallel).
BATCH_CHARS = 4 << 20
# Documents are never cut: a record is one text, however long.
_WHOLE_RECORDS = sys.maxsize


class UnsafeCutWarning(CorpusWarning):
    """Running text had no safe cut for a long stretch and was cut anyway; the count may be off at those cuts."""


@dataclasses.dataclass
class Piece:
    """Texts from the input `name`: consecutive pieces of its running text (`documents` False), or whole records
    (`documents` True: JSON Lines, Parquet). Every input gives at least one piece, if only an empty one."""

    name: str
    texts: list[str]
    documents: bool


def input_sources(paths: Sequence[str], corpus_options: dict) -> Iterator[Optional[FileSource]]:
    """The files the arguments name, in order, each once (None: standard input). `corpus_options`: keyword
    arguments of `open_corpus`."""
    seen: set[str] = set()
    for path in paths or ["-"]:
        if path == "-":
            yield None
            continue
        if not os.path.exists(path) and not (_GLOB_CHARS & set(path)):
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
        sources = open_corpus(path, **corpus_options).files
        if not sources:
            raise CorpusError("no text, JSON Lines or Parquet files here (looked for .txt, .md, .jsonl, .parquet, "
                              "optionally .gz/.zst)", path)
        for source in sources:
            key = os.path.realpath(source.path)
            if key not in seen:
                seen.add(key)
                yield source


def read_inputs(paths: Sequence[str], corpus_options: dict, splitter: Optional[Callable[[], object]] = None,
                block_bytes: int = BLOCK_BYTES) -> Iterator[Piece]:
    """`Piece`s of every input in order (`corpus_options`: keyword arguments of `open_corpus`). Running text comes
    whole (one piece per file) unless `splitter` makes a `SafeSplitter`, which cuts it into pieces as it streams;
    one warning per file says if it had to cut where the count might change."""
    options = ReadOptions(**corpus_options, max_record_chars=_WHOLE_RECORDS)
    for source in input_sources(paths, corpus_options):
        if source is None:
            name, blocks = STDIN, read_running_stream(sys.stdin.buffer, STDIN, options, block_bytes)
        elif source.format == "text":
            name, blocks = source.path, read_running_text(source, options, block_bytes)
        else:
            yield from _record_batches(source, options)
            continue
        if splitter is None:
            yield Piece(name, ["".join(blocks)], False)
            continue
        split = splitter()
        given = False
        for block in blocks:
            for piece in split.feed(block):
                given = True
                yield Piece(name, [piece], False)
        for piece in split.finish():
            given = True
            yield Piece(name, [piece], False)
        if not given:
            yield Piece(name, [], False)
        if split.forced_cuts:
            warnings.warn(
                f"{name}: cut {split.forced_cuts} time(s) where the tokenizer may split differently, after "
                f"{split.cap:,} characters with no safe point (e.g. a long line with no space between words); the "
                "count may differ by a few tokens at each such cut", UnsafeCutWarning, stacklevel=2)


def _record_batches(source: FileSource, options: ReadOptions) -> Iterator[Piece]:
    batch: list[str] = []
    size = 0
    given = False
    for record in read_file(source, options):
        batch.append(record)
        size += len(record)
        if size >= BATCH_CHARS:
            given = True
            yield Piece(source.path, batch, True)
            batch, size = [], 0
    if batch or not given:
        yield Piece(source.path, batch, True)
