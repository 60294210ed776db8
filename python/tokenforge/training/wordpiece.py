"""WordPiece training: the merge engine under the likelihood policy.

Words start as characters, the first one plain and the others with the continuation prefix (`##`), as BERT's
WordPiece. Each step merges the pair maximising count(ab) / (count(a) * count(b)): the pair whose merge most raises
the likelihood of the corpus under a unigram model of the symbols, rather than the most frequent one. The engine
keeps symbol counts incrementally; since a merge lowers the counts of its two parts (which *raises* the score of
every other pair holding them), those pairs are pushed again with fresh scores, so the lazy heap stays exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

from .. import _core
from ..errors import ConfigError, TrainingError
from ..models.wordpiece import WordPieceModel
from ..tokenizers.tokenizer import Tokenizer
from ..util.progress import MergeProgress
from .alphabet import char_alphabet
from .common import WORDPIECE_DEFAULT_PATTERN, native_counts, no_base, resolve_pipeline, show_progress

# Internally a continuation token is its text after this byte (never in UTF-8), so that the text "##x" at the
# start of a word and the continuation "x" stay distinct tokens.
CONTINUATION = b"\xff"

# The likelihood score favours rare pairs (two symbols seen once together score the maximum), so without a floor
# the vocabulary goes to whole rare words held-out text never uses (docs/training.md, "Rare pairs").
MIN_FREQUENCY = 10


@dataclass
class WordPieceTrainerConfig:
    """What to learn. `vocab_size` counts every id (special tokens, both forms of the alphabet, learned tokens).
    `max_token_length` counts characters, the prefix excluded."""

    vocab_size: int
    special_tokens: Sequence[str] = ("[UNK]",)
    unk_token: str = "[UNK]"
    continuation_prefix: str = "##"
    min_frequency: int = 0  # the engine runs the bare criterion; train_wordpiece defaults to MIN_FREQUENCY
    max_token_length: Optional[int] = None
    initial_alphabet: Sequence[str] = ()
    limit_alphabet: Optional[int] = None
    check_every: int = 0
    extra: dict = field(default_factory=dict)

    def validate(self) -> None:
        if not isinstance(self.vocab_size, int) or isinstance(self.vocab_size, bool) or self.vocab_size <= 0:
            raise ConfigError(f"vocab_size must be a positive integer, got {self.vocab_size!r}")
        if not isinstance(self.min_frequency, int) or self.min_frequency < 0:
            raise ConfigError(f"min_frequency must be an integer >= 0, got {self.min_frequency!r}")
        if self.max_token_length is not None and self.max_token_length < 1:
            raise ConfigError(f"max_token_length must be >= 1, got {self.max_token_length}")
        if not isinstance(self.continuation_prefix, str) or not self.continuation_prefix:
            raise ConfigError("continuation_prefix must be a non-empty string (BERT uses '##')")
        if not isinstance(self.unk_token, str) or not self.unk_token:
            raise ConfigError("unk_token must be a non-empty string")
        if len(set(self.special_tokens)) != len(self.special_tokens) or any(not s for s in self.special_tokens):
            raise ConfigError("special_tokens must be distinct non-empty strings")

    def specials(self) -> list[str]:
        """The special tokens, with the unknown token first when the caller did not list it."""
        listed = list(self.special_tokens)
        return listed if self.unk_token in listed else [self.unk_token, *listed]


@dataclass
class WordPieceVocab:
    """The learned vocabulary: token text (continuations with the prefix) -> id, and the merges in the order
    learned (as token texts), each with the pair's count when chosen."""

    vocab: dict[str, int]
    merges: list[tuple[str, str, int]]
    special_tokens: dict[str, int]
    unk_token: str
    continuation_prefix: str


def learn_wordpiece(counter: "_core.PretokenCounter", config: WordPieceTrainerConfig,
                    progress: Optional[Callable[[int, int, int], None]] = None) -> WordPieceVocab:
    """A WordPiece vocabulary from pretoken counts (a native `PretokenCounter`)."""
    config.validate()
    prefix = config.continuation_prefix
    specials = config.specials()
    chars = char_alphabet(counter.char_counts(), config.initial_alphabet, config.limit_alphabet)
    start: list[bytes] = [s.encode("utf-8") for s in specials]
    start += [c.encode("utf-8") for c in chars]
    start += [CONTINUATION + c.encode("utf-8") for c in chars]
    texts = [_text(t, prefix) for t in start]
    if len(set(texts)) != len(texts):
        clash = next(t for t in texts if texts.count(t) > 1)
        raise TrainingError(f"the special token {clash!r} is also a character of the alphabet; rename it")
    new_tokens = config.vocab_size - len(start)
    if new_tokens < 0:
        raise TrainingError(f"vocab_size={config.vocab_size} is smaller than the {len(specials)} special tokens plus "
                            f"the {2 * len(chars)} alphabet tokens (each character plain and with {prefix!r}); ask "
                            f"for at least {len(start)}, or lower limit_alphabet")
    learned_vocab, learned = [], []
    if new_tokens > 0:
        learned_vocab, learned = _core.train_wordpiece(
            counter, [(t, i) for i, t in enumerate(start)], new_tokens,
            min_frequency=config.min_frequency, max_token_length=config.max_token_length,
            forbidden=[s.encode("utf-8") for s in specials], forbidden_prefix=prefix.encode("utf-8"),
            progress=(lambda m, t: progress(m, t, new_tokens)) if progress is not None else None,
            check_every=config.check_every,
        )
    vocab = {_text(t, prefix): i for i, t in enumerate(start)}
    for t, i in learned_vocab:
        text = _text(bytes(t), prefix)
        if text in vocab:  # cannot happen: the engine forbids word-initial tokens spelled with the prefix
            raise TrainingError(f"two WordPiece tokens are both spelled {text!r}")
        vocab[text] = i
    merges = [(_text(bytes(a), prefix), _text(bytes(b), prefix), c) for a, b, c in learned]
    return WordPieceVocab(vocab, merges, {s: vocab[s] for s in specials}, config.unk_token, prefix)


def _text(token: bytes, prefix: str) -> str:
    if token.startswith(CONTINUATION):
        return prefix + token[1:].decode("utf-8")
    return token.decode("utf-8")


def train_wordpiece(
    corpus: Any,
    *,
    vocab_size: int,
    pattern: Any = WORDPIECE_DEFAULT_PATTERN,
    normalizer: Any = None,
    min_frequency: int = MIN_FREQUENCY,
    max_token_length: Optional[int] = None,
    special_tokens: Sequence[str] = (),
    initial_alphabet: Sequence[str] = (),
    limit_alphabet: Optional[int] = None,
    base: Any = None,
    progress: Optional[bool] = None,
    check_every: int = 0,
    byte_level: bool = True,
    unk_token: str = "[UNK]",
    continuation_prefix: str = "##",
    max_input_chars_per_word: int = 100,
    **corpus_options: Any,
):
    """`tokenforge.train(corpus, model="wordpiece", ...)`: a WordPiece tokenizer (greedy longest-match-first
    inference). `byte_level` does not apply (WordPiece works on characters; others become `unk_token`)."""
    no_base("wordpiece", base)
    pretok, norm = resolve_pipeline(pattern, normalizer, default_pattern=WORDPIECE_DEFAULT_PATTERN)
    config = WordPieceTrainerConfig(
        vocab_size=vocab_size, special_tokens=list(special_tokens), unk_token=unk_token,
        continuation_prefix=continuation_prefix, min_frequency=min_frequency, max_token_length=max_token_length,
        initial_alphabet=list(initial_alphabet), limit_alphabet=limit_alphabet, check_every=check_every,
    )
    config.validate()
    if not isinstance(max_input_chars_per_word, int) or max_input_chars_per_word < 1:
        raise ConfigError(f"max_input_chars_per_word must be a positive integer, got {max_input_chars_per_word!r}")
    counts, counter = native_counts(corpus, pretok, norm, progress, corpus_options)
    printer = MergeProgress() if show_progress(progress) else None
    try:
        learned = learn_wordpiece(counter, config, progress=printer)
    finally:
        if printer is not None:
            printer.close()
    tok = wordpiece_tokenizer(learned, pretok, norm, max_input_chars_per_word=max_input_chars_per_word)
    tok.training = {"model": "wordpiece", "vocab_size": vocab_size, "records": counts.records, "chars": counts.chars,
                    "pretokens_counted": counts.total, "distinct_pretokens": counts.distinct,
                    "pruned": counts.prune_report()}
    return tok


def wordpiece_tokenizer(learned: WordPieceVocab, pretok, norm, *, max_input_chars_per_word: int = 100):
    """Wraps a learned vocabulary into a `Tokenizer` with the model layer's `WordPieceModel`."""
    model_vocab = {t: i for t, i in learned.vocab.items() if t not in learned.special_tokens or t == learned.unk_token}
    model = WordPieceModel(model_vocab, unk_token=learned.unk_token, continuation_prefix=learned.continuation_prefix,
                           max_input_chars_per_word=max_input_chars_per_word)
    specials = {s: i for s, i in learned.special_tokens.items() if s != learned.unk_token}
    return Tokenizer(model, pretokenizer=pretok, normalizer=norm, special_tokens=specials)
