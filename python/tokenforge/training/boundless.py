"""BoundlessBPE ("Boundless Byte Pair Encoding: Breaking the Pre-tokenization Barrier") on the one engine.

The engine learns ordinary merges inside pretokens as for BPE; alongside them it counts, in each corpus record,
every pair of adjacent pretokens that are each already one token, and the same policy (most frequent, ties to
ordinary pairs, then the smaller id pair) picks between the two kinds. A chosen supermerge joins those two
pretokens into a superword. The corpus is counted as whole records and cut into pretokens natively.
"""

from __future__ import annotations

from typing import Any, Optional

from .. import _core
from ..corpus import PretokenCounts
from ..errors import ConfigError, TrainingError
from ..models.boundless import BoundlessModel
from ..pipeline.normalizers import Normalizer
from ..pipeline.pretokenizers import PreTokenizer
from ..tokenizers.tokenizer import Tokenizer
from ..util.progress import MergeProgress
from .alphabet import byte_alphabet
from .bpe import BpeTrainerConfig
from .common import DEFAULT_PATTERN, UNSET, count_corpus


def ordinary_part(tokenizer):
    """The tokenizer without its supermerges (same ids; superword tokens stay in the vocabulary, unused): what an
    HF tokenizer.json or tiktoken file can hold. Encodings differ from the BoundlessBPE tokenizer's wherever a
    supermerge would apply."""
    model = tokenizer.model
    if not hasattr(model, "ordinary"):
        raise ConfigError("not a BoundlessBPE tokenizer (it has no supermerges)")
    return Tokenizer(model.ordinary(), pretokenizer=tokenizer.pretokenizer, normalizer=tokenizer.normalizer,
                     special_tokens=dict(tokenizer.special_tokens), added_tokens=dict(tokenizer.added_tokens),
                     name=tokenizer.name)


def train_boundless(
    corpus: Any,
    *,
    vocab_size: int,
    pattern: Any = "o200k",
    normalizer: Any = None,
    min_frequency: int = 0,
    max_token_length: Optional[int] = None,
    special_tokens=(),
    base: Any = None,
    byte_level: bool = True,
    progress: Optional[bool] = None,
    check_every: int = 0,
    max_words_per_token: Optional[int] = None,
    sentence_punctuation: Optional[str] = None,
    initial_alphabet=(),
    limit_alphabet=None,
    **corpus_options: Any,
):
    """Trains BoundlessBPE; `tokenforge.train(..., model="boundless")` lands here. Options as `train`."""
    import sys

    if base is not None:
        raise ConfigError("model='boundless' trains from scratch; base= is not supported")
    if not byte_level:
        raise ConfigError("model='boundless' is byte-level only")
    if max_words_per_token is not None or sentence_punctuation is not None:
        raise ConfigError("max_words_per_token and sentence_punctuation apply to model='bpe' and 'superbpe'; a BoundlessBPE superword is always two pretokens")
    if isinstance(corpus, PretokenCounts):
        raise ConfigError("model='boundless' needs the corpus text (supermerges need adjacent pretokens), not pretoken counts")
    config = BpeTrainerConfig(vocab_size=vocab_size, min_frequency=min_frequency, max_token_length=max_token_length,
                              special_tokens=list(special_tokens), check_every=check_every)
    config.validate()
    pretok = PreTokenizer.from_spec(DEFAULT_PATTERN if pattern is UNSET else pattern)
    if pretok.pattern is None:
        raise ConfigError("BoundlessBPE needs a pre-tokenizer pattern (supermerges join its pretokens), not None")
    norm = Normalizer.from_spec(normalizer)
    show = sys.stderr.isatty() if progress is None else progress
    # Whole records, normalized; the engine cuts them into pretokens itself.
    counts = count_corpus(corpus, PreTokenizer(None), norm, show, corpus_options)
    counter = counts.counter
    if not isinstance(counter, _core.PretokenCounter):
        counter = _core.PretokenCounter("whole", None, True, list(norm.steps))
        counter.add_counts(counts.items)
    specials = {s: i for i, s in enumerate(config.special_tokens)}
    vocab = {tok: len(specials) + k for k, tok in enumerate(byte_alphabet())}
    new_tokens = vocab_size - len(specials) - len(vocab)
    if new_tokens < 0:
        raise TrainingError(f"vocab_size={vocab_size} is smaller than the {len(specials)} special tokens plus the "
                            f"{len(vocab)}-symbol alphabet; ask for at least {len(specials) + len(vocab)}")
    printer = MergeProgress() if show else None
    kind, pat, gaps = pretok.native_args()
    try:
        new_vocab, learned = _core.train_boundless(
            counter, kind, pat, gaps, list(vocab.items()), new_tokens, min_frequency=min_frequency,
            max_token_length=max_token_length, forbidden=[s.encode("utf-8") for s in specials],
            progress=(lambda m, t: printer(m, t, new_tokens)) if printer is not None else None,
            check_every=check_every)
    finally:
        if printer is not None:
            printer.close()
    vocab.update(dict(new_vocab))
    merges = [(a, b) for a, b, _, sup in learned if not sup]
    supermerges: list[tuple[bytes, bytes]] = []
    seen: set[tuple[bytes, bytes]] = set()
    for a, b, _, sup in learned:
        if sup and (a, b) not in seen:  # a pair that became possible again later is learned again: keep the first
            seen.add((a, b))
            supermerges.append((a, b))
    model = BoundlessModel(vocab, merges, whole_piece_first=False, supermerges=supermerges)
    tok = Tokenizer(model, pretokenizer=pretok, normalizer=norm, special_tokens=specials)
    if tok.vocab_size < vocab_size:
        import warnings

        from ..errors import TrainingWarning

        warnings.warn(f"the corpus yields only {tok.vocab_size} ids of the {vocab_size} asked for", TrainingWarning,
                      stacklevel=3)
    tok.training = {"model": "boundless", "byte_level": True, "vocab_size": vocab_size, "records": counts.records,
                    "chars": counts.chars, "distinct_records": counts.distinct, "pruned": counts.prune_report(),
                    "merges": len(merges), "supermerges": len(supermerges)}
    return tok
