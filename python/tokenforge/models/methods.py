"""Inference methods: which segmentation method a tokenizer runs over its vocabulary, with which options.

`Tokenizer.with_method(name, **options)` goes through `resolve_method`, which refuses (with `ConfigError`) a
method the model does not define and options the method does not take; `tokenizers/compile.py` turns the choice
into the native core's arguments. docs/models.md describes each method.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import ConfigError

# Every inference method, in the order docs/models.md describes them.
METHODS = ("merge", "longest_prefix", "longest_suffix", "longest_token", "fewest", "viterbi", "sample")
# Methods that cut a piece over the token lattice (everything but BPE's merge rule).
LATTICE_METHODS = METHODS[1:]

# Options each method takes, with their defaults.
OPTIONS: dict[str, dict[str, Any]] = {
    "merge": {"dropout": None, "seed": 0},
    "longest_prefix": {},
    "longest_suffix": {},
    "longest_token": {},
    "fewest": {"tie_break": "longest", "seed": 0},
    "viterbi": {},
    "sample": {"alpha": 1.0, "seed": 0},
}

_WHY_NOT = {
    "merge": "it needs a merge list, which only BPE models have",
    "viterbi": "it needs token scores, which only Unigram models have",
    "sample": "it needs token scores, which only Unigram models have",
}


def resolve_method(model, name: str, options: dict[str, Any]) -> dict[str, Any]:
    """The full option set of `name` for `model` (defaults filled in), or a `ConfigError` naming the problem."""
    if name not in METHODS:
        raise ConfigError(f"unknown inference method {name!r}; known: {', '.join(METHODS)}")
    if name not in model.methods:
        why = _WHY_NOT.get(name, "it is not defined for this model")
        raise ConfigError(
            f"method {name!r} is not available for a {model.kind} model: {why} (available: {', '.join(model.methods)})"
        )
    unknown = set(options) - set(OPTIONS[name])
    if unknown:
        takes = ", ".join(OPTIONS[name]) or "no options"
        raise ConfigError(f"method {name!r} takes {takes}; got {', '.join(sorted(unknown))}")
    resolved = {**OPTIONS[name], **options}
    if "seed" in resolved:
        seed = resolved["seed"]
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
            raise ConfigError(f"seed must be an integer in 0..2**64-1, got {seed!r}")
    if name == "merge" and resolved["dropout"] is not None:
        p = resolved["dropout"]
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
            raise ConfigError(f"dropout must be a probability in [0, 1], got {p!r}")
        resolved["dropout"] = float(p)
    if name == "fewest" and resolved["tie_break"] not in ("longest", "random"):
        raise ConfigError(f"tie_break must be 'longest' or 'random', got {resolved['tie_break']!r}")
    if name == "sample":
        a = resolved["alpha"]
        if isinstance(a, bool) or not isinstance(a, (int, float)) or not math.isfinite(a):
            raise ConfigError(f"alpha must be a finite number, got {a!r}")
        resolved["alpha"] = float(a)
    return resolved


def is_default(model, method: str, options: dict[str, Any]) -> bool:
    """The model's own method with its default options (what a file need not mention)."""
    return method == model.default_method and options == OPTIONS[method]
