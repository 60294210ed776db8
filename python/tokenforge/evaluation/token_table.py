"""Per-id tables of one tokenizer (bytes, length, UTF-8 validity, script, reachability), built once per evaluation
as dense arrays, so the vocabulary-wide metrics are array operations and the corpus metrics are lookups weighted by
the id histogram instead of per-token Python work. Native tokenizers fill it in one call (`vocab_facts`); others
through `id_to_bytes`. Each vectorised method equals the plain metric function it stands for (tested)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Optional

import numpy as np

from ..metrics.scripts import COMMON, MIXED, PARTIAL, char_category, char_script
from ..metrics.reachability import META_SPACE

# Flag bits of `vocab_facts`.
PRESENT, VALID, ASCII, LETTER, REACHES = 1, 2, 4, 8, 16


@dataclass
class TokenTable:
    vocab_size: int
    blob: bytes                            # every id's bytes, concatenated in id order
    offsets: np.ndarray                    # id i's bytes are blob[offsets[i]:offsets[i + 1]]
    flags: np.ndarray                      # PRESENT / VALID / ASCII / LETTER / REACHES bits per id
    special: frozenset[int]                # special and added tokens
    unk: frozenset[int]                    # the unknown token, where the model has one
    reach_known: bool = False              # the REACHES bit was computed (natively)
    script_codes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    script_labels: list[str] = field(default_factory=list)
    category_codes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    category_labels: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, tokenizer) -> "TokenTable":
        n = tokenizer.vocab_size
        facts = getattr(tokenizer, "vocab_facts", None)
        if facts is not None and getattr(tokenizer, "_core", None) is not None:
            blob, offsets, flags = facts()
            offsets = np.frombuffer(offsets, dtype="<u8").astype(np.int64)
            flags = np.frombuffer(flags, dtype=np.uint8).copy()
            reach_known = True
        else:
            blob, offsets, flags = _facts_in_python(tokenizer, n)
            reach_known = False
        if len(flags) < n:  # ids past the native table (none expected): holes
            missing = n - len(flags)
            flags = np.concatenate([flags, np.zeros(missing, np.uint8)])
            offsets = np.concatenate([offsets, np.full(missing, offsets[-1], np.int64)])
        flags, offsets = flags[:n], offsets[: n + 1]
        special = {int(i) for i in getattr(tokenizer, "special_tokens", {}).values()}
        special |= {int(i) for i in getattr(tokenizer, "added_tokens", {}).values()}
        unk_id = getattr(tokenizer, "unk_id", None)
        if unk_id is None:
            unk_id = getattr(getattr(tokenizer, "model", None), "unk_id", None)
        unk = frozenset([unk_id]) if isinstance(unk_id, int) else frozenset()
        t = cls(n, blob, offsets, flags, frozenset(i for i in special if 0 <= i < n), unk, reach_known)
        t._label_characters()
        return t

    def _label_characters(self) -> None:
        """Script and character category of every id: the characters are labelled here, by `metrics.scripts`
        (`char_script`, `char_category`), and combined per token natively (`_core.label_tokens`, held equal to
        `token_script` / `token_category` by the tests)."""
        from .. import _core

        offsets = self.offsets.astype("<u8").tobytes()
        chars = _core.vocab_chars(self.blob, offsets)
        script_labels, category_labels = list(_SCRIPT_FIXED), list(_CATEGORY_FIXED)
        script_index = {label: k for k, label in enumerate(script_labels)}
        category_index = {label: k for k, label in enumerate(category_labels)}
        script_of, category_of = [], []
        for ch in chars:
            for label, index, labels, out in ((char_script(ch), script_index, script_labels, script_of),
                                              (char_category(ch), category_index, category_labels, category_of)):
                code = index.get(label)
                if code is None:
                    code = index[label] = len(labels)
                    labels.append(label)
                out.append(code)
        scripts, categories = _core.label_tokens(self.blob, offsets, chars, script_of, category_of)
        self.script_codes = np.frombuffer(scripts, np.uint8).astype(np.int32)
        self.script_labels = script_labels
        self.category_codes = np.frombuffer(categories, np.uint8).astype(np.int32)
        self.category_labels = category_labels

    # -- per-id views ---------------------------------------------------------------------------------------------

    def bytes_of(self, i: int) -> bytes:
        return self.blob[self.offsets[i]:self.offsets[i + 1]]

    @cached_property
    def _offset_list(self) -> list[int]:
        return self.offsets.tolist()

    def pieces(self, ids) -> list[bytes]:
        """The bytes of each id of a sequence."""
        blob, offsets = self.blob, self._offset_list
        return [blob[offsets[i]:offsets[i + 1]] for i in ids]

    @cached_property
    def token_bytes(self) -> dict[int, bytes]:
        """{id: bytes} for every id that has bytes (holes left out): what the plain metric functions take."""
        blob, offsets = self.blob, self.offsets.tolist()
        return {i: blob[offsets[i]:offsets[i + 1]] for i in np.flatnonzero(self.flags & PRESENT).tolist()}

    @cached_property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    @cached_property
    def ordinary(self) -> np.ndarray:
        """Mask of the learned vocabulary: ids with bytes, special / added tokens left out."""
        mask = (self.flags & PRESENT).astype(bool)
        if self.special:
            mask[list(self.special)] = False
        return mask

    @property
    def ordinary_ids(self) -> list[int]:
        return np.flatnonzero(self.ordinary).tolist()

    @cached_property
    def partial(self) -> frozenset[int]:
        """Ids whose bytes are not valid UTF-8 alone."""
        return frozenset(np.flatnonzero((self.flags & (PRESENT | VALID)) == PRESENT).tolist())

    # -- vectorised metrics ---------------------------------------------------------------------------------------

    def length_distribution(self, weights: np.ndarray) -> dict[int, int]:
        """`vocabulary.length_distribution` with `weights` per id (an id histogram, or a 0/1 mask)."""
        weights = np.asarray(weights, dtype=np.int64)
        used = np.flatnonzero(weights)
        out = np.bincount(self.lengths[used], weights=weights[used]) if used.size else np.zeros(0)
        return {int(k): int(v) for k, v in enumerate(out.astype(np.int64)) if v}

    def script_distribution(self, weights: Optional[np.ndarray] = None) -> dict[str, int]:
        """`scripts.distribution` of the ids' scripts: each ordinary id once, or weighted by `weights`."""
        return _distribution(self.script_codes, self.script_labels,
                             self.ordinary.astype(np.int64) if weights is None else weights)

    def category_distribution(self, weights: np.ndarray) -> dict[str, int]:
        """`scripts.distribution` of the ids' character categories (`scripts.token_category`), weighted."""
        return _distribution(self.category_codes, self.category_labels, weights)

    def completeness(self) -> dict[str, int]:
        """`scripts.completeness` over the ordinary ids."""
        valid = int(np.count_nonzero(self.ordinary & (self.flags & VALID).astype(bool)))
        return {"complete": valid, "partial": int(np.count_nonzero(self.ordinary)) - valid}

    def undecodable(self) -> list[int]:
        """`reachability.undecodable_tokens` over the ordinary ids."""
        return np.flatnonzero(self.ordinary & ~(self.flags & VALID).astype(bool)).tolist()

    def unused(self, histogram: np.ndarray) -> list[int]:
        """`reachability.unused_tokens`: ordinary ids the histogram never counted."""
        counts = np.zeros(self.vocab_size, np.int64)
        counts[: min(len(histogram), self.vocab_size)] = histogram[: self.vocab_size]
        return np.flatnonzero(self.ordinary & (counts == 0)).tolist()

    @cached_property
    def marks_word_start(self) -> bool:
        """A SentencePiece-style vocabulary: over 5% of its ordinary ids start with "▁" (see reachability)."""
        ids = np.flatnonzero(self.ordinary & (self.lengths >= len(META_SPACE)))
        starts = np.frombuffer(self.blob, np.uint8)
        hits = np.ones(ids.size, bool)
        for k, byte in enumerate(META_SPACE):
            hits &= starts[self.offsets[ids] + k] == byte
        return int(hits.sum()) > 0.05 * max(int(np.count_nonzero(self.flags & PRESENT)), 1)

    def unreachable(self) -> Optional[list[int]]:
        """`reachability.unreachable_tokens` from the native REACHES flags, or None where they cannot stand in for
        it (no native table, or a word-start vocabulary whose check needs the decoder)."""
        if not self.reach_known or self.marks_word_start:
            return None
        flags = self.flags
        return np.flatnonzero(self.ordinary & ((flags & (VALID | REACHES)) == VALID)).tolist()


# Label codes with a fixed meaning in `_core.label_tokens` (the rest are numbered as characters bring them).
_SCRIPT_FIXED = (COMMON, PARTIAL, MIXED, "Inherited")
_CATEGORY_FIXED = ("partial", "mixed", "empty", "whitespace")


def _distribution(codes: np.ndarray, labels: list[str], weights) -> dict[str, int]:
    weights = np.asarray(weights, dtype=np.int64)[: codes.size]
    used = np.flatnonzero(weights)
    totals = np.bincount(codes[used], weights=weights[used], minlength=len(labels))
    out = {labels[k]: int(v) for k, v in enumerate(totals.astype(np.int64)) if v}
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


def _facts_in_python(tokenizer, n: int) -> tuple[bytes, np.ndarray, np.ndarray]:
    """`vocab_facts` without the reachability bit, for tokenizers with no native table."""
    parts: list[bytes] = []
    offsets = np.zeros(n + 1, np.int64)
    flags = np.zeros(n, np.uint8)
    pos = 0
    for i in range(n):
        try:
            data = tokenizer.id_to_bytes(i)
        except Exception:  # a hole in the id space
            data = None
        if data is not None:
            f = PRESENT | (ASCII if data.isascii() else 0) | (LETTER if any(c < 128 and chr(c).isalpha() for c in data) else 0)
            try:
                data.decode("utf-8")
                f |= VALID
            except UnicodeDecodeError:
                pass
            flags[i] = f
            parts.append(data)
            pos += len(data)
        offsets[i + 1] = pos
    return b"".join(parts), offsets, flags
