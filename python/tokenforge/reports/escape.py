"""Text to HTML/SVG that shows exactly what it holds: tokens carry `<`, `&`, quotes, NUL, lone surrogates and
right-to-left text, and none of that may change the page's structure, break UTF-8 output or reorder its layout."""

from __future__ import annotations

import html
import re

# Characters a browser would drop, replace or refuse (C0/C1 controls other than tab and newline, lone surrogates,
# noncharacters) or that would silently reorder the text around them (bidi embeddings, overrides, isolates):
# shown as a visible escape instead.
_NONCHARACTERS = "".join(
    f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000)
)
_HIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufdd0-\ufdef" + re.escape(_NONCHARACTERS) + "]"
)

# Unicode isolates: the text inside keeps its own direction without reordering what is around it.
FSI, PDI = "\u2068", "\u2069"


def _escape_char(match: "re.Match[str]") -> str:
    cp = ord(match.group())
    return f"\\x{cp:02x}" if cp <= 0xFF else f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"


def visible(text: str) -> str:
    """`text` with every hidden character (see `_HIDDEN`) written as a Python-style escape, e.g. NUL -> `\\x00`."""
    return _HIDDEN.sub(_escape_char, text)


def esc(value: object) -> str:
    """Text content or attribute value: visible, then `& < > " '` escaped."""
    return html.escape(visible(str(value)), quote=True)


def bidi_html(value: object) -> str:
    """Escaped text isolated in `<bdi>`, so right-to-left tokens cannot reorder the cells around them."""
    return f"<bdi>{esc(value)}</bdi>"


def bidi_svg(value: object) -> str:
    """Escaped SVG text wrapped in Unicode isolates (SVG text has no `<bdi>`)."""
    return f"{FSI}{esc(value)}{PDI}"
