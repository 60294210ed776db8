"""Numbers in tokenizer.json as HF `tokenizers` reads them.

`tokenizers` parses JSON with serde_json's default "best-effort" float parser: the digits are gathered into a
u64, converted to f64, then divided (or multiplied) once by a power of ten. Where the digits need more than 53 bits
that rounds twice, and about a quarter of a Unigram file's 17-digit scores come out one ULP away from the correctly
rounded value Python's `json` gives. Unigram's Viterbi compares sums of those scores, so on permutations of the same
pieces (equal in exact arithmetic) the ULPs decide: reading scores as serde does is what makes our ids HF's ids.
"""

from __future__ import annotations

import json
from typing import Any

_U64 = 2**64 - 1
_POW10 = [float(10**k) for k in range(309)]


def serde_f64(text: str) -> float:
    """The f64 serde_json (without `float_roundtrip`) reads from a JSON number."""
    i, n = 0, len(text)
    positive = True
    if text[0] == "-":
        positive, i = False, 1
    significand, exponent, full = 0, 0, False

    def push(digit: int) -> bool:
        nonlocal significand
        if significand >= _U64 // 10 and (significand > _U64 // 10 or digit > _U64 % 10):
            return False
        significand = significand * 10 + digit
        return True

    while i < n and text[i].isdigit():  # integer part: digits past u64 only scale
        if full or not push(int(text[i])):
            full = True
            exponent += 1
        i += 1
    if i < n and text[i] == ".":  # fraction: digits past u64 are dropped
        i += 1
        while i < n and text[i].isdigit():
            if not full and push(int(text[i])):
                exponent -= 1
            else:
                full = True
            i += 1
    if i < n and text[i] in "eE":
        exponent += int(text[i + 1 :])
    f = float(significand)
    while True:
        k = abs(exponent)
        if k < len(_POW10):
            f = f * _POW10[k] if exponent >= 0 else f / _POW10[k]
            break
        if f == 0.0:
            break
        f /= 1e308
        exponent += 308
    return f if positive else -f


def loads_like_serde(data: "bytes | str") -> Any:
    """`json.loads` with floats read as HF reads them."""
    if isinstance(data, bytes):
        data = data.decode("utf-8")
    return json.loads(data, parse_float=serde_f64)


def dumps_float(x: float) -> str:
    """A spelling of `x` that serde_json reads back as exactly `x` (Python's shortest repr usually is; where its
    17 digits would round twice in serde, a longer spelling that does not)."""
    text = repr(float(x))
    if serde_f64(text) == x:
        return text
    for digits in (17, 18, 19, 16):
        candidate = format(x, f".{digits}g")
        if serde_f64(candidate) == x:
            return candidate
    # Digits d with float(d) / 10**k == |x|: try the floats next to |x| * 10**k (integers, past 2**53).
    import math

    sign = "-" if x < 0 else ""
    if x == 0 or not math.isfinite(x):
        return text
    lowest = 15 - math.floor(math.log10(abs(x)))  # |x| * 10**k from about 1e15 up to u64's 1.8e19
    for k in range(max(lowest, 0), min(lowest + 5, len(_POW10))):
        f = float(abs(x)) * _POW10[k]
        for _ in range(16):
            f = math.nextafter(f, 0.0)
        for _ in range(33):
            digits = int(f)
            if 0 < digits <= _U64 and float(digits) / _POW10[k] == abs(x):
                whole, frac = divmod(digits, 10**k)
                candidate = f"{sign}{whole}.{frac:0{k}d}"
                if serde_f64(candidate) == x:
                    return candidate
            f = math.nextafter(f, math.inf)
    return text
