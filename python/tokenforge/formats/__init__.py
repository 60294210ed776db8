"""Tokenizer files: `load` detects the format by content; `save` writes by format name or extension."""

from __future__ import annotations

import os
import re
from typing import Optional

from ..errors import ConfigError, FormatError, TokenforgeError, UnsupportedFeatureError
from .hf_json import MAX_FILE_BYTES, load_hf_json, parse_json, save_hf_json
from .tiktoken_file import load_tiktoken, save_tiktoken
from .tokenforge_json import is_tokenforge_json, load_tokenforge_json, save_tokenforge_json

_TIKTOKEN_LINE = re.compile(rb"^[A-Za-z0-9+/=]+ [0-9]+\r?$")

FORMATS = ("hf", "tiktoken", "tokenforge")


def _load_multiword(path, obj):
    from ..multiword import MultiWordTokenizer

    return MultiWordTokenizer.from_json(path, obj)


def _load_lib(path, obj):
    from ..lib_model import LibTokenizer

    return LibTokenizer.from_json(path, obj)


# Tokenizers that only tokenforge's own JSON can hold, by their "format" field.
_EXTRA_JSON = {"tokenforge-multiword": _load_multiword, "tokenforge-lib": _load_lib}


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
        from .sentencepiece_model import load_sentencepiece

        return load_sentencepiece(path, data)
    raise FormatError(path, "unrecognised tokenizer format (expected an HF tokenizer.json, a SentencePiece "
                            ".model or a tiktoken rank file)")


def format_for(path: "str | os.PathLike[str]", format: Optional[str] = None) -> str:
    """The format a save to `path` writes: `format` if given, else by extension (.tiktoken: tiktoken,
    .tokenforge.json: tokenforge, anything else: hf)."""
    if format is not None:
        return format
    path = os.fspath(path)
    return "tiktoken" if path.endswith(".tiktoken") else "tokenforge" if path.endswith(".tokenforge.json") else "hf"


# What `tokenforge.train(model=NAME)` returns, as (model kind, inference method; None: the kind's default).
_TRAINED = {
    "bpe": ("bpe", None), "superbpe": ("bpe", None), "parity": ("bpe", None), "supertokens": ("bpe", None),
    "boundless": ("boundless", None), "pathpiece": ("bpe", "fewest"), "unigram": ("unigram", None),
    "wordpiece": ("wordpiece", None), "mwt": ("multiword", None), "lib": ("lib", None),
}


def _default_method(kind: str) -> str:
    from ..models.bpe import BpeModel
    from ..models.unigram import UnigramModel
    from ..models.wordpiece import WordPieceModel

    return {"unigram": UnigramModel, "wordpiece": WordPieceModel}.get(kind, BpeModel).default_method


def check_format_for(model: str, path: "str | os.PathLike[str]", format: Optional[str] = None, *,
                     method: Optional[str] = None, dropout: bool = False, char_level: bool = False,
                     normalizer: bool = False, pattern: bool = True) -> str:
    """The one table of which tokenizer each file format can hold; returns the format a save to `path` writes, or
    raises the error that save would (`UnsupportedFeatureError`, or `ConfigError` for an unknown format).

    `model` is a trainer's name (`tokenforge.train(model=...)`, e.g. "pathpiece") or a model kind ("bpe",
    "unigram", "wordpiece", "boundless", "multiword", "lib"); `method` overrides its inference method. `save` asks
    it about a tokenizer in hand, `tokenforge train` about the tokenizer it is going to train, before training.
    What depends on the vocabulary itself (tiktoken's rank rule, added tokens) is checked while saving."""
    path = os.fspath(path)
    kind, trained_method = _TRAINED.get(model, (model, None))
    if kind in ("multiword", "lib"):  # they save themselves, as tokenforge JSON whatever the file is called
        if format not in (None, "tokenforge"):
            what = "a multi-word tokenizer" if kind == "multiword" else "a LiB tokenizer"
            why = (": tokenizer.json and tiktoken files cannot express pretoken-level n-grams"
                   if kind == "multiword" else "")
            raise ConfigError(f"{what} saves only as tokenforge JSON, not {format!r}{why}")
        return "tokenforge"
    format = format_for(path, format)
    if format not in FORMATS:
        raise ConfigError(f"unknown format {format!r}; known: {', '.join(FORMATS)}")
    if kind == "boundless":
        if format != "tokenforge":
            raise UnsupportedFeatureError(path, f"the {format} format cannot express BoundlessBPE supermerges; save "
                                          "as .tokenforge.json, or export the ordinary merges alone with "
                                          "tokenforge.training.boundless.ordinary_part(tokenizer)")
        return format
    method = method or trained_method or _default_method(kind)
    if format == "tiktoken":
        if kind != "bpe" or method != "merge" or dropout:
            raise UnsupportedFeatureError(path, f"a tiktoken file holds a BPE vocabulary run by its merge rule only; "
                                                f"this is a {kind} model with method {method!r}: save it as "
                                                ".tokenforge.json")
        if char_level:
            raise UnsupportedFeatureError(path, "tiktoken files are byte-level; save a char-level model as "
                                                "tokenizer.json")
        if normalizer:
            raise UnsupportedFeatureError(path, "tiktoken has no normalizer; save as tokenizer.json")
        if not pattern:
            raise UnsupportedFeatureError(path, "tiktoken needs a pre-tokenizer pattern")
    elif format == "hf" and (method != _default_method(kind) or dropout):
        raise UnsupportedFeatureError(path, f"tokenizer.json cannot express the inference method {method!r}"
                                            f"{' with dropout' if dropout else ''} for a {kind} model; save it in the "
                                            "tokenforge format (.tokenforge.json) instead")
    return format


def save(tokenizer, path: "str | os.PathLike[str]", format: Optional[str] = None) -> None:
    path = os.fspath(path)
    check = getattr(tokenizer, "check_savable", None)  # a tokenizer no format here can hold exactly says so
    if check is not None:
        check(path, format)
    model = tokenizer.model
    format = check_format_for(
        "boundless" if getattr(model, "supermerges", None) else model.kind, path, format,
        method=tokenizer.method, dropout=tokenizer.method_options.get("dropout") is not None,
        char_level=bool(getattr(model, "char_level", False)), normalizer=bool(tokenizer.normalizer),
        pattern=tokenizer.pretokenizer.pattern is not None)
    if format == "hf":
        save_hf_json(tokenizer, path)
    elif format == "tiktoken":
        save_tiktoken(tokenizer, path)
    else:
        save_tokenforge_json(tokenizer, path)
