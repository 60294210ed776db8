"""Unigram and PathPiece trainers end to end: API and CLI, lossless round trips, the saved tokenizer.json loaded by
HF `tokenizers` with identical ids, and segmentations checked against the pure-Python references."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

# These need the model layer (UnigramModel, Tokenizer methods) from the lattice branch; skipped until it is merged.
pytest.importorskip("tokenforge.models.unigram")

import tokenforge  # noqa: E402
from tokenforge import cli  # noqa: E402
from tokenforge.corpus import Texts  # noqa: E402
from tokenforge.reference import pathpiece as pp_ref  # noqa: E402
from tokenforge.reference import unigram_train as ug_ref  # noqa: E402

from conftest import ROOT  # noqa: E402

UDHR = ROOT / "examples" / "udhr-en.txt"
UDHR_EN = UDHR.read_text(encoding="utf-8")
SAMPLES = [UDHR_EN[:2000], "naïve café — 東京 🙂👩‍👩‍👧 \u0301x\x00 tab\tend\n\n", "Ωmega 12345 αβγ", ""]


@pytest.fixture(scope="module")
def unigram():
    return tokenforge.train(Texts([UDHR_EN]), vocab_size=700, model="unigram", special_tokens=["<s>", "</s>"],
                            progress=False)


@pytest.fixture(scope="module")
def pathpiece():
    return tokenforge.train(Texts([UDHR_EN]), vocab_size=700, model="pathpiece", progress=False)


def test_unigram_layout(unigram):
    assert unigram.model.kind == "unigram" and unigram.method == "viterbi"
    assert unigram.vocab_size == 700
    assert unigram.special_tokens == {"<s>": 0, "</s>": 1}
    assert unigram.model.unk_id == 2 and unigram.model.byte_fallback


def test_unigram_segmentation_equals_reference_viterbi(unigram):
    pieces = [(p, s) for i, (p, s) in enumerate(unigram.model.pieces) if i >= 259]
    texts, scores = [p for p, _ in pieces], [s for _, s in pieces]
    index, max_len = ug_ref._index(texts)
    checked = 0
    for piece in unigram.pretokenize(UDHR_EN[:5000]):
        edges = [(s, e, len(texts) if i < 0 else i) for s, e, i in ug_ref.lattice(piece, index, max_len)]
        path = ug_ref.viterbi(len(piece), edges, scores, len(texts), min(scores) - 10)
        if len(texts) in path:
            continue  # an uncovered character: the model spells it in bytes (tested by the round trips)
        checked += 1
        assert [unigram.id_to_token(i) for i in unigram.encode(piece)] == [texts[i] for i in path], piece
    assert checked > 500


def test_pathpiece_is_fewest(pathpiece):
    assert pathpiece.method == "fewest" and pathpiece.vocab_size == 700
    tokens = {pathpiece.id_to_bytes(i) for i in range(pathpiece.vocab_size)}
    for piece in pathpiece.pretokenize(UDHR_EN[:5000]):
        word = piece.encode()
        n, _ = pp_ref.fewest(word, pp_ref.lattice(word, tokens, max(map(len, tokens))))
        assert len(pathpiece.encode(piece)) == n, piece


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_round_trip_arbitrary_unicode(unigram, pathpiece, text):
    clean = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    for tok in (unigram, pathpiece, unigram.with_method("sample", alpha=0.1, seed=1)):
        assert tok.decode(tok.encode(text, disallowed_special=())) == clean


def test_unigram_hf_export_same_ids(unigram, tmp_path):
    hf = pytest.importorskip("tokenizers")
    unigram.save(tmp_path / "u.json")
    theirs = hf.Tokenizer.from_file(str(tmp_path / "u.json"))
    for text in SAMPLES:
        assert theirs.encode(text, add_special_tokens=False).ids == unigram.encode(text), text
    again = tokenforge.load(tmp_path / "u.json")
    assert again.encode(UDHR_EN) == unigram.encode(UDHR_EN)


@pytest.mark.parametrize("model", ["unigram", "pathpiece"])
def test_cli_train(model, tmp_path, capsys):
    # PathPiece's "fewest" method has no HF equivalent: it is saved in the tokenforge format.
    out = tmp_path / (f"{model}.json" if model == "unigram" else f"{model}.tokenforge.json")
    assert cli.main(["train", str(UDHR), "--model", model, "--vocab-size", "600", "-o", str(out)]) == 0
    assert "600 ids" in capsys.readouterr().err
    tok = tokenforge.load(out)
    assert tok.method == ("viterbi" if model == "unigram" else "fewest")
    assert tok.vocab_size == 600 and tok.decode(tok.encode(UDHR_EN)) == UDHR_EN
    api = tokenforge.train([UDHR], vocab_size=600, model=model, progress=False)
    assert [api.id_to_bytes(i) for i in api.encode(UDHR_EN)] == [tok.id_to_bytes(i) for i in tok.encode(UDHR_EN)]


def test_options_and_errors():
    with pytest.raises(tokenforge.ConfigError, match="character_coverage"):
        tokenforge.train(Texts([UDHR_EN]), vocab_size=700, model="unigram", character_coverage=2.0)
    with pytest.raises(tokenforge.ConfigError, match="BPE feature"):
        tokenforge.train(Texts([UDHR_EN]), vocab_size=700, model="pathpiece", base=ROOT / "examples" / "gpt2-small.tiktoken")
    with pytest.raises(tokenforge.ConfigError, match="min_frequency: BPE option"):
        tokenforge.train(Texts([UDHR_EN]), vocab_size=700, model="unigram", min_frequency=3)
    with pytest.raises(tokenforge.ConfigError, match="unknown training option"):
        tokenforge.train(Texts([UDHR_EN]), vocab_size=700, model="unigram", init_factor=2.0)
