"""tokenforge's own file: every part of the pipeline plus how it was trained, versioned, in readable JSON.

HF tokenizer.json cannot say that a model is char-level with byte fallback *and* keep the training record, and a
tiktoken file has no merge list; this format keeps everything a tokenizer is, so nothing is lost in a round trip.
Tokens are written as text where they are UTF-8 and as `{"hex": ...}` where they are not.
"""

from __future__ import annotations

import json
import os
from typing import Any

from ..atomic import atomic_write
from ..errors import ConfigError, FormatError, ModelError
from ..inference import is_default
from ..models.bpe import BpeModel
from ..models.unigram import UnigramModel
from ..models.wordpiece import WordPieceModel
from ..normalizers import Normalizer
from ..pretokenizers import PreTokenizer

FORMAT_NAME = "tokenforge"
FORMAT_VERSION = 1


def _token_out(token: bytes) -> Any:
    try:
        return token.decode("utf-8")
    except UnicodeDecodeError:
        return {"hex": token.hex()}


def _token_in(value: Any, path: object) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, dict) and isinstance(value.get("hex"), str):
        try:
            return bytes.fromhex(value["hex"])
        except ValueError:
            raise FormatError(path, f"token {value!r} is not valid hex") from None
    raise FormatError(path, f"token {value!r} must be a string or {{'hex': ...}}")


def is_tokenforge_json(obj: Any) -> bool:
    return isinstance(obj, dict) and obj.get("format") == FORMAT_NAME


def _model_out(model) -> dict:
    """Unigram and WordPiece models (BPE is written inline below, as before)."""
    if model.kind == "unigram":
        return {
            "type": "unigram",
            "pieces": [[p, float(s)] for p, s in model.pieces],
            "unk_id": model.unk_id,
            "byte_fallback": model.byte_fallback,
            "unmatched": sorted(model.unmatched),
        }
    return {
        "type": "wordpiece",
        "vocab": [[t, i] for t, i in sorted(model.vocab.items(), key=lambda kv: kv[1])],
        "unk_token": model.unk_token,
        "continuation_prefix": model.continuation_prefix,
        "max_input_chars_per_word": model.max_input_chars_per_word,
    }


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


def save_tokenforge_json(tokenizer, path: "str | os.PathLike[str]") -> None:
    model = tokenizer.model
    if model.kind != "bpe":
        model_obj = _model_out(model)
    else:
        model_obj = {
            "type": "bpe",
            "char_level": model.char_level,
            "whole_piece_first": model.whole_piece_first,
            "rank_semantics": model.rank_semantics,
            "vocab": [[_token_out(t), i] for t, i in sorted(model.vocab.items(), key=lambda kv: kv[1])],
            "merges": None if model.merges is None else [[_token_out(a), _token_out(b)] for a, b in model.merges],
        }
    obj = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "model": model_obj,
        "pretokenizer": {"pattern": tokenizer.pretokenizer.pattern, "emit_gaps": tokenizer.pretokenizer.emit_gaps},
        "normalizer": list(tokenizer.normalizer.steps),
        "special_tokens": tokenizer.special_tokens,
        "added_tokens": tokenizer.added_tokens,
        "training": getattr(tokenizer, "training", None),
    }
    if not is_default(model, tokenizer.method, tokenizer.method_options):
        # The inference method is part of the tokenizer (written only when set, so older readers still load
        # files of default tokenizers).
        obj["method"] = {"name": tokenizer.method, "options": tokenizer.method_options}
    if getattr(model, "supermerges", None) is not None:  # BoundlessBPE
        obj["model"]["supermerges"] = [[_token_out(a), _token_out(b)] for a, b in model.supermerges]
    with atomic_write(path) as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)


def load_tokenforge_json(path: object, obj: Any):
    from ..tokenizer import Tokenizer

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
            raw = _token_in(token, path)
            if raw in vocab:
                raise FormatError(path, f"vocab lists {raw!r} twice")
            vocab[raw] = i
        merges = None
        if not m.get("rank_semantics"):
            merges = [(_token_in(a, path), _token_in(b, path)) for a, b in m["merges"]]
        if m.get("supermerges") is not None:  # BoundlessBPE
            from ..models.boundless import BoundlessModel

            supermerges = [(_token_in(a, path), _token_in(b, path)) for a, b in m["supermerges"]]
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
    from ..tokenizer import Tokenizer

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
