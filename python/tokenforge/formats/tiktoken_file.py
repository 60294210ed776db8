"""tiktoken rank files: one `base64(token) rank` line per token, plus the pattern and special tokens.

Those two are not in the file: they come from arguments, a sidecar `NAME.json` (`pat_str`, `special_tokens`), or —
for OpenAI's own files, recognised by SHA-256 — from the known-encodings registry.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from typing import Optional

from ..atomic import atomic_write
from ..errors import ConfigError, FormatError, ModelError, UnsupportedFeatureError
from ..known_encodings import by_sha256
from ..models.bpe import MAX_ID, BpeModel
from ..pretokenizers import PreTokenizer

MAX_FILE_BYTES = 1 << 30


def parse_ranks(data: bytes, path: object) -> dict[bytes, int]:
    """Validates every line: two fields, strict base64, a unique non-negative rank, a unique token."""
    ranks: dict[bytes, int] = {}
    seen_ranks: dict[int, int] = {}
    for lineno, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        fields = line.split()
        if len(fields) != 2:
            raise FormatError(path, f"line {lineno}: expected 'base64-token rank', got {line[:80]!r}")
        b64, rank_text = fields
        try:
            token = base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            raise FormatError(path, f"line {lineno}: {b64[:80]!r} is not valid base64") from None
        if not token:
            raise FormatError(path, f"line {lineno}: empty token")
        if not rank_text.isdigit():
            raise FormatError(path, f"line {lineno}: rank {rank_text[:40]!r} is not a non-negative integer")
        rank = int(rank_text)
        if rank > MAX_ID:
            raise FormatError(path, f"line {lineno}: rank {rank} is beyond the supported maximum {MAX_ID}")
        if token in ranks:
            raise FormatError(path, f"line {lineno}: token {token!r} already has rank {ranks[token]}")
        if rank in seen_ranks:
            raise FormatError(path, f"line {lineno}: rank {rank} already used on line {seen_ranks[rank]}")
        ranks[token] = rank
        seen_ranks[rank] = lineno
    if not ranks:
        raise FormatError(path, "no tokens: the rank file is empty")
    missing = [b for b in range(256) if bytes([b]) not in ranks]
    if missing:
        raise FormatError(path, f"no token for {len(missing)} of the 256 single bytes (first: 0x{missing[0]:02x}); "
                                "a byte-level rank file needs all of them (truncated file?)")
    return ranks


def read_sidecar(path: str) -> Optional[dict]:
    sidecar = os.path.splitext(path)[0] + ".json"
    if not os.path.exists(sidecar):
        return None
    try:
        with open(sidecar, "rb") as f:
            meta = json.loads(f.read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(sidecar, f"not valid UTF-8 JSON: {exc}") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("pat_str"), str):
        raise FormatError(sidecar, "expected a JSON object with a string 'pat_str'")
    specials = meta.get("special_tokens", {})
    if not isinstance(specials, dict) or not all(isinstance(k, str) and isinstance(v, int) for k, v in specials.items()):
        raise FormatError(sidecar, "'special_tokens' must map strings to integer ids")
    for text, i in specials.items():
        if not text or isinstance(i, bool) or not 0 <= i <= MAX_ID:
            raise FormatError(sidecar, f"special token {text!r} with id {i!r}: need a non-empty token and an id in 0..{MAX_ID}")
    n_vocab = meta.get("explicit_n_vocab")
    if n_vocab is not None and (not isinstance(n_vocab, int) or isinstance(n_vocab, bool) or n_vocab <= 0):
        raise FormatError(sidecar, f"'explicit_n_vocab' must be a positive integer or null, got {n_vocab!r:.40}")
    if not isinstance(meta.get("name", ""), (str, type(None))):
        raise FormatError(sidecar, "'name' must be a string")
    return meta


def load_tiktoken(
    path: "str | os.PathLike[str]",
    data: Optional[bytes] = None,
    *,
    pattern: Optional[str] = None,
    special_tokens: Optional[dict[str, int]] = None,
    name: Optional[str] = None,
):
    from ..tokenizer import Tokenizer

    path = os.fspath(path)
    if data is None:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise FormatError(path, f"file is larger than {MAX_FILE_BYTES} bytes; refusing to load it as a rank file")
    ranks = parse_ranks(data, path)
    known = by_sha256(hashlib.sha256(data).hexdigest())
    sidecar = read_sidecar(path)
    explicit_n_vocab = None
    if sidecar is not None:
        pattern = pattern if pattern is not None else sidecar["pat_str"]
        special_tokens = special_tokens if special_tokens is not None else dict(sidecar.get("special_tokens", {}))
        explicit_n_vocab = sidecar.get("explicit_n_vocab")
        name = name or sidecar.get("name")
    if known is not None:
        pattern = pattern if pattern is not None else known.pattern
        special_tokens = special_tokens if special_tokens is not None else dict(known.special_tokens)
        explicit_n_vocab = explicit_n_vocab or known.explicit_n_vocab
        name = name or known.name
    if pattern is None:
        raise FormatError(
            path,
            "this rank file is not a known OpenAI encoding and has no sidecar "
            f"{os.path.splitext(os.path.basename(path))[0]}.json; pass pattern= (and special_tokens=) explicitly",
        )
    special_tokens = special_tokens or {}
    used_ranks = set(ranks.values())
    for text, i in special_tokens.items():
        if i in used_ranks and ranks.get(text.encode("utf-8")) != i:
            raise FormatError(path, f"special token {text!r} reuses rank {i} of an ordinary token")
    if explicit_n_vocab is not None and len(ranks) + len(special_tokens) != explicit_n_vocab:
        raise FormatError(path, f"expected {explicit_n_vocab} tokens in all, found {len(ranks)} ranks + "
                                f"{len(special_tokens)} special tokens (truncated file?)")
    try:
        return Tokenizer(
            BpeModel.from_ranks(ranks),
            pretokenizer=PreTokenizer(pattern),
            special_tokens=special_tokens,
            name=name or os.path.splitext(os.path.basename(path))[0],
        )
    except (ConfigError, ModelError) as exc:
        raise FormatError(path, str(exc)) from None


def _merges_are_ranks(model: BpeModel) -> bool:
    """Whether an HF merge list is exactly the one derived from the ids read as tiktoken ranks (what `to_hf_dict`
    writes for a rank file), so that the rank rule reproduces it."""
    if not model.whole_piece_first:
        return False
    try:
        derived = BpeModel.from_ranks(model.vocab).merge_list()
    except Exception:
        return False
    return derived == model.merges


def save_tiktoken(tokenizer, path: "str | os.PathLike[str]") -> None:
    """Writes the rank file and its sidecar `NAME.json`."""
    model = tokenizer.model
    path = os.fspath(path)
    if model.char_level:
        raise UnsupportedFeatureError(path, "tiktoken files are byte-level; save a char-level model as tokenizer.json")
    if not model.rank_semantics and _merges_are_ranks(model):
        model = BpeModel.from_ranks(model.vocab)  # e.g. a tokenizer.json we wrote from a rank file: convert back
    if not model.rank_semantics:
        # tiktoken's rule merges any two parts whose concatenation is a token, at that token's rank (= id). A
        # merge list trained by BPE segments the same way in practice (the tests check whole corpora); what is
        # checked here is every vocabulary entry, encoded as one piece under both rules.
        from .. import _core

        bad = _core.rank_rule_mismatch(list(model.vocab.items()), model.merge_list(), model.whole_piece_first)
        if bad is not None:
            raise UnsupportedFeatureError(
                path,
                f"tiktoken's rank rule would segment the token {bad!r} differently from this tokenizer's merge "
                "list; save it as tokenizer.json instead",
            )
    if tokenizer.added_tokens:
        raise UnsupportedFeatureError(path, "tiktoken has no always-matched added tokens; save as tokenizer.json")
    if tokenizer.normalizer:
        raise UnsupportedFeatureError(path, "tiktoken has no normalizer; save as tokenizer.json")
    if tokenizer.pretokenizer.pattern is None:
        raise UnsupportedFeatureError(path, "tiktoken needs a pre-tokenizer pattern")
    with atomic_write(path, "wb") as f:
        for token, rank in sorted(model.vocab.items(), key=lambda kv: kv[1]):
            f.write(base64.b64encode(token) + b" " + str(rank).encode() + b"\n")
    meta = {
        "name": tokenizer.name or os.path.splitext(os.path.basename(path))[0],
        "pat_str": tokenizer.pretokenizer.pattern,
        "special_tokens": tokenizer.special_tokens,
        "explicit_n_vocab": None,
    }
    with atomic_write(os.path.splitext(path)[0] + ".json") as f:
        json.dump(meta, f, ensure_ascii=False, indent=1)
