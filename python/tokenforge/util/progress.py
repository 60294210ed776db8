"""Progress for long work: one status line on stderr, rewritten in place, shown only on a terminal.

Callers decide *whether* to show progress (a TTY and no --quiet); these classes only say what to show.
"""

from __future__ import annotations

import sys
import time
from typing import Optional, TextIO


class ProgressLine:
    """A status line rewritten with a carriage return; `close` ends it with a newline."""

    def __init__(self, stream: Optional[TextIO] = None):
        self.stream = stream if stream is not None else sys.stderr
        self.start = time.monotonic()

    @property
    def elapsed(self) -> float:
        return max(time.monotonic() - self.start, 1e-9)

    def show(self, text: str) -> None:
        self.stream.write(f"\r{text}   ")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


class CountingProgress(ProgressLine):
    """`progress(records, chars, distinct)` of corpus counting."""

    def __call__(self, records: int, chars: int, distinct: int) -> None:
        self.show(f"counting: {records:,} records, {chars / 1e6:,.1f}M chars, {distinct:,} distinct pretokens, "
                  f"{chars / 1e6 / self.elapsed:,.1f}M chars/s")


class MergeProgress(ProgressLine):
    """`progress(merges, new_tokens, wanted)` of the merge engine, with an ETA."""

    def __call__(self, merges: int, new_tokens: int, wanted: int) -> None:
        share = new_tokens / wanted if wanted else 1.0
        self.show(f"merges: {merges:,} merges, {new_tokens:,}/{wanted:,} new tokens ({share:5.1%}), "
                  f"{self.elapsed:5.1f}s elapsed, ETA {eta(self.elapsed, share)}")


class ReadingProgress(ProgressLine):
    """`progress(done, total, lexicon)` of LiB's reading passes (pure Python, so it can run for minutes)."""

    def __call__(self, done: int, total: int, lexicon: int) -> None:
        share = done / total if total else 1.0
        self.show(f"LiB: {done:,}/{total:,} sentences read ({share:5.1%}), lexicon {lexicon:,} units, "
                  f"{self.elapsed:5.1f}s elapsed, ETA {eta(self.elapsed, share)}")


def eta(elapsed: float, share: float) -> str:
    """Time left at the rate so far, given the share done: never negative (a share past 1 or rounding would print
    "-0.0s"), "?" before anything is done."""
    if share <= 0:
        return "?"
    return f"{max(0.0, elapsed / share - elapsed):5.1f}s"
