"""Where running text may be cut so that a tokenizer gives the same tokens for the pieces as for the whole.

`count` streams a big file through the tokenizer piece by piece; that is exact only at such cuts. Two rules hold
for the named GPT-style patterns (r50k/gpt2, cl100k, o200k, qwen2: those with a native scanner), which have no
lookbehind, so the pieces after a cut match as they would from the start of a string:

- newline rule: cut at k where text[k-1] is "\\n", text[k-2] is not whitespace and text[k] is an ASCII letter or
  digit. (The newline must be a whitespace run of its own: at the end of a piece, `\\s++$` would take a longer run
  such as "\\n\\n" as one pre-token, where the whole text gives "\\n" + "\\n".)
- letter rule: cut at k where text[k-1] and text[k+1] are letters (str.isalpha, i.e. \\p{L}) and text[k] is " ":
  no pre-token runs from a letter into the space after it, and " word" starts a pre-token of its own.

`SafeSplitter` finds such cuts in a stream, scanning each character once (linear time), and holds at most about
`SPLIT_CAP_CHARS` characters: text with no safe cut at all (one long CJK line) is cut anyway at the cap, and the
caller is told, since the count may then differ by a few tokens.
"""

from __future__ import annotations

import re
from typing import Iterator

from ..corpus.splitting import cut_point
from ..tokenizers.tokenizer import Tokenizer

# A pending stretch without a safe cut is cut anyway beyond this many characters (bounded memory).
SPLIT_CAP_CHARS = 16 << 20

# Both rules' three-character windows, searched in the *reversed* text so that the first match is the last cut.
# Reversed, the newline rule reads [A-Za-z0-9] "\n" \S; the letter rule is symmetric. [^\W\d_] is a superset of
# str.isalpha (it also takes numerals such as "½"), so a letter-rule match is checked with isalpha.
_REVERSED_WINDOWS = re.compile(r"(?P<nl>[A-Za-z0-9]\n\S)|(?P<sp>[^\W\d_] [^\W\d_])")


def last_safe_cut(text: str, start: int = 0) -> int:
    """A safe cut k (0 < k < len(text)) whose rule window lies in text[start:], as late as possible; 0 if none."""
    n = len(text)
    if n - start < 3:
        return 0
    reversed_text = text[start:][::-1]
    pos = 0
    while True:
        m = _REVERSED_WINDOWS.search(reversed_text, pos)
        if m is None:
            return 0
        i = m.start()
        if m.lastgroup == "nl":
            return n - 1 - i
        k = n - 2 - i
        if text[k - 1].isalpha() and text[k + 1].isalpha():
            return k
        pos = i + 1


def can_split(tok) -> bool:
    """Whether `tok` tokenizes text cut at `last_safe_cut` points the same as the whole text: a plain pipeline with
    a named GPT pattern, no normalizer (NFC/NFKC can join characters across a cut), no special or added token
    holding whitespace (it could straddle a cut), no cross-pretoken merges (BoundlessBPE), and a deterministic
    method (random methods draw afresh for each text)."""
    if type(tok) is not Tokenizer:  # SentencePiece adds a prefix per text; multi-word models span pretokens
        return False
    if tok.pretokenizer.scanner is None or tok.normalizer:
        return False
    if getattr(tok.model, "supermerges", None):
        return False
    if any(ch.isspace() for t in (*tok.special_tokens, *tok.added_tokens) for ch in t):
        return False
    options = tok.method_options
    return not (tok.method == "sample" or options.get("dropout") or options.get("tie_break") == "random")


class SafeSplitter:
    """Cuts a stream of text (`feed` blocks, then `finish`) into pieces at safe cuts, in linear time and about
    `cap` characters of memory. `forced_cuts` counts the cuts made at the cap where no safe cut was found."""

    def __init__(self, cap: int | None = None):
        self.cap = SPLIT_CAP_CHARS if cap is None else cap
        self.pending = ""
        self.scanned = 0  # rule windows starting before scanned - 2 were already searched
        self.forced_cuts = 0

    def feed(self, text: str) -> Iterator[str]:
        self.pending += text
        cut = last_safe_cut(self.pending, max(self.scanned - 2, 0))
        self.scanned = len(self.pending)
        if cut:
            yield from self._give(cut)
        while len(self.pending) > self.cap:
            self.forced_cuts += 1
            yield from self._give(cut_point(self.pending, self.cap))  # before a space if any

    def finish(self) -> Iterator[str]:
        if self.pending:
            yield from self._give(len(self.pending))

    def _give(self, cut: int) -> Iterator[str]:
        piece, self.pending = self.pending[:cut], self.pending[cut:]
        self.scanned = max(self.scanned - cut, 0)
        yield piece
