"""Unigram language model (Kudo 2018): pieces with log-probabilities, segmented by the best-scoring path.

The constructor takes SentencePiece's / HF's piece list as is: id = position, score = log-probability, an
optional unknown piece, and optional byte fallback through the 256 pieces spelled `<0xXX>`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import ClassVar, Collection, Optional

from ..errors import ModelError
from .bpe import MAX_ID

_BYTE_PIECE = re.compile(r"^<0x([0-9A-Fa-f]{2})>$")


def byte_piece(token: str) -> Optional[int]:
    """The byte a `<0xXX>` piece stands for, else None."""
    m = _BYTE_PIECE.match(token)
    return int(m.group(1), 16) if m else None


@dataclass
class UnigramModel:
    """`pieces[i] = (text, score)` is id i.

    `unk_id`: the piece emitted for a character no piece covers (when byte fallback cannot); adjacent unknown
    characters fuse into one (HF's `fuse_unk`, SentencePiece's behaviour).
    `byte_fallback`: pieces spelled `<0xXX>` are byte tokens — never matched as text, emitted for the UTF-8 bytes
    of a character no piece covers.
    `unmatched`: further ids never matched in text (SentencePiece's control and unused pieces, e.g. `<s>`); the
    unknown piece and byte pieces are never matched anyway.
    """

    kind: ClassVar[str] = "unigram"
    methods: ClassVar[tuple[str, ...]] = ("viterbi", "sample", "longest_prefix", "longest_suffix", "longest_token", "fewest")
    default_method: ClassVar[str] = "viterbi"

    pieces: list[tuple[str, float]]
    unk_id: Optional[int] = None
    byte_fallback: bool = False
    unmatched: Collection[int] = ()
    _vocab: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)
    _bytes: list[bytes] = field(default_factory=list, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.pieces:
            raise ModelError("the vocabulary is empty")
        if len(self.pieces) > MAX_ID + 1:
            raise ModelError(f"{len(self.pieces)} pieces, more than {MAX_ID + 1}")
        self.pieces = [(p, s) for p, s in self.pieces]
        self.unmatched = frozenset(self.unmatched)
        vocab: dict[str, int] = {}
        for i, entry in enumerate(self.pieces):
            if not (isinstance(entry, tuple) and len(entry) == 2):
                raise ModelError(f"piece #{i} must be a (text, score) pair, got {entry!r:.80}")
            text, score = entry
            if not isinstance(text, str) or not text:
                raise ModelError(f"piece #{i} must be a non-empty string, got {text!r:.80}")
            if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
                raise ModelError(f"piece #{i} ({text!r}) has score {score!r}; scores must be finite numbers")
            if text in vocab:
                raise ModelError(f"piece {text!r} is listed twice (ids {vocab[text]} and {i})")
            vocab[text] = i
        if self.unk_id is not None and (isinstance(self.unk_id, bool) or not 0 <= self.unk_id < len(self.pieces)):
            raise ModelError(f"unk_id {self.unk_id!r} is not a piece id (0..{len(self.pieces) - 1})")
        for i in self.unmatched:
            if not 0 <= i < len(self.pieces):
                raise ModelError(f"unmatched id {i!r} is not a piece id")
        self._vocab = vocab
        self._bytes = [self._piece_bytes(t) for t, _ in self.pieces]

    def _piece_bytes(self, text: str) -> bytes:
        b = byte_piece(text) if self.byte_fallback else None
        return bytes([b]) if b is not None else text.encode("utf-8")

    @property
    def vocab(self) -> dict[str, int]:
        return self._vocab

    @property
    def max_id(self) -> int:
        return len(self.pieces) - 1

    @property
    def scores(self) -> list[float]:
        return [float(s) for _, s in self.pieces]

    def id_to_bytes(self, i: int) -> Optional[bytes]:
        return self._bytes[i] if 0 <= i < len(self._bytes) else None

    def token_of(self, i: int) -> Optional[str]:
        return self.pieces[i][0] if 0 <= i < len(self.pieces) else None

    def byte_ids(self) -> Optional[list[Optional[int]]]:
        """Byte -> id of its `<0xXX>` piece (None where missing), or None without byte fallback."""
        if not self.byte_fallback:
            return None
        table: list[Optional[int]] = [None] * 256
        for i, (text, _) in enumerate(self.pieces):
            b = byte_piece(text)
            if b is not None:
                table[b] = i
        return table

    def matched_pieces(self) -> list[tuple[bytes, int]]:
        """The pieces the lattice matches in text: all but byte pieces, the unknown piece and `unmatched`."""
        out = []
        for i, (text, _) in enumerate(self.pieces):
            if i == self.unk_id or i in self.unmatched or (self.byte_fallback and byte_piece(text) is not None):
                continue
            out.append((text.encode("utf-8"), i))
        return out
