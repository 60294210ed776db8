"""Reading a tiktoken rank file into a `Tokenizer`: the pattern and special tokens come from arguments, the sidecar,
or — for OpenAI's own files, recognised by SHA-256 — from the known-encodings registry (known_encodings.py). A
sidecar recording another rank file's SHA-256 is refused (rank_file.py describes the pair)."""

from __future__ import annotations

import hashlib
import os
from typing import Optional

from ...errors import ConfigError, FormatError, ModelError
from ...models.bpe import BpeModel
from ...pipeline.pretokenizers import PreTokenizer
from ...tokenizers.tokenizer import Tokenizer
from .known_encodings import by_sha256
from .rank_file import MAX_FILE_BYTES, legacy_sidecar_path, parse_ranks, read_sidecar, sidecar_path


def load_tiktoken(
    path: "str | os.PathLike[str]",
    data: Optional[bytes] = None,
    *,
    pattern: Optional[str] = None,
    special_tokens: Optional[dict[str, int]] = None,
    name: Optional[str] = None,
):
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
