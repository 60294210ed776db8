"""Compression: how much text one token carries.

bytes/token and chars/token are the plain compression rates; fertility and the proportion of continued words are
Rust et al. (2021), "How Good is Your Tokenizer? On the Monolingual Performance of Multilingual Language Models".
"""

from __future__ import annotations

from typing import Mapping, Optional, Union

import numpy as np

from ._util import ratio

WordTable = Union[Mapping[str, int], np.ndarray]


def bytes_per_token(n_bytes: int, n_tokens: int) -> Optional[float]:
    """UTF-8 bytes of the text divided by its token count (higher = better compression)."""
    return ratio(n_bytes, n_tokens)


def chars_per_token(n_chars: int, n_tokens: int) -> Optional[float]:
    """Unicode code points of the text divided by its token count."""
    return ratio(n_chars, n_tokens)


def tokens_per_word(n_tokens: int, n_words: int) -> Optional[float]:
    """Tokens of the running text divided by its whitespace-separated words (corpus-level fertility)."""
    return ratio(n_tokens, n_words)


def fertility(word_counts: WordTable, tokens_of_word: WordTable) -> Optional[float]:
    """Rust et al. (2021) fertility: the average number of tokens a word is split into, each word tokenized on its
    own, averaged over word occurrences: sum_w c(w) n(w) / sum_w c(w). Words missing from `tokens_of_word` are
    left out of both sums. Also takes two aligned arrays: each word's count and its token count."""
    if isinstance(word_counts, np.ndarray):
        c, n = word_counts.astype(np.int64), np.asarray(tokens_of_word, dtype=np.int64)
        return ratio(int((c * n).sum()), int(c.sum()))
    num = den = 0
    for word, c in word_counts.items():
        n = tokens_of_word.get(word)
        if n is not None:
            num += c * n
            den += c
    return ratio(num, den)


def continued_words(word_counts: WordTable, tokens_of_word: WordTable) -> Optional[float]:
    """Rust et al. (2021) proportion of continued words: the share of word occurrences split into two or more
    tokens (mappings, or two aligned arrays as for `fertility`)."""
    if isinstance(word_counts, np.ndarray):
        c, n = word_counts.astype(np.int64), np.asarray(tokens_of_word, dtype=np.int64)
        return ratio(int(c[n >= 2].sum()), int(c.sum()))
    num = den = 0
    for word, c in word_counts.items():
        n = tokens_of_word.get(word)
        if n is not None:
            num += c if n >= 2 else 0
            den += c
    return ratio(num, den)
