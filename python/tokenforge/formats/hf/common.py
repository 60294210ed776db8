"""What tokenizer.json reading and writing share: the JSON parse, the normalizer and added-token entries, the
pattern spelled for HF's regex engine, and char-level token spellings (`<0xXX>` byte tokens).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ... import _core
from ...errors import ConfigError, FormatError, UnsupportedFeatureError
from ...models.bpe import MAX_ID
from ...pipeline.normalizers import Normalizer
from ...pipeline.pretokenizers import PreTokenizer, hf_spelling

MAX_FILE_BYTES = 1 << 30

NORMALIZER_STEPS = {"NFC": "nfc", "NFKC": "nfkc", "Lowercase": "lowercase"}
# HF pre-tokenizers that split words, and the tokenforge pattern each is.
WORD_SPLITTERS = {"Whitespace": "whitespace", "WhitespaceSplit": "whitespace_split", "BertPreTokenizer": "bert"}


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


def normalizer_from_hf(spec: Any, path: object) -> Normalizer:
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
            steps.extend(normalizer_from_hf(sub, path).steps)
        return Normalizer(tuple(steps))
    if kind in NORMALIZER_STEPS:
        return Normalizer((NORMALIZER_STEPS[kind],))
    raise UnsupportedFeatureError(path, f"normalizer {kind!r} is not supported")


def normalizer_to_hf(normalizer: Normalizer) -> Any:
    """The `normalizer` entry of a tokenizer.json: null, one step, or a Sequence."""
    steps = [{"type": {v: k for k, v in NORMALIZER_STEPS.items()}[s]} for s in normalizer.steps]
    return None if not steps else steps[0] if len(steps) == 1 else {"type": "Sequence", "normalizers": steps}


def check_split_regexes(spec: Any, path: object) -> None:
    """Compiles every Split regex of a pre-tokenizer spec now, so that a bad one is reported as such (a malformed
    file) before an unsupported component elsewhere in the pipeline could hide it."""
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


def added_tokens_to_hf(tokenizer) -> list[dict]:
    """The `added_tokens` list of a tokenizer.json: special and other added tokens, by id."""
    added = [
        {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": special}
        for table, special in ((tokenizer.special_tokens, True), (tokenizer.added_tokens, False))
        for t, i in table.items()
    ]
    added.sort(key=lambda e: e["id"])
    return added


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
