"""Token surfaces: the bytes of the text each token covers, needed wherever token boundaries are compared with
offsets in the text (morphological boundaries, robustness). Byte-level BPE tokens are their surface; SentencePiece
pieces write spaces as "▁" and may add a dummy leading space, which is undone here."""

from __future__ import annotations

from typing import Optional, Sequence

META_SPACE = "\u2581".encode("utf-8")


def align(pieces: Sequence[bytes], text: str) -> Optional[list[bytes]]:
    """`pieces` rewritten so that they concatenate to `text`'s UTF-8 bytes, or None when they cannot be.

    Tried in order: the pieces as they are; with "▁" read as a space; then with leading whitespace the tokenizer
    added (a dummy prefix) cut from the front."""
    target = text.encode("utf-8", "surrogatepass")
    if b"".join(pieces) == target:
        return list(pieces)
    spaced = [p.replace(META_SPACE, b" ") for p in pieces]
    joined = b"".join(spaced)
    if joined == target:
        return spaced
    extra = len(joined) - len(target)
    if extra > 0 and joined.endswith(target) and not joined[:extra].strip():
        out = []
        for p in spaced:
            cut = min(extra, len(p))
            extra -= cut
            out.append(p[cut:])
        return out
    return None
