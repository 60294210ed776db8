"""Reference twin of `_core.NgramMatcher`: multi-word tokens matched greedily (leftmost, longest) over a list of
pretokens, by looking every candidate length up in a dict."""

from __future__ import annotations

from typing import Sequence


def find_ngrams(table: dict[tuple[str, ...], int], pieces: Sequence[str]) -> list[tuple[int, int, int]]:
    """(first piece, number of pieces, id) of each match, in order."""
    longest = max((len(k) for k in table), default=0)
    out, i = [], 0
    while i < len(pieces):
        for n in range(min(longest, len(pieces) - i), 0, -1):
            token = table.get(tuple(pieces[i : i + n]))
            if token is not None:
                out.append((i, n, token))
                i += n
                break
        else:
            i += 1
    return out
