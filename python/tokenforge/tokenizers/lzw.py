"""LZW hypertokens: the tokenizer side of zip2zip (Geng et al. 2025, "zip2zip: Inference-Time Adaptive
Vocabularies for Language Models via Token Compression").

An online Lempel-Ziv-Welch compressor runs over a base tokenizer's ids. While it reads a text's tokens it adds
each new sequence it sees (the longest known sequence plus the next token) to a codebook, and emits a known
multi-token sequence as one *hypertoken*: id `base_vocab_size + codebook index`. The codebook starts empty for
every text (single base ids are implicitly known), holds at most `max_codebook_size` entries, and no entry
spans more than `max_hypertoken_length` base tokens; when full it stops growing. Nothing is stored with the ids:
the decoder rebuilds the same codebook from the id stream, as LZW decoders do, so decode is lossless whenever the
base tokenizer is.
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence

from ..errors import ConfigError, DecodeError

# Defaults: zip2zip's maximum merge size of 3 base tokens per hypertoken; a codebook of 2048 entries per text.
DEFAULT_MAX_HYPERTOKEN_LENGTH = 3
DEFAULT_MAX_CODEBOOK_SIZE = 2048


def _check(base_vocab_size: int, max_codebook_size: int, max_hypertoken_length: int) -> None:
    for name, value, low in (("base_vocab_size", base_vocab_size, 1), ("max_codebook_size", max_codebook_size, 0),
                             ("max_hypertoken_length", max_hypertoken_length, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ConfigError(f"{name} must be an integer >= {low}, got {value!r}")


def lzw_compress(ids: Sequence[int], base_vocab_size: int, max_codebook_size: int = DEFAULT_MAX_CODEBOOK_SIZE,
                 max_hypertoken_length: int = DEFAULT_MAX_HYPERTOKEN_LENGTH) -> list[int]:
    """Base ids -> base ids and hypertokens (ids >= base_vocab_size)."""
    _check(base_vocab_size, max_codebook_size, max_hypertoken_length)
    codebook: dict[tuple[int, ...], int] = {}
    out: list[int] = []
    current: tuple[int, ...] = ()
    for token in ids:
        if not 0 <= token < base_vocab_size:
            raise ConfigError(f"base id {token!r} is outside 0..{base_vocab_size - 1}")
        longer = current + (token,)
        if not current or longer in codebook:
            current = longer
            continue
        out.append(current[0] if len(current) == 1 else codebook[current])
        if len(codebook) < max_codebook_size and len(longer) <= max_hypertoken_length:
            codebook[longer] = base_vocab_size + len(codebook)
        current = (token,)
    if current:
        out.append(current[0] if len(current) == 1 else codebook[current])
    return out


def lzw_decompress(ids: Sequence[int], base_vocab_size: int, max_codebook_size: int = DEFAULT_MAX_CODEBOOK_SIZE,
                   max_hypertoken_length: int = DEFAULT_MAX_HYPERTOKEN_LENGTH) -> list[int]:
    """The inverse of `lzw_compress` (same parameters): rebuilds the codebook from the ids as it reads them."""
    _check(base_vocab_size, max_codebook_size, max_hypertoken_length)
    entries: list[tuple[int, ...]] = []
    out: list[int] = []
    previous: Optional[tuple[int, ...]] = None
    for position, code in enumerate(ids):
        if isinstance(code, bool) or not isinstance(code, int) or code < 0:
            raise DecodeError(f"id {code!r} at position {position} is not a token id")
        if code < base_vocab_size:
            entry: tuple[int, ...] = (code,)
        elif code - base_vocab_size < len(entries):
            entry = entries[code - base_vocab_size]
        elif (code - base_vocab_size == len(entries) and previous is not None
              and len(entries) < max_codebook_size and len(previous) < max_hypertoken_length):
            # The one code an encoder can emit before its decoder has the entry: previous + its own first token.
            entry = previous + (previous[0],)
        else:
            raise DecodeError(f"hypertoken {code} at position {position} was never defined by the ids before it")
        out.extend(entry)
        if previous is not None and len(entries) < max_codebook_size and len(previous) < max_hypertoken_length:
            entries.append(previous + (entry[0],))
        previous = entry
    return out


class LzwTokenizer:
    """A base tokenizer followed by LZW hypertoken compression: `encode(text)` -> ids, `decode(ids)` -> text."""

    def __init__(self, base, *, max_codebook_size: int = DEFAULT_MAX_CODEBOOK_SIZE,
                 max_hypertoken_length: int = DEFAULT_MAX_HYPERTOKEN_LENGTH):
        self.base = base
        self.base_vocab_size = base.vocab_size
        self.max_codebook_size = max_codebook_size
        self.max_hypertoken_length = max_hypertoken_length
        _check(self.base_vocab_size, max_codebook_size, max_hypertoken_length)

    @property
    def vocab_size(self) -> int:
        """Base ids plus every hypertoken id a text can use."""
        return self.base_vocab_size + self.max_codebook_size

    def _args(self) -> tuple[int, int, int]:
        return self.base_vocab_size, self.max_codebook_size, self.max_hypertoken_length

    def encode(self, text: str, **special_policy) -> list[int]:
        """Hypertoken ids of `text` (keyword arguments go to the base tokenizer's encode)."""
        return lzw_compress(self.base.encode(text, **special_policy), *self._args())

    def decode(self, ids: Sequence[int], errors: str = "replace") -> str:
        return self.base.decode(lzw_decompress(ids, *self._args()), errors=errors)

    def decode_bytes(self, ids: Sequence[int]) -> bytes:
        return self.base.decode_bytes(lzw_decompress(ids, *self._args()))


def lzw_compression_ratio(tokenizer, texts: Iterable[str], *, max_codebook_size: int = DEFAULT_MAX_CODEBOOK_SIZE,
                          max_hypertoken_length: int = DEFAULT_MAX_HYPERTOKEN_LENGTH) -> float:
    """Base tokens / LZW tokens over `texts` (each text compressed on its own, with a fresh codebook); 1.0 when the
    texts hold no tokens. `tokenizer`: anything with `encode(text) -> ids` and `vocab_size`."""
    base_vocab_size = tokenizer.vocab_size
    base_total = compressed_total = 0
    for text in texts:
        ids = tokenizer.encode(text, disallowed_special=())
        base_total += len(ids)
        compressed_total += len(lzw_compress(ids, base_vocab_size, max_codebook_size, max_hypertoken_length))
    return base_total / compressed_total if compressed_total else 1.0
