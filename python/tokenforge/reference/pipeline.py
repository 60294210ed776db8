"""Reference encode of a whole tokenizer: special tokens, normalizer, pre-tokenizer, BPE — all in Python."""

from __future__ import annotations

from typing import Collection, Union

from .bpe import encode_piece, merge_ranks
from .pretokenize import pretokenize


def _split_specials(text: str, tokens: dict[str, int]) -> list[Union[str, int]]:
    """Leftmost-longest occurrences of `tokens` become ids; the text between stays text."""
    out: list[Union[str, int]] = []
    i = last = 0
    ordered = sorted(tokens, key=len, reverse=True)
    while i < len(text):
        hit = next((t for t in ordered if text.startswith(t, i)), None)
        if hit is None:
            i += 1
            continue
        out.append(text[last:i])
        out.append(tokens[hit])
        i = last = i + len(hit)
    out.append(text[last:])
    return out


def encode(tokenizer, text: str, allowed_special: Collection[str] = ()) -> list[int]:
    """What `tokenizer.encode(text, allowed_special=..., disallowed_special=())` must return."""
    model = tokenizer.model
    ranks = merge_ranks(model)
    recognised = {t: i for t, i in tokenizer.special_tokens.items() if t in allowed_special}
    recognised.update(tokenizer.added_tokens)
    ids: list[int] = []
    for segment in _split_specials(text, recognised):
        if isinstance(segment, int):
            ids.append(segment)
            continue
        normalized = tokenizer.normalizer(segment)
        if tokenizer.pretokenizer.pattern is None:
            pieces = [normalized] if normalized else []
        else:
            pieces = pretokenize(normalized, tokenizer.pretokenizer.pattern, tokenizer.pretokenizer.emit_gaps)
        for piece in pieces:
            ids.extend(encode_piece(model, piece.encode("utf-8"), ranks))
    return ids
