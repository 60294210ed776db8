"""Training methods that do not run the plain BPE flow of `train`: WordPiece, MWT, learned supertokens, LiB.

`train(model=NAME, ...)` hands its arguments to `METHODS[NAME]`; each function takes the corpus and `train`'s
keyword arguments (plus its own, e.g. `mwt_k`) and returns a trained tokenizer.
"""

from __future__ import annotations

import sys
from typing import Any, Callable


def _wordpiece(corpus: Any, **kw: Any):
    from .wordpiece import train_wordpiece

    return train_wordpiece(corpus, **kw)


def _mwt(corpus: Any, **kw: Any):
    from .mwt import train_mwt

    return train_mwt(corpus, **kw)


def _supertokens(corpus: Any, **kw: Any):
    from .supertokens import train_supertokens

    return train_supertokens(corpus, **kw)


def _lib(corpus: Any, **kw: Any):
    from .lib import train_lib

    return train_lib(corpus, **kw)


METHODS: dict[str, Callable[..., Any]] = {
    "wordpiece": _wordpiece,
    "mwt": _mwt,
    "supertokens": _supertokens,
    "lib": _lib,
}


def show_progress(progress) -> bool:
    return sys.stderr.isatty() if progress is None else bool(progress)


def resolve_pipeline(pattern: Any, normalizer: Any, default_pattern: "str | None" = None):
    """The pre-tokenizer and normalizer a method trains with (`pattern` unset: `default_pattern`, or o200k)."""
    from ..normalizers import Normalizer
    from ..pretokenizers import PreTokenizer
    from . import _UNSET, DEFAULT_PATTERN

    if pattern is _UNSET:
        pattern = default_pattern or DEFAULT_PATTERN
    return PreTokenizer.from_spec(pattern), Normalizer.from_spec(normalizer)


def native_counts(corpus: Any, pretok, norm, progress, options: dict):
    """(counts, native PretokenCounter) of `corpus` under the pipeline; `options`: reader and counting options."""
    from .. import _core
    from . import _count

    counts = _count(corpus, pretok, norm, show_progress(progress), options)
    counter = counts.counter
    if not isinstance(counter, _core.PretokenCounter):
        counter = _core.PretokenCounter(*pretok.native_args(), list(norm.steps))
        counter.add_counts(counts.items)
    return counts, counter


def no_base(model: str, base: Any) -> None:
    from ..errors import ConfigError

    if base is not None:
        raise ConfigError(f"model={model!r} does not resume from a base tokenizer (base=...); train it from a corpus")
