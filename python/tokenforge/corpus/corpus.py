"""The `Corpus`: an ordered list of sources (files, in-memory texts, word-count tables) read as a stream.

Sources are resolved when the corpus is opened (a missing file or a glob matching nothing fails at once, naming
it); files are read only while the corpus is iterated. The order is fixed (explicit order, then sorted within a
directory or glob), so counting is deterministic, and so is the cut into shards that the parallel backends share.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional, Sequence, Union

from ..errors import ConfigError, CorpusError
from .readers import FileSource, LineBlock, ReadOptions, is_corpus_file, read_file, read_file_blocks
from .splitting import split_record
from .tables import WordCounts

PathLike = Union[str, "os.PathLike[str]"]
_GLOB_CHARS = frozenset("*?[")


class Texts:
    """In-memory text records (any iterable of `str`) as a corpus source.

    A plain list or tuple given to `open_corpus` means *paths*; wrap texts in `Texts` (or pass an iterator or
    generator, which `open_corpus` wraps itself). A one-shot iterator can be read once.
    """

    def __init__(self, texts: Iterable[str], name: str = "<texts>"):
        if isinstance(texts, (str, bytes)):
            raise ConfigError("Texts takes an iterable of strings, not a single string")
        self.texts = texts
        self.name = name

    def records(self, max_chars: int) -> Iterator[str]:
        for i, text in enumerate(self.texts):
            if not isinstance(text, str):
                raise CorpusError(f"record {i} is {type(text).__name__}, not str", self.name)
            yield from split_record(text, max_chars)

    def __repr__(self) -> str:
        return f"Texts({self.name})"


Source = Union[FileSource, Texts, WordCounts]


# --------------------------------------------------------------------------------------------------------------
# Shards: the units of work both backends cut the corpus into, in the same way.


@dataclass(frozen=True)
class FileShard:
    files: tuple[FileSource, ...]
    options: ReadOptions

    def records(self) -> Iterator[str]:
        for source in self.files:
            yield from read_file(source, self.options)

    def describe(self) -> str:
        return self.files[0].path if len(self.files) == 1 else f"{self.files[0].path} (+{len(self.files) - 1} files)"


@dataclass(frozen=True)
class TextShard:
    texts: tuple[str, ...]  # already cut to max_record_chars

    def records(self) -> Iterator[str]:
        return iter(self.texts)

    def describe(self) -> str:
        return f"{len(self.texts)} in-memory records"


@dataclass(frozen=True)
class TableShard:
    table: WordCounts

    def describe(self) -> str:
        return self.table.name or "word table"


Shard = Union[FileShard, TextShard, TableShard]


def _file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


class Corpus:
    """Text records from an ordered list of sources; iterate it for the records (`str`), streaming.

    Iteration yields the records of files and `Texts`; word-count tables (`WordCounts`) hold no text and are
    only seen by counting (`count_pretokens`), which adds them as they are.
    """

    def __init__(self, sources: Sequence[Source], options: Optional[ReadOptions] = None):
        self.sources: list[Source] = list(sources)
        self.options = options or ReadOptions()

    def __iter__(self) -> Iterator[str]:
        for source in self.sources:
            if isinstance(source, FileSource):
                yield from read_file(source, self.options)
            elif isinstance(source, Texts):
                yield from source.records(self.options.max_record_chars)

    def batches(self, chars: int = 4 << 20) -> Iterator["list[str] | LineBlock"]:
        """The records iteration gives, in order, grouped into lists of about `chars` characters; stretches of
        plain-text files read by lines come as `LineBlock`s instead (one string of whole lines, about 4 MB), which
        native consumers take without a Python string per record."""
        def items() -> Iterator:
            for source in self.sources:
                if isinstance(source, FileSource):
                    yield from read_file_blocks(source, self.options)
                elif isinstance(source, Texts):
                    yield from source.records(self.options.max_record_chars)
        return group_records(items(), chars)

    @property
    def files(self) -> list[FileSource]:
        return [s for s in self.sources if isinstance(s, FileSource)]

    @property
    def tables(self) -> list[WordCounts]:
        return [s for s in self.sources if isinstance(s, WordCounts)]

    def shards(self, shard_size: int = 64_000_000) -> Iterator[Shard]:
        """The corpus cut into units of work, in corpus order and the same whatever runs them.

        Consecutive files are grouped up to about `shard_size` bytes on disk (a file is never split); in-memory
        texts are cut into chunks of about `shard_size` characters; each word table is a shard of its own.
        """
        if shard_size < 1:
            raise ConfigError("shard_size must be positive")
        group: list[FileSource] = []
        group_bytes = 0
        for source in self.sources:
            if isinstance(source, FileSource):
                group.append(source)
                group_bytes += _file_size(source.path)
                if group_bytes >= shard_size:
                    yield FileShard(tuple(group), self.options)
                    group, group_bytes = [], 0
                continue
            if group:
                yield FileShard(tuple(group), self.options)
                group, group_bytes = [], 0
            if isinstance(source, WordCounts):
                yield TableShard(source)
            else:
                chunk: list[str] = []
                chars = 0
                for record in source.records(self.options.max_record_chars):
                    chunk.append(record)
                    chars += len(record)
                    if chars >= shard_size:
                        yield TextShard(tuple(chunk))
                        chunk, chars = [], 0
                if chunk:
                    yield TextShard(tuple(chunk))
        if group:
            yield FileShard(tuple(group), self.options)

    def describe(self) -> str:
        names = [s.path if isinstance(s, FileSource) else s.name for s in self.sources]
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        return shown or "no sources"

    def __repr__(self) -> str:
        return f"Corpus({self.describe()})"


# --------------------------------------------------------------------------------------------------------------
# Resolving paths


def group_records(items: Iterable, chars: int) -> Iterator["list[str] | LineBlock"]:
    """Records (strings) grouped into lists of about `chars` characters, in order; `LineBlock`s pass through as
    they are (a pending list is given out first)."""
    batch: list[str] = []
    size = 0
    for item in items:
        if isinstance(item, LineBlock):
            if batch:
                yield batch
                batch, size = [], 0
            yield item
            continue
        batch.append(item)
        size += len(item)
        if size >= chars:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _walk(directory: str, recursive: bool) -> list[str]:
    found: list[str] = []
    for root, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")) if recursive else []
        found.extend(os.path.join(root, n) for n in sorted(names) if is_corpus_file(n))
    return found


def _resolve(path: PathLike, recursive: bool) -> list[str]:
    text = os.fspath(path)
    if os.path.isdir(text):
        return _walk(text, recursive)
    if os.path.exists(text):
        return [text]
    if _GLOB_CHARS & set(text):
        matches = sorted(glob.glob(text, recursive=recursive))
        if not matches:
            raise CorpusError("no file matches this pattern", text)
        out: list[str] = []
        for match in matches:
            out.extend(_walk(match, recursive) if os.path.isdir(match) else [match])
        return out
    raise CorpusError("no such file or directory (a list of strings is a list of paths: pass in-memory texts as "
                      "tokenforge.corpus.Texts([...]) or as an iterator)", text)


def _is_path(obj: object) -> bool:
    return isinstance(obj, (str, os.PathLike))


def open_corpus(
    sources: "PathLike | Sequence[PathLike | Texts | WordCounts] | Texts | WordCounts | Iterable[str]",
    *,
    text_field: str = "text",
    column: str = "text",
    errors: str = "replace",
    on_bad_record: str = "raise",
    max_record_chars: int = 1_000_000,
    records: str = "lines",
    recursive: bool = True,
    format: Optional[str] = None,
) -> Corpus:
    """Open training text: paths, directories, globs, `Texts`, `WordCounts`, or an iterator of strings.

    - Files by name: `.txt`/`.md`/anything else = plain text, `.jsonl`/`.ndjson` = JSON Lines (`text_field`),
      `.parquet` = Parquet (`column`); `.gz` / `.zst` on top of text and JSON Lines. `format` forces one.
    - Plain text is one record per line, the newline kept, as HF tokenizers and SentencePiece read training
      files (`records="paragraphs"`: one record per blank-line-separated block, so runs of newlines stay whole).
    - Directories are walked (`recursive`) for files with those suffixes, hidden ones left out, sorted by name.
    - A plain `list`/`tuple` of strings is a list of *paths*; texts go in `Texts([...])` or as an iterator.
    - Records longer than `max_record_chars` are cut into pieces, at whitespace when there is some.
    - `errors` ("replace" | "skip" | "strict") handles invalid UTF-8; `on_bad_record` ("raise" | "skip") handles
      bad JSON lines and missing fields. Both name the file, line and byte offset.
    """
    options = ReadOptions(text_field=text_field, column=column, errors=errors, on_bad_record=on_bad_record,
                          max_record_chars=max_record_chars, records=records)
    if isinstance(sources, Corpus):
        return Corpus(sources.sources, options)
    if _is_path(sources) or isinstance(sources, (Texts, WordCounts)):
        items: list[object] = [sources]
    elif isinstance(sources, (list, tuple)):
        items = list(sources)
    elif isinstance(sources, bytes):
        raise ConfigError("open_corpus takes paths or texts, not bytes")
    elif isinstance(sources, Iterable):
        items = [Texts(sources, name="<iterable>")]
    else:
        raise ConfigError(f"cannot read a corpus from {type(sources).__name__}")
    resolved: list[Source] = []
    seen: set[str] = set()
    for item in items:
        if isinstance(item, (Texts, WordCounts)):
            resolved.append(item)
        elif _is_path(item):
            for path in _resolve(item, recursive):  # type: ignore[arg-type]
                key = os.path.realpath(path)
                if key not in seen:
                    seen.add(key)
                    resolved.append(FileSource.from_path(path, format))
        else:
            raise ConfigError(
                f"a corpus list holds paths, Texts or WordCounts, not {type(item).__name__}; "
                "wrap in-memory texts as Texts([...])")
    return Corpus(resolved, options)
