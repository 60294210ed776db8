"""Cutting over-long records into pieces, so one huge line cannot exhaust memory or stall a worker."""

from __future__ import annotations

from typing import Iterator

# Whitespace we look for when choosing a cut (str.rfind on each is fast; the rare others fall back to a hard cut).
_CUT_CHARS = ("\n", " ", "\t", "\r", "\u3000", "\xa0")


def cut_point(text: str, max_chars: int, start: int = 0) -> int:
    """Where to cut `text[start:]` (longer than `max_chars`) so the piece `text[start:cut]` has at most `max_chars`
    characters.

    The cut goes just *before* the last whitespace character in the second half of the window: GPT-style
    patterns attach a space to the word after it (" word"), so the next piece starts the way the word did.
    With no whitespace there (a long run of CJK or `"a" * 10**6`), the cut is hard at `max_chars`.
    """
    low = start + max(1, max_chars // 2)
    end = start + max_chars
    best = -1
    for ch in _CUT_CHARS:
        at = text.rfind(ch, low, end)
        if at > best:
            best = at
    return best if best >= low else end


def split_record(text: str, max_chars: int) -> Iterator[str]:
    """`text` itself, or pieces of at most `max_chars` characters that concatenate back to it."""
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    if len(text) <= max_chars:
        if text:
            yield text
        return
    start = 0
    while len(text) - start > max_chars:
        at = cut_point(text, max_chars, start)
        yield text[start:at]
        start = at
    if start < len(text):
        yield text[start:]
