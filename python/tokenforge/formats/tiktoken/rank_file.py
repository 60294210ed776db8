"""tiktoken rank files: one `base64(token) rank` line per token, plus the pattern and special tokens.

Those two are not in the file: they come from arguments, a sidecar `NAME.tiktoken.json` (`pat_str`,
`special_tokens`; older versions and Meta's files use `NAME.json`, still read when the new name is absent), or —
for OpenAI's own files, recognised by SHA-256 — from the known-encodings registry.

The rank file and its sidecar are written one after the other, so a save killed between the two would leave a
mismatched pair: the sidecar records the rank file's SHA-256 (`rank_file_sha256`) and `load` refuses a pair that
disagrees. Sidecars without the key (older ones, Meta's) load as before.

This module parses rank files and finds, names and checks sidecars: what reading (read.py) and writing (write.py)
share.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from typing import Optional

from ...errors import FormatError
from ...models.bpe import MAX_ID

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


def sidecar_path(path: "str | os.PathLike[str]") -> str:
    """Where `save_tiktoken` writes the sidecar of the rank file `path`: `NAME.tiktoken.json`, a name no
    tokenizer.json of the same stem (`NAME.json`) can have."""
    return os.fspath(path) + ".json"


def legacy_sidecar_path(path: "str | os.PathLike[str]") -> str:
    """The sidecar name of older versions (and of Meta's Llama 3 files): `NAME.json`."""
    return os.path.splitext(os.fspath(path))[0] + ".json"


def _read_json(path: str):
    try:
        with open(path, "rb") as f:
            return json.loads(f.read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(path, f"not valid UTF-8 JSON: {exc}") from None
    except OSError as exc:
        raise FormatError(path, f"cannot read: {exc.strerror}") from None


def is_sidecar(obj: object) -> bool:
    """Whether a parsed JSON file is a tiktoken sidecar: an object with a string `pat_str`."""
    return isinstance(obj, dict) and isinstance(obj.get("pat_str"), str)


def _is_other_tokenizer(path: str) -> bool:
    """Whether `path` is a tokenizer file of its own (a tokenizer.json, tokenforge JSON), not a sidecar: an old-style
    `NAME.json` beside `NAME.tiktoken` may be one (e.g. after `tokenforge convert NAME.tiktoken NAME.json`)."""
    try:
        obj = _read_json(path)
    except FormatError:
        return False  # a broken sidecar: reading it reports the fault
    return isinstance(obj, dict) and "pat_str" not in obj and ("model" in obj or "format" in obj)


def sidecar_in_use(path: "str | os.PathLike[str]") -> Optional[str]:
    """The sidecar `load` reads for the rank file `path`: `NAME.tiktoken.json`, else an old-style `NAME.json`
    that is not a tokenizer file of its own; None if there is none."""
    path = os.fspath(path)
    new = sidecar_path(path)
    if os.path.exists(new):
        return new
    old = legacy_sidecar_path(path)
    if old != path and os.path.isfile(old) and not _is_other_tokenizer(old):
        return old
    return None


def read_sidecar(path: str) -> Optional[tuple[str, dict]]:
    """(sidecar path, its validated contents) for the rank file `path`, or None if it has no sidecar."""
    sidecar = sidecar_in_use(path)
    if sidecar is None:
        return None
    meta = _read_json(sidecar)
    if not is_sidecar(meta):
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
    digest = meta.get("rank_file_sha256")
    if digest is not None and not (isinstance(digest, str) and len(digest) == 64):
        raise FormatError(sidecar, f"'rank_file_sha256' must be a SHA-256 hex digest, got {digest!r:.80}")
    return sidecar, meta
