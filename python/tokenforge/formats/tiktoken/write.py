"""Writing a tiktoken rank file and its sidecar `NAME.tiktoken.json` (which records the rank file's SHA-256), so
that a save killed between the two writes is detected when loading, and no file that is not a sidecar is ever
overwritten."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from typing import Optional

from ... import _core
from ...errors import UnsupportedFeatureError, WriteError
from ...models.bpe import BpeModel
from ...util.atomic import atomic_write
from .rank_file import is_sidecar, sidecar_path


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

    The format-level rules (byte-level, no normalizer, a pattern: `formats.writing.check_format_for`) are checked
    by `formats.writing.save`; this checks what depends on the vocabulary. An existing file at the sidecar's path
    that is not a tiktoken sidecar is never overwritten. The sidecar is written first: a save killed between the
    two writes leaves the old rank file beside a sidecar recording another SHA-256, which `load` refuses instead of
    loading the old ranks with the new special tokens."""
    model = tokenizer.model
    path = os.fspath(path)
    if not model.rank_semantics and _merges_are_ranks(model):
        model = BpeModel.from_ranks(model.vocab)  # e.g. a tokenizer.json we wrote from a rank file: convert back
    if not model.rank_semantics:
        # tiktoken's rule merges any two parts whose concatenation is a token, at that token's rank (= id). A
        # merge list trained by BPE segments the same way in practice (the tests check whole corpora); what is
        # checked here is every vocabulary entry, encoded as one piece under both rules.
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
