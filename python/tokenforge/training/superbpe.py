"""SuperBPE ("SuperBPE: Space Travel for Language Models"): a pre-tokenization curriculum on the one engine.

Stage 1 is ordinary BPE under a whitespace-aware pattern up to the transition vocabulary size t. Stage 2 resumes
from the stage-1 merges (`extend_bpe`) under a pattern that no longer splits at single spaces, so merges may bridge
them and form superwords, bounded to `max_words_per_token` words and never crossing sentence punctuation (both
rules are engine limits, like `max_token_length`). The result is a plain merge-list BPE whose pre-tokenizer is
the stage-2 pattern: our encoder and HF `tokenizers` both encode it as it is.
"""

from __future__ import annotations

import collections.abc
from typing import Any, Optional

from ..corpus import PretokenCounts, Texts
from ..errors import ConfigError
from ..pipeline.pretokenizers import PreTokenizer
from .bpe import train_bpe
from .common import DEFAULT_PATTERN, UNSET

# Paper defaults: t = 180k of a 200k vocabulary (the paper's best setting), at most 4 words per superword, and
# superwords never cross sentence punctuation.
DEFAULT_TRANSITION = 0.9
DEFAULT_MAX_WORDS = 4
DEFAULT_SENTENCE_PUNCTUATION = ".!?;:"


# o200k's word pieces (letters with an optional leading non-letter, and contractions) and its punctuation piece.
_O200K_WORDS = (
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r""" ?[^\s\p{L}\p{N}]+""",
)

#: Stage 2's pre-tokenizer. It cuts as o200k (stage 1) does, except that a run of o200k word and punctuation
#: pieces each starting with at most one space stays one piece (with o200k's trailing line breaks or "/"): a
#: single space no longer splits. Digits, line breaks and other whitespace runs are cut as in stage 1. Plain
#: regex, read alike by our engine and HF's.
SUPERWORD_PATTERN = "|".join([
    r"\p{N}{1,3}",
    "(?:" + "|".join(_O200K_WORDS) + r")+[\r\n/]*",
    r"\s*[\r\n]+",
    r"\s+(?!\S)",
    r"\s+",
])


def check_sentence_punctuation(sentence_punctuation: str) -> str:
    if (not isinstance(sentence_punctuation, str) or not sentence_punctuation.isascii()
            or any(c.isalnum() or c.isspace() for c in sentence_punctuation)):
        raise ConfigError(f"sentence_punctuation must be ASCII punctuation characters, got {sentence_punctuation!r}")
    return sentence_punctuation


def resolve_transition(transition: Any, vocab_size: int) -> int:
    """`transition` as a vocabulary size: an int >= 1 as is, a float in (0, 1) as that share of `vocab_size`."""
    if isinstance(transition, bool) or not isinstance(transition, (int, float)):
        raise ConfigError(f"transition must be a vocabulary size (int) or a fraction in (0, 1), got {transition!r}")
    if isinstance(transition, float):
        if not 0.0 < transition < 1.0:
            raise ConfigError(f"a fractional transition must be in (0, 1), got {transition}")
        t = round(transition * vocab_size)
    else:
        t = transition
    if not 1 <= t <= vocab_size:
        raise ConfigError(f"transition vocabulary size {t} must be between 1 and vocab_size={vocab_size}")
    return t


def train_superbpe(
    corpus: Any,
    *,
    vocab_size: int,
    transition: "int | float" = DEFAULT_TRANSITION,
    max_words_per_token: Optional[int] = DEFAULT_MAX_WORDS,
    sentence_punctuation: str = DEFAULT_SENTENCE_PUNCTUATION,
    pattern: Any = "o200k",
    base: Any = None,
    byte_level: bool = True,
    **options: Any,
):
    """Trains SuperBPE; `tokenforge.train(..., model="superbpe")` lands here. `pattern`: stage 1's pre-tokenizer
    (default o200k); other options as `train`. The corpus is read twice (once per stage)."""
    if base is not None:
        raise ConfigError("model='superbpe' trains from scratch; base= is not supported (extend with model='bpe')")
    if not byte_level:
        raise ConfigError("model='superbpe' is byte-level only")
    if isinstance(corpus, PretokenCounts):
        raise ConfigError("model='superbpe' needs the corpus text (it counts it under two pre-tokenizers), not pretoken counts")
    if max_words_per_token is not None and (isinstance(max_words_per_token, bool) or not isinstance(max_words_per_token, int) or max_words_per_token < 1):
        raise ConfigError(f"max_words_per_token must be an integer >= 1 or None, got {max_words_per_token!r}")
    if not isinstance(vocab_size, int) or isinstance(vocab_size, bool) or vocab_size <= 0:
        raise ConfigError(f"vocab_size must be a positive integer, got {vocab_size!r}")
    t = resolve_transition(transition, vocab_size)
    check_sentence_punctuation(sentence_punctuation)
    if isinstance(corpus, collections.abc.Iterator):
        corpus = Texts(list(corpus))  # read twice
    stage1_pattern = DEFAULT_PATTERN if pattern is UNSET else pattern
    if PreTokenizer.from_spec(stage1_pattern).pattern is None:
        raise ConfigError("SuperBPE's stage 1 needs a whitespace-aware pre-tokenizer pattern, not None")
    progress = options.pop("progress", None)
    first = train_bpe(corpus, vocab_size=t, pattern=stage1_pattern, progress=progress, **options)
    tok = train_bpe(corpus, vocab_size=vocab_size, base=first, pattern=SUPERWORD_PATTERN, progress=progress,
                    max_words_per_token=max_words_per_token, sentence_punctuation=sentence_punctuation, **options)
    tok.training = {**(tok.training or {}), "model": "superbpe", "transition": t,
                    "transition_merges": len(first.model.merges or []),
                    "max_words_per_token": max_words_per_token, "sentence_punctuation": sentence_punctuation,
                    "stage1_pattern": PreTokenizer.from_spec(stage1_pattern).pattern}
    return tok
