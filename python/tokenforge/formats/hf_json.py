"""HF `tokenizer.json` for byte-level BPE models: load it exactly, and write files `tokenizers` loads unchanged.

Supported: BPE model (merges as "a b" strings or pairs, `ignore_merges`), ByteLevel pre-tokenizer/decoder, a
`Split` regex with `Isolated` behaviour, NFC/NFKC/Lowercase normalizers, added tokens (special or not). Anything
else is refused with `UnsupportedFeatureError` rather than loaded into something that encodes differently.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, Optional

from ..atomic import atomic_write
from ..byte_level import decode_string, encode_bytes
from ..errors import ConfigError, FormatError, ModelError, UnsupportedFeatureError
from ..models.bpe import MAX_ID, BpeModel
from ..normalizers import Normalizer
from ..pretokenizers import GPT2_PATTERN, PreTokenizer, hf_spelling

MAX_FILE_BYTES = 1 << 30

_NORMALIZER_STEPS = {"NFC": "nfc", "NFKC": "nfkc", "Lowercase": "lowercase"}


def parse_json(data: bytes, path: object) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(path, f"not UTF-8: invalid byte at offset {exc.start}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(path, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise FormatError(path, "JSON nested too deeply") from None


def _normalizer(spec: Any, path: object) -> Normalizer:
    if spec is None:
        return Normalizer()
    if not isinstance(spec, dict):
        raise FormatError(path, "'normalizer' must be an object or null")
    kind = spec.get("type")
    if kind == "Sequence":
        steps: list[str] = []
        subs = spec.get("normalizers", [])
        if not isinstance(subs, list):
            raise FormatError(path, "normalizer Sequence: 'normalizers' must be a list")
        for sub in subs:
            steps.extend(_normalizer(sub, path).steps)
        return Normalizer(tuple(steps))
    if kind in _NORMALIZER_STEPS:
        return Normalizer((_NORMALIZER_STEPS[kind],))
    raise UnsupportedFeatureError(path, f"normalizer {kind!r} is not supported")


def check_split_regexes(spec: Any, path: object) -> None:
    """Compiles every Split regex of a pre-tokenizer spec now, so that a bad one is reported as such (a malformed
    file) before an unsupported component elsewhere in the pipeline could hide it."""
    from .. import _core

    steps = spec.get("pretokenizers", []) if isinstance(spec, dict) and spec.get("type") == "Sequence" else [spec]
    for step in steps if isinstance(steps, list) else []:
        if isinstance(step, dict) and step.get("type") == "Sequence":
            check_split_regexes(step, path)
        elif isinstance(step, dict) and step.get("type") == "Split" and isinstance(step.get("pattern"), dict):
            regex = step["pattern"].get("Regex")
            if isinstance(regex, str):
                try:
                    _core.pretokenize("", "regex", regex, True)
                except ConfigError as exc:
                    raise FormatError(path, f"Split pre-tokenizer: {exc}") from None


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
            pat = step.get("pattern", {})
            if isinstance(pat, dict) and isinstance(pat.get("Regex"), str):
                pattern = pat["Regex"]
            elif isinstance(pat, dict) and isinstance(pat.get("String"), str):
                pattern = re.escape(pat["String"])
            else:
                raise FormatError(path, f"Split pattern must be {{'Regex': str}} or {{'String': str}}, got {pat!r:.80}")
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
    from ..tokenizer import Tokenizer

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
        from .hf_lattice import load_hf_lattice

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
        from ..tokenizer import Tokenizer

        return Tokenizer(
            bpe,
            pretokenizer=_char_level_pretokenizer(obj.get("pre_tokenizer"), path) if char_level else _pretokenizer(obj.get("pre_tokenizer"), path),
            normalizer=_normalizer(obj.get("normalizer"), path),
            special_tokens=special_tokens,
            added_tokens=added_tokens,
            name=os.path.splitext(os.path.basename(path))[0],
        )
    except (ModelError, ConfigError) as exc:
        raise FormatError(path, str(exc)) from None


def added_tokens_of(obj: dict, path: object) -> tuple[dict[str, int], dict[str, int]]:
    """The file's added tokens, split into special ones and the others (checked for HF's unsupported flags)."""
    special_tokens: dict[str, int] = {}
    added_tokens: dict[str, int] = {}
    added_entries = obj.get("added_tokens") or []
    if not isinstance(added_entries, list):
        raise FormatError(path, "'added_tokens' must be a list")
    for entry in added_entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("content"), str) or not isinstance(entry.get("id"), int):
            raise FormatError(path, f"malformed added token {entry!r:.200}")
        if isinstance(entry["id"], bool) or not 0 <= entry["id"] <= MAX_ID:
            raise FormatError(path, f"added token {entry['content']!r} has id {entry['id']!r}, outside 0..{MAX_ID}")
        if not entry["content"]:
            raise FormatError(path, f"added token with id {entry['id']} is empty")
        if entry["content"] in special_tokens or entry["content"] in added_tokens:
            raise FormatError(path, f"added token {entry['content']!r} is listed twice")
        for flag in ("lstrip", "rstrip", "single_word"):
            if entry.get(flag):
                raise UnsupportedFeatureError(path, f"added token {entry['content']!r} uses {flag}=true, not supported")
        table = special_tokens if entry.get("special", False) else added_tokens
        table[entry["content"]] = entry["id"]
    return special_tokens, added_tokens


def hf_pattern(pretokenizer: PreTokenizer, path: object) -> str:
    """The pattern spelled so HF's regex engine (Oniguruma) reads it as we do (see `hf_spelling`); exact only for
    the named patterns, so any other pattern with a possessive bounded repeat is refused."""
    pattern = pretokenizer.pattern
    assert pattern is not None
    spelled = hf_spelling(pattern)
    if spelled != pattern and pretokenizer.scanner is None:
        raise UnsupportedFeatureError(path, "the pattern has a possessive bounded repeat ({m,n}+), which HF's regex engine reads differently")
    return spelled


_BYTE_TOKEN = re.compile(r"^<0x([0-9A-Fa-f]{2})>$")


def char_level_token(token: bytes) -> str:
    """How a char-level vocabulary writes a token: its text, or `<0xXX>` for a fallback byte that is no character."""
    if len(token) == 1 and token[0] >= 0x80:
        return f"<0x{token[0]:02X}>"
    return token.decode("utf-8")


def char_level_bytes(token: str) -> bytes:
    m = _BYTE_TOKEN.match(token)
    return bytes([int(m.group(1), 16)]) if m else token.encode("utf-8")


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
    steps = [{"type": {v: k for k, v in _NORMALIZER_STEPS.items()}[s]} for s in tokenizer.normalizer.steps]
    normalizer = None if not steps else steps[0] if len(steps) == 1 else {"type": "Sequence", "normalizers": steps}
    added = [
        {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": special}
        for table, special in ((tokenizer.special_tokens, True), (tokenizer.added_tokens, False))
        for t, i in table.items()
    ]
    added.sort(key=lambda e: e["id"])
    vocab = {spell(t): i for t, i in sorted(model.vocab.items(), key=lambda kv: kv[1])}
    # HF renumbers added tokens that are absent from the model vocab to len(vocab), len(vocab)+1, ...; where that
    # would change an id (e.g. cl100k's hole at 100256), the tokens are listed in the model vocab as well.
    if [e["id"] for e in added] != list(range(len(vocab), len(vocab) + len(added))):
        for e in added:
            vocab.setdefault(e["content"], e["id"])
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": normalizer,
        "pre_tokenizer": pre,
        "post_processor": None,
        "decoder": decoder,
        "model": {
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
        },
    }


def save_hf_json(tokenizer, path: "str | os.PathLike[str]") -> None:
    if tokenizer.model.kind != "bpe" or tokenizer.method != "merge" or tokenizer.method_options.get("dropout") is not None:
        from .hf_lattice import save_hf_lattice

        return save_hf_lattice(tokenizer, path)
    obj = to_hf_dict(tokenizer, path)
    with atomic_write(path) as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
