"""Parity-aware BPE (Foroutan et al. 2025, "Parity-Aware Byte-Pair Encoding"): a merge policy on the one engine.

Each language has its own training corpus and its own part of a *parallel* dev set. Every step merges the most
frequent pair of the language whose dev text currently has the most tokens (parallel text: most tokens = worst
compressed), so the vocabulary goes where it evens out token counts across languages. The hybrid mode learns the
first `global_share` of the new tokens by plain frequency over all languages, then switches to the parity policy.
The engine keeps per-language pair counts and the dev words in its own word table, so the dev token counts update
as merges apply (nothing is re-encoded). The result is an ordinary byte-level BPE tokenizer.
"""

from __future__ import annotations

import math
import sys
from typing import Any, Mapping, Optional, Sequence

from .. import _core
from ..errors import ConfigError, CorpusError, TrainingError, TrainingWarning
from ..models.bpe import BpeModel
from ..pipeline.normalizers import Normalizer
from ..pipeline.pretokenizers import PreTokenizer
from ..tokenizers.tokenizer import Tokenizer
from ..util.progress import MergeProgress
from .alphabet import byte_alphabet
from .bpe import BpeTrainerConfig
from .common import count_corpus

DEFAULT_GLOBAL_SHARE = 0.0
"""Pure parity-aware BPE, the paper's main method (its code's `--global-merges` defaults to 0)."""


def _native_counter(counts, pretok: PreTokenizer, norm: Normalizer):
    counter = counts.counter
    if not isinstance(counter, _core.PretokenCounter):
        counter = _core.PretokenCounter(*pretok.native_args(), list(norm.steps))
        counter.add_counts(counts.items)
    return counter


def _check_languages(corpus_by_language: Any, dev: Any) -> list[str]:
    if not isinstance(corpus_by_language, Mapping):
        raise ConfigError("parity-aware training needs a mapping language -> corpus, e.g. {'en': 'en.txt', 'fr': 'fr.txt'}")
    if not corpus_by_language:
        raise ConfigError("parity-aware training needs at least one language")
    if dev is None:
        raise ConfigError("parity-aware training needs a parallel dev set: dev={language: corpus, ...}")
    if not isinstance(dev, Mapping):
        raise ConfigError("dev must be a mapping language -> corpus (the same languages as the training corpora)")
    for lang in list(corpus_by_language) + list(dev):
        if not isinstance(lang, str) or not lang:
            raise ConfigError(f"language names must be non-empty strings, got {lang!r}")
    unknown = sorted(set(dev) - set(corpus_by_language))
    if unknown:
        raise ConfigError(f"the dev set names language(s) with no training corpus: {', '.join(unknown)}")
    missing = sorted(set(corpus_by_language) - set(dev))
    if missing:
        raise ConfigError(f"language(s) with no dev text: {', '.join(missing)} (every language needs its part of "
                          "the parallel dev set)")
    return sorted(corpus_by_language)


def corpora_from_args(positional: Sequence[str], lang_corpus: Sequence[str], dev: Sequence[str]):
    """(training corpora, dev set) as language -> [Path, ...] from the CLI's repeated `LANG=PATH` options."""
    from pathlib import Path

    if positional:
        raise ConfigError(f"--model parity takes its corpora as --lang-corpus LANG=PATH, not as {positional[0]!r}")

    def parse(pairs: Sequence[str], option: str) -> dict[str, list]:
        out: dict[str, list] = {}
        for item in pairs:
            lang, sep, path = item.partition("=")
            if not sep or not lang or not path:
                raise ConfigError(f"{option} wants LANG=PATH, got {item!r}")
            out.setdefault(lang, []).append(Path(path))
        return out

    train = parse(lang_corpus, "--lang-corpus")
    if not train:
        raise ConfigError("--model parity needs --lang-corpus LANG=PATH for each language")
    return train, parse(dev, "--dev")


def train_parity(
    corpus_by_language: Mapping[str, Any],
    *,
    dev: Optional[Mapping[str, Any]] = None,
    vocab_size: int,
    global_share: float = DEFAULT_GLOBAL_SHARE,
    window: int = 0,
    alpha: float = 2.0,
    pattern: "str | PreTokenizer | None" = "o200k",
    normalizer: "str | Sequence[str] | Normalizer | None" = None,
    min_frequency: int = 0,
    max_token_length: Optional[int] = None,
    special_tokens: Sequence[str] = (),
    progress: Optional[bool] = None,
    check_every: int = 0,
    **corpus_options: Any,
) -> "Tokenizer":
    """Trains a byte-level parity-aware BPE tokenizer.

    `corpus_by_language`: language -> corpus (anything `tokenforge.train` takes: paths, `Texts`, a word -> count
    mapping, `PretokenCounts`). `dev`: language -> that language's part of a parallel dev set (same forms). Both
    must name the same languages. `global_share` in [0, 1]: share of the new tokens learned first by plain
    frequency (hybrid mode; 1.0 is plain BPE on the concatenated corpora). `window` > 0: the paper's moving-window
    variant (it uses window=100, alpha=2): a language chosen more than `alpha / languages` of the last `window`
    parity steps is passed over while another language can be served. Languages are ordered by name; ties in
    dev token counts go to the first. Other arguments as in `tokenforge.train`.
    """
    languages = _check_languages(corpus_by_language, dev)
    if isinstance(global_share, bool) or not isinstance(global_share, (int, float)) or not 0.0 <= global_share <= 1.0:
        raise ConfigError(f"global_share must be a number in [0, 1], got {global_share!r}")
    if isinstance(window, bool) or not isinstance(window, int) or window < 0:
        raise ConfigError(f"window must be an integer >= 0 (0: off), got {window!r}")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not alpha > 0:
        raise ConfigError(f"alpha must be a number > 0, got {alpha!r}")
    pretok = PreTokenizer.from_spec(pattern)
    norm = Normalizer.from_spec(normalizer)
    config = BpeTrainerConfig(vocab_size=vocab_size, min_frequency=min_frequency, max_token_length=max_token_length,
                              special_tokens=list(special_tokens), check_every=check_every)
    config.validate()
    specials = {s: i for i, s in enumerate(config.special_tokens)}
    alphabet = byte_alphabet()
    vocab = {tok: len(specials) + k for k, tok in enumerate(alphabet)}
    new_tokens = vocab_size - len(specials) - len(vocab)
    if new_tokens < 0:
        raise TrainingError(f"vocab_size={vocab_size} is smaller than the {len(specials)} special tokens plus the "
                            f"256-byte alphabet; ask for at least {len(specials) + len(vocab)}")
    show = sys.stderr.isatty() if progress is None else progress

    def count(corpus: Any, what: str):
        try:
            return count_corpus(corpus, pretok, norm, show, corpus_options)
        except CorpusError as e:  # keep where the fault is; say which language's data it is in
            raise CorpusError(f"{what}: {e.fault}", e.path, e.line, e.offset) from e
        except ConfigError as e:
            raise ConfigError(f"{what}: {e}") from e

    train_counts = [count(corpus_by_language[lang], f"training corpus of {lang!r}") for lang in languages]
    dev_counts = [count(dev[lang], f"dev text of {lang!r}") for lang in languages]
    for lang, c in zip(languages, train_counts):
        if c.total == 0:
            raise CorpusError(f"training corpus of {lang!r}: the corpus is empty")
    for lang, c in zip(languages, dev_counts):
        if c.total == 0:
            raise CorpusError(f"dev text of {lang!r}: the corpus is empty")
    global_tokens = min(new_tokens, math.floor(global_share * new_tokens + 0.5))

    printer = MergeProgress() if show else None
    try:
        new_vocab, learned, chosen, before, after = _core.train_parity(
            [_native_counter(c, pretok, norm) for c in train_counts],
            [_native_counter(c, pretok, norm) for c in dev_counts],
            list(vocab.items()), new_tokens, global_tokens=global_tokens, min_frequency=min_frequency,
            max_token_length=max_token_length, forbidden=[s.encode("utf-8") for s in config.special_tokens],
            progress=(lambda m, t: printer(m, t, new_tokens)) if printer is not None else None,
            check_every=check_every, window=window, alpha=float(alpha),
        )
    finally:
        if printer is not None:
            printer.close()
    vocab.update(dict(new_vocab))
    model = BpeModel(vocab, [(a, b) for a, b, _ in learned], whole_piece_first=False, char_level=False)
    tok = Tokenizer(model, pretokenizer=pretok, normalizer=norm, special_tokens=specials)
    if tok.vocab_size < vocab_size:
        import warnings

        warnings.warn(f"the corpora yield only {tok.vocab_size} ids of the {vocab_size} asked for: no pair is left "
                      "to merge", TrainingWarning, stacklevel=2)
    won = {lang: 0 for lang in languages}
    for who in chosen:
        if who >= 0:
            won[languages[who]] += 1
    tok.training = {
        "model": "parity", "byte_level": True, "vocab_size": vocab_size, "languages": languages,
        "global_share": global_share, "global_tokens": global_tokens, "window": window, "alpha": alpha,
        "global_merges": sum(1 for who in chosen if who < 0), "merges_per_language": won,
        "dev_tokens_before": dict(zip(languages, before)), "dev_tokens_after": dict(zip(languages, after)),
        "records": {lang: c.records for lang, c in zip(languages, train_counts)},
        "pretokens_counted": {lang: c.total for lang, c in zip(languages, train_counts)},
        "pruned": {lang: c.prune_report() for lang, c in zip(languages, train_counts)},
    }
    return tok
