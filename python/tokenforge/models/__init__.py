"""Models: a vocabulary plus the method that segments a piece with it."""

from .bpe import BpeModel

__all__ = ["BpeModel"]
