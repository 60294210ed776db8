"""Robustness: token-boundary stability between clean text and the same text with synthetic OCR / typo noise.

KL3M (Bommarito et al. 2025, "KL3M Tokenizers: A Family of Domain-Specific and Character-Level Tokenizers for Legal,
Financial, and Preprocessing Applications") argues that a good tokenizer for correction tasks keeps token boundaries
consistent between error-containing and correct text. Here the noise substitutes characters one for one (OCR
confusions such as l/1, O/0, e/c, m/n, or a letter drawn from the same text), so
character offsets line up and boundaries can be compared position by position (insertions and deletions such as
rn -> m are not generated):
stability = |B_clean & B_noisy| / |B_clean | B_noisy| (Jaccard of the sets of internal boundary offsets).
"""

from __future__ import annotations

import random
from typing import AbstractSet, Optional, Sequence

import numpy as np

from ..errors import ConfigError
from ._util import ratio

# Single-character OCR confusions, both directions where they make sense.
OCR_CONFUSIONS = {
    "l": "1I|", "1": "lI", "I": "l1", "O": "0Q", "0": "OD", "o": "0ce", "e": "co", "c": "eo", "a": "o@",
    "m": "n", "n": "mr", "r": "n", "h": "b", "b": "h6", "6": "b", "S": "5$", "5": "S", "B": "8", "8": "B",
    "g": "q9", "q": "g", "u": "v", "v": "u", "i": "l!", "t": "f", "f": "t", "Z": "2", "2": "Z",
}


def add_noise(text: str, rate: float, seed: int) -> str:
    """`text` with about `rate` of its letters and digits replaced, deterministically for a given seed: an OCR
    confusion when the character has one, else (any script) another letter of the same text. Length is kept."""
    if not 0 <= rate <= 1:
        raise ConfigError(f"noise rate must be within [0, 1], got {rate}")
    rng = random.Random(seed)
    letters = sorted({ch for ch in text if ch.isalnum()})
    out = list(text)
    for k, ch in enumerate(out):
        if not ch.isalnum() or rng.random() >= rate:
            continue
        options = OCR_CONFUSIONS.get(ch) or "".join(c for c in letters if c != ch)
        if options:
            out[k] = rng.choice(options)
    return "".join(out)


def boundaries(token_bytes: Sequence[bytes], text: str) -> set[float]:
    """Internal token boundaries of `text`'s tokens as character offsets; a boundary inside a multi-byte character
    (byte-level tokens) is placed at that character's offset + 0.5, so it only matches the same cut."""
    if text.isascii():  # one byte per character: byte offsets are character offsets
        out: set[float] = set()
        pos, total = 0, len(text)
        for t in token_bytes:
            pos += len(t)
            if 0 < pos < total:
                out.add(float(pos))
        return out
    raw_to_char: dict[int, float] = {}
    b = 0
    for ci, ch in enumerate(text):
        n = len(ch.encode("utf-8"))
        raw_to_char[b] = float(ci)
        for extra in range(1, n):
            raw_to_char[b + extra] = ci + 0.5
        b += n
    total = b
    out: set[float] = set()
    pos = 0
    for t in token_bytes:
        pos += len(t)
        if 0 < pos < total:
            out.add(raw_to_char[pos])
    return out


def boundaries_from_lengths(lengths: "np.ndarray", text: str) -> set[float]:
    """`boundaries` from the tokens' byte lengths alone (they must spell `text`'s UTF-8 in order), vectorised."""
    cuts = np.cumsum(np.asarray(lengths, dtype=np.int64))[:-1]
    ascii_text = text.isascii()  # one byte per character: byte offsets are character offsets
    raw_len = len(text) if ascii_text else len(text.encode("utf-8"))
    cuts = cuts[(cuts > 0) & (cuts < raw_len)]
    if ascii_text:
        return set(cuts.astype(np.float64).tolist())
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    widths = 1 + (points >= 0x80).astype(np.int64) + (points >= 0x800) + (points >= 0x10000)
    starts = np.concatenate(([0], np.cumsum(widths)[:-1]))
    char = np.searchsorted(starts, cuts, side="right") - 1
    return set(np.where(starts[char] == cuts, char, char + 0.5).astype(np.float64).tolist())


def boundary_stability(clean: AbstractSet[float], noisy: AbstractSet[float]) -> Optional[float]:
    """Jaccard overlap of two boundary sets: 1.0 = the noise moved no boundary."""
    if not clean and not noisy:
        return 1.0
    return ratio(len(clean & noisy), len(clean | noisy))


def token_inflation(clean_tokens: int, noisy_tokens: int) -> Optional[float]:
    """Noisy token count over clean token count: how much more the noisy text costs."""
    return ratio(noisy_tokens, clean_tokens)


def pooled_stability(pairs: "Sequence[tuple[AbstractSet[float], AbstractSet[float]]]") -> Optional[float]:
    """Boundary stability over many texts, pooled: sum |clean & noisy| / sum |clean | noisy|."""
    inter = union = 0
    for clean, noisy in pairs:
        inter += len(clean & noisy)
        union += len(clean | noisy)
    return 1.0 if union == 0 and pairs else ratio(inter, union)
