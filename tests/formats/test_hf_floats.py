"""tokenizer.json numbers as HF `tokenizers` reads them (serde_json's best-effort parser): our emulation equals
what `tokenizers` holds in memory (read back through its own `to_str`, which prints shortest round-trip floats),
and the spellings we write are read back by it as exactly our floats."""

from __future__ import annotations

import json
import random

import pytest

from tokenforge.formats.hf.floats import dumps_float, serde_f64


def hf_reads(spellings: list[str]) -> list[float]:
    """The scores `tokenizers` holds after reading a Unigram file whose scores are spelled as given."""
    from tokenizers import Tokenizer

    vocab = ",".join(f'["p{k}", {s}]' for k, s in enumerate(spellings))
    text = '{"version": "1.0", "model": {"type": "Unigram", "unk_id": null, "vocab": [%s], "byte_fallback": false}}' % vocab
    return [s for _, s in json.loads(Tokenizer.from_str(text).to_str())["model"]["vocab"]]


def random_scores(n: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    out = [-rng.uniform(0, 20) for _ in range(n)]
    out += [-rng.expovariate(1.0) * 10 ** rng.randint(-12, 3) for _ in range(n)]
    out += [0.0, -0.0, -1e-300, -123456789.0, -5e-324, -1e300]
    return out


@pytest.mark.parametrize("fmt", ["repr", ".17g", ".15g", ".20f", ".12e"])
def test_serde_emulation_equals_tokenizers(fmt):
    xs = random_scores(3000, seed=hash(fmt) & 0xFFFF)
    spellings = [repr(x) if fmt == "repr" else format(x, fmt) for x in xs]
    assert [serde_f64(s) for s in spellings] == hf_reads(spellings)


def test_emulation_is_not_python_parsing():
    """The point of it: on 17-digit scores, serde and Python's correctly rounded parse differ."""
    xs = random_scores(3000, seed=1)
    assert sum(serde_f64(repr(x)) != x for x in xs) > 100


def test_written_scores_are_read_back_exactly():
    xs = random_scores(3000, seed=2)
    spellings = [dumps_float(x) for x in xs]
    back = hf_reads(spellings)
    exact = [serde_f64(s) == x for s, x in zip(spellings, xs)]
    assert all(b == x for b, x, ok in zip(back, xs, exact) if ok)
    # A few floats have no spelling serde reads exactly (their digits need more than 64 bits): rare.
    assert sum(not ok for ok in exact) <= len(xs) // 500
