"""BoundlessBPE's model: ordinary BPE merges plus *supermerges* that join two adjacent pieces.

A supermerge `(a, b)` joins two adjacent pretokens that ordinary BPE has each turned into a single token (`a` and
`b`) into the superword `a + b`. Supermerges apply after ordinary BPE, by rank (their order in the list), the
leftmost first at equal rank, each piece at most once; a superword joins nothing further. HF tokenizer.json has no
step for this, so only tokenforge's own file keeps it (see docs/training.md, BoundlessBPE).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ModelError
from .bpe import BpeModel


@dataclass
class BoundlessModel(BpeModel):
    supermerges: list[tuple[bytes, bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.merges is None:
            raise ModelError("a BoundlessBPE model needs an ordinary merge list, not tiktoken ranks")
        for rank, (a, b) in enumerate(self.supermerges):
            for part in (a, b, a + b):
                if part not in self.vocab:
                    raise ModelError(f"supermerge #{rank} ({a!r}, {b!r}) needs {part!r}, which is not in the vocabulary")

    def ordinary(self) -> BpeModel:
        """The same vocabulary and ordinary merges without the supermerges (what tokenizer.json can express)."""
        return BpeModel(dict(self.vocab), list(self.merges or []), self.whole_piece_first, self.char_level)
