"""tokenforge: train, run, evaluate and compare text tokenizers.

The public API is small: `Tokenizer` (the pipeline object), `load` (any supported file), and the typed errors.
"""

from .errors import (
    ConfigError,
    DecodeError,
    DisallowedSpecialTokenError,
    EncodeError,
    FormatError,
    ModelError,
    TokenforgeError,
    UnsupportedFeatureError,
    WriteError,
)
from ._version import __version__ as __version__  # re-exported
from .formats.reading import load
from .formats.writing import save
from .models.bpe import BpeModel
from .models.unigram import UnigramModel
from .models.wordpiece import WordPieceModel
from .pipeline.normalizers import Normalizer
from .pipeline.pretokenizers import PreTokenizer
from .tokenizers.tokenizer import Tokenizer

__all__ = [
    "BpeModel",
    "ConfigError",
    "DecodeError",
    "DisallowedSpecialTokenError",
    "EncodeError",
    "FormatError",
    "ModelError",
    "Normalizer",
    "PreTokenizer",
    "TokenforgeError",
    "Tokenizer",
    "UnigramModel",
    "UnsupportedFeatureError",
    "WordPieceModel",
    "WriteError",
    "load",
    "save",
]

from .corpus import PretokenCounts, Texts, count_pretokens, open_corpus  # noqa: E402
from .errors import CorpusError, CorpusWarning, TrainingError  # noqa: E402
from .training import train  # noqa: E402

__all__ += ["CorpusError", "CorpusWarning", "PretokenCounts", "Texts", "TrainingError", "count_pretokens",
            "open_corpus", "train"]


def __getattr__(name: str):
    # `tokenforge.evaluate` is imported on first use, so `import tokenforge` stays light.
    if name == "evaluate":
        from .evaluation import evaluate

        return evaluate
    raise AttributeError(f"module 'tokenforge' has no attribute {name!r}")


__all__ += ["evaluate"]
