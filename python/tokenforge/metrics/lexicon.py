"""%valid-word and the lexicons it is measured against (pluggable: a word set, wordfreq lists, hunspell).

Bayram et al. (2025), "Tokenization Standards for Linguistic Integrity: Turkish as a Benchmark": %TR is the share
of tokens that are valid words of the language. Here: of the distinct tokens a corpus uses that contain a letter,
the share whose surface (leading whitespace / SentencePiece "▁" stripped) the lexicon accepts; `weighted=True`
counts token occurrences instead of distinct tokens.
"""

from __future__ import annotations

import os
from typing import Callable, Iterable, Mapping, Optional

from ..errors import ConfigError, MissingDependencyError
from ._util import ratio


class Lexicon:
    """A set of valid words: `word in lexicon`. Subclasses decide how (a set, a frequency list, hunspell)."""

    name = "lexicon"

    def __contains__(self, word: object) -> bool:  # pragma: no cover - interface
        raise NotImplementedError


class WordSet(Lexicon):
    """Valid words from any iterable; matching is case-insensitive (str.lower)."""

    def __init__(self, words: Iterable[str], name: str = "words"):
        self.words = frozenset(w.lower() for w in words)
        self.name = name

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and word.lower() in self.words


def wordfreq_lexicon(lang: str, wordlist: str = "best", min_zipf: float = 0.0) -> WordSet:
    """The wordfreq word list of `lang` (44 languages) as a lexicon, words at or above `min_zipf` frequency."""
    try:
        import wordfreq
    except ImportError:
        raise MissingDependencyError(
            "wordfreq lexicons need the 'wordfreq' package: pip install 'tokenforge[eval]'") from None
    if lang not in wordfreq.available_languages(wordlist):
        raise ConfigError(f"wordfreq has no {wordlist!r} list for language {lang!r}")
    words = (w for w in wordfreq.iter_wordlist(lang, wordlist)
             if not min_zipf or wordfreq.zipf_frequency(w, lang, wordlist) >= min_zipf)
    return WordSet(words, name=f"wordfreq:{lang}")


class HunspellLexicon(Lexicon):
    """A hunspell dictionary (`.dic` + `.aff`), read by the pure-Python `spylls`; affixed forms are accepted as
    hunspell accepts them. Lookups are cached."""

    def __init__(self, path: "str | os.PathLike[str]"):
        base = os.fspath(path)
        for suffix in (".dic", ".aff"):
            if base.endswith(suffix):
                base = base[: -len(suffix)]
        for suffix in (".dic", ".aff"):
            if not os.path.isfile(base + suffix):
                raise ConfigError(f"{base + suffix}: hunspell file not found")
        try:
            from spylls.hunspell import Dictionary
        except ImportError:
            raise MissingDependencyError(
                "hunspell lexicons need the 'spylls' package: pip install 'tokenforge[eval]'") from None
        self.name = f"hunspell:{os.path.basename(base)}"
        self._dict = Dictionary.from_files(base)
        self._cache: dict[str, bool] = {}

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str) or not word:
            return False
        hit = self._cache.get(word)
        if hit is None:
            try:
                hit = bool(self._dict.lookup(word))
            except Exception:  # spylls raises on a few malformed inputs; such a string is not a word
                hit = False
            self._cache[word] = hit
        return hit


def token_surface(token: bytes) -> Optional[str]:
    """The word a token spells: decoded, leading whitespace and "▁" stripped; None for partial UTF-8, or when
    nothing with a letter remains."""
    try:
        text = token.decode("utf-8")
    except UnicodeDecodeError:
        return None
    text = text.lstrip().lstrip("\u2581").rstrip()
    if not any(ch.isalpha() for ch in text):
        return None
    return text


def valid_word_rate(token_counts: Mapping[bytes, int], lexicon: "Lexicon | Callable[[str], bool]", *,
                    weighted: bool = False) -> Optional[float]:
    """Share of tokens (distinct, or occurrences if `weighted`) with a letter whose surface is a valid word."""
    accepts = lexicon.__contains__ if isinstance(lexicon, Lexicon) else lexicon
    total = hit = 0
    for token, c in token_counts.items():
        if c <= 0:
            continue
        word = token_surface(token)
        if word is None:
            continue
        w = c if weighted else 1
        total += w
        if accepts(word):
            hit += w
    return ratio(hit, total)
