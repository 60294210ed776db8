"""Tokenizer files: `load` detects the format by content; `save` writes by format name or extension."""

from __future__ import annotations

import os
import re
from typing import Optional

from ..errors import FormatError, UnsupportedFeatureError
from .hf_json import MAX_FILE_BYTES, load_hf_json, parse_json, save_hf_json
from .tiktoken_file import load_tiktoken, save_tiktoken
from .tokenforge_json import is_tokenforge_json, load_tokenforge_json, save_tokenforge_json

_TIKTOKEN_LINE = re.compile(rb"^[A-Za-z0-9+/=]+ [0-9]+\r?$")

FORMATS = ("hf", "tiktoken", "tokenforge")


def detect_format(data: bytes) -> str:
    head = data[:4096].lstrip()
    if head.startswith(b"{"):
        return "json"
    first_line = head.split(b"\n", 1)[0]
    if _TIKTOKEN_LINE.match(first_line):
        return "tiktoken"
    if head[:1] == b"\x0a":
        return "sentencepiece"
    return "unknown"


def load(path: "str | os.PathLike[str]", *, pattern: Optional[str] = None,
         special_tokens: Optional[dict[str, int]] = None, name: Optional[str] = None):
    """Loads a tokenizer file, whatever its format (HF tokenizer.json or tiktoken ranks)."""
    path = os.fspath(path)
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise FormatError(path, f"cannot read: {exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise FormatError(path, f"file is {size} bytes, larger than any tokenizer ({MAX_FILE_BYTES} max)")
    with open(path, "rb") as f:
        data = f.read()
    if not data.strip():
        raise FormatError(path, "the file is empty")
    kind = detect_format(data)
    if kind == "json":
        obj = parse_json(data, path)
        if is_tokenforge_json(obj):
            return load_tokenforge_json(path, obj)
        if isinstance(obj, dict) and "model" in obj:
            return load_hf_json(path, obj=obj)
        raise FormatError(path, "JSON file is not a tokenizer.json (no 'model' key)")
    if kind == "tiktoken":
        return load_tiktoken(path, data, pattern=pattern, special_tokens=special_tokens, name=name)
    if kind == "sentencepiece":
        raise UnsupportedFeatureError(path, "looks like a SentencePiece .model; SentencePiece import is not implemented yet")
    raise FormatError(path, "unrecognised tokenizer format (expected tokenizer.json or a tiktoken rank file)")


def save(tokenizer, path: "str | os.PathLike[str]", format: Optional[str] = None) -> None:
    path = os.fspath(path)
    if format is None:
        format = "tiktoken" if path.endswith(".tiktoken") else "tokenforge" if path.endswith(".tokenforge.json") else "hf"
    if format == "hf":
        save_hf_json(tokenizer, path)
    elif format == "tiktoken":
        save_tiktoken(tokenizer, path)
    elif format == "tokenforge":
        save_tokenforge_json(tokenizer, path)
    else:
        raise ValueError(f"unknown format {format!r}; known: {', '.join(FORMATS)}")
