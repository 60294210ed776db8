"""Models: a vocabulary plus what a segmentation method needs (merges, scores, a continuation prefix)."""

from .base import Model
from .bpe import BpeModel
from .methods import LATTICE_METHODS, METHODS
from .unigram import UnigramModel
from .wordpiece import WordPieceModel

__all__ = ["BpeModel", "LATTICE_METHODS", "METHODS", "Model", "UnigramModel", "WordPieceModel"]
