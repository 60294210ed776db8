"""tiktoken rank files: one `base64(token) rank` line per token, plus the pattern and special tokens.

Those two are not in the file: they come from arguments, a sidecar `NAME.tiktoken.json` (`pat_str`,
`special_tokens`; older versions and Meta's files use `NAME.json`, still read when the new name is absent), or —
for OpenAI's own files, recognised by SHA-256 — from the known-encodings registry.

The rank file and its sidecar are written one after the other, so a save killed between the two would leave a
mismatched pair: the sidecar records the rank file's SHA-256 (`rank_file_sha256`) and `load` refuses a pair that
disagrees. Sidecars without the key (older ones, Meta's) load as before.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from typing import Optional

from ..atomic import atomic_write
from ..errors import ConfigError, FormatError, ModelError, UnsupportedFeatureError, WriteError
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
    digest = hashlib.sha256(data).hexdigest()
    known = by_sha256(digest)
    found = read_sidecar(path)
    explicit_n_vocab = None
    sidecar = None
    if found is not None:
        sidecar_file, sidecar = found
        recorded = sidecar.get("rank_file_sha256")
        if recorded is not None and recorded.lower() != digest:
            raise FormatError(path, f"the sidecar {sidecar_file} does not belong to this rank file — an interrupted "
                                    f"save? (the sidecar records SHA-256 {recorded[:16]}..., the rank file has "
                                    f"{digest[:16]}...); save the tokenizer again")
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
            f"{os.path.basename(sidecar_path(path))} (or the older {os.path.basename(legacy_sidecar_path(path))}); "
            "pass pattern= (and special_tokens=) explicitly",
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
            pretokenizer=PreTokenizer.from_spec(pattern),  # a name ("cl100k") or a regex
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
    """Writes the rank file and its sidecar `NAME.tiktoken.json`, which records the rank file's SHA-256.

    The format-level rules (byte-level, no normalizer, a pattern: `formats.check_format_for`) are checked by
    `formats.save`; this checks what depends on the vocabulary. An existing file at the sidecar's path that is not a
    tiktoken sidecar is never overwritten. The sidecar is written first: a save killed between the two writes leaves
    the old rank file beside a sidecar recording another SHA-256, which `load` refuses instead of loading the old
    ranks with the new special tokens."""
    model = tokenizer.model
    path = os.fspath(path)
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
    sidecar = sidecar_path(path)
    old_sidecar = sidecar_to_replace(sidecar, path)
    lines = [base64.b64encode(token) + b" " + str(rank).encode() + b"\n"
             for token, rank in sorted(model.vocab.items(), key=lambda kv: kv[1])]
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line)
    meta = {
        "name": tokenizer.name or os.path.splitext(os.path.basename(path))[0],
        "pat_str": tokenizer.pretokenizer.pattern,
        "special_tokens": tokenizer.special_tokens,
        "explicit_n_vocab": None,
        "rank_file_sha256": digest.hexdigest(),
    }
    with atomic_write(sidecar) as f:
        json.dump(meta, f, ensure_ascii=False, indent=1)
    try:
        with atomic_write(path, "wb") as f:
            for line in lines:
                f.write(line)
    except BaseException:
        _restore(sidecar, old_sidecar)  # the rank file is unchanged: so is the pair
        raise


def sidecar_to_replace(sidecar: str, path: str) -> Optional[bytes]:
    """The bytes of the file at the sidecar path (None: there is none). Refuses when that file is not a tiktoken
    sidecar: it belongs to someone else, and saving `path` must not destroy it."""
    if not os.path.lexists(sidecar):
        return None
    if os.path.isdir(sidecar):
        raise WriteError(path, f"its sidecar {sidecar} is a directory; move it away or save under another name")
    try:
        with open(sidecar, "rb") as f:
            data = f.read()
        obj = json.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        obj = None
    if not is_sidecar(obj):
        raise WriteError(path, f"refusing to overwrite {sidecar}: saving the rank file writes its sidecar there, "
                               "but that file is not a tiktoken sidecar (a JSON object with a string 'pat_str'); "
                               "move it away or save under another name")
    return data


def _restore(sidecar: str, old: Optional[bytes]) -> None:
    """Puts the sidecar back as it was before a failed save (best effort: a failure here is not reported over
    the one that caused it; the SHA-256 it records still tells a mismatched pair)."""
    try:
        if old is None:
            os.unlink(sidecar)
        else:
            with atomic_write(sidecar, "wb") as f:
                f.write(old)
    except OSError:
        pass
