"""Writing tokenforge's own files: the pipeline format ("tokenforge"; every model, the inference method, the
training record), multi-word tokenizers and LiB (common.py names the three). Writes are atomic."""

from __future__ import annotations

import json
import os
from typing import Optional

from ...errors import ConfigError
from ...models.methods import is_default
from ...util.atomic import atomic_write
from ..hf.write import to_hf_dict
from .common import FORMAT_NAME, FORMAT_VERSION, LIB_FORMAT, LIB_VERSION, MULTIWORD_FORMAT, MULTIWORD_VERSION, token_out


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
            "vocab": [[token_out(t), i] for t, i in sorted(model.vocab.items(), key=lambda kv: kv[1])],
            "merges": None if model.merges is None else [[token_out(a), token_out(b)] for a, b in model.merges],
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
        obj["model"]["supermerges"] = [[token_out(a), token_out(b)] for a, b in model.supermerges]
    with atomic_write(path) as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)


def multiword_to_json(tokenizer) -> dict:
    """The file contents of a multi-word tokenizer: the base as tokenizer.json plus the n-grams."""
    return {"format": MULTIWORD_FORMAT, "version": MULTIWORD_VERSION, "name": tokenizer.name,
            "training": tokenizer.training, "base": to_hf_dict(tokenizer.base),
            "ngrams": [[list(k), i] for k, i in sorted(tokenizer.ngrams.items(), key=lambda kv: kv[1])]}


def save_multiword(tokenizer, path: "str | os.PathLike[str]", format: Optional[str] = None) -> None:
    """Writes the tokenforge multi-word JSON (atomically); no other format can hold it."""
    if format not in (None, "tokenforge"):
        raise ConfigError(f"a multi-word tokenizer saves only as tokenforge JSON, not {format!r}: "
                          "tokenizer.json and tiktoken files cannot express pretoken-level n-grams")
    with atomic_write(path) as f:
        json.dump(multiword_to_json(tokenizer), f, ensure_ascii=False)


def lib_to_json(tokenizer) -> dict:
    """The file contents of a LiB tokenizer: its units in rank order, normalizer and training record."""
    return {"format": LIB_FORMAT, "version": LIB_VERSION, "name": tokenizer.name,
            "normalizer": list(tokenizer.normalizer.steps), "training": tokenizer.training, "units": tokenizer.units}


def save_lib(tokenizer, path: "str | os.PathLike[str]", format: Optional[str] = None) -> None:
    """Writes the tokenforge LiB JSON (atomically); no other format can hold it."""
    if format not in (None, "tokenforge"):
        raise ConfigError(f"a LiB tokenizer saves only as tokenforge JSON, not {format!r}")
    with atomic_write(path) as f:
        json.dump(lib_to_json(tokenizer), f, ensure_ascii=False)
