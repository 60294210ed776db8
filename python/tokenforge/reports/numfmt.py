"""Numbers as a person reads them in a table or on an axis: thousands separated, a few significant digits."""

from __future__ import annotations

import math


def format_number(value: object) -> str:
    """A table cell's number: ints exact with separators; floats to about four significant digits."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}"
    if not isinstance(value, float):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    magnitude = abs(value)
    if magnitude == 0:
        return "0"
    if magnitude >= 1e15 or magnitude < 1e-4:
        return f"{value:.3e}"
    if magnitude >= 1000:
        return f"{value:,.0f}"
    decimals = 3 - int(math.floor(math.log10(magnitude)))  # four significant digits
    text = f"{value:.{max(decimals, 0)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def nice_ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten) covering [lo, hi] with about `target` intervals."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError("axis range must be finite")
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        pad = abs(lo) * 0.5 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi / 2 - lo / 2) / (max(target, 1) / 2)  # halves: hi - lo can overflow for finite hi, lo
    if raw < 1e-300:  # a range so narrow (subnormal) that powers of ten underflow: widen it
        return nice_ticks(lo - 1e-300, hi + 1e-300, target) if hi - lo < 1e-300 else [lo, hi]
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))
    first = math.floor(lo / step + 1e-9)
    last = math.ceil(hi / step - 1e-9)
    return [float(f"{k * step:.12g}") for k in range(first, last + 1)]  # 0.30000000000000004 -> 0.3


def format_tick(value: float, ticks: list[float]) -> str:
    """An axis label with just the decimals the tick step needs (0.5 steps: one decimal; 2000 steps: none)."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else abs(value) or 1.0
    if abs(value) >= 1e9 or step < 1e-4:
        return f"{value:.3g}"
    decimals = max(0, -int(math.floor(math.log10(step) + 1e-9)))
    return f"{value:,.{decimals}f}".replace("-", "−")
