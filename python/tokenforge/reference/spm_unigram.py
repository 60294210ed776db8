"""Twin of the native SentencePiece Unigram encode (`viterbi_sp` in rust/src/lattice.rs), written plainly from
SentencePiece's description of its (default, "optimized") Unigram encoder.

The normalized text (SP's normalizer: `spm_bpe.sp_normalize`) is one lattice over UTF-8 byte offsets. At each
character, every piece that starts there is an edge (NORMAL and USER_DEFINED pieces; CONTROL, UNUSED, UNKNOWN and
BYTE pieces never match text), shortest first; if none of them is exactly that one character, an unknown edge over
the character follows. For each end offset the best path score is an f32 sum, replaced only by a strictly higher
candidate. Scores: a piece's own (f32); unknown: the lowest NORMAL score minus 10; a user-defined piece of n bytes:
`n * max_score - 0.1` rounded to f32 (max_score: the highest NORMAL score, at least FLT_MIN). When the score at a
start offset is below -1e5, it is subtracted from every best score already set from there on (SP keeps long sums
small this way; measured against the library, as it decides near-ties). The best path into the end is read back;
an unknown edge becomes its UTF-8 byte pieces with byte fallback, otherwise the unknown id, consecutive ones as one.
"""

from __future__ import annotations

import struct

from ..formats.sentencepiece.model import BYTE, NORMAL, UNKNOWN, USER_DEFINED, SentencePieceModel
from .spm_bpe import sp_normalize

FLT_MIN, FLT_MAX = 1.1754943508222875e-38, 3.4028234663852886e38
REBASE_BELOW = -1e5


def f32(x: float) -> float:
    """`x` rounded to the nearest IEEE single (the sum of two singles computed in double, then rounded, is the
    single-precision sum: double rounding is innocuous for one addition)."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def char_len(lead: int) -> int:
    return 1 if lead < 0x80 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4


def viterbi(model: SentencePieceModel, normalized: str) -> list[tuple[int, int, int]]:
    """The best path as (start, end, id) byte spans of the normalized text; id -1 for an unknown edge."""
    pieces = {p.piece.encode("utf-8"): (i, p.type) for i, p in enumerate(model.pieces)
              if p.type in (NORMAL, USER_DEFINED)}
    normal = [p.score for p in model.pieces if p.type == NORMAL]
    unk_score = f32(min([FLT_MAX, *normal]) - 10.0)
    max_score = max([FLT_MIN, *normal])
    longest = max([4, *(len(k) for k in pieces)])  # the longest edge: a piece, or a 4-byte unknown character
    data = normalized.encode("utf-8")
    n = len(data)
    best: list[float] = [0.0] * (n + 1)
    back: list[tuple[int, int] | None] = [None] * (n + 1)  # (start, id)
    i = 0
    while i < n:
        if best[i] < REBASE_BELOW:
            base = best[i]
            for j in range(i, min(n, i + longest) + 1):
                if j == i or back[j] is not None:
                    best[j] = f32(best[j] - base)
        width = min(char_len(data[i]), n - i)
        here = best[i]
        single = False
        for end in range(i + 1, min(n, i + longest) + 1):
            hit = pieces.get(data[i:end])
            if hit is None:
                continue
            pid, kind = hit
            score = f32(f32((end - i) * max_score) - 0.1) if kind == USER_DEFINED else model.pieces[pid].score
            candidate = f32(here + score)
            if back[end] is None or candidate > best[end]:
                best[end], back[end] = candidate, (i, pid)
            single = single or end - i == width
        if not single:
            end = i + width
            candidate = f32(here + unk_score)
            if back[end] is None or candidate > best[end]:
                best[end], back[end] = candidate, (i, -1)
        i += width
    path = []
    j = n
    while j > 0:
        start, pid = back[j]
        path.append((start, j, pid))
        j = start
    return path[::-1]


def encode(model: SentencePieceModel, text: str) -> list[int]:
    """What `SentencePieceTokenizer.encode(text)` must return for a Unigram model."""
    normalized = sp_normalize(model, text)
    data = normalized.encode("utf-8")
    byte_ids = {int(p.piece[3:5], 16): i for i, p in enumerate(model.pieces) if p.type == BYTE}
    unk = next(i for i, p in enumerate(model.pieces) if p.type == UNKNOWN)
    out: list[int] = []
    prev_unknown = False
    for start, end, pid in viterbi(model, normalized):
        if pid >= 0:
            out.append(pid)
        elif model.trainer_spec.byte_fallback:
            out.extend(byte_ids[b] for b in data[start:end])
        elif not prev_unknown:
            out.append(unk)
        prev_unknown = pid < 0
    return out
