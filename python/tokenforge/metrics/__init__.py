"""Tokenizer metrics, one module per family; each metric is a pure function over counts, token tables or a
tokenizer, documented with its definition and source paper (see docs/metrics.md)."""

from . import (allocation, compression, entropy, fallback, lexicon, morphology, nsl, parity, reachability,
               robustness, scripts, surface, throughput, vocabulary, zipf)

__all__ = ["allocation", "compression", "entropy", "fallback", "lexicon", "morphology", "nsl", "parity",
           "reachability", "robustness", "scripts", "surface", "throughput", "vocabulary", "zipf"]
