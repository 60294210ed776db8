"""SuperBPE and BoundlessBPE: native training against the pure-Python reference trainers, the BoundlessBPE
encoder against its reference twin, lossless round trips, HF interop (SuperBPE) and its refusal (BoundlessBPE),
determinism whatever the thread count, CLI, and errors on bad parameters."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tokenforge
from tokenforge import Texts
from tokenforge.errors import ConfigError, TrainingWarning, UnsupportedFeatureError
from tokenforge.pipeline.pretokenizers import O200K_PATTERN
from tokenforge.reference import encode as reference_encode
from tokenforge.reference import supermerge, variant_train
from tokenforge.reference.pretokenize import pretokenize
from tokenforge.training.alphabet import byte_alphabet
from tokenforge.training.boundless import ordinary_part
from tokenforge.training.superbpe import SUPERWORD_PATTERN

from conftest import CORPORA, ROOT, read_corpus

tokenizers = pytest.importorskip("tokenizers")

EXAMPLE = (ROOT / "examples" / "udhr-en.txt").read_text(encoding="utf-8")


def _quiet_train(texts, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrainingWarning)
        return tokenforge.train(Texts(list(texts)), progress=False, **kw)


@pytest.fixture(scope="module")
def english():
    """Real English text: the bundled UDHR, plus a slice of the shared Rust docs when present."""
    text = EXAMPLE
    if CORPORA.is_dir():
        text += read_corpus(CORPORA / "en-rustdocs.txt.gz")[:400_000]
    return text


@pytest.fixture(scope="module")
def superbpe_tok(english):
    lines = english.splitlines(keepends=True)
    return _quiet_train(lines, vocab_size=1500, model="superbpe")


@pytest.fixture(scope="module")
def boundless_tok(english):
    lines = english.splitlines(keepends=True)
    return _quiet_train(lines, vocab_size=1500, model="boundless")


# -- definitions, checked by hand --------------------------------------------------------------------------------


def test_words_per_token_by_hand():
    assert variant_train.count_words(b" of the") == 2
    assert variant_train.count_words(b"the") == 1
    assert variant_train.count_words(b"  ") == 0
    assert variant_train.count_words(b"a b\tc\nd") == 4
    assert variant_train.count_words(b"e of th") == 3


def test_crossing_sentence_punctuation_by_hand():
    p = b".!?;:"
    for token in (b"end. The", b". The", b"e.g. the", b"said: no", b"?! x"):
        assert variant_train.crosses_sentence(token, p), token
    for token in (b"end.", b" the end.\n", b"std::io", b"end .", b"a, b", b"end.  "):
        assert not variant_train.crosses_sentence(token, p), token
    assert not variant_train.crosses_sentence(b"end. The", b"")


def test_superword_pattern_by_hand():
    pat = SUPERWORD_PATTERN
    # As o200k, but runs of word and punctuation pieces joined by single spaces stay whole.
    assert pretokenize("Hello world. How are you?", pat) == ["Hello world. How are you?"]
    assert pretokenize("in 2024 we", pat) == ["in", " ", "202", "4", " we"]
    assert pretokenize("a b  \nc: d", pat) == ["a b", "  \n", "c: d"]
    assert pretokenize("    let x = self.len();\n", pat) == ["   ", " let x = self.len();\n"]
    assert pretokenize("a  b", pat) == ["a", " ", " b"]


def test_superbpe_learns_superwords_within_the_bound(superbpe_tok):
    tr = superbpe_tok.training
    assert tr["model"] == "superbpe" and tr["transition"] == 1350 and tr["max_words_per_token"] == 4
    tokens = [superbpe_tok.id_to_bytes(i) for i in range(superbpe_tok.vocab_size)]
    multi = [t for t in tokens if variant_train.count_words(t) >= 2]
    assert multi, "stage 2 learned no token spanning whitespace"
    assert max(variant_train.count_words(t) for t in tokens) <= 4
    assert not any(variant_train.crosses_sentence(t, b".!?;:") for t in tokens)


def test_boundless_learns_supermerges_of_whole_pretokens(boundless_tok):
    model = boundless_tok.model
    assert model.supermerges, "no supermerge learned"
    assert (b" of", b" the") in model.supermerges
    assert len(set(model.supermerges)) == len(model.supermerges)
    ids = boundless_tok.encode(" of the")
    assert [boundless_tok.id_to_bytes(i) for i in ids] == [b" of the"]


# -- native training == reference trainer -----------------------------------------------------------------------

record = st.text(alphabet="ab c.\n1é", min_size=1, max_size=24)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(record, min_size=1, max_size=12), extra=st.integers(1, 30), share=st.floats(0.2, 0.9),
       max_words=st.integers(1, 3))
def test_superbpe_native_equals_reference(texts, extra, share, max_words):
    vocab_size = 256 + extra
    t = max(256, round(share * vocab_size))
    tok = _quiet_train(texts, vocab_size=vocab_size, model="superbpe", transition=t, max_words_per_token=max_words)
    vocab, merges = variant_train.superbpe(texts, byte_alphabet(), vocab_size, t, O200K_PATTERN, SUPERWORD_PATTERN,
                                           max_words, b".!?;:")
    assert tok.model.merges == merges
    assert tok.model.vocab == vocab


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(record, min_size=1, max_size=12), extra=st.integers(1, 40))
def test_boundless_native_equals_reference(texts, extra):
    vocab_size = 256 + extra
    tok = _quiet_train(texts, vocab_size=vocab_size, model="boundless", check_every=1)
    vocab, merges, supers = variant_train.boundless(texts, byte_alphabet(), vocab_size, O200K_PATTERN)
    assert tok.model.merges == merges
    assert tok.model.supermerges == supers
    assert tok.model.vocab == vocab


def test_boundless_native_equals_reference_on_real_text():
    lines = EXAMPLE.splitlines(keepends=True)[:60]
    tok = _quiet_train(lines, vocab_size=420, model="boundless", check_every=7)
    vocab, merges, supers = variant_train.boundless(lines, byte_alphabet(), 420, O200K_PATTERN)
    assert supers, "the sample should yield supermerges"
    assert (tok.model.merges, tok.model.supermerges, tok.model.vocab) == (merges, supers, vocab)


def test_superbpe_native_equals_reference_on_real_text():
    lines = EXAMPLE.splitlines(keepends=True)[:60]
    tok = _quiet_train(lines, vocab_size=420, model="superbpe", transition=360)
    vocab, merges = variant_train.superbpe(lines, byte_alphabet(), 420, 360, O200K_PATTERN, SUPERWORD_PATTERN, 4,
                                           b".!?;:")
    assert (tok.model.merges, tok.model.vocab) == (merges, vocab)


# -- encoding: native == reference, lossless ---------------------------------------------------------------------

any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
wordy_text = st.lists(st.sampled_from(["the", " of", " the", " and", ".", " ", "\n", "of", " in", "é", "🙂", "12"]),
                      max_size=60).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(any_text, wordy_text))
def test_round_trip_and_reference(superbpe_tok, boundless_tok, text):
    for tok in (superbpe_tok, boundless_tok):
        assert tok.decode(tok.encode(text)) == text
    assert superbpe_tok.encode(text) == reference_encode(superbpe_tok, text)
    assert boundless_tok.encode(text) == supermerge.encode(boundless_tok, text)


def test_encoders_equal_reference_on_real_text(superbpe_tok, boundless_tok, english):
    text = english[-60_000:]
    assert boundless_tok.encode(text) == supermerge.encode(boundless_tok, text)
    assert superbpe_tok.encode(text) == reference_encode(superbpe_tok, text)
    ordinary = ordinary_part(boundless_tok)
    # Supermerges only ever join: fewer tokens than the same vocabulary without them.
    assert len(boundless_tok.encode(text)) < len(ordinary.encode(text))


def test_boundless_offsets_and_batches(boundless_tok):
    text = "All human beings are born free and equal in dignity and rights. Of the people, by the people."
    ids, spans = boundless_tok.encode_with_offsets(text)
    assert ids == boundless_tok.encode(text)
    assert [text[s:e].encode("utf-8") for s, e in spans] == [boundless_tok.id_to_bytes(i) for i in ids]
    assert boundless_tok.encode_batch([text, text[:20]]) == [ids, boundless_tok.encode(text[:20])]
    assert boundless_tok.count_batch([text]) == [len(ids)]


def test_supermerge_rank_order_by_hand():
    # Pieces x | y | z, all single tokens; supermerges ranked (y,z) before (x,y): y joins z, x stays alone.
    ranks = {(2, 3): 0, (1, 2): 1}
    ids = {(2, 3): 23, (1, 2): 12}
    assert supermerge.apply_supermerges([[1], [2], [3]], ranks, ids) == [1, 23]
    assert supermerge.apply_supermerges([[1], [2], [2], [3]], {(1, 2): 0, (2, 3): 0}, {(1, 2): 12, (2, 3): 23}) == [12, 23]
    assert supermerge.apply_supermerges([[1, 5], [2], [3]], ranks, ids) == [1, 5, 23]


# -- files ----------------------------------------------------------------------------------------------------


def test_superbpe_tokenizer_json_loads_in_hf_with_identical_ids(superbpe_tok, english, tmp_path):
    path = tmp_path / "superbpe.json"
    superbpe_tok.save(path)
    hf = tokenizers.Tokenizer.from_file(str(path))
    lines = english.splitlines(keepends=True)
    for text in [english[-50_000:], *lines[:300], "Hello  world. Of the people, by the people!\n 2024: done"]:
        assert hf.encode(text, add_special_tokens=False).ids == superbpe_tok.encode(text)
    reloaded = tokenforge.load(path)
    assert reloaded.encode(english[:20_000]) == superbpe_tok.encode(english[:20_000])


def test_boundless_tokenforge_file_round_trip(boundless_tok, english, tmp_path):
    path = tmp_path / "b.tokenforge.json"
    boundless_tok.save(path)
    back = tokenforge.load(path)
    assert back.model.supermerges == boundless_tok.model.supermerges
    assert back.model.merges == boundless_tok.model.merges and back.model.vocab == boundless_tok.model.vocab
    assert back.encode(english[-30_000:]) == boundless_tok.encode(english[-30_000:])


def test_boundless_refuses_hf_and_exports_ordinary_part_on_request(boundless_tok, english, tmp_path):
    for name in ("b.json", "b.tiktoken"):
        with pytest.raises(UnsupportedFeatureError, match="supermerges"):
            boundless_tok.save(tmp_path / name)
        assert not (tmp_path / name).exists()
    ordinary = ordinary_part(boundless_tok)
    ordinary.save(tmp_path / "ordinary.json")
    hf = tokenizers.Tokenizer.from_file(str(tmp_path / "ordinary.json"))
    text = english[-20_000:]
    assert hf.encode(text, add_special_tokens=False).ids == ordinary.encode(text)
    assert hf.get_vocab_size() == boundless_tok.vocab_size


# -- determinism ---------------------------------------------------------------------------------------------------

TRAIN_SCRIPT = """
import sys, warnings, tokenforge
warnings.simplefilter("ignore")
text = open(sys.argv[1], encoding="utf-8").read()
tok = tokenforge.train(tokenforge.Texts(text.splitlines(keepends=True) * 2), vocab_size=900, model=sys.argv[3],
                       special_tokens=["<s>"], progress=False)
tok.save(sys.argv[2])
"""


@pytest.mark.parametrize("model", ["superbpe", "boundless"])
def test_same_file_whatever_the_thread_count(tmp_path, model):
    outputs = []
    for threads in ("1", "2"):
        out = tmp_path / f"t{threads}.tokenforge.json"
        env = {**os.environ, "RAYON_NUM_THREADS": threads}
        subprocess.run([sys.executable, "-c", TRAIN_SCRIPT, str(ROOT / "examples" / "udhr-en.txt"), str(out), model],
                       check=True, env=env)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


# -- CLI and errors ------------------------------------------------------------------------------------------------


def test_cli_trains_both(tmp_path, capsys, monkeypatch):
    from tokenforge import cli

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8"))
    corpus = str(ROOT / "examples" / "udhr-en.txt")
    out = tmp_path / "s.json"
    assert cli.main(["train", corpus, "--vocab-size", "700", "--model", "superbpe", "--transition", "0.8",
                     "--max-words-per-token", "3", "-o", str(out), "--quiet"]) == 0
    tok = tokenforge.load(out)
    assert max(variant_train.count_words(tok.id_to_bytes(i)) for i in range(tok.vocab_size)) <= 3
    out = tmp_path / "b.tokenforge.json"
    assert cli.main(["train", corpus, "--vocab-size", "700", "--model", "boundless", "-o", str(out), "--quiet"]) == 0
    assert tokenforge.load(out).model.supermerges
    status = cli.main(["train", corpus, "--vocab-size", "700", "--model", "boundless", "-o", str(tmp_path / "b.json"), "--quiet"])
    assert status == 2 and "supermerges" in capsys.readouterr().err


@pytest.mark.parametrize("kw, match", [
    (dict(model="superbpe", transition=0), "transition"),
    (dict(model="superbpe", transition=1.5), "transition"),
    (dict(model="superbpe", transition=2000), "transition"),
    (dict(model="superbpe", transition="half"), "transition"),
    (dict(model="superbpe", max_words_per_token=0), "max_words_per_token"),
    (dict(model="superbpe", sentence_punctuation="a."), "sentence_punctuation"),
    (dict(model="superbpe", sentence_punctuation="。"), "sentence_punctuation"),
    (dict(model="boundless", sentence_punctuation="."), "sentence_punctuation"),
    (dict(model="superbpe", pattern=None), "whitespace-aware"),
    (dict(model="superbpe", byte_level=False), "byte-level"),
    (dict(model="superbpe", base="x.json"), "from scratch"),
    (dict(model="boundless", max_words_per_token=2), "two pretokens"),
    (dict(model="boundless", pattern=None), "pattern"),
    (dict(model="boundless", byte_level=False), "byte-level"),
    (dict(model="boundless", transition=0.5), "unknown training option"),
])
def test_bad_parameters_raise_config_errors(kw, match):
    with pytest.raises(ConfigError, match=match):
        tokenforge.train(Texts(["hello world. again"]), vocab_size=1000, progress=False, **kw)


def test_pretoken_counts_are_refused():
    from tokenforge.corpus import count_pretokens

    counts = count_pretokens(Texts(["hello world"]), "o200k")
    for model in ("superbpe", "boundless"):
        with pytest.raises(ConfigError, match="corpus text"):
            tokenforge.train(counts, vocab_size=300, model=model, progress=False)


def test_one_shot_iterator_is_read_for_both_superbpe_stages():
    lines = EXAMPLE.splitlines(keepends=True)[:80]
    a = _quiet_train(lines, vocab_size=400, model="superbpe")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrainingWarning)
        b = tokenforge.train(iter(lines), vocab_size=400, model="superbpe", progress=False)
    assert a.model.merges == b.model.merges


def test_ordinary_part_needs_a_boundless_tokenizer(superbpe_tok):
    with pytest.raises(ConfigError, match="supermerges"):
        ordinary_part(superbpe_tok)
