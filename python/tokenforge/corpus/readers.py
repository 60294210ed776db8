"""Streaming readers: plain text, JSON Lines and Parquet files, raw or compressed (.gz, .zst), as text records.

Every reader yields `str` records and holds at most about two records in memory. Input faults are located by file,
line (or row) and byte offset of the decompressed stream, and handled by an explicit policy:

- invalid UTF-8 (`errors`): "replace" (U+FFFD, one warning per file with a count and the first offset),
  "skip" (drop the record holding it, one warning per file) or "strict" (raise `CorpusError`);
- a bad record (`on_bad_record`: bad JSON, a missing or non-string text field): "raise" or "skip" (one warning
  per file). JSON `null` and empty strings are not faults: they are simply no text.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import warnings
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Iterator, Optional

from ..errors import ConfigError, CorpusError, CorpusWarning
from .splitting import cut_point, split_record

ERRORS_POLICIES = ("replace", "skip", "strict")
BAD_RECORD_POLICIES = ("raise", "skip")
RECORD_MODES = ("lines", "paragraphs")

COMPRESSION_SUFFIXES = {".gz": "gz", ".zst": "zst", ".zstd": "zst"}
FORMAT_SUFFIXES = {".txt": "text", ".text": "text", ".md": "text", ".jsonl": "jsonl", ".ndjson": "jsonl",
                   ".parquet": "parquet"}
FORMATS = ("text", "jsonl", "parquet")


@dataclass(frozen=True)
class ReadOptions:
    """How files are turned into records; one value per corpus, shipped to workers as is (it pickles)."""

    text_field: str = "text"  # JSON Lines: the key holding the text
    column: str = "text"  # Parquet: the column holding the text
    errors: str = "replace"  # invalid UTF-8: "replace" | "skip" | "strict"
    on_bad_record: str = "raise"  # bad JSON line / missing field: "raise" | "skip"
    max_record_chars: int = 1_000_000  # longer records are cut into pieces (at whitespace when possible)
    records: str = "lines"  # plain text: one record per line, or per blank-line-separated paragraph
    parquet_batch_rows: int = 8192

    def __post_init__(self) -> None:
        if self.errors not in ERRORS_POLICIES:
            raise ConfigError(f"errors must be one of {', '.join(ERRORS_POLICIES)}, not {self.errors!r}")
        if self.on_bad_record not in BAD_RECORD_POLICIES:
            raise ConfigError(
                f"on_bad_record must be one of {', '.join(BAD_RECORD_POLICIES)}, not {self.on_bad_record!r}")
        if self.records not in RECORD_MODES:
            raise ConfigError(f"records must be one of {', '.join(RECORD_MODES)}, not {self.records!r}")
        if self.max_record_chars < 16:
            raise ConfigError(f"max_record_chars must be at least 16, not {self.max_record_chars}")


@dataclass(frozen=True)
class FileSource:
    """One input file and how to read it (`format`: text | jsonl | parquet; `compression`: None | gz | zst)."""

    path: str
    format: str
    compression: Optional[str] = None

    @classmethod
    def from_path(cls, path: "str | os.PathLike[str]", format: Optional[str] = None) -> "FileSource":
        """Format and compression from the file name (`x.jsonl.zst`); any other name is plain text."""
        path = os.fspath(path)
        stem, suffix = os.path.splitext(path)
        compression = COMPRESSION_SUFFIXES.get(suffix.lower())
        if compression is not None:
            suffix = os.path.splitext(stem)[1]
        detected = FORMAT_SUFFIXES.get(suffix.lower(), "text")
        if format is not None:
            if format not in FORMATS:
                raise ConfigError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
            detected = format
        if detected == "parquet" and compression is not None:
            raise CorpusError("a Parquet file cannot be read through .gz/.zst (Parquet compresses internally)", path)
        return cls(path, detected, compression)


def is_corpus_file(name: str) -> bool:
    """Whether a directory walk picks this file up: a known suffix, optionally compressed, not hidden."""
    if name.startswith("."):
        return False
    stem, suffix = os.path.splitext(name.lower())
    if suffix in COMPRESSION_SUFFIXES:
        suffix = os.path.splitext(stem)[1]
        return suffix in FORMAT_SUFFIXES and suffix != ".parquet"
    return suffix in FORMAT_SUFFIXES


# --------------------------------------------------------------------------------------------------------------
# Opening and decoding


@contextlib.contextmanager
def open_binary(source: FileSource) -> Iterator[BinaryIO]:
    """The decompressed byte stream of a file (streaming: nothing is read ahead beyond a buffer)."""
    with contextlib.ExitStack() as stack:
        try:
            raw = stack.enter_context(open(source.path, "rb"))
        except OSError as e:
            raise CorpusError(f"cannot open: {e.strerror or e}", source.path) from None
        if source.compression == "gz":
            stream: BinaryIO = stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb"))
        elif source.compression == "zst":
            import zstandard

            reader = stack.enter_context(zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True))
            stream = stack.enter_context(io.BufferedReader(reader, buffer_size=1 << 20))  # type: ignore[arg-type]
        else:
            stream = raw
        yield stream


def _stream_fault_types() -> tuple[type[BaseException], ...]:
    faults: list[type[BaseException]] = [OSError, EOFError, zlib.error]
    try:
        import zstandard

        faults.append(zstandard.ZstdError)
    except ImportError:  # pragma: no cover - zstandard is a dependency
        pass
    return tuple(faults)


class FileIssues:
    """Applies the fault policies for one file and reports what was repaired or skipped, once, at the end."""

    def __init__(self, path: str, options: ReadOptions):
        self.path = path
        self.options = options
        self.bad_bytes = 0
        self.bad_utf8_records = 0
        self.first_bad_utf8: Optional[tuple[Optional[int], Optional[int]]] = None  # (line or row, offset)
        self.bad_records = 0
        self.first_bad_record: Optional[str] = None

    def bad_utf8(self, data: bytes, err: UnicodeDecodeError, line: Optional[int], base: Optional[int],
                 what: str = "line") -> Optional[str]:
        """The text of `data` under the policy (None: skip the record); raises under errors='strict'."""
        offset = None if base is None else base + err.start
        if self.options.errors == "strict":
            bad = data[err.start : err.end].hex(" ")
            fault = f"invalid UTF-8 (bytes {bad}); pass errors='replace' or errors='skip' (command line: --errors replace|skip) to read on"
            if what == "line":
                raise CorpusError(fault, self.path, line=line, offset=offset)
            raise CorpusError(f"{what} {line}, byte {err.start} of the value: {fault}", self.path)
        escaped = data.decode("utf-8", "surrogateescape")
        self.bad_bytes += sum(1 for ch in escaped if "\udc80" <= ch <= "\udcff")
        self.bad_utf8_records += 1
        if self.first_bad_utf8 is None:
            self.first_bad_utf8 = (line, offset)
        if self.options.errors == "skip":
            return None
        return data.decode("utf-8", "replace")

    def bad_record(self, fault: str, line: int, what: str = "line") -> None:
        if self.options.on_bad_record == "raise":
            if what == "line":
                raise CorpusError(f"{fault}; pass on_bad_record='skip' (command line: --on-bad-record skip) to skip such records", self.path, line=line)
            raise CorpusError(f"{what} {line}: {fault}; pass on_bad_record='skip' (command line: --on-bad-record skip) to skip such records", self.path)
        self.bad_records += 1
        if self.first_bad_record is None:
            self.first_bad_record = f"{what} {line}: {fault}"

    def finish(self, what: str = "line") -> None:
        if self.first_bad_utf8 is not None:
            line, offset = self.first_bad_utf8
            where = ", ".join(
                part for part in (f"{what} {line}" if line is not None else "",
                                  f"byte offset {offset}" if offset is not None else "") if part)
            if self.options.errors == "replace":
                msg = f"{self.bad_bytes} invalid UTF-8 byte(s) replaced with U+FFFD"
            else:
                msg = f"{self.bad_utf8_records} record(s) with invalid UTF-8 skipped ({self.bad_bytes} invalid byte(s))"
            warnings.warn(f"{self.path}: {msg}; first at {where}", CorpusWarning, stacklevel=2)
        if self.first_bad_record is not None:
            warnings.warn(f"{self.path}: {self.bad_records} bad record(s) skipped; first: {self.first_bad_record}",
                          CorpusWarning, stacklevel=2)


def _incomplete_tail(data: bytes) -> int:
    """Length of a multi-byte UTF-8 character cut off at the end of `data` (0 if none): it goes to the next read."""
    for back in range(1, min(3, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 == 0x80:  # continuation byte: keep looking for the lead
            continue
        if byte >= 0xC0:
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return back if need > back else 0
        return 0
    return 0


def _line_segments(stream: BinaryIO, issues: FileIssues, limit: int, *, offset: int = 0, line: int = 1,
                   first: bool = True) -> Iterator[tuple[Optional[str], bool]]:
    """(text, end_of_line) for each line, a long line in segments of at most `limit` bytes. `offset` and `line`
    say where `stream` starts in the file (for error messages); `first`: it starts at the file's start (BOM).

    A segment whose invalid UTF-8 the policy skips comes as (None, end_of_line): the record holding it is dropped.
    """
    carry = b""
    while True:
        raw = stream.readline(limit)
        if not raw:
            if carry:  # a multi-byte character cut by the end of the file
                err = UnicodeDecodeError("utf-8", carry, 0, len(carry), "unexpected end of data")
                yield issues.bad_utf8(carry, err, line, offset - len(carry)), True
            return
        eol = raw.endswith(b"\n")
        base = offset - len(carry)
        offset += len(raw)
        data = carry + raw if carry else raw
        carry = b""
        if not eol and len(raw) == limit:
            cut = _incomplete_tail(data)
            if cut:
                carry, data = data[-cut:], data[:-cut]
        try:
            text: Optional[str] = data.decode("utf-8")
        except UnicodeDecodeError as err:
            text = issues.bad_utf8(data, err, line, base)
        if first:
            first = False
            if text is not None and text.startswith("\ufeff"):
                text = text[1:]
        yield text, eol
        if eol:
            line += 1


def _assemble(segments: Iterator[tuple[Optional[str], bool]], mode: str, max_chars: int) -> Iterator[str]:
    """Records from line segments: one per line, or one per paragraph (blank lines end a paragraph and stay
    attached to it, so pre-tokenization sees the newlines); a record longer than `max_chars` is cut into pieces."""
    buf: list[str] = []
    size = 0
    dropping = False  # inside a record that errors="skip" dropped
    line_start = True
    line_has_text = False
    blank_run = False  # the previous complete line was blank (paragraph mode)
    for text, eol in segments:
        if text is None:
            buf, size, dropping = [], 0, True
        elif not dropping:
            if mode == "paragraphs" and line_start and blank_run and not text.isspace() and text:
                if size:
                    yield from split_record("".join(buf), max_chars)
                buf, size = [], 0
            buf.append(text)
            size += len(text)
            line_has_text = line_has_text or (bool(text) and not text.isspace())
            if size > max_chars:  # emit all full pieces, keep the tail as the start of the record
                joined = "".join(buf)
                start = 0
                while len(joined) - start > max_chars:
                    at = cut_point(joined, max_chars, start)
                    yield joined[start:at]
                    start = at
                buf = [joined[start:]]
                size = len(buf[0])
        line_start = eol
        if eol:
            if mode == "lines":
                if size and not dropping:
                    yield "".join(buf)
                buf, size = [], 0
                dropping = False
            else:
                if dropping:
                    dropping = False
                    blank_run = True  # the dropped paragraph ends here
                else:
                    blank_run = not line_has_text
            line_has_text = False
    if size and not dropping:
        yield from split_record("".join(buf), max_chars)


# Line records are read in blocks of this many bytes: splitting a decoded block is far cheaper than a Python
# readline per line, which dominated reading time.
_LINE_BLOCK = 1 << 22


class _Chained:
    """`head` bytes, then the rest of `tail`: lets the line-by-line path take over mid-file."""

    def __init__(self, head: bytes, tail: BinaryIO):
        self.head = io.BytesIO(head)
        self.tail = tail

    def readline(self, limit: int = -1) -> bytes:
        got = self.head.readline(limit)
        if got.endswith(b"\n") or (limit > 0 and len(got) >= limit):
            return got
        return got + self.tail.readline(limit - len(got) if limit > 0 else -1)


@dataclass(frozen=True)
class LineBlock:
    """Whole line records in one string: every record is a "\n"-terminated line of `text`, none longer than the
    corpus's `max_record_chars`. Consumers that can take a block (the evaluation scan's native counting) skip making
    one Python string per line."""

    text: str

    def records(self) -> list[str]:
        lines = self.text.split("\n")
        lines.pop()  # "" after the final "\n"
        return [line + "\n" for line in lines]

    def __len__(self) -> int:
        return len(self.text)


def _longest_line_fits(text: str, max_chars: int) -> bool:
    """Whether every "\n"-terminated line of `text` has at most `max_chars` characters, found by jumping from one
    line end to the last line end within reach (about len / max_chars searches, not one per line)."""
    pos, n = 0, len(text)
    while pos < n:
        if n - pos <= max_chars:
            return True
        end = text.rfind("\n", pos, pos + max_chars)
        if end < 0:
            return False
        pos = end + 1
    return True


def _line_blocks(stream: BinaryIO, issues: FileIssues, options: ReadOptions) -> Iterator["LineBlock | str"]:
    """`records="lines"` by blocks: each block of whole lines is decoded in one go and comes as a `LineBlock`. A
    block with invalid UTF-8 goes through the line-by-line path (which locates faults) and so does the rest of a
    file from a line longer than a few blocks on; those, and blocks holding a line over `max_record_chars`, come
    as single records."""
    limit = max(options.max_record_chars, 64)
    max_chars = options.max_record_chars
    offset, line, first = 0, 1, True
    pending = b""
    while True:
        # The first block is smaller, so a consumer reading ahead gets going sooner.
        chunk = stream.read(_LINE_BLOCK // 4 if first and not pending else _LINE_BLOCK)
        data = pending + chunk if pending else chunk
        if chunk:
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                if len(data) <= 4 * _LINE_BLOCK:
                    pending = data  # no line end yet: read on
                    continue
                segments = _line_segments(_Chained(data, stream), issues, limit, offset=offset, line=line, first=first)
                yield from _assemble(segments, "lines", max_chars)
                return
        else:
            cut = len(data)
        body, pending = data[:cut], data[cut:]
        text: Optional[str] = None
        if body.endswith(b"\n"):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                pass
        if text is None:
            segments = _line_segments(io.BytesIO(body), issues, limit, offset=offset, line=line, first=first)
            yield from _assemble(segments, "lines", max_chars)
        else:
            if first and text.startswith("\ufeff"):
                text = text[1:]
            block = LineBlock(text)
            if _longest_line_fits(text, max_chars):
                yield block
            else:
                for record in block.records():
                    if len(record) > max_chars:
                        yield from split_record(record, max_chars)
                    else:
                        yield record
        first = first and not body
        offset += len(body)
        line += body.count(b"\n")
        if not chunk:
            return


def _line_records_fast(stream: BinaryIO, issues: FileIssues, options: ReadOptions) -> Iterator[str]:
    """`records="lines"` one record at a time, from `_line_blocks`."""
    for item in _line_blocks(stream, issues, options):
        if isinstance(item, LineBlock):
            yield from item.records()
        else:
            yield item


def read_text(source: FileSource, options: ReadOptions) -> Iterator[str]:
    """Plain text: one record per line (the newline kept) or per paragraph (`options.records`)."""
    issues = FileIssues(source.path, options)
    with open_binary(source) as stream:
        if options.records == "lines":
            yield from _line_records_fast(stream, issues, options)
        else:
            segments = _line_segments(stream, issues, max(options.max_record_chars, 64))
            yield from _assemble(segments, options.records, options.max_record_chars)
    issues.finish()


def read_jsonl(source: FileSource, options: ReadOptions) -> Iterator[str]:
    """JSON Lines: the string at `options.text_field` of each object; blank lines are ignored."""
    issues = FileIssues(source.path, options)
    field = options.text_field
    with open_binary(source) as stream:
        offset = 0
        for line, raw in enumerate(stream, 1):
            base = offset
            offset += len(raw)
            try:
                text: Optional[str] = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                text = issues.bad_utf8(raw, err, line, base)
                if text is None:
                    continue
            if line == 1 and text.startswith("\ufeff"):
                text = text[1:]
            if not text.strip():
                continue
            try:
                obj = json.loads(text)
            except ValueError as err:
                issues.bad_record(f"invalid JSON ({err})", line)
                continue
            if not isinstance(obj, dict):
                issues.bad_record(f"expected a JSON object, found {type(obj).__name__}", line)
                continue
            if field not in obj:
                keys = ", ".join(repr(k) for k in list(obj)[:8])
                issues.bad_record(f"no field {field!r} (keys: {keys}); choose one with text_field= (command line: --text-field NAME)", line)
                continue
            value = obj[field]
            if value is None:
                continue
            if not isinstance(value, str):
                issues.bad_record(f"field {field!r} is {type(value).__name__}, not a string", line)
                continue
            yield from split_record(value, options.max_record_chars)
    issues.finish()


def read_parquet(source: FileSource, options: ReadOptions) -> Iterator[str]:
    """Parquet: the string (or UTF-8 binary) column `options.column`, read batch by batch; nulls are no text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    issues = FileIssues(source.path, options)
    try:
        pf = pq.ParquetFile(source.path)
    except (pa.ArrowException, OSError) as err:
        raise CorpusError(f"not a readable Parquet file ({err})", source.path) from None
    schema = pf.schema_arrow
    if options.column not in schema.names:
        names = ", ".join(repr(n) for n in schema.names[:12])
        raise CorpusError(f"no column {options.column!r} (columns: {names}); choose one with column= (command line: --column NAME)", source.path)
    kind = schema.field(options.column).type
    is_text = pa.types.is_string(kind) or pa.types.is_large_string(kind)
    if not (is_text or pa.types.is_binary(kind) or pa.types.is_large_binary(kind)):
        raise CorpusError(f"column {options.column!r} holds {kind}, not text", source.path)
    row = 0
    try:
        batches = pf.iter_batches(batch_size=options.parquet_batch_rows, columns=[options.column])
        for batch in batches:
            for value in batch.column(0).to_pylist():
                row += 1
                if not value:
                    continue
                if not is_text:
                    try:
                        value = value.decode("utf-8")
                    except UnicodeDecodeError as err:
                        value = issues.bad_utf8(value, err, row, None, what="row")
                        if value is None:
                            continue
                yield from split_record(value, options.max_record_chars)
    except pa.ArrowException as err:
        raise CorpusError(f"row {row + 1}: cannot read ({err})", source.path) from None
    issues.finish(what="row")


_READERS = {"text": read_text, "jsonl": read_jsonl, "parquet": read_parquet}


def _text_blocks(source: FileSource, options: ReadOptions) -> Iterator["LineBlock | str"]:
    issues = FileIssues(source.path, options)
    with open_binary(source) as stream:
        yield from _line_blocks(stream, issues, options)
    issues.finish()


def read_file_blocks(source: FileSource, options: ReadOptions) -> Iterator["LineBlock | str"]:
    """`read_file`, with plain-text line records coming as `LineBlock`s where a block of the file is clean."""
    if source.format == "text" and options.records == "lines":
        return read_file(source, options, _text_blocks(source, options))
    return read_file(source, options)


def read_file(source: FileSource, options: ReadOptions, records=None) -> Iterator[str]:
    """The text records of one file; a corrupt or truncated stream becomes a `CorpusError` naming the file."""
    records = _READERS[source.format](source, options) if records is None else records
    faults = _stream_fault_types()
    try:
        yield from records
    except CorpusError:
        raise
    except faults as err:
        raise CorpusError(f"cannot read the {source.compression or 'file'} stream ({err})", source.path) from None
