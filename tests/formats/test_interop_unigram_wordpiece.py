"""Unigram and WordPiece against HF `tokenizers` (the reference implementation): files it writes load here and
give its ids on real text; files written here load there with the same ids; the tokenforge format keeps the
inference method."""

from __future__ import annotations

import json

import pytest

import tokenforge
from tokenforge import FormatError, UnsupportedFeatureError

from conftest import needs_shared
from lattice_models import UDHR_EN, hf_files


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return hf_files(str(tmp_path_factory.mktemp("hf")))


def hf(path):
    from tokenizers import Tokenizer

    return Tokenizer.from_file(path)


def real_lines(udhr, corpora) -> list[str]:
    """English and other scripts (most characters unknown to an English vocabulary: UNK / byte fallback)."""
    lines = UDHR_EN.splitlines()
    for lang in ("eng", "fra", "deu", "vie", "rus", "arb", "cmn_hans", "hin", "tur", "heb"):
        lines += udhr.get(lang, "").splitlines()[:40]
    for text in corpora.values():
        lines += text[2_000_000:2_300_000].splitlines()
    return [line for line in lines if line]


@needs_shared
@pytest.mark.parametrize("kind", ["unigram", "unigram_bytes", "wordpiece"])
def test_hf_files_give_hf_ids_on_real_text(files, kind, udhr, corpora):
    theirs = hf(files[kind])
    ours = tokenforge.load(files[kind])
    lines = real_lines(udhr, corpora)
    expected = [e.ids for e in theirs.encode_batch(lines, add_special_tokens=False)]
    got = ours.encode_batch(lines)
    mismatched = [k for k in range(len(lines)) if got[k] != expected[k]]
    assert not mismatched, (lines[mismatched[0]], got[mismatched[0]], expected[mismatched[0]])
    assert sum(map(len, got)) > 10_000


@needs_shared
@pytest.mark.parametrize("kind", ["unigram", "unigram_bytes", "wordpiece"])
def test_exported_files_load_in_hf_with_same_ids(files, kind, tmp_path, udhr, corpora):
    ours = tokenforge.load(files[kind])
    out = tmp_path / "out.json"
    ours.save(out)
    theirs = hf(str(out))
    lines = real_lines(udhr, corpora)[::7]
    assert [e.ids for e in theirs.encode_batch(lines, add_special_tokens=False)] == ours.encode_batch(lines)
    # and our own reload of it is the same tokenizer
    again = tokenforge.load(out)
    assert again.encode_batch(lines) == ours.encode_batch(lines)


def test_unigram_byte_fallback_decodes_like_hf(files, tmp_path):
    """Byte pieces decode to their bytes (HF's ByteFallback decoder, which our export writes); the Whitespace
    pre-tokenizer drops the spaces, so that is what comes back."""
    ours = tokenforge.load(files["unigram_bytes"])
    text = "rights \u00e9\U0001f600 \u0416"
    ids = ours.encode(text)
    assert ours.decode(ids) == "rights\u00e9\U0001f600\u0416"
    assert any(ours.id_to_token(i).startswith("<0x") for i in ids)
    ours.save(tmp_path / "u.json")
    assert hf(str(tmp_path / "u.json")).decode(ids) == ours.decode(ids)


def test_wordpiece_decode_matches_hf_decoder(files, tmp_path):
    ours = tokenforge.load(files["wordpiece"])
    out = tmp_path / "wp.json"
    ours.save(out)
    theirs = hf(str(out))
    text = "Everyone has the right to life, liberty and security of person."
    ids = ours.encode(text)
    assert ours.decode(ids) == theirs.decode(ids, skip_special_tokens=False)


def test_tokenforge_format_keeps_model_and_method(files, tmp_path):
    for kind, methods in (("unigram_bytes", [("sample", {"alpha": 0.3, "seed": 4}), ("fewest", {"tie_break": "random", "seed": 2})]),
                          ("wordpiece", [("longest_token", {}), ("longest_suffix", {})])):
        base = tokenforge.load(files[kind])
        for name, options in [(base.model.default_method, {})] + methods:
            tok = base.with_method(name, **options)
            path = tmp_path / f"{kind}-{name}.tokenforge.json"
            tok.save(path)
            again = tokenforge.load(path)
            assert (again.model.kind, again.method, again.method_options) == (tok.model.kind, tok.method, tok.method_options)
            assert again.encode(UDHR_EN[:3000]) == tok.encode(UDHR_EN[:3000])


def test_hf_export_refuses_a_method_it_cannot_express(files, tmp_path):
    tok = tokenforge.load(files["unigram"]).with_method("longest_prefix")
    with pytest.raises(UnsupportedFeatureError, match="cannot express the inference method 'longest_prefix'"):
        tok.save(tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()
    with pytest.raises(UnsupportedFeatureError, match="tiktoken"):
        tokenforge.load(files["wordpiece"]).save(tmp_path / "x.tiktoken")


def test_unsupported_hf_parts_are_refused(files, tmp_path):
    obj = json.loads(open(files["unigram"]).read())
    obj["pre_tokenizer"] = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}
    bad = tmp_path / "meta.json"
    bad.write_text(json.dumps(obj))
    with pytest.raises(UnsupportedFeatureError, match="Metaspace"):
        tokenforge.load(bad)
    obj = json.loads(open(files["unigram"]).read())
    obj["model"]["vocab"][3] = ["x", "high"]
    bad.write_text(json.dumps(obj))
    with pytest.raises(FormatError, match="score"):
        tokenforge.load(bad)
    obj = json.loads(open(files["wordpiece"]).read())
    obj["model"]["vocab"] = [1, 2]
    bad.write_text(json.dumps(obj))
    with pytest.raises(FormatError, match="vocab"):
        tokenforge.load(bad)


@pytest.mark.parametrize("kind", ["unigram", "unigram_bytes"])
def test_imported_scores_are_the_floats_hf_holds(files, kind):
    """HF reads scores with serde_json's best-effort parser; so do we (else ties between permutations of the same
    pieces, equal in exact arithmetic, go the other way at the last bit)."""
    theirs = json.loads(hf(files[kind]).to_str())["model"]["vocab"]
    ours = tokenforge.load(files[kind]).model.pieces
    assert [s for _, s in ours] == [s for _, s in theirs]
    python_parse = json.loads(open(files[kind], encoding="utf-8").read())["model"]["vocab"]
    assert [s for _, s in python_parse] != [s for _, s in theirs]  # the difference is real on this file


def test_default_methods_are_not_written(files, tmp_path):
    """A tokenizer on its model's own method with default options writes no 'method' (files stay as before)."""
    for tok in (tokenforge.load(files["unigram"]), tokenforge.load(files["wordpiece"])):
        path = tmp_path / "d.tokenforge.json"
        tok.save(path)
        assert "method" not in json.loads(path.read_text(encoding="utf-8"))
    path = tmp_path / "s.tokenforge.json"
    tokenforge.load(files["unigram"]).with_method("viterbi").with_method("sample").save(path)
    assert json.loads(path.read_text(encoding="utf-8"))["method"] == {"name": "sample", "options": {"alpha": 1.0, "seed": 0}}
