"""Byte-level BPE: a vocabulary of byte strings and the merge order that segments a piece with it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Optional

from ..errors import ModelError

# Vocabularies past this many ids are refused: real ones are < 2**20, and a hostile file must not make us
# allocate an id table of gigabytes.
MAX_ID = 2**24 - 1


@dataclass
class BpeModel:
    """`vocab` maps token bytes to ids.

    `merges is None` means tiktoken's rank semantics: a token's id is its merge rank, and two adjacent parts merge
    whenever their concatenation is a token. Otherwise `merges` is HF's ordered merge list (rank = position).
    `whole_piece_first`: a piece that is itself a token is emitted as is, without merging (always on for rank
    semantics; HF calls it `ignore_merges`).
    `char_level`: a piece starts as its characters rather than its bytes; a character that is not a token falls
    back to its bytes (all 256 single bytes are tokens), and those byte tokens never merge.
    """

    kind: ClassVar[str] = "bpe"
    methods: ClassVar[tuple[str, ...]] = ("merge", "longest_prefix", "longest_suffix", "longest_token", "fewest")
    default_method: ClassVar[str] = "merge"

    vocab: dict[bytes, int]
    merges: Optional[list[tuple[bytes, bytes]]] = None
    whole_piece_first: bool = True
    char_level: bool = False
    _by_id: dict[int, bytes] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.vocab:
            raise ModelError("the vocabulary is empty")
        by_id: dict[int, bytes] = {}
        for token, i in self.vocab.items():
            if not isinstance(i, int) or i < 0 or i > MAX_ID:
                raise ModelError(f"token {token!r} has id {i!r}, outside 0..{MAX_ID}")
            if i in by_id:
                raise ModelError(f"id {i} is given to both {by_id[i]!r} and {token!r}")
            by_id[i] = token
        self._by_id = by_id
        if self.merges is None:
            self.whole_piece_first = True
        else:
            for rank, (a, b) in enumerate(self.merges):
                for part in (a, b, a + b):
                    if part not in self.vocab:
                        raise ModelError(f"merge #{rank} ({a!r}, {b!r}) needs {part!r}, which is not in the vocabulary")

    @classmethod
    def from_ranks(cls, ranks: dict[bytes, int]) -> "BpeModel":
        return cls(dict(ranks), None, True)

    @property
    def rank_semantics(self) -> bool:
        return self.merges is None

    def id_to_bytes(self, i: int) -> Optional[bytes]:
        return self._by_id.get(i)

    @property
    def max_id(self) -> int:
        return max(self._by_id)

    def merge_list(self) -> list[tuple[bytes, bytes]]:
        """The ordered merge list; derived from the ranks under rank semantics.

        Every split of a token into two tokens becomes a merge ranked by the token (ties by split position): the same
        merges tiktoken's rank rule performs, written in the list form HF's BPE reads.
        """
        if self.merges is not None:
            return list(self.merges)
        derived: list[tuple[int, int, bytes, bytes]] = []
        for token, rank in self.vocab.items():
            for split in range(1, len(token)):
                a, b = token[:split], token[split:]
                if a in self.vocab and b in self.vocab:
                    derived.append((rank, split, a, b))
        derived.sort()
        return [(a, b) for _, _, a, b in derived]
