"""A plain-text file read as running text: decoded blocks that concatenate to the whole file's text.

The line readers (`readers.read_text`) make records of lines and cut long ones at whitespace, which suits training
but not `count`/`encode`, which tokenize a file as one text. This reader keeps every character, cuts blocks only
between whole UTF-8 characters, and applies the same fault policy (`FileIssues`: errors="replace" | "skip" |
"strict", located by line and byte offset) and the same leading-BOM rule as the line readers.
"""

from __future__ import annotations

from typing import BinaryIO, Iterator, Optional

from .readers import FileIssues, FileSource, ReadOptions, _incomplete_tail, open_binary, read_file

BLOCK_BYTES = 8 << 20


def _decode_by_lines(data: bytes, issues: FileIssues, line: int, offset: int) -> str:
    """`data` with invalid UTF-8 handled line by line (so faults are located, and "skip" drops only that line)."""
    parts = data.split(b"\n")
    out: list[str] = []
    for i, raw in enumerate(parts):
        if i < len(parts) - 1:
            raw += b"\n"
        try:
            text: Optional[str] = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            text = issues.bad_utf8(raw, err, line + i, offset)
        if text is not None:
            out.append(text)
        offset += len(raw)
    return "".join(out)


def decode_blocks(stream: BinaryIO, issues: FileIssues, block_bytes: int = BLOCK_BYTES) -> Iterator[str]:
    """The text of `stream` in blocks of about `block_bytes` bytes (a block ends between whole characters)."""
    offset = 0  # where `carry` starts in the stream
    line = 1
    carry = b""
    first = True
    while True:
        chunk = stream.read(block_bytes)
        data = carry + chunk if carry else chunk
        keep = _incomplete_tail(data) if chunk else 0  # a character cut by the block end waits for the next read
        body, carry = (data[:-keep], data[-keep:]) if keep else (data, b"")
        if body:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                text = _decode_by_lines(body, issues, line, offset)
            if first:
                first = False
                if text.startswith("\ufeff"):
                    text = text[1:]
            if text:
                yield text
            offset += len(body)
            line += body.count(b"\n")
        if not chunk:
            return


def read_running_stream(stream: BinaryIO, name: str, options: ReadOptions,
                        block_bytes: int = BLOCK_BYTES) -> Iterator[str]:
    """`decode_blocks` of an open stream (standard input, or an opened file), warning once at the end about
    repaired or skipped input."""
    issues = FileIssues(name, options)
    yield from decode_blocks(stream, issues, block_bytes)
    issues.finish()


def read_running_text(source: FileSource, options: ReadOptions, block_bytes: int = BLOCK_BYTES) -> Iterator[str]:
    """`read_running_stream` of a file (decompressing .gz/.zst); `read_file` turns a corrupt compressed stream into
    a `CorpusError` naming the file, as for every other reader."""

    def blocks() -> Iterator[str]:
        with open_binary(source) as stream:
            yield from read_running_stream(stream, source.path, options, block_bytes)

    return read_file(source, options, blocks())
