"""Twin of the native SentencePiece normalizer (`rust/src/spm.rs`): the precompiled-charsmap lookup and SP's
whitespace rules, written plainly from SentencePiece's description.

A precompiled charsmap is a little-endian u32 (the trie's size in bytes), a Darts-clone double array of u32 units,
then NUL-terminated replacement strings. Walking the trie byte by byte over the input lists every rule that
matches a prefix; the longest one (among the first 32, as SP keeps no more) is applied.
"""

from __future__ import annotations

import struct
from typing import Optional, Sequence

SPACE_SYMBOL = "\u2581"
MAX_TRIE_RESULTS = 32


class Charsmap:
    def __init__(self, blob: bytes):
        if len(blob) <= 4:
            raise ValueError("precompiled charsmap is shorter than its header")
        (size,) = struct.unpack_from("<I", blob, 0)
        if size == 0 or size % 4 or 4 + size > len(blob):
            raise ValueError(f"precompiled charsmap declares a trie of {size} bytes in a blob of {len(blob)} bytes")
        self.units = list(struct.unpack_from(f"<{size // 4}I", blob, 4))
        self.replacements = blob[4 + size :]

    def longest_match(self, data: bytes, start: int = 0) -> Optional[tuple[int, str]]:
        """(bytes matched, replacement) of the longest rule matching a prefix of `data[start:]`."""
        units = self.units

        def offset(u: int) -> int:
            return (u >> 10) << ((u & (1 << 9)) >> 6)

        node = offset(units[0])
        matches: list[tuple[int, int]] = []
        for i in range(len(data) - start):
            c = data[start + i]
            node ^= c
            if node >= len(units):
                break
            unit = units[node]
            if unit & ((1 << 31) | 0xFF) != c:  # the label
                break
            node ^= offset(unit)
            if (unit >> 8) & 1:  # has a leaf: a rule ends here
                if node >= len(units):
                    break
                matches.append((i + 1, units[node] & 0x7FFFFFFF))
        matches = matches[:MAX_TRIE_RESULTS]
        if not matches:
            return None
        length, at = max(matches)
        end = self.replacements.find(b"\0", at)
        if at >= len(self.replacements) or end < 0:
            return None
        try:
            return length, self.replacements[at:end].decode("utf-8")
        except UnicodeDecodeError:
            return None


def normalize(
    text: str,
    *,
    charsmap: Optional[Charsmap] = None,
    add_dummy_prefix: bool = True,
    remove_extra_whitespaces: bool = True,
    escape_whitespaces: bool = True,
    treat_whitespace_as_suffix: bool = False,
    user_defined: Sequence[str] = (),
) -> str:
    """SentencePiece's `Normalizer::Normalize` (without the alignment it also records)."""
    data = text.encode("utf-8")
    by_length = sorted(user_defined, key=len, reverse=True)

    def prefix(pos: int) -> tuple[str, int]:
        """What the input at byte `pos` becomes, and how many bytes it consumes."""
        for sym in by_length:  # user-defined symbols pass through unnormalized, longest first
            raw = sym.encode("utf-8")
            if data.startswith(raw, pos):
                return sym, len(raw)
        if charsmap is not None:
            hit = charsmap.longest_match(data, pos)
            if hit is not None and (pos + hit[0] == len(data) or data[pos + hit[0]] & 0xC0 != 0x80):
                return hit[1], hit[0]
        n = 1
        while pos + n < len(data) and data[pos + n] & 0xC0 == 0x80:
            n += 1
        return data[pos : pos + n].decode("utf-8"), n

    pos = 0
    if remove_extra_whitespaces:
        while pos < len(data):
            rep, n = prefix(pos)
            if rep != " ":
                break
            pos += n
    if pos == len(data):
        return ""
    space = SPACE_SYMBOL if escape_whitespaces else " "
    out = []
    if add_dummy_prefix and not treat_whitespace_as_suffix:
        out.append(space)
    is_prev_space = remove_extra_whitespaces
    while pos < len(data):
        rep, n = prefix(pos)
        if is_prev_space:
            rep = rep.lstrip(" ")
        if rep:
            out.append(rep.replace(" ", SPACE_SYMBOL) if escape_whitespaces else rep)
            is_prev_space = rep.endswith(" ")
        pos += n
        if not remove_extra_whitespaces:
            is_prev_space = False
    result = "".join(out)
    if remove_extra_whitespaces:
        while result.endswith(space):
            result = result[: -len(space)]
    if add_dummy_prefix and treat_whitespace_as_suffix:
        result += space
    return result
