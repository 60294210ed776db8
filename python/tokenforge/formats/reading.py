"""Loading a tokenizer file: `load` detects the format by content and hands the bytes to that format's reader."""

from __future__ import annotations

import os
import re
from typing import Optional

from ..errors import FormatError, TokenforgeError
from .hf.common import MAX_FILE_BYTES, parse_json
from .hf.read import load_hf_json
from .sentencepiece.read import load_sentencepiece
from .tiktoken.read import load_tiktoken
from .tokenforge_json.common import LIB_FORMAT, MULTIWORD_FORMAT, is_tokenforge_json
from .tokenforge_json.read import load_lib, load_multiword, load_tokenforge_json

_TIKTOKEN_LINE = re.compile(rb"^[A-Za-z0-9+/=]+ [0-9]+\r?$")

# Tokenizers that only tokenforge's own JSON can hold, by their "format" field.
_EXTRA_JSON = {MULTIWORD_FORMAT: load_multiword, LIB_FORMAT: load_lib}


def _looks_like_sentencepiece(data: bytes) -> bool:
    """A serialized SentencePiece ModelProto opens with field 1 (`pieces`, length-delimited: byte 0x0a), a varint
    length, then the piece's own field 1 (0x0a again)."""
    if data[:1] != b"\x0a":
        return False
    k = 1
    while k < min(len(data), 11) and data[k] & 0x80:
        k += 1
    return data[k + 1 : k + 2] == b"\x0a"


def detect_format(data: bytes) -> str:
    if _looks_like_sentencepiece(data):
        return "sentencepiece"
    head = data[:4096].lstrip()
    if head.startswith(b"{"):
        return "json"
    first_line = head.split(b"\n", 1)[0]
    if _TIKTOKEN_LINE.match(first_line):
        return "tiktoken"
    return "unknown"


def load(path: "str | os.PathLike[str]", *, pattern: Optional[str] = None,
         special_tokens: Optional[dict[str, int]] = None, name: Optional[str] = None):
    """Loads a tokenizer file, whatever its format (HF tokenizer.json, SentencePiece .model, tiktoken ranks).

    Anything wrong with the file raises `FormatError` (or `UnsupportedFeatureError`) naming it; the native core is
    built here, so a file that loads also encodes."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise FormatError(path, "is a directory, not a tokenizer file")
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise FormatError(path, f"file is {size} bytes, larger than any tokenizer ({MAX_FILE_BYTES} max)")
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise FormatError(path, f"cannot read: {exc.strerror}") from None
    if not data.strip():
        raise FormatError(path, "the file is empty")
    try:
        tokenizer = _load_data(path, data, pattern, special_tokens, name)
        tokenizer._core  # compile now: a file that loads must also encode
    except FormatError:
        raise
    except TokenforgeError as exc:
        raise FormatError(path, str(exc)) from None
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError, RecursionError) as exc:
        # A shape no explicit check anticipated: still a typed error naming the file, never a bare exception.
        raise FormatError(path, f"malformed tokenizer file ({type(exc).__name__}: {exc})") from None
    return tokenizer


def _load_data(path: str, data: bytes, pattern, special_tokens, name):
    kind = detect_format(data)
    if kind == "unknown" and path.endswith(".tiktoken"):
        kind = "tiktoken"  # parse it anyway, so the error names the bad line
    if kind == "json":
        obj = parse_json(data, path)
        if is_tokenforge_json(obj):
            return load_tokenforge_json(path, obj)
        if isinstance(obj, dict) and obj.get("format") in _EXTRA_JSON:  # multi-word / LiB tokenizers
            return _EXTRA_JSON[obj["format"]](path, obj)
        if isinstance(obj, dict) and "model" in obj:
            return load_hf_json(path, data=data, obj=obj)
        raise FormatError(path, "JSON file is not a tokenizer.json (no 'model' key)")
    if kind == "tiktoken":
        return load_tiktoken(path, data, pattern=pattern, special_tokens=special_tokens, name=name)
    if kind == "sentencepiece":
        return load_sentencepiece(path, data)
    raise FormatError(path, "unrecognised tokenizer format (expected an HF tokenizer.json, a SentencePiece "
                            ".model or a tiktoken rank file)")
