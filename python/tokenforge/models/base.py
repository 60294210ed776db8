"""What every model offers the pipeline: its vocabulary, what each id decodes to, and which methods it supports.

A model is a vocabulary plus the facts a segmentation method needs (merges for BPE, scores for Unigram, the
continuation prefix for WordPiece). The *method* — how a piece is cut with that vocabulary — is chosen on the
`Tokenizer` (`Tokenizer.with_method`); `methods` says which ones are defined for the model.
"""

from __future__ import annotations

from typing import Mapping, Optional, Protocol, Union, runtime_checkable


@runtime_checkable
class Model(Protocol):
    """The common protocol (structural: BpeModel, UnigramModel and WordPieceModel follow it)."""

    kind: str  # "bpe" | "unigram" | "wordpiece"
    methods: tuple[str, ...]  # the inference methods defined for this model
    default_method: str

    @property
    def vocab(self) -> Mapping[Union[bytes, str], int]:
        """Token -> id (bytes for BPE, the token's spelling for Unigram and WordPiece)."""
        ...

    def id_to_bytes(self, i: int) -> Optional[bytes]:
        """The text bytes id `i` stands for (None if the model has no such id)."""
        ...

    @property
    def max_id(self) -> int:
        ...
