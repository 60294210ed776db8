"""Reading tokenforge's own files into tokenizers: the pipeline format ("tokenforge"), multi-word tokenizers and
LiB (common.py names the three)."""

from __future__ import annotations

import os
from typing import Any

from ...errors import ConfigError, FormatError, ModelError
from ...models.boundless import BoundlessModel
from ...models.bpe import BpeModel
from ...models.unigram import UnigramModel
from ...models.wordpiece import WordPieceModel
from ...pipeline.normalizers import Normalizer
from ...pipeline.pretokenizers import PreTokenizer
from ...tokenizers.lib import LibTokenizer
from ...tokenizers.multiword import MultiWordTokenizer
from ...tokenizers.tokenizer import Tokenizer
from ..hf.read import load_hf_json
from .common import FORMAT_VERSION, LIB_FORMAT, LIB_VERSION, MULTIWORD_FORMAT, MULTIWORD_VERSION, token_in


def _model_in(m: dict, path: object):
    if m["type"] == "unigram":
        pieces = [(p, s) for p, s in m["pieces"]]
        return UnigramModel(pieces, m.get("unk_id"), bool(m.get("byte_fallback")), m.get("unmatched") or ())
    vocab: dict[str, int] = {}
    for entry in m["vocab"]:
        token, i = entry
        if token in vocab:
            raise FormatError(path, f"vocab lists {token!r} twice")
        vocab[token] = i
    return WordPieceModel(vocab, m.get("unk_token", "[UNK]"), m.get("continuation_prefix", "##"),
                          m.get("max_input_chars_per_word", 100))


def load_tokenforge_json(path: object, obj: Any):
    version = obj.get("version")
    if version != FORMAT_VERSION:
        raise FormatError(path, f"tokenforge file version {version!r} is not supported (this build reads {FORMAT_VERSION})")
    try:
        m = obj["model"]
        if m.get("type") in ("unigram", "wordpiece"):
            return _finish(path, obj, _model_in(m, path))
        if m.get("type") != "bpe":
            raise FormatError(path, f"model type {m.get('type')!r} is not supported")
        vocab: dict[bytes, int] = {}
        for entry in m["vocab"]:
            token, i = entry
            if not isinstance(i, int) or isinstance(i, bool):
                raise FormatError(path, f"vocab entry {entry!r} has a non-integer id")
            raw = token_in(token, path)
            if raw in vocab:
                raise FormatError(path, f"vocab lists {raw!r} twice")
            vocab[raw] = i
        merges = None
        if not m.get("rank_semantics"):
            merges = [(token_in(a, path), token_in(b, path)) for a, b in m["merges"]]
        if m.get("supermerges") is not None:  # BoundlessBPE
            supermerges = [(token_in(a, path), token_in(b, path)) for a, b in m["supermerges"]]
            model = BoundlessModel(vocab, merges, bool(m.get("whole_piece_first", False)),
                                   char_level=bool(m.get("char_level")), supermerges=supermerges)
        else:
            model = BpeModel(vocab, merges, bool(m.get("whole_piece_first", False)), char_level=bool(m.get("char_level")))
        return _finish(path, obj, model)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, FormatError):
            raise
        if isinstance(exc, (ModelError, ConfigError)):
            raise FormatError(path, str(exc)) from None
        raise FormatError(path, f"malformed tokenforge file: {exc!r}") from None


def _finish(path: object, obj: dict, model):
    """The tokenizer around a loaded model: pipeline, special tokens, method, training record."""
    try:
        pre = obj["pretokenizer"]
        method = obj.get("method") or {}
        if not isinstance(method, dict):
            raise FormatError(path, "'method' must be an object with 'name' and 'options'")
        tok = Tokenizer(
            model,
            pretokenizer=PreTokenizer(pre.get("pattern"), emit_gaps=bool(pre.get("emit_gaps", True))),
            normalizer=Normalizer(tuple(obj.get("normalizer") or ())),
            special_tokens=dict(obj.get("special_tokens") or {}),
            added_tokens=dict(obj.get("added_tokens") or {}),
            name=os.path.splitext(os.path.basename(os.fspath(path)))[0],
            method=method.get("name"),
            method_options=dict(method.get("options") or {}),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, FormatError):
            raise
        if isinstance(exc, (ModelError, ConfigError)):
            raise FormatError(path, str(exc)) from None
        raise FormatError(path, f"malformed tokenforge file: {exc!r}") from None
    tok.training = obj.get("training")
    return tok


def _check_version(path: str, obj: dict, name: str, version: int) -> None:
    if obj.get("version") != version:
        raise FormatError(path, f"unsupported {name} version {obj.get('version')!r} (this build reads {version})")


def load_multiword(path: str, obj: dict) -> MultiWordTokenizer:
    """A multi-word tokenizer from its parsed file (format "tokenforge-multiword")."""
    _check_version(path, obj, MULTIWORD_FORMAT, MULTIWORD_VERSION)
    base = load_hf_json(path, obj=obj["base"])
    ngrams = obj["ngrams"]
    if not isinstance(ngrams, list) or not all(
            isinstance(e, list) and len(e) == 2 and isinstance(e[0], list) and isinstance(e[1], int)
            and all(isinstance(p, str) for p in e[0]) for e in ngrams):
        raise FormatError(path, "'ngrams' must be a list of [[pretoken, ...], id]")
    tok = MultiWordTokenizer(base, {tuple(k): i for k, i in ngrams}, name=obj.get("name"))
    tok.training = obj.get("training")
    return tok


def load_lib(path: str, obj: dict) -> LibTokenizer:
    """A LiB tokenizer from its parsed file (format "tokenforge-lib")."""
    _check_version(path, obj, LIB_FORMAT, LIB_VERSION)
    units = obj.get("units")
    if not isinstance(units, list) or not all(isinstance(u, str) and u for u in units):
        raise FormatError(path, "'units' must be a list of non-empty strings")
    tok = LibTokenizer(units, normalizer=obj.get("normalizer") or None, name=obj.get("name"))
    tok.training = obj.get("training")
    return tok
