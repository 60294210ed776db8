"""Evaluation: N tokenizers on a corpus in one streaming pass, returning a JSON-able report (see `evaluate`)."""

from .evaluate import SCHEMA, VERSION, evaluate

__all__ = ["SCHEMA", "VERSION", "evaluate"]
