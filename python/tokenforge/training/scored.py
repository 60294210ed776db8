"""`tokenforge.train` for the trainers outside the merge engine (Unigram, PathPiece): the same counting, then
the model's own trainer. Their options arrive as keyword arguments of `train` and are split off here."""

from __future__ import annotations

import sys
from typing import Any, Optional, Sequence

from ..errors import ConfigError
from ..pipeline.normalizers import Normalizer
from ..pipeline.pretokenizers import PreTokenizer
from ..util.progress import ProgressLine
from . import pathpiece, unigram
from .common import count_corpus


class _RoundProgress(ProgressLine):
    """`progress(round, size, measure)` of the pruning rounds."""

    def __init__(self, what: str):
        super().__init__()
        self.what = what

    def __call__(self, round_no: int, size: int, measure: float) -> None:
        label = "corpus tokens" if self.what == "pathpiece" else "log-likelihood/pretoken"
        self.show(f"{self.what}: round {round_no}, {size:,} pieces, {label} {measure:,.4g}, {self.elapsed:,.1f}s")


def train_scored(model: str, corpus: Any, *, vocab_size: int, pattern, normalizer, special_tokens: Sequence[str],
                 base: Any, progress: Optional[bool], max_token_length: Optional[int], options: dict,
                 bpe_only: Optional[dict] = None):
    given = [k for k, v in (bpe_only or {}).items() if v]
    if given:
        raise ConfigError(f"{', '.join(given)}: BPE option(s), not used by model={model!r}")
    if base is not None:
        raise ConfigError(f"resuming from a base tokenizer is a BPE feature; model={model!r} trains from scratch")
    own = unigram.OPTIONS if model == "unigram" else pathpiece.OPTIONS
    trainer_options = {k: options.pop(k) for k in list(options) if k in own}
    pretok = PreTokenizer.from_spec(pattern)
    norm = Normalizer.from_spec(normalizer)
    if model == "unigram":
        config: Any = unigram.UnigramTrainerConfig(vocab_size=vocab_size, special_tokens=list(special_tokens),
                                                   **trainer_options)
        if max_token_length is not None:
            config.max_piece_length = max_token_length
    else:
        config = pathpiece.PathPieceTrainerConfig(vocab_size=vocab_size, special_tokens=list(special_tokens),
                                                  max_token_length=max_token_length, **trainer_options)
    config.validate()
    show = sys.stderr.isatty() if progress is None else progress
    counts = count_corpus(corpus, pretok, norm, show, options)
    printer = _RoundProgress(model) if show else None
    try:
        if model == "unigram":
            return unigram.train_unigram_tokenizer(counts, pretok, norm, config, printer)
        return pathpiece.train_pathpiece_tokenizer(counts, pretok, norm, config, printer)
    finally:
        if printer is not None:
            printer.close()
