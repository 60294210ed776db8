"""WordPiece (BERT): a vocabulary of word-initial tokens and `##`-prefixed word-continuing tokens.

HF / BERT semantics: a pre-tokenized word is cut greedily, longest match first; a word with no complete
segmentation, or longer than `max_input_chars_per_word` characters, becomes one unknown token. Lossy by design.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Optional

from ..errors import ModelError
from .bpe import MAX_ID


@dataclass
class WordPieceModel:
    """`vocab` maps token spellings (`"play"`, `"##ing"`) to ids. A token spelled with `continuation_prefix` may
    only continue a word; any token may start one (as in HF, where the first lookup is of the text as is)."""

    kind: ClassVar[str] = "wordpiece"
    methods: ClassVar[tuple[str, ...]] = ("longest_prefix", "longest_suffix", "longest_token", "fewest")
    default_method: ClassVar[str] = "longest_prefix"

    vocab: dict[str, int]
    unk_token: str = "[UNK]"
    continuation_prefix: str = "##"
    max_input_chars_per_word: int = 100
    _by_id: dict[int, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.vocab:
            raise ModelError("the vocabulary is empty")
        by_id: dict[int, str] = {}
        for token, i in self.vocab.items():
            if not isinstance(token, str) or not token:
                raise ModelError(f"token {token!r:.80} must be a non-empty string")
            if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i <= MAX_ID:
                raise ModelError(f"token {token!r} has id {i!r}, outside 0..{MAX_ID}")
            if i in by_id:
                raise ModelError(f"id {i} is given to both {by_id[i]!r} and {token!r}")
            by_id[i] = token
        if not isinstance(self.continuation_prefix, str):
            raise ModelError("continuation_prefix must be a string")
        if isinstance(self.max_input_chars_per_word, bool) or not isinstance(self.max_input_chars_per_word, int) or self.max_input_chars_per_word < 1:
            raise ModelError(f"max_input_chars_per_word must be a positive integer, got {self.max_input_chars_per_word!r}")
        self._by_id = by_id

    @property
    def unk_id(self) -> Optional[int]:
        return self.vocab.get(self.unk_token)

    @property
    def max_id(self) -> int:
        return max(self._by_id)

    def is_continuation(self, token: str) -> bool:
        p = self.continuation_prefix
        return bool(p) and token.startswith(p) and len(token) > len(p)

    def id_to_bytes(self, i: int) -> Optional[bytes]:
        """The text the token covers: the prefix of a continuing token is not text."""
        token = self._by_id.get(i)
        if token is None:
            return None
        if self.is_continuation(token):
            token = token[len(self.continuation_prefix):]
        return token.encode("utf-8")

    def token_of(self, i: int) -> Optional[str]:
        return self._by_id.get(i)

    def initial_tokens(self) -> list[tuple[bytes, int]]:
        return [(t.encode("utf-8"), i) for t, i in self.vocab.items()]

    def continuation_tokens(self) -> list[tuple[bytes, int]]:
        n = len(self.continuation_prefix)
        if n == 0:
            return self.initial_tokens()
        return [(t[n:].encode("utf-8"), i) for t, i in self.vocab.items() if self.is_continuation(t)]

    def word_start_ids(self) -> list[int]:
        return [i for t, i in self.vocab.items() if not self.is_continuation(t)]
