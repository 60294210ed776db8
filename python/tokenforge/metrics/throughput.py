"""Throughput: megabytes (10^6 bytes of UTF-8 text) encoded per second of wall-clock time."""

from __future__ import annotations

from typing import Optional

from ._util import ratio


def throughput_mb_s(n_bytes: int, seconds: float) -> Optional[float]:
    """n_bytes / 10^6 / seconds; None when no time was measured."""
    return ratio(n_bytes / 1e6, seconds) if seconds > 0 else None
