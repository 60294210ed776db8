"""OpenAI encodings recognised by the SHA-256 of their rank file, as tiktoken's own registry recognises them.

A `.tiktoken` file whose hash is listed here gets its pattern and special tokens without a sidecar file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ...pipeline.pretokenizers import CL100K_PATTERN, O200K_PATTERN, R50K_PATTERN

ENDOFTEXT = "<|endoftext|>"


@dataclass(frozen=True)
class KnownEncoding:
    name: str
    sha256: str
    pattern: str
    special_tokens: dict[str, int] = field(default_factory=dict)
    explicit_n_vocab: Optional[int] = None


KNOWN_ENCODINGS: tuple[KnownEncoding, ...] = (
    KnownEncoding(
        "r50k_base",
        "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
        R50K_PATTERN,
        {ENDOFTEXT: 50256},
        50257,
    ),
    # p50k_edit shares this rank file; the plain encoding is the one a bare file means.
    KnownEncoding(
        "p50k_base",
        "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
        R50K_PATTERN,
        {ENDOFTEXT: 50256},
        50281,
    ),
    KnownEncoding(
        "cl100k_base",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        CL100K_PATTERN,
        {
            ENDOFTEXT: 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            "<|endofprompt|>": 100276,
        },
    ),
    KnownEncoding(
        "o200k_base",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        O200K_PATTERN,
        {ENDOFTEXT: 199999, "<|endofprompt|>": 200018},
    ),
)


def by_sha256(digest: str) -> Optional[KnownEncoding]:
    for enc in KNOWN_ENCODINGS:
        if enc.sha256 == digest:
            return enc
    return None
