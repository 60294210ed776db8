"""Normalizers: text rewriting before pre-tokenization. The default is none, which keeps encoding lossless."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ..errors import ConfigError

STEPS = ("nfc", "nfkc", "lowercase")


@dataclass(frozen=True)
class Normalizer:
    """A sequence of steps from `STEPS`, applied in order; empty means the identity."""

    steps: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for step in self.steps:
            if step not in STEPS:
                raise ConfigError(f"unknown normalizer step {step!r}; known: {', '.join(STEPS)}")

    @classmethod
    def from_spec(cls, spec: "str | list[str] | tuple[str, ...] | Normalizer | None") -> "Normalizer":
        if spec is None:
            return cls()
        if isinstance(spec, Normalizer):
            return spec
        if isinstance(spec, str):
            return cls(tuple(s for s in spec.lower().split("+") if s and s != "none"))
        return cls(tuple(spec))

    def __call__(self, text: str) -> str:
        """The pure-Python definition (the native pipeline applies the same steps)."""
        for step in self.steps:
            if step == "lowercase":
                text = text.lower()
            else:
                text = unicodedata.normalize(step.upper(), text)
        return text

    def __bool__(self) -> bool:
        return bool(self.steps)
