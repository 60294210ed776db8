"""What the native core is built from: a tokenizer's model and inference method marshalled into the arguments of
`_core.CoreTokenizer` (the token index, the lattice, dropout and seed, decode overrides). The tokenizer classes
(`tokenizer.py`, `sentencepiece.py`) build their native object with these.
"""

from __future__ import annotations

from typing import Any

from .. import _core
from ..errors import ConfigError


def native_args(model, method: str, options: dict[str, Any], sp=None) -> dict[str, Any]:
    """Keyword arguments for `_core.CoreTokenizer` beyond the BPE ones: the lattice, dropout, seed, decoding.
    `sp`: (unknown score, max score, user-defined ids) for a Unigram model scored as SentencePiece scores it."""
    kwargs: dict[str, Any] = {"seed": options.get("seed", 0)}
    if method == "merge":
        kwargs["dropout"] = options.get("dropout")
        return kwargs
    lattice: dict[str, Any] = {
        "alpha": options.get("alpha", 1.0),
        "random_ties": options.get("tie_break") == "random",
    }
    if model.kind == "bpe":
        lattice["tokens"] = list(model.vocab.items())
    elif model.kind == "unigram":
        table = model.byte_ids()
        lattice.update(
            tokens=model.matched_pieces(),
            scores=model.scores,
            byte_ids=None if table is None else [2**32 - 1 if i is None else i for i in table],
            char_fallback=True,
            unk=model.unk_id,
            fuse_unk=True,
            sp=sp,
        )
    elif model.kind == "wordpiece":
        lattice.update(
            tokens=model.initial_tokens(),
            continuation=model.continuation_tokens(),
            unk=model.unk_id,
            max_word_chars=model.max_input_chars_per_word,
        )
    else:
        raise ConfigError(f"unknown model kind {model.kind!r}")
    kwargs["lattice"] = _core.LatticeModel(method=method, **lattice)
    return kwargs


def model_index(model) -> list[tuple[bytes, int]]:
    """(bytes, id) pairs the native core indexes the vocabulary by (`token_to_id` on bytes): the token's own
    spelling for Unigram and WordPiece, whose decoded bytes need not be unique."""
    if model.kind == "bpe":
        return list(model.vocab.items())
    return [(t.encode("utf-8"), i) for t, i in model.vocab.items()]


def decode_overrides(model) -> list[tuple[int, bytes]]:
    """Ids whose decoded bytes differ from their spelling (byte pieces, `##` continuations)."""
    if model.kind == "bpe":
        return []
    out = []
    for token, i in model.vocab.items():
        data = model.id_to_bytes(i)
        if data is not None and data != token.encode("utf-8"):
            out.append((i, data))
    return out
