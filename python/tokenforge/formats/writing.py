"""Saving a tokenizer: the one table of which tokenizer each file format can hold (`check_format_for`), and `save`,
which checks it and hands the tokenizer to that format's writer. Writers take any tokenizer object, so this side
never imports the tokenizer classes (they call `save` from their own `save` method)."""

from __future__ import annotations

import os
from typing import Optional

from ..errors import ConfigError, UnsupportedFeatureError
from ..models.bpe import BpeModel
from ..models.unigram import UnigramModel
from ..models.wordpiece import WordPieceModel
from .hf.write import save_hf_json
from .tiktoken.write import save_tiktoken
from .tokenforge_json.write import save_lib, save_multiword, save_tokenforge_json

FORMATS = ("hf", "tiktoken", "tokenforge")
# Writers of tokenizers that declare `own_format` (a payload only tokenforge JSON holds).
_OWN_WRITERS = {"tokenforge-multiword": save_multiword, "tokenforge-lib": save_lib}


def format_for(path: "str | os.PathLike[str]", format: Optional[str] = None) -> str:
    """The format a save to `path` writes: `format` if given, else by extension (.tiktoken: tiktoken,
    .tokenforge.json: tokenforge, anything else: hf)."""
    if format is not None:
        return format
    path = os.fspath(path)
    return "tiktoken" if path.endswith(".tiktoken") else "tokenforge" if path.endswith(".tokenforge.json") else "hf"


# What `tokenforge.train(model=NAME)` returns, as (model kind, inference method; None: the kind's default).
_TRAINED = {
    "bpe": ("bpe", None), "superbpe": ("bpe", None), "parity": ("bpe", None), "supertokens": ("bpe", None),
    "boundless": ("boundless", None), "pathpiece": ("bpe", "fewest"), "unigram": ("unigram", None),
    "wordpiece": ("wordpiece", None), "mwt": ("multiword", None), "lib": ("lib", None),
}


def _default_method(kind: str) -> str:
    return {"unigram": UnigramModel, "wordpiece": WordPieceModel}.get(kind, BpeModel).default_method


def check_format_for(model: str, path: "str | os.PathLike[str]", format: Optional[str] = None, *,
                     method: Optional[str] = None, dropout: bool = False, char_level: bool = False,
                     normalizer: bool = False, pattern: bool = True) -> str:
    """The one table of which tokenizer each file format can hold; returns the format a save to `path` writes, or
    raises the error that save would (`UnsupportedFeatureError`, or `ConfigError` for an unknown format).

    `model` is a trainer's name (`tokenforge.train(model=...)`, e.g. "pathpiece") or a model kind ("bpe",
    "unigram", "wordpiece", "boundless", "multiword", "lib"); `method` overrides its inference method. `save` asks
    it about a tokenizer in hand, `tokenforge train` about the tokenizer it is going to train, before training.
    What depends on the vocabulary itself (tiktoken's rank rule, added tokens) is checked while saving."""
    path = os.fspath(path)
    kind, trained_method = _TRAINED.get(model, (model, None))
    if kind in ("multiword", "lib"):  # they save themselves, as tokenforge JSON whatever the file is called
        if format not in (None, "tokenforge"):
            what = "a multi-word tokenizer" if kind == "multiword" else "a LiB tokenizer"
            why = (": tokenizer.json and tiktoken files cannot express pretoken-level n-grams"
                   if kind == "multiword" else "")
            raise ConfigError(f"{what} saves only as tokenforge JSON, not {format!r}{why}")
        return "tokenforge"
    format = format_for(path, format)
    if format not in FORMATS:
        raise ConfigError(f"unknown format {format!r}; known: {', '.join(FORMATS)}")
    if kind == "boundless":
        if format != "tokenforge":
            raise UnsupportedFeatureError(path, f"the {format} format cannot express BoundlessBPE supermerges; save "
                                          "as .tokenforge.json, or export the ordinary merges alone with "
                                          "tokenforge.training.boundless.ordinary_part(tokenizer)")
        return format
    method = method or trained_method or _default_method(kind)
    if format == "tiktoken":
        if kind != "bpe" or method != "merge" or dropout:
            raise UnsupportedFeatureError(path, f"a tiktoken file holds a BPE vocabulary run by its merge rule only; "
                                                f"this is a {kind} model with method {method!r}: save it as "
                                                ".tokenforge.json")
        if char_level:
            raise UnsupportedFeatureError(path, "tiktoken files are byte-level; save a char-level model as "
                                                "tokenizer.json")
        if normalizer:
            raise UnsupportedFeatureError(path, "tiktoken has no normalizer; save as tokenizer.json")
        if not pattern:
            raise UnsupportedFeatureError(path, "tiktoken needs a pre-tokenizer pattern")
    elif format == "hf" and (method != _default_method(kind) or dropout):
        raise UnsupportedFeatureError(path, f"tokenizer.json cannot express the inference method {method!r}"
                                            f"{' with dropout' if dropout else ''} for a {kind} model; save it in the "
                                            "tokenforge format (.tokenforge.json) instead")
    return format


def save(tokenizer, path: "str | os.PathLike[str]", format: Optional[str] = None) -> None:
    path = os.fspath(path)
    own = _OWN_WRITERS.get(getattr(tokenizer, "own_format", None))
    if own is not None:  # a tokenizer only tokenforge JSON can hold (multi-word, LiB): its whole payload
        own(tokenizer, path, format)
        return
    check = getattr(tokenizer, "check_savable", None)  # a tokenizer no format here can hold exactly says so
    if check is not None:
        check(path, format)
    model = tokenizer.model
    format = check_format_for(
        "boundless" if getattr(model, "supermerges", None) else model.kind, path, format,
        method=tokenizer.method, dropout=tokenizer.method_options.get("dropout") is not None,
        char_level=bool(getattr(model, "char_level", False)), normalizer=bool(tokenizer.normalizer),
        pattern=tokenizer.pretokenizer.pattern is not None)
    if format == "hf":
        save_hf_json(tokenizer, path)
    elif format == "tiktoken":
        save_tiktoken(tokenizer, path)
    else:
        save_tokenforge_json(tokenizer, path)
