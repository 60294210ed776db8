"""Training methods that do not run the plain BPE flow of `train`: WordPiece, MWT, learned supertokens, LiB.

`train(model=NAME, ...)` hands its arguments to `METHODS[NAME]`; each function takes the corpus and `train`'s
keyword arguments (plus its own, e.g. `mwt_k`) and returns a trained tokenizer.
"""

from __future__ import annotations

from typing import Any, Callable

from .lib import train_lib
from .mwt import train_mwt
from .supertokens import train_supertokens
from .wordpiece import train_wordpiece

METHODS: dict[str, Callable[..., Any]] = {
    "wordpiece": train_wordpiece,
    "mwt": train_mwt,
    "supertokens": train_supertokens,
    "lib": train_lib,
}
