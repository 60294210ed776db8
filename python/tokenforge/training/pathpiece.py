"""PathPiece vocabulary training (Schmidt et al. 2024, "Tokenization Is More Than Compression").

PathPiece segments text into the fewest tokens its vocabulary allows. Its vocabulary is learned top-down: start
from a large BPE vocabulary (our BPE trainer at `init_factor` x the target size), then repeatedly remove the tokens
whose removal increases the corpus token count (under fewest-tokens segmentation) the least, until the target
size is reached. The 256 single bytes are never removed, so every text stays encodable.

The cost of removing token t is summed over the distinct pretokens w whose chosen segmentation uses t:
count(w) x (fewest tokens of w without t - fewest tokens of w). A token that no chosen segmentation uses costs 0.
Costs are computed for every token against the current vocabulary, then the cheapest are removed in one batch
that shrinks the vocabulary by `shrink` (as Unigram pruning does), so a round costs one pass over the corpus.
The chosen segmentation breaks ties between equally short paths towards the longest token first (the paper's
"PathPieceL" tie-break). See docs/training.md, "PathPiece".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from .. import _core
from ..errors import ConfigError, TrainingError
from ..models.bpe import BpeModel
from ..tokenizers.tokenizer import Tokenizer
from .bpe import train_bpe

# (round, vocabulary size, corpus tokens)
Progress = Callable[[int, int, int], None]


@dataclass
class PathPieceTrainerConfig:
    """`vocab_size` counts every id (special tokens, the 256 bytes and the learned tokens)."""

    vocab_size: int
    init_factor: float = 2.0
    shrink: float = 0.9
    max_token_length: Optional[int] = None
    special_tokens: Sequence[str] = ()

    def validate(self) -> None:
        if not isinstance(self.vocab_size, int) or self.vocab_size <= 256 + len(self.special_tokens):
            raise ConfigError(f"vocab_size must exceed the 256 bytes and the special tokens, got {self.vocab_size!r}")
        if self.init_factor < 1.0:
            raise ConfigError(f"init_factor must be >= 1, got {self.init_factor}")
        if not 0.0 < self.shrink < 1.0:
            raise ConfigError(f"shrink must be in (0, 1), got {self.shrink}")


def removal_costs(words: Sequence[tuple[bytes, int]], tokens: Sequence[bytes]) -> tuple[list[int], int]:
    """(increase of the corpus token count if each token alone were removed, current corpus token count); native,
    twin `tokenforge.reference.pathpiece.removal_costs`."""
    return _core.pathpiece_removal_costs(list(words), list(tokens))


def corpus_tokens(words: Sequence[tuple[bytes, int]], tokens: "set[bytes] | Sequence[bytes]") -> int:
    """Corpus token count under fewest-tokens segmentation."""
    return removal_costs(words, sorted(tokens))[1]


def prune_vocabulary(words: Sequence[tuple[bytes, int]], init: dict[bytes, int], target: int, shrink: float,
                     progress: Optional[Progress] = None) -> tuple[list[bytes], list[dict]]:
    """Prunes `init` (token -> id, in learning order) down to `target` tokens; returns the kept tokens in their
    original id order and the per-round history. Ties in cost remove the later-learned (rarer) token first."""
    if target < 256:
        raise ConfigError("the target must keep the 256 single bytes")
    tokens = set(init)
    missing = [b for b in range(256) if bytes([b]) not in tokens]
    if missing:
        raise TrainingError(f"the initial vocabulary lacks single bytes (e.g. {missing[0]:#04x}); PathPiece needs "
                            "a byte-level initial vocabulary")
    history: list[dict] = []
    round_no = 0
    while len(tokens) > target:
        order = sorted(tokens, key=lambda t: init[t])
        cost_list, total = removal_costs(words, order)
        costs = dict(zip(order, cost_list))
        size = max(target, int(len(tokens) * shrink))
        removable = sorted((t for t in tokens if len(t) > 1), key=lambda t: (costs[t], -init[t]))
        drop = removable[:len(tokens) - size]
        if not drop:
            break
        history.append({"round": round_no, "size": len(tokens), "corpus_tokens": total, "removed": len(drop),
                        "max_cost_removed": costs[drop[-1]]})
        if progress is not None:
            progress(round_no, len(tokens), total)
        tokens.difference_update(drop)
        round_no += 1
    kept = sorted(tokens, key=lambda t: init[t])
    history.append({"round": round_no, "size": len(kept), "corpus_tokens": corpus_tokens(words, tokens)})
    return kept, history


# Keyword arguments of `tokenforge.train(..., model="pathpiece")` that configure this trainer.
OPTIONS = ("init_factor", "shrink")


def train_pathpiece_tokenizer(counts, pretok, norm, config: PathPieceTrainerConfig,
                              progress: Optional[Progress] = None):
    """A `Tokenizer` (byte-level vocabulary, "fewest" method) trained on pretoken `counts`: BPE at
    `init_factor` x `vocab_size`, then pruned. Ids are renumbered densely in the BPE learning order."""
    config.validate()
    init_size = max(config.vocab_size, int(round(config.vocab_size * config.init_factor)))
    base = train_bpe(counts, vocab_size=init_size, pattern=pretok, normalizer=norm, special_tokens=config.special_tokens,
                 max_token_length=config.max_token_length, progress=False)
    specials = dict(base.special_tokens)
    init = {t: i for t, i in base.model.vocab.items() if i not in specials.values()}
    words = [(w, c) for w, c in counts.items if w]
    kept, history = prune_vocabulary(words, init, config.vocab_size - len(specials), config.shrink, progress)
    vocab = {t: len(specials) + k for k, t in enumerate(kept)}
    model = BpeModel(vocab, None, True)
    tok = Tokenizer(model, pretokenizer=pretok, normalizer=norm, special_tokens=specials, method="fewest",
                    method_options={"tie_break": "longest"})
    tok.training = {"model": "pathpiece", "vocab_size": config.vocab_size, "init_size": init_size,
                    "records": counts.records, "chars": counts.chars, "pretokens_counted": counts.total,
                    "distinct_pretokens": counts.distinct, "pruned": counts.prune_report(), "rounds": history,
                    "options": {"init_factor": config.init_factor, "shrink": config.shrink}}
    return tok
