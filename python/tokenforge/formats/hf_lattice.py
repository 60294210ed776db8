"""HF `tokenizer.json` for Unigram and WordPiece models: import, and export that `tokenizers` loads with the same ids.

Supported around the model: no pre-tokenizer, a `Split` regex (Isolated, or inverted with Removed — a findall),
`Whitespace`, `WhitespaceSplit`, `BertPreTokenizer`; NFC/NFKC/Lowercase normalizers. `Metaspace` and
`BertNormalizer` are refused with `UnsupportedFeatureError` (not implemented), as is exporting a tokenizer whose
inference method is not the model's own: tokenizer.json has no way to say "this Unigram vocabulary, cut by fewest
tokens" — save such a tokenizer in the tokenforge format. Post-processors (e.g. adding [CLS]/[SEP]) are ignored:
tokenforge never adds tokens the text does not hold.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, Optional

from ..atomic import atomic_write
from ..errors import ConfigError, FormatError, ModelError, UnsupportedFeatureError
from ..models.unigram import UnigramModel
from ..models.wordpiece import WordPieceModel
from ..normalizers import Normalizer
from ..pretokenizers import WORD_PATTERNS, PreTokenizer
from .hf_floats import dumps_float, loads_like_serde
from .hf_json import _NORMALIZER_STEPS, _normalizer, added_tokens_of, hf_pattern

_WORD_SPLITTERS = {"Whitespace": "whitespace", "WhitespaceSplit": "whitespace_split", "BertPreTokenizer": "bert"}


def _pretokenizer(spec: Any, path: object) -> PreTokenizer:
    if spec is None:
        return PreTokenizer(None)
    if not isinstance(spec, dict):
        raise FormatError(path, "'pre_tokenizer' must be an object or null")
    kind = spec.get("type")
    if kind == "Sequence" and isinstance(spec.get("pretokenizers"), list) and len(spec["pretokenizers"]) == 1:
        return _pretokenizer(spec["pretokenizers"][0], path)
    if kind in _WORD_SPLITTERS:
        return PreTokenizer.from_spec(_WORD_SPLITTERS[kind])
    if kind == "Split":
        pat = spec.get("pattern", {})
        if isinstance(pat, dict) and isinstance(pat.get("Regex"), str):
            pattern = pat["Regex"]
        elif isinstance(pat, dict) and isinstance(pat.get("String"), str):
            pattern = re.escape(pat["String"])
        else:
            raise FormatError(path, f"Split pattern must be {{'Regex': str}} or {{'String': str}}, got {pat!r:.80}")
        behavior, invert = spec.get("behavior"), bool(spec.get("invert", False))
        if behavior == "Isolated" and not invert:
            return PreTokenizer(pattern, emit_gaps=True)
        if behavior == "Removed" and invert:
            return PreTokenizer(pattern, emit_gaps=False)
        raise UnsupportedFeatureError(path, f"Split behaviour {behavior!r} with invert={invert} is not supported")
    raise UnsupportedFeatureError(path, f"pre-tokenizer {kind!r} is not supported with a Unigram or WordPiece model")


def load_hf_lattice(path: "str | os.PathLike[str]", obj: dict, data: Optional[bytes] = None):
    """`data`, the file's bytes, lets Unigram scores be read exactly as `tokenizers` reads them (see hf_floats)."""
    from ..tokenizer import Tokenizer

    path = os.fspath(path)
    m = obj["model"]
    try:
        if m["type"] == "Unigram":
            if data is not None:
                m = loads_like_serde(data)["model"]
            vocab = m.get("vocab")
            if not isinstance(vocab, list):
                raise FormatError(path, "Unigram model.vocab must be a list of [piece, score] pairs")
            pieces = []
            for k, entry in enumerate(vocab):
                if not (isinstance(entry, list) and len(entry) == 2):
                    raise FormatError(path, f"Unigram vocab entry #{k} is not a [piece, score] pair: {entry!r:.80}")
                pieces.append((entry[0], entry[1]))
            unk_id = m.get("unk_id")
            if unk_id is not None and (isinstance(unk_id, bool) or not isinstance(unk_id, int)):
                raise FormatError(path, f"Unigram unk_id must be an integer or null, got {unk_id!r}")
            model: Any = UnigramModel(pieces, unk_id, bool(m.get("byte_fallback", False)))
        else:
            vocab = m.get("vocab")
            if not isinstance(vocab, dict):
                raise FormatError(path, "WordPiece model.vocab must be an object mapping tokens to ids")
            model = WordPieceModel(
                dict(vocab),
                unk_token=m.get("unk_token", "[UNK]"),
                continuation_prefix=m.get("continuing_subword_prefix", "##") or "",
                max_input_chars_per_word=m.get("max_input_chars_per_word", 100),
            )
        special_tokens, added_tokens = added_tokens_of(obj, path)
        return Tokenizer(
            model,
            pretokenizer=_pretokenizer(obj.get("pre_tokenizer"), path),
            normalizer=_normalizer(obj.get("normalizer"), path),
            special_tokens=special_tokens,
            added_tokens=added_tokens,
            name=os.path.splitext(os.path.basename(path))[0],
        )
    except (ModelError, ConfigError) as exc:
        raise FormatError(path, f"{m['type']} model: {exc}") from None


def _pretokenizer_out(pre: PreTokenizer, path: object):
    if pre.pattern is None:
        return None
    for hf_name, ours in _WORD_SPLITTERS.items():
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
    steps = [{"type": {v: k for k, v in _NORMALIZER_STEPS.items()}[s]} for s in tokenizer.normalizer.steps]
    normalizer = None if not steps else steps[0] if len(steps) == 1 else {"type": "Sequence", "normalizers": steps}
    added = [
        {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": special}
        for table, special in ((tokenizer.special_tokens, True), (tokenizer.added_tokens, False))
        for t, i in table.items()
    ]
    added.sort(key=lambda e: e["id"])
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
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": normalizer,
        "pre_tokenizer": _pretokenizer_out(tokenizer.pretokenizer, path),
        "post_processor": None,
        "decoder": decoder,
        "model": hf_model,
    }


_VOCAB_SLOT = "\u0000tokenforge-unigram-vocab\u0000"


def dumps_hf_lattice(obj: dict) -> str:
    """The JSON text; Unigram scores spelled so that `tokenizers` reads back exactly our floats (see hf_floats)."""
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
