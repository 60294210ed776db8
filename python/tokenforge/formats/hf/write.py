"""Writing HF `tokenizer.json` that `tokenizers` loads unchanged, with the same ids: BPE (byte-level, or char-level
with byte fallback), Unigram and WordPiece.

A tokenizer whose inference method is not the model's own is refused: tokenizer.json has no way to say "this
Unigram vocabulary, cut by fewest tokens" — save such a tokenizer in the tokenforge format.
"""

from __future__ import annotations

import json
import os
from typing import Any

from ...errors import UnsupportedFeatureError
from ...models.bpe import BpeModel
from ...pipeline.byte_level import encode_bytes
from ...pipeline.pretokenizers import WORD_PATTERNS, PreTokenizer
from ...util.atomic import atomic_write
from .common import (WORD_SPLITTERS, added_tokens_to_hf, char_level_token, hf_pattern, normalizer_to_hf)
from .floats import dumps_float


def _tokenizer_json(added: list, normalizer: Any, pre: Any, decoder: Any, model: dict) -> dict:
    """A whole tokenizer.json object around its parts (no truncation, padding or post-processor)."""
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": normalizer,
        "pre_tokenizer": pre,
        "post_processor": None,
        "decoder": decoder,
        "model": model,
    }


def to_hf_dict(tokenizer, path: object = "<tokenizer>") -> dict:
    model: BpeModel = tokenizer.model
    char_level = model.char_level
    spell = char_level_token if char_level else encode_bytes
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}
    split = None
    if tokenizer.pretokenizer.pattern is not None:
        split = {
            "type": "Split",
            "pattern": {"Regex": hf_pattern(tokenizer.pretokenizer, path)},
            "behavior": "Isolated",
            "invert": False,
        }
    if char_level:
        pre = split
        decoder: dict = {"type": "Sequence", "decoders": [{"type": "ByteFallback"}, {"type": "Fuse"}]}
    else:
        pre = byte_level if split is None else {"type": "Sequence", "pretokenizers": [split, byte_level]}
        decoder = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}
    normalizer = normalizer_to_hf(tokenizer.normalizer)
    added = added_tokens_to_hf(tokenizer)
    vocab = {spell(t): i for t, i in sorted(model.vocab.items(), key=lambda kv: kv[1])}
    # HF renumbers added tokens that are absent from the model vocab to len(vocab), len(vocab)+1, ...; where that
    # would change an id (e.g. cl100k's hole at 100256), the tokens are listed in the model vocab as well.
    if [e["id"] for e in added] != list(range(len(vocab), len(vocab) + len(added))):
        for e in added:
            vocab.setdefault(e["content"], e["id"])
    hf_model = {
        "type": "BPE",
        "dropout": None,
        "unk_token": None,
        "continuing_subword_prefix": None,
        "end_of_word_suffix": None,
        "fuse_unk": False,
        "byte_fallback": char_level,
        "ignore_merges": model.whole_piece_first,
        "vocab": vocab,
        "merges": [[spell(a), spell(b)] for a, b in model.merge_list()],
    }
    return _tokenizer_json(added, normalizer, pre, decoder, hf_model)


def save_hf_json(tokenizer, path: "str | os.PathLike[str]") -> None:
    if tokenizer.model.kind != "bpe" or tokenizer.method != "merge" or tokenizer.method_options.get("dropout") is not None:
        return save_hf_lattice(tokenizer, path)
    obj = to_hf_dict(tokenizer, path)
    with atomic_write(path) as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)


# -- Unigram and WordPiece --------------------------------------------------------------------------------------


def _pretokenizer_out(pre: PreTokenizer, path: object):
    if pre.pattern is None:
        return None
    for hf_name, ours in WORD_SPLITTERS.items():
        if pre.pattern == WORD_PATTERNS[ours] and not pre.emit_gaps:
            return {"type": hf_name}
    split = {"type": "Split", "pattern": {"Regex": hf_pattern(pre, path)}}
    if pre.emit_gaps:
        return {**split, "behavior": "Isolated", "invert": False}
    return {**split, "behavior": "Removed", "invert": True}


def to_hf_lattice_dict(tokenizer, path: object = "<tokenizer>") -> dict:
    model = tokenizer.model
    if tokenizer.method != model.default_method or any(v is not None for k, v in tokenizer.method_options.items() if k == "dropout"):
        raise UnsupportedFeatureError(
            path,
            f"tokenizer.json cannot express the inference method {tokenizer.method!r} "
            f"(options {tokenizer.method_options}) for a {model.kind} model; save it in the tokenforge format "
            f"(.tokenforge.json) instead",
        )
    normalizer = normalizer_to_hf(tokenizer.normalizer)
    added = added_tokens_to_hf(tokenizer)
    if model.kind == "unigram":
        if model.unmatched:
            raise UnsupportedFeatureError(path, "tokenizer.json cannot mark Unigram pieces as never matched ('unmatched')")
        hf_model: dict = {
            "type": "Unigram",
            "unk_id": model.unk_id,
            "vocab": [[p, float(s)] for p, s in model.pieces],
            "byte_fallback": model.byte_fallback,
        }
        decoder: Any = {"type": "Sequence", "decoders": [{"type": "ByteFallback"}, {"type": "Fuse"}]}
    else:
        hf_model = {
            "type": "WordPiece",
            "unk_token": model.unk_token,
            "continuing_subword_prefix": model.continuation_prefix,
            "max_input_chars_per_word": model.max_input_chars_per_word,
            "vocab": dict(sorted(model.vocab.items(), key=lambda kv: kv[1])),
        }
        decoder = {"type": "WordPiece", "prefix": model.continuation_prefix, "cleanup": False}
    return _tokenizer_json(added, normalizer, _pretokenizer_out(tokenizer.pretokenizer, path), decoder, hf_model)


_VOCAB_SLOT = "\u0000tokenforge-unigram-vocab\u0000"


def dumps_hf_lattice(obj: dict) -> str:
    """The JSON text; Unigram scores spelled so that `tokenizers` reads back exactly our floats (see floats.py)."""
    model = obj["model"]
    if model["type"] != "Unigram":
        return json.dumps(obj, ensure_ascii=False, indent=1)
    pieces = model["vocab"]
    text = json.dumps({**obj, "model": {**model, "vocab": _VOCAB_SLOT}}, ensure_ascii=False, indent=1)
    vocab = "[\n" + ",\n".join(f"  [{json.dumps(p, ensure_ascii=False)}, {dumps_float(s)}]" for p, s in pieces) + "\n ]"
    slot = json.dumps(_VOCAB_SLOT)
    assert text.count(slot) == 1
    return text.replace(slot, vocab)


def save_hf_lattice(tokenizer, path: "str | os.PathLike[str]") -> None:
    text = dumps_hf_lattice(to_hf_lattice_dict(tokenizer, path))
    with atomic_write(path) as f:
        f.write(text)
