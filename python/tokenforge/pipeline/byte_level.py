"""GPT-2's byte-to-unicode table: how byte-level vocabularies write raw bytes as printable characters.

HF `tokenizer.json` files store byte-level tokens in this alphabet; inside tokenforge every token is raw bytes.
"""

from __future__ import annotations

from functools import lru_cache

from ..errors import FormatError


@lru_cache(maxsize=1)
def byte_to_char() -> tuple[str, ...]:
    """Printable bytes map to themselves; the other 68 bytes map to U+0100 onwards, in byte order."""
    printable = set(range(ord("!"), ord("~") + 1)) | set(range(0xA1, 0xAC + 1)) | set(range(0xAE, 0xFF + 1))
    table: list[str] = []
    shifted = 0
    for b in range(256):
        if b in printable:
            table.append(chr(b))
        else:
            table.append(chr(256 + shifted))
            shifted += 1
    return tuple(table)


@lru_cache(maxsize=1)
def char_to_byte() -> dict[str, int]:
    return {c: b for b, c in enumerate(byte_to_char())}


def encode_bytes(token: bytes) -> str:
    """Raw bytes -> byte-level string."""
    table = byte_to_char()
    return "".join(table[b] for b in token)


def decode_string(token: str, path: object = "<tokenizer>") -> bytes:
    """Byte-level string -> raw bytes; a character outside the alphabet is a format error."""
    table = char_to_byte()
    try:
        return bytes(table[c] for c in token)
    except KeyError as exc:
        raise FormatError(path, f"token {token!r} has character {exc.args[0]!r}, which is not in the byte-level alphabet") from None
