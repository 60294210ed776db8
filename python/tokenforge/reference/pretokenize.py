"""Reference pre-tokenizer: the pattern itself, run by the `regex` module (the definition the scanners must meet)."""

from __future__ import annotations

from functools import lru_cache

import regex


@lru_cache(maxsize=32)
def _compiled(pattern: str) -> "regex.Pattern[str]":
    return regex.compile(pattern)


def pretokenize(text: str, pattern: str, emit_gaps: bool = True) -> list[str]:
    """Pieces of `text`: every match, plus (with `emit_gaps`) the unmatched text between matches."""
    pieces: list[str] = []
    last = 0
    for m in _compiled(pattern).finditer(text):
        if m.start() == m.end():
            continue
        if emit_gaps and m.start() > last:
            pieces.append(text[last : m.start()])
        pieces.append(m.group())
        last = m.end()
    if emit_gaps and last < len(text):
        pieces.append(text[last:])
    return pieces
