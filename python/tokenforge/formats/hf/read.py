"""Reading HF `tokenizer.json`: byte-level (or char-level, byte-fallback) BPE, Unigram and WordPiece models,
loaded exactly into a `Tokenizer`.

BPE: merges as "a b" strings or pairs, `ignore_merges`, ByteLevel pre-tokenizer/decoder, a `Split` regex with
`Isolated` behaviour. Unigram and WordPiece: no pre-tokenizer, a `Split` regex (Isolated, or inverted with
Removed — a findall), `Whitespace`, `WhitespaceSplit`, `BertPreTokenizer`. Both: NFC/NFKC/Lowercase normalizers,
added tokens (special or not). Anything else is refused with `UnsupportedFeatureError` rather than loaded into
something that encodes differently (`Metaspace`, `BertNormalizer`: not implemented). Post-processors (e.g. adding
[CLS]/[SEP]) are ignored: tokenforge never adds tokens the text does not hold.
"""

from __future__ import annotations

import os
import re
from typing import Any, Optional

from ...errors import ConfigError, FormatError, ModelError, UnsupportedFeatureError
from ...models.bpe import BpeModel
from ...models.unigram import UnigramModel
from ...models.wordpiece import WordPieceModel
from ...pipeline.byte_level import decode_string
from ...pipeline.pretokenizers import GPT2_PATTERN, PreTokenizer
from ...tokenizers.tokenizer import Tokenizer
from .common import (MAX_FILE_BYTES, WORD_SPLITTERS, added_tokens_of, char_level_bytes, check_split_regexes,
                     normalizer_from_hf, parse_json)
from .floats import loads_like_serde


def _split_pattern(step: dict, path: object) -> str:
    """The regex of a `Split` pre-tokenizer step (a `String` pattern is escaped)."""
    pat = step.get("pattern", {})
    if isinstance(pat, dict) and isinstance(pat.get("Regex"), str):
        return pat["Regex"]
    if isinstance(pat, dict) and isinstance(pat.get("String"), str):
        return re.escape(pat["String"])
    raise FormatError(path, f"Split pattern must be {{'Regex': str}} or {{'String': str}}, got {pat!r:.80}")


def _pretokenizer(spec: Any, path: object) -> PreTokenizer:
    """The Split regex of a byte-level pipeline. The ByteLevel step itself is implicit: tokens are raw bytes."""
    if not isinstance(spec, dict):
        raise UnsupportedFeatureError(path, "a byte-level BPE without a ByteLevel pre-tokenizer is not supported")
    steps = spec.get("pretokenizers", []) if spec.get("type") == "Sequence" else [spec]
    if not isinstance(steps, list):
        raise FormatError(path, "pre-tokenizer Sequence: 'pretokenizers' must be a list")
    pattern: Optional[str] = None
    saw_byte_level = False
    for step in steps:
        kind = step.get("type") if isinstance(step, dict) else None
        if kind == "ByteLevel":
            if step.get("add_prefix_space", False):
                raise UnsupportedFeatureError(path, "ByteLevel with add_prefix_space=true is not supported")
            if step.get("use_regex", True):
                if pattern is not None:
                    raise UnsupportedFeatureError(path, "a Split followed by ByteLevel(use_regex=true) is not supported")
                pattern = GPT2_PATTERN
            saw_byte_level = True
        elif kind == "Split":
            if pattern is not None:
                raise UnsupportedFeatureError(path, "more than one regex split is not supported")
            if step.get("behavior") != "Isolated" or step.get("invert", False):
                raise UnsupportedFeatureError(path, f"Split behaviour {step.get('behavior')!r} (invert={step.get('invert')}) is not supported")
            pattern = _split_pattern(step, path)
        else:
            raise UnsupportedFeatureError(path, f"pre-tokenizer {kind!r} is not supported")
    if not saw_byte_level:
        raise UnsupportedFeatureError(path, "only byte-level BPE is supported (no ByteLevel pre-tokenizer found)")
    return PreTokenizer(pattern, emit_gaps=True)


def _char_level_pretokenizer(spec: Any, path: object) -> PreTokenizer:
    """A Split regex (or none) with no ByteLevel step."""
    if spec is None:
        return PreTokenizer(None)
    if isinstance(spec, dict) and spec.get("type") == "Split" and spec.get("behavior") == "Isolated" and not spec.get("invert"):
        pat = spec.get("pattern", {})
        if "Regex" in pat:
            return PreTokenizer(pat["Regex"], emit_gaps=True)
        if "String" in pat:
            return PreTokenizer(re.escape(pat["String"]), emit_gaps=True)
    raise UnsupportedFeatureError(path, "a BPE with byte_fallback=true supports only a Split (Isolated) pre-tokenizer or none")


def _last_duplicate_wins(merges: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """HF `tokenizers` builds its merge map by inserting the list in order, so a pair listed twice takes the rank of
    its last occurrence; keeping only that occurrence gives the same ranks (in order) and so the same ids."""
    last = {pair: k for k, pair in enumerate(merges)}
    if len(last) == len(merges):
        return merges
    return [pair for k, pair in enumerate(merges) if last[pair] == k]


def load_hf_json(path: "str | os.PathLike[str]", data: Optional[bytes] = None, obj: Any = None):
    path = os.fspath(path)
    if obj is None:
        if data is None:
            with open(path, "rb") as f:
                data = f.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise FormatError(path, f"file is larger than {MAX_FILE_BYTES} bytes")
        obj = parse_json(data, path)
    if not isinstance(obj, dict) or not isinstance(obj.get("model"), dict):
        raise FormatError(path, "not a tokenizer.json: no 'model' object")
    model = obj["model"]
    check_split_regexes(obj.get("pre_tokenizer"), path)
    if model.get("type") in ("Unigram", "WordPiece"):
        return load_hf_lattice(path, obj, data)
    if model.get("type", "BPE") != "BPE":
        raise UnsupportedFeatureError(path, f"model type {model.get('type')!r} is not supported (byte-level BPE only)")
    if "vocab" not in model:
        raise FormatError(path, "BPE model has no 'vocab'")
    if not isinstance(model.get("merges"), list):
        raise FormatError(path, "model.merges must be a list of merges")
    if model.get("dropout") not in (None, 0, 0.0):
        raise UnsupportedFeatureError(path, "BPE dropout is not supported yet")
    for key in ("continuing_subword_prefix", "end_of_word_suffix"):
        if model.get(key):
            raise UnsupportedFeatureError(path, f"BPE {key}={model[key]!r} is not supported")
    decoder = obj.get("decoder")
    char_level = bool(model.get("byte_fallback"))
    if char_level:
        # Char-level BPE with byte fallback, as tokenforge writes it: no ByteLevel step, <0xXX> byte tokens.
        steps = decoder.get("decoders", []) if isinstance(decoder, dict) and decoder.get("type") == "Sequence" else [decoder]
        if [d.get("type") if isinstance(d, dict) else None for d in steps] != ["ByteFallback", "Fuse"]:
            raise UnsupportedFeatureError(path, "a BPE with byte_fallback=true needs the decoder Sequence[ByteFallback, Fuse]")
    elif not (isinstance(decoder, dict) and decoder.get("type") == "ByteLevel"):
        raise UnsupportedFeatureError(path, "only the ByteLevel decoder is supported")
    spell_back = (lambda t, p: char_level_bytes(t)) if char_level else decode_string

    special_tokens, added_tokens = added_tokens_of(obj, path)

    raw_vocab = model["vocab"]
    if not isinstance(raw_vocab, dict):
        raise FormatError(path, "model.vocab must be an object mapping tokens to ids")
    vocab: dict[bytes, int] = {}
    for token, i in raw_vocab.items():
        if not isinstance(i, int) or isinstance(i, bool):
            raise FormatError(path, f"vocab entry {token!r} has non-integer id {i!r}")
        if special_tokens.get(token, added_tokens.get(token)) == i:
            continue  # an added token also listed in the model vocab (how files pin non-contiguous ids)
        raw = spell_back(token, path)
        if raw in vocab:
            raise FormatError(path, f"vocab has two entries for bytes {raw!r}")
        vocab[raw] = i
    merges: list[tuple[bytes, bytes]] = []
    for k, m in enumerate(model["merges"]):
        if isinstance(m, str):
            parts = m.split(" ")
        elif isinstance(m, list):
            parts = m
        else:
            parts = []
        if len(parts) != 2 or not all(isinstance(p, str) for p in parts):
            raise FormatError(path, f"merge #{k} is malformed: {m!r}")
        merges.append((spell_back(parts[0], path), spell_back(parts[1], path)))
    merges = _last_duplicate_wins(merges)

    try:
        bpe = BpeModel(vocab, merges, bool(model.get("ignore_merges", False)), char_level=char_level)
        if char_level and any(bytes([b]) not in vocab for b in range(256)):
            raise UnsupportedFeatureError(path, "a BPE with byte_fallback=true but without all 256 <0xXX> byte tokens is not supported")
        return Tokenizer(
            bpe,
            pretokenizer=_char_level_pretokenizer(obj.get("pre_tokenizer"), path) if char_level else _pretokenizer(obj.get("pre_tokenizer"), path),
            normalizer=normalizer_from_hf(obj.get("normalizer"), path),
            special_tokens=special_tokens,
            added_tokens=added_tokens,
            name=os.path.splitext(os.path.basename(path))[0],
        )
    except (ModelError, ConfigError) as exc:
        raise FormatError(path, str(exc)) from None


# -- Unigram and WordPiece --------------------------------------------------------------------------------------


def _lattice_pretokenizer(spec: Any, path: object) -> PreTokenizer:
    if spec is None:
        return PreTokenizer(None)
    if not isinstance(spec, dict):
        raise FormatError(path, "'pre_tokenizer' must be an object or null")
    kind = spec.get("type")
    if kind == "Sequence" and isinstance(spec.get("pretokenizers"), list) and len(spec["pretokenizers"]) == 1:
        return _lattice_pretokenizer(spec["pretokenizers"][0], path)
    if kind in WORD_SPLITTERS:
        return PreTokenizer.from_spec(WORD_SPLITTERS[kind])
    if kind == "Split":
        pattern = _split_pattern(spec, path)
        behavior, invert = spec.get("behavior"), bool(spec.get("invert", False))
        if behavior == "Isolated" and not invert:
            return PreTokenizer(pattern, emit_gaps=True)
        if behavior == "Removed" and invert:
            return PreTokenizer(pattern, emit_gaps=False)
        raise UnsupportedFeatureError(path, f"Split behaviour {behavior!r} with invert={invert} is not supported")
    raise UnsupportedFeatureError(path, f"pre-tokenizer {kind!r} is not supported with a Unigram or WordPiece model")


def load_hf_lattice(path: "str | os.PathLike[str]", obj: dict, data: Optional[bytes] = None):
    """`data`, the file's bytes, lets Unigram scores be read exactly as `tokenizers` reads them (see floats.py)."""
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
            pretokenizer=_lattice_pretokenizer(obj.get("pre_tokenizer"), path),
            normalizer=normalizer_from_hf(obj.get("normalizer"), path),
            special_tokens=special_tokens,
            added_tokens=added_tokens,
            name=os.path.splitext(os.path.basename(path))[0],
        )
    except (ModelError, ConfigError) as exc:
        raise FormatError(path, f"{m['type']} model: {exc}") from None
