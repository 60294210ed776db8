"""Ready word -> count tables as a corpus: a dict, a `word<TAB>count` file, or wordfreq's frequency lists.

They bypass text reading and go to the counter with `add_counts`. Table words are taken as pretokens *as given*
(after the normalizer, which is part of the pipeline): a table is usually a word list, and cutting "don't" into
"don" + "'t" is a choice the caller makes with `pretokenize=True`. GPT-style patterns attach a leading space to
words (" the"), so a word list meant to stand for running text wants `prefix_space=True`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable, Iterator, Mapping, Union

from .. import _core
from ..errors import ConfigError, CorpusError
from ..pipeline.normalizers import Normalizer
from ..pipeline.pretokenizers import PreTokenizer
from .readers import FileIssues, FileSource, ReadOptions, open_binary, _line_segments

U64_MAX = 2**64 - 1


@dataclass(frozen=True)
class WordCounts:
    """A word -> count table used as (part of) a corpus. Build one with `word_counts` or `wordfreq_counts`."""

    table: Union[Mapping[str, int], str]  # a mapping, or the path of a TSV file
    prefix_space: bool = False
    pretokenize: bool = False
    errors: str = "replace"
    name: str = field(default="", compare=False)

    def words(self) -> Iterator[tuple[str, int]]:
        """(word, count) pairs as the table holds them (a TSV file is streamed)."""
        if isinstance(self.table, str):
            yield from _read_tsv(self.table, self.errors)
        else:
            yield from self.table.items()

    def pretoken_counts(self, pretokenizer: PreTokenizer, normalizer: Normalizer) -> list[tuple[bytes, int]]:
        """The table as (pretoken bytes, count), equal keys summed: what `PretokenCounter.add_counts` takes."""
        split = _splitter(pretokenizer) if self.pretokenize else None
        out: dict[bytes, int] = {}
        for word, count in self.words():
            if count == 0:
                continue
            word = normalizer(word) if normalizer else word
            if self.prefix_space:
                word = " " + word
            pieces = split(word) if split is not None else (word,)
            for piece in pieces:
                key = piece.encode("utf-8", "replace")
                out[key] = out.get(key, 0) + count
        return list(out.items())


def _splitter(pretokenizer: PreTokenizer) -> Callable[[str], list[str]]:
    """The pieces of a word under the pre-tokenizer (the native scanner or regex)."""
    kind, pattern, emit_gaps = pretokenizer.native_args()
    if kind == "whole":
        return lambda word: [word] if word else []
    native = _core.pretokenize
    return lambda word: native(word, kind, pattern, emit_gaps)


def _check_count(word: object, count: object, where: str) -> int:
    if not isinstance(word, str) or not word:
        raise CorpusError(f"{where}: a word must be a non-empty string, not {word!r}")
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= U64_MAX:
        raise CorpusError(f"{where}: the count of {word!r} must be an integer in [0, 2**64), not {count!r}")
    return count


def _read_tsv(path: str, errors: str) -> Iterator[tuple[str, int]]:
    """`word<TAB>count` lines (the last tab separates, so words may hold tabs); blank lines are ignored."""
    options = ReadOptions(errors=errors)
    issues = FileIssues(path, options)
    with open_binary(FileSource.from_path(path)) as stream:
        for line, (text, _eol) in enumerate(_line_segments(stream, issues, 1 << 30), 1):
            if text is None:
                continue
            text = text.rstrip("\r\n")
            if not text:
                continue
            word, tab, count_text = text.rpartition("\t")
            if not tab:
                raise CorpusError("expected word<TAB>count", path, line=line)
            try:
                count = int(count_text)
            except ValueError:
                raise CorpusError(f"the count {count_text!r} is not an integer", path, line=line) from None
            if not word or not 0 <= count <= U64_MAX:
                raise CorpusError(f"expected a non-empty word and a count in [0, 2**64), got {text!r}", path, line=line)
            yield word, count
    issues.finish()


def word_counts(
    table: "Mapping[str, int] | str | os.PathLike[str]",
    *,
    prefix_space: bool = False,
    pretokenize: bool = False,
    errors: str = "replace",
) -> WordCounts:
    """A ready word -> count table as a corpus: a mapping, or a `word<TAB>count` file (.gz/.zst too).

    A mapping is checked now (non-empty str words, integer counts in [0, 2**64)); a file is checked as it is read,
    errors naming its line.
    """
    ReadOptions(errors=errors)  # validates the policy
    if isinstance(table, Mapping):
        for word, count in table.items():
            _check_count(word, count, "word table")
        return WordCounts(dict(table), prefix_space, pretokenize, errors, name=f"<{len(table)} words>")
    path = os.fspath(table)
    if not os.path.isfile(path):
        raise CorpusError("no such file", path)
    return WordCounts(path, prefix_space, pretokenize, errors, name=path)


def wordfreq_counts(
    lang: str,
    n: int = 50_000,
    total: int = 10**9,
    *,
    wordlist: str = "best",
    prefix_space: bool = False,
    pretokenize: bool = False,
) -> WordCounts:
    """The `n` most frequent words of `lang` from the `wordfreq` package, as integer counts of a corpus of `total`
    words: count = round(frequency * total); words whose count rounds to 0 are left out.

    wordfreq's words are lower-cased and split its own way; use this for realistic per-language tables, not to
    reproduce a tokenizer trained on running text.
    """
    try:
        import wordfreq
    except ImportError:
        raise ConfigError("wordfreq_counts needs the wordfreq package: pip install wordfreq") from None
    if n < 1 or total < 1:
        raise ConfigError("n and total must be positive")
    try:
        words = wordfreq.top_n_list(lang, n, wordlist=wordlist)
    except (LookupError, ValueError) as err:
        raise ConfigError(f"wordfreq has no {wordlist!r} list for {lang!r} ({err})") from None
    counts: dict[str, int] = {}
    for word in words:
        count = round(wordfreq.word_frequency(word, lang, wordlist=wordlist) * total)
        if count > 0:
            counts[word] = counts.get(word, 0) + count
    return WordCounts(counts, prefix_space, pretokenize, "replace", name=f"wordfreq:{lang}:{wordlist}:{n}")

