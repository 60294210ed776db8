"""Normalized sequence length (NSL): a tokenizer's token count relative to a baseline tokenizer's on the same text.

Used by the Indic (22 languages) and Assamese tokenizer evaluations (Tamang & Bora, 2024, "Performance Evaluation
of Tokenizers in Large Language Models for the Assamese Language"), after Dagan et al. (2024):
NSL = sum_i len(T(D_i)) / sum_i len(T_base(D_i)); below 1 means fewer tokens than the baseline.
"""

from __future__ import annotations

from typing import Mapping, Optional, Sequence

from ..errors import ConfigError
from ._util import ratio


def nsl(counts: Sequence[int], baseline_counts: Sequence[int]) -> Optional[float]:
    """Sum of the tokenizer's per-text token counts over the baseline's, texts paired by position."""
    if len(counts) != len(baseline_counts):
        raise ConfigError(f"NSL needs the same texts for both tokenizers: {len(counts)} counts vs "
                          f"{len(baseline_counts)} baseline counts")
    return ratio(sum(counts), sum(baseline_counts))


def nsl_by_language(counts: Mapping[str, Sequence[int]],
                    baseline_counts: Mapping[str, Sequence[int]]) -> dict[str, Optional[float]]:
    """NSL per language, over the languages both sides have."""
    return {lang: nsl(c, baseline_counts[lang]) for lang, c in counts.items() if lang in baseline_counts}
