"""A tokenizer with multi-word tokens on top of a base tokenizer (MWT).

Encoding: normalize, pre-tokenize with the base's pre-tokenizer, replace every run of pretokens that spells a
multi-word token by its id (greedy leftmost-longest, native `NgramMatcher`), and encode the other pretokens with
the base model one by one, exactly as the base would. Decoding concatenates, so the tokenizer is lossless wherever
the base is. Saved as its own JSON (format "tokenforge-multiword", formats/tokenforge_json/): tokenizer.json cannot
express pretoken-level n-grams (HF added tokens also match inside words).
"""

from __future__ import annotations

import os
from typing import Optional, Sequence

from .. import _core
from ..errors import ConfigError, DisallowedSpecialTokenError
from ..formats.tokenforge_json.write import save_multiword
from .tokenizer import Tokenizer


class MultiWordTokenizer:
    """`base`: a `Tokenizer`; `ngrams`: pretoken tuple -> id (ids must not collide with the base's)."""

    # Only tokenforge's own JSON holds a multi-word tokenizer: `formats.writing.save` writes that payload for it.
    own_format = "tokenforge-multiword"

    def __init__(self, base, ngrams: dict[tuple[str, ...], int], *, name: Optional[str] = None):
        self.base = base
        self.ngrams = {tuple(k): int(v) for k, v in ngrams.items()}
        self.name = name
        self.training: Optional[dict] = None
        taken = set(base.model.vocab.values()) | set(base.special_tokens.values()) | set(base.added_tokens.values())
        for k, i in self.ngrams.items():
            if not k or any(not p for p in k):
                raise ConfigError(f"multi-word token {k!r} has an empty part")
            if i in taken:
                raise ConfigError(f"multi-word token {''.join(k)!r} has id {i}, which the base tokenizer uses")
        if len(set(self.ngrams.values())) != len(self.ngrams):
            raise ConfigError("two multi-word tokens share an id")
        self._text = {i: "".join(k) for k, i in self.ngrams.items()}
        self._by_text = {t: i for i, t in self._text.items()}
        self._matcher = _core.NgramMatcher([(list(k), i) for k, i in sorted(self.ngrams.items(), key=lambda kv: kv[1])])
        # The base model alone, each piece encoded whole (the pre-tokenizer already ran).
        self._pieces = Tokenizer(base.model, pretokenizer=None)

    # -- the pipeline's surface ------------------------------------------------------------------------------

    @property
    def _core(self):
        return self.base._core  # what `load` compiles to check a file

    @property
    def model(self):
        return self.base.model

    @property
    def pretokenizer(self):
        return self.base.pretokenizer

    @property
    def normalizer(self):
        return self.base.normalizer

    @property
    def special_tokens(self) -> dict[str, int]:
        return self.base.special_tokens

    @property
    def added_tokens(self) -> dict[str, int]:
        return self.base.added_tokens

    @property
    def vocab_size(self) -> int:
        return self.base.vocab_size + len(self.ngrams)

    def pretokenize(self, text: str) -> list[str]:
        return self.base.pretokenize(text)

    # -- encoding ------------------------------------------------------------------------------------------------

    def _encode_plain(self, text: str) -> list[int]:
        pieces = self.base.pretokenize(text)
        matches = self._matcher.find(pieces)
        rest, slots, out = [], [], []
        k = 0
        for start, n, token in [*matches, (len(pieces), 0, None)]:
            for p in pieces[k:start]:
                slots.append(len(out))
                out.append(None)
                rest.append(p)
            if token is not None:
                out.append([token])
            k = start + n
        for slot, ids in zip(slots, self._pieces.encode_batch(rest) if rest else []):
            out[slot] = ids
        return [i for ids in out for i in ids]

    def encode(self, text: str, *, allowed_special=frozenset(), disallowed_special="all") -> list[int]:
        """Ids of `text`; special tokens follow the base tokenizer's policy (tiktoken's)."""
        specials = self.base.special_tokens
        allowed = set(specials) if allowed_special == "all" else set(allowed_special)
        disallowed = (set(specials) - allowed) if disallowed_special == "all" else set(disallowed_special)
        for s in disallowed:
            if s in text:
                raise DisallowedSpecialTokenError(
                    f"the text contains the special token {s!r}; pass allowed_special to encode it as a token, or "
                    "disallowed_special=() to encode it as text")
        out: list[int] = []
        segment_start = i = 0
        ordered = sorted(allowed, key=len, reverse=True)
        while i < len(text) and ordered:
            hit = next((s for s in ordered if text.startswith(s, i)), None)
            if hit is None:
                i += 1
                continue
            out += self._encode_plain(text[segment_start:i])
            out.append(specials[hit])
            i += len(hit)
            segment_start = i
        out += self._encode_plain(text[segment_start:])
        return out

    def encode_ordinary(self, text: str) -> list[int]:
        return self._encode_plain(text)

    def encode_batch(self, texts: Sequence[str], **kw) -> list[list[int]]:
        return [self.encode(t, **kw) for t in texts]

    def count(self, text: str, **kw) -> int:
        return len(self.encode(text, **kw))

    def count_batch(self, texts: Sequence[str], **kw) -> list[int]:
        return [self.count(t, **kw) for t in texts]

    # -- decoding ------------------------------------------------------------------------------------------------

    def decode_bytes(self, ids: Sequence[int]) -> bytes:
        out, run = [], []
        for i in ids:
            text = self._text.get(i)
            if text is None:
                run.append(i)
                continue
            if run:
                out.append(self.base.decode_bytes(run))
                run = []
            out.append(text.encode("utf-8"))
        if run:
            out.append(self.base.decode_bytes(run))
        return b"".join(out)

    def decode(self, ids: Sequence[int], errors: str = "replace") -> str:
        return self.decode_bytes(ids).decode("utf-8", errors)

    def id_to_token(self, i: int) -> Optional[str]:
        return self._text.get(i) if i in self._text else self.base.id_to_token(i)

    def token_to_id(self, token: str) -> Optional[int]:
        found = self._by_text.get(token)
        return found if found is not None else self.base.token_to_id(token)

    # -- files -----------------------------------------------------------------------------------------------------

    def save(self, path: "str | os.PathLike[str]", format: Optional[str] = None) -> None:
        """Writes the tokenforge multi-word JSON (atomically); no other format can hold it."""
        save_multiword(self, path, format)

    def describe(self, longest: int = 10) -> dict:
        """What `tokenforge inspect` shows."""
        by_id = sorted(self.ngrams.items(), key=lambda kv: kv[1])
        return {"name": self.name, "model": f"multi-word tokens over {type(self.base.model).__name__}",
                "vocab_size": self.vocab_size, "base_vocab_size": self.base.vocab_size,
                "multi_word_tokens": len(self.ngrams), "pattern_name": self.pretokenizer.name,
                "normalizer": list(self.normalizer.steps),
                "first_multi_word_tokens": ["".join(k) for k, _ in by_id[:longest]]}

    def __repr__(self) -> str:
        return f"MultiWordTokenizer(base={self.base!r}, ngrams={len(self.ngrams)})"
