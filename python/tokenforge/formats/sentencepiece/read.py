"""Reading a SentencePiece `.model` into a `SentencePieceTokenizer` (model.py parses and checks the protobuf)."""

from __future__ import annotations

from ...tokenizers.sentencepiece import SentencePieceTokenizer
from .model import parse_model, validate


def load_sentencepiece(path: str, data: bytes):
    """A `SentencePieceTokenizer` for the model in `data` (the bytes of `path`)."""
    model = parse_model(path, data)
    validate(path, model)
    return SentencePieceTokenizer(model, path=path)
