"""Regression tests for issue 13's format defects: a tokenizer.json whose merge list names a pair twice."""

from __future__ import annotations

import json

import pytest

import tokenforge
from tokenforge.corpus import Texts

from conftest import ROOT


@pytest.fixture(scope="module")
def hf_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("dup") / "bpe.json"
    text = (ROOT / "examples" / "udhr-en.txt").read_text(encoding="utf-8")
    tokenforge.train(Texts([text]), vocab_size=400).save(path)
    return path, text


def test_duplicate_merge_takes_its_last_rank_like_hf(hf_file, tmp_path):
    tokenizers = pytest.importorskip("tokenizers")
    path, text = hf_file
    obj = json.loads(path.read_text(encoding="utf-8"))
    merges = obj["model"]["merges"]
    first = merges[0]
    obj["model"]["merges"] = merges + [first]  # the first merge listed again at the end: HF ranks it last
    dup = tmp_path / "dup.json"
    dup.write_text(json.dumps(obj), encoding="utf-8")
    reference = tokenizers.Tokenizer.from_file(str(dup))
    ours = tokenforge.load(dup)
    sample = text[:20000]
    expected = reference.encode(sample, add_special_tokens=False).ids
    assert ours.encode(sample) == expected
    # The duplicate really changes the ids (else this test could not fail).
    assert tokenforge.load(path).encode(sample) != expected


def test_duplicate_merge_round_trips(hf_file, tmp_path):
    path, text = hf_file
    obj = json.loads(path.read_text(encoding="utf-8"))
    merges = obj["model"]["merges"]
    obj["model"]["merges"] = merges[:5] + [merges[3]] + merges[5:]
    dup = tmp_path / "dup.json"
    dup.write_text(json.dumps(obj), encoding="utf-8")
    tok = tokenforge.load(dup)
    again = tmp_path / "again.json"
    tok.save(again)
    assert tokenforge.load(again).encode(text[:5000]) == tok.encode(text[:5000])
