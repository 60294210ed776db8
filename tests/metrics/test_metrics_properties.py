"""Properties every metric must keep on arbitrary input (hypothesis), and the evaluator's fast path held equal to a
slow, obvious computation on real text."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tokenforge
from tokenforge.evaluation import evaluate
from tokenforge.metrics import allocation, entropy, parity, robustness, surface

ROOT = Path(__file__).resolve().parents[2]  # the repository
GPT2_SMALL = tokenforge.load(ROOT / "examples" / "gpt2-small.tiktoken")

counts_st = st.dictionaries(st.integers(0, 50), st.integers(0, 1000), min_size=1, max_size=30)


@given(st.text(max_size=200), st.floats(0, 1), st.integers(0, 2**32))
def test_noise_keeps_length_and_non_alphanumerics(text, rate, seed):
    noisy = robustness.add_noise(text, rate, seed)
    assert len(noisy) == len(text)
    assert all(a == b for a, b in zip(noisy, text) if not b.isalnum())
    assert noisy == robustness.add_noise(text, rate, seed)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=120))
def test_byte_level_boundaries_lie_inside_the_text(text):
    ids = GPT2_SMALL.encode(text, disallowed_special=())
    pieces = surface.align([GPT2_SMALL.id_to_bytes(i) for i in ids], text)
    assert pieces is not None and b"".join(pieces) == text.encode("utf-8", "surrogatepass")
    cuts = robustness.boundaries(pieces, text)
    assert len(cuts) <= max(len(ids) - 1, 0)
    assert all(0 <= c < len(text) for c in cuts)


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=40))
def test_gini_range(values):
    g = parity.gini(values)
    assert 0.0 <= g < 1.0 + 1e-12
    assert parity.gini([v * 3 for v in values]) == pytest.approx(g)  # scale free


@given(counts_st, counts_st)
def test_jsd_symmetric_and_bounded(p, q):
    a, b = allocation.jensen_shannon(p, q), allocation.jensen_shannon(q, p)
    if a is None:
        assert b is None
    else:
        assert 0.0 <= a <= 1.0 and a == pytest.approx(b, abs=1e-12)


@given(counts_st)
def test_renyi_bounds_and_order(counts):
    support = sum(1 for c in counts.values() if c)
    if not support:
        assert entropy.shannon_entropy(counts) is None
        return
    values = [entropy.renyi_entropy(counts, a) for a in (0, 0.5, 1, 2, 2.5, 10, math.inf)]
    assert values[0] == pytest.approx(math.log2(support))
    for hi, lo in zip(values, values[1:]):  # Rényi entropy does not grow with the order
        assert lo <= hi + 1e-9
    assert values[-1] >= -1e-12


def test_evaluator_matches_a_slow_count_on_real_text():
    text = (ROOT / "examples" / "udhr-en.txt").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    slow = Counter()
    for line in lines:  # the obvious way: encode each record, count ids
        slow.update(GPT2_SMALL.encode(line, disallowed_special=()))
    n = sum(slow.values())
    shannon = -sum(c / n * math.log2(c / n) for c in slow.values())
    m = evaluate({"g": GPT2_SMALL}, tokenforge.Texts(lines), progress=False, chunk_chars=5000)["metrics"]["g"]
    assert m["tokens"] == n
    assert m["shannon_entropy"] == pytest.approx(shannon)
    assert m["vocab_utilisation"] == pytest.approx(len(slow) / GPT2_SMALL.vocab_size)
    assert m["unused_tokens"] == GPT2_SMALL.vocab_size - 1 - len(slow)  # minus <|endoftext|>, a special token


@given(st.dictionaries(st.sampled_from(["en", "de", "fi", "tr"]), counts_st, min_size=2, max_size=4))
def test_overlap_numpy_path_equals_reference(counts_by_lang):
    pytest.importorskip("numpy")
    fast, slow = allocation.overlap(counts_by_lang), allocation.overlap_reference(counts_by_lang)
    assert fast.keys() == slow.keys()
    for key in fast:
        for metric in ("jaccard", "jsd"):
            if slow[key][metric] is None:
                assert fast[key][metric] is None
            else:
                assert fast[key][metric] == pytest.approx(slow[key][metric], abs=1e-9)
