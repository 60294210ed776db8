"""Per-id tables of one tokenizer (bytes, length, script, category, partial UTF-8), built once per evaluation, so
every corpus metric is a lookup weighted by the id histogram instead of per-token Python work on the stream."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from ..metrics.scripts import PARTIAL, token_category, token_script


@lru_cache(maxsize=1 << 20)
def _script(token: bytes) -> str:
    """Cached: tokenizers compared side by side share most of their tokens."""
    return token_script(token)


@dataclass
class TokenTable:
    vocab_size: int
    token_bytes: dict[int, bytes]          # every id that has bytes (holes in the id space left out)
    special: frozenset[int]                # special and added tokens
    unk: frozenset[int]                    # the unknown token, where the model has one
    partial: frozenset[int] = field(default_factory=frozenset)
    byte_length: dict[int, int] = field(default_factory=dict)
    script: dict[int, str] = field(default_factory=dict)

    @classmethod
    def build(cls, tokenizer) -> "TokenTable":
        n = tokenizer.vocab_size
        table: dict[int, bytes] = {}
        native = getattr(getattr(tokenizer, "_core", None), "token_bytes", None)
        if native is not None:  # the native table directly: None marks a hole in the id space
            table = {i: b for i, b in enumerate(map(native, range(n))) if b is not None}
        else:
            for i in range(n):
                try:
                    table[i] = tokenizer.id_to_bytes(i)
                except Exception:  # a hole in the id space
                    continue
        special = {int(i) for i in getattr(tokenizer, "special_tokens", {}).values()}
        special |= {int(i) for i in getattr(tokenizer, "added_tokens", {}).values()}
        unk_id = getattr(tokenizer, "unk_id", None)
        if unk_id is None:
            unk_id = getattr(getattr(tokenizer, "model", None), "unk_id", None)
        unk = frozenset([unk_id]) if isinstance(unk_id, int) else frozenset()
        t = cls(n, table, frozenset(special), unk)
        t.script = {i: _script(b) for i, b in table.items()}
        t.partial = frozenset(i for i, s in t.script.items() if s == PARTIAL)  # not valid UTF-8 alone
        t.byte_length = {i: len(b) for i, b in table.items()}
        return t

    def categories(self, ids) -> dict[int, str]:
        """Character category of the given ids (computed on demand: usually only the ids a corpus used)."""
        return {i: token_category(self.token_bytes[i]) for i in ids}

    @property
    def ordinary_ids(self) -> list[int]:
        """Ids of the learned vocabulary (special / added tokens left out)."""
        return [i for i in self.token_bytes if i not in self.special]
