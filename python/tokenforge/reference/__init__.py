"""Pure-Python twins of the native routines: slow, readable, and held equal to the native core by the tests."""

from .bpe import encode_piece
from .pipeline import encode
from .pretokenize import pretokenize

__all__ = ["encode", "encode_piece", "pretokenize"]
