"""Special-token policy (tiktoken's): which special tokens a call recognises, and which make it fail."""

from __future__ import annotations

from functools import lru_cache
from typing import Collection, Optional, Union

from ..errors import ConfigError


class SpecialPolicy:
    """Turns a call's `allowed_special` / `disallowed_special` into masks over the ordered special-token list.

    - allowed: recognised in the text and emitted as their special id;
    - disallowed (default: every special token not allowed): their presence raises DisallowedSpecialTokenError;
    - neither: encoded as ordinary text.
    """

    def __init__(self, names: list[str]):
        self.names = list(names)
        self._known = frozenset(self.names)
        self._mask = lru_cache(maxsize=64)(self._mask_uncached)

    def resolve(
        self, allowed_special: Union[str, Collection[str]], disallowed_special: Union[str, Collection[str]]
    ) -> tuple[Optional[list[bool]], bool, frozenset[str]]:
        """(mask of allowed tokens or None, whether all are allowed, the disallowed set)."""
        if allowed_special == "all":
            allowed = self._known
        else:
            allowed = frozenset(allowed_special)
            unknown = allowed - self._known
            if unknown:
                raise ConfigError(f"allowed_special names tokens that are not special tokens here: {sorted(unknown)}")
        if disallowed_special == "all":
            disallowed = self._known - allowed
        else:
            disallowed = frozenset(disallowed_special) & self._known
        if allowed == self._known and allowed:
            return None, True, disallowed
        return (self._mask(allowed) if allowed else None), False, disallowed

    def mask_excluding(self, excluded: frozenset[str]) -> list[bool]:
        """Mask allowing every special token except `excluded`."""
        return self._mask(self._known - excluded)

    def _mask_uncached(self, allowed: frozenset[str]) -> list[bool]:
        return [name in allowed for name in self.names]
