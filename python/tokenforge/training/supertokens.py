"""Learned supertokens ("Achieving Tokenizer Flexibility in Language Models through Heuristic Adaptation and
Supertoken Learning", the supertoken half): *pre-tokenization learning* — BPE is trained on pretokens that may
span several words, so frequent multi-word sequences become single tokens (supertokens).

Training: each record is pre-tokenized (o200k), and runs of consecutive words (letters, joined by single spaces)
are cut into chunks of 1..`max_words` words, each length drawn uniformly at random (seeded); a chunk is one
pretoken for the engine. Punctuation, digits and line breaks always end a chunk. The engine is the ordinary BPE
engine on those chunk counts. Inference uses the pattern `supertoken_pattern(max_words)`: o200k with its word
alternative widened to up to `max_words` space-separated words, so every learned merge can apply; it is a plain
regex, so the tokenizer saves as tokenizer.json and loads in `tokenizers` with the same ids.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from .. import _core
from ..corpus import PretokenCounts, open_corpus
from ..errors import ConfigError, CorpusError
from ..pipeline.normalizers import Normalizer
from ..pipeline.pretokenizers import O200K_PATTERN, PreTokenizer
from .bpe import train_bpe
from .common import READ_OPTIONS, UNSET, no_base

DEFAULT_MAX_WORDS = 4

_UPPER = r"[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]"
_LOWER = r"[\p{Ll}\p{Lm}\p{Lo}\p{M}]"
_CORE = rf"(?:{_UPPER}*{_LOWER}+|{_UPPER}+{_LOWER}*)(?i:'s|'t|'re|'ve|'m|'ll|'d)?"


def supertoken_pattern(max_words: int) -> str:
    """o200k, whose first two alternatives (a word with an optional leading non-letter) become a run of up to
    `max_words` such words, the later ones each after exactly one space."""
    rest = O200K_PATTERN[O200K_PATTERN.index(r"\p{N}{1,3}"):]
    return rf"[^\r\n\p{{L}}\p{{N}}]?{_CORE}(?: {_CORE}){{0,{max_words - 1}}}|{rest}"


def _is_word(piece: str, first: bool) -> bool:
    if first:
        body = piece[1:] if piece[:1] == " " else piece
    else:
        if piece[:1] != " ":
            return False
        body = piece[1:]
    return body.isalpha()


def chunk_pieces(pieces: list[str], max_words: int, rng: random.Random) -> list[str]:
    """Pretokens regrouped into training chunks: runs of words cut at random lengths 1..max_words."""
    out: list[str] = []
    k = 0
    while k < len(pieces):
        if not _is_word(pieces[k], True):
            out.append(pieces[k])
            k += 1
            continue
        end = k + 1
        while end < len(pieces) and _is_word(pieces[end], False):
            end += 1
        while k < end:
            n = min(rng.randint(1, max_words), end - k)
            out.append("".join(pieces[k:k + n]))
            k += n
    return out


def train_supertokens(
    corpus: Any,
    *,
    vocab_size: int,
    max_words: int = DEFAULT_MAX_WORDS,
    chunk_seed: int = 0,
    normalizer: Any = None,
    base: Any = None,
    pattern: Any = None,
    **options: Any,
):
    """`tokenforge.train(corpus, model="supertokens", vocab_size=N, max_words=4, chunk_seed=0)`; other keyword
    arguments go to the BPE engine (`min_frequency`, `special_tokens`, ...) and to the corpus reader."""
    no_base("supertokens", base)
    if pattern not in (None, UNSET):
        raise ConfigError("supertokens set their own pre-tokenizer (o200k widened to max_words words); "
                          "pattern= does not apply")
    if not isinstance(max_words, int) or isinstance(max_words, bool) or not 1 <= max_words <= 16:
        raise ConfigError(f"max_words must be an integer in 1..16, got {max_words!r}")
    if isinstance(corpus, (PretokenCounts, dict)):
        raise ConfigError("supertoken learning chunks running text, not a table of word counts")
    norm = Normalizer.from_spec(normalizer)
    read = {k: options.pop(k) for k in list(options) if k in READ_OPTIONS}
    rng = random.Random(chunk_seed)
    counts: Counter = Counter()
    records = 0
    kind, pat, gaps = PreTokenizer.named("o200k").native_args()
    for record in open_corpus(corpus, **read):
        records += 1
        counts.update(chunk_pieces(_core.pretokenize(norm(record), kind, pat, gaps), max_words, rng))
    if not counts:
        raise CorpusError("the corpus is empty")
    tok = train_bpe(dict(counts), vocab_size=vocab_size, pattern=supertoken_pattern(max_words), normalizer=norm, **options)
    tok.training = {**(tok.training or {}), "model": "supertokens", "max_words": max_words, "chunk_seed": chunk_seed,
                    "records": records}
    return tok
