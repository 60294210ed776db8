"""Models: a vocabulary plus what a segmentation method needs (merges, scores, a continuation prefix)."""

from .base import LATTICE_METHODS, METHODS, Model
from .bpe import BpeModel
from .unigram import UnigramModel
from .wordpiece import WordPieceModel

__all__ = ["BpeModel", "LATTICE_METHODS", "METHODS", "Model", "UnigramModel", "WordPieceModel"]
