"""A minimal protobuf wire-format reader, enough to read SentencePiece's ModelProto without the protobuf library.

Only what proto2 files on disk use: varints (wire type 0), fixed64 (1), length-delimited (2) and fixed32 (5);
groups (3, 4) are refused. Every fault raises `FormatError` naming the file and the byte offset, so a truncated or
corrupt file never crashes or hangs the reader.
"""

from __future__ import annotations

import struct
from typing import Iterator, Union

from ...errors import FormatError

VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5

class Field:
    """One field of a message: number, wire type, raw value, and the absolute file offsets of its key (`offset`)
    and of its payload (`payload_offset`; where an embedded message starts)."""

    __slots__ = ("number", "wire_type", "value", "offset", "payload_offset")

    def __init__(self, number: int, wire_type: int, value: Union[int, memoryview], offset: int, payload_offset: int):
        self.number = number
        self.wire_type = wire_type
        self.value = value
        self.offset = offset
        self.payload_offset = payload_offset


class WireReader:
    """Walks the fields of one serialized message (`data[start:end]`); `base` is its offset in the file."""

    def __init__(self, path: str, data: "bytes | memoryview", base: int = 0):
        self.path = path
        self.data = memoryview(data)
        self.base = base

    def _fail(self, at: int, fault: str) -> FormatError:
        return FormatError(self.path, f"corrupt protobuf at byte offset {self.base + at}: {fault}")

    def _varint(self, pos: int) -> tuple[int, int]:
        result = 0
        shift = 0
        data = self.data
        while True:
            if pos >= len(data):
                raise self._fail(pos, "truncated varint")
            byte = data[pos]
            pos += 1
            result |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return result, pos
            shift += 7
            if shift >= 70:
                raise self._fail(pos, "varint longer than 10 bytes")

    def fields(self) -> Iterator[Field]:
        data = self.data
        pos = 0
        while pos < len(data):
            start = pos
            key, pos = self._varint(pos)
            payload_start = pos
            number, wire_type = key >> 3, key & 7
            if number == 0:
                raise self._fail(start, "field number 0")
            if wire_type == VARINT:
                value, pos = self._varint(pos)
            elif wire_type == FIXED64:
                if pos + 8 > len(data):
                    raise self._fail(pos, "truncated fixed64 field")
                value = int.from_bytes(data[pos : pos + 8], "little")
                pos += 8
            elif wire_type == FIXED32:
                if pos + 4 > len(data):
                    raise self._fail(pos, "truncated fixed32 field")
                value = int.from_bytes(data[pos : pos + 4], "little")
                pos += 4
            elif wire_type == LENGTH_DELIMITED:
                length, pos = self._varint(pos)
                if pos + length > len(data):
                    raise self._fail(pos, f"field {number} declares {length} bytes, only {len(data) - pos} remain")
                payload_start = pos
                value = data[pos : pos + length]
                pos += length
            else:
                raise self._fail(start, f"unsupported wire type {wire_type} (field {number})")
            yield Field(number, wire_type, value, self.base + start, self.base + payload_start)

    def sub(self, field: Field) -> "WireReader":
        """A reader over an embedded message."""
        self.expect(field, LENGTH_DELIMITED)
        return WireReader(self.path, field.value, field.payload_offset)  # type: ignore[arg-type]

    def expect(self, field: Field, wire_type: int) -> None:
        if field.wire_type != wire_type:
            raise FormatError(
                self.path,
                f"corrupt protobuf at byte offset {field.offset}: field {field.number} has wire type "
                f"{field.wire_type}, expected {wire_type}",
            )

    def as_int(self, field: Field) -> int:
        self.expect(field, VARINT)
        return field.value  # type: ignore[return-value]

    def as_int32(self, field: Field) -> int:
        """A proto `int32`: negative values are sign-extended 64-bit varints."""
        value = self.as_int(field) & 0xFFFFFFFFFFFFFFFF
        if value >= 1 << 63:
            value -= 1 << 64
        if not -(2**31) <= value < 2**31:
            raise FormatError(self.path, f"corrupt protobuf at byte offset {field.offset}: int32 out of range")
        return value

    def as_bool(self, field: Field) -> bool:
        return self.as_int(field) != 0

    def as_float(self, field: Field) -> float:
        self.expect(field, FIXED32)
        return struct.unpack("<f", field.value.to_bytes(4, "little"))[0]  # type: ignore[union-attr]

    def as_bytes(self, field: Field) -> bytes:
        self.expect(field, LENGTH_DELIMITED)
        return bytes(field.value)  # type: ignore[arg-type]

    def as_str(self, field: Field) -> str:
        raw = self.as_bytes(field)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError(
                self.path, f"corrupt protobuf at byte offset {field.offset}: string field {field.number} is not "
                f"UTF-8 ({raw[max(0, exc.start - 8) : exc.end + 8]!r})",
            ) from None

