"""The LiB tokenizer's inference: greedy longest match over its lexicon (subwords, words and multi-word units),
as LiB reads text; a character outside the lexicon is encoded as its UTF-8 bytes (256 byte tokens), so encoding
is lossless. Saved as tokenforge JSON (format "tokenforge-lib", formats/tokenforge_json/); a greedy longest match
over whole text, spaces included, has no tokenizer.json equivalent (HF WordPiece matches inside pre-split words
only).
"""

from __future__ import annotations

import os
from typing import Optional, Sequence

from ..errors import ConfigError, DecodeError
from ..formats.tokenforge_json.write import save_lib
from ..pipeline.normalizers import Normalizer
from ..pipeline.pretokenizers import PreTokenizer


class LibTokenizer:
    """`units`: the lexicon in rank order (best first). Ids: the 256 bytes `<0x00>`..`<0xFF>` first, then the units
    in order."""

    # Only tokenforge's own JSON holds a LiB tokenizer: `formats.writing.save` writes that payload for it.
    own_format = "tokenforge-lib"

    def __init__(self, units: Sequence[str], *, normalizer=None, name: Optional[str] = None):
        self.units = list(units)
        if any(not isinstance(u, str) or not u for u in self.units):
            raise ConfigError("LiB units must be non-empty strings")
        if len(set(self.units)) != len(self.units):
            raise ConfigError("a LiB unit is listed twice")
        self.normalizer = Normalizer.from_spec(normalizer)
        self.name = name
        self.training: Optional[dict] = None
        self.vocab = {u: 256 + k for k, u in enumerate(self.units)}
        self._bytes = [bytes([b]) for b in range(256)] + [u.encode("utf-8") for u in self.units]
        self.max_len = max((len(u) for u in self.units), default=1)
        self.special_tokens: dict[str, int] = {}
        self.added_tokens: dict[str, int] = {}

    @property
    def vocab_size(self) -> int:
        return 256 + len(self.units)

    @property
    def model(self):
        return self  # the CLI reports `tok.model.merges`

    merges = None

    def encode(self, text: str, **_special) -> list[int]:
        """Greedy longest match; unknown characters as bytes."""
        text = self.normalizer(text)
        vocab, out, i, n = self.vocab, [], 0, len(text)
        while i < n:
            for length in range(min(self.max_len, n - i), 0, -1):
                token = vocab.get(text[i : i + length])
                if token is not None:
                    out.append(token)
                    i += length
                    break
            else:
                out.extend(text[i].encode("utf-8", "surrogatepass"))
                i += 1
        return out

    encode_ordinary = encode

    def encode_batch(self, texts: Sequence[str], **kw) -> list[list[int]]:
        return [self.encode(t) for t in texts]

    def count(self, text: str, **kw) -> int:
        return len(self.encode(text))

    def count_batch(self, texts: Sequence[str], **kw) -> list[int]:
        return [self.count(t) for t in texts]

    def decode_bytes(self, ids: Sequence[int]) -> bytes:
        try:
            return b"".join(self._bytes[i] for i in ids)
        except (IndexError, TypeError):
            bad = next(i for i in ids if not isinstance(i, int) or not 0 <= i < len(self._bytes))
            raise DecodeError(f"id {bad!r} is not in this tokenizer (0..{len(self._bytes) - 1})") from None

    def decode(self, ids: Sequence[int], errors: str = "replace") -> str:
        return self.decode_bytes(ids).decode("utf-8", errors)

    def id_to_token(self, i: int) -> Optional[str]:
        if 0 <= i < 256:
            return f"<0x{i:02X}>"
        return self.units[i - 256] if 256 <= i < self.vocab_size else None

    def token_to_id(self, token: str) -> Optional[int]:
        return self.vocab.get(token)

    def save(self, path: "str | os.PathLike[str]", format: Optional[str] = None) -> None:
        """Writes the tokenforge LiB JSON (atomically); no other format can hold it."""
        save_lib(self, path, format)

    _core = None  # nothing native to compile

    @property
    def pretokenizer(self):
        return PreTokenizer(None)

    def describe(self, longest: int = 10) -> dict:
        """What `tokenforge inspect` shows."""
        multi = [u for u in self.units if " " in u.strip()]
        return {"name": self.name, "model": "LiB (greedy longest match, byte fallback)", "vocab_size": self.vocab_size,
                "units": len(self.units), "multi_word_units": len(multi),
                "normalizer": list(self.normalizer.steps),
                "longest_units": sorted(self.units, key=lambda u: (-len(u), u))[:longest],
                "best_ranked_multi_word": multi[:longest]}

    def __repr__(self) -> str:
        return f"LibTokenizer(units={len(self.units)})"
