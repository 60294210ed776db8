"""BPE training: the native engine against the reference trainer and against HF `BpeTrainer`; saved files load
in `tokenizers` with our ids; resuming; determinism; the debug self-check."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tokenforge
from tokenforge import Texts, _core
from tokenforge.pipeline.byte_level import encode_bytes
from tokenforge.reference.bpe_train import train_merges
from tokenforge.training.alphabet import byte_alphabet

from conftest import CORPORA, ROOT, chunks, needs_shared, read_corpus

tokenizers = pytest.importorskip("tokenizers")


@pytest.fixture(scope="module")
def rustdocs_docs():
    if not CORPORA.is_dir():
        pytest.skip("shared data not found")
    return chunks(read_corpus(CORPORA / "en-rustdocs.txt.gz")[:3_000_000], 200)


def _counter(words: dict[bytes, int]):
    c = _core.PretokenCounter("whole", None, True, [])
    c.add_counts(list(words.items()))
    return c


def _hf_train(docs, vocab_size, special_tokens=(), min_frequency=0, max_token_length=None):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    hf = Tokenizer(models.BPE())
    hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, min_frequency=min_frequency, show_progress=False, special_tokens=list(special_tokens),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), max_token_length=max_token_length,
    )
    hf.train_from_iterator(docs, trainer)
    model = json.loads(hf.to_str())["model"]
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in model["merges"]]
    return merges, model["vocab"]


def _ours_as_hf(tok):
    merges = [(encode_bytes(a), encode_bytes(b)) for a, b in tok.model.merges]
    vocab = {encode_bytes(t): i for t, i in tok.model.vocab.items()}
    vocab.update(tok.special_tokens)
    return merges, vocab


# -- native engine == reference trainer -----------------------------------------------------------------------

words_strategy = st.dictionaries(
    st.binary(min_size=1, max_size=12).map(lambda b: bytes(x % 6 + 97 for x in b)),  # few letters: many ties
    st.integers(1, 50),
    min_size=1,
    max_size=40,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=words_strategy, new_tokens=st.integers(1, 40), min_frequency=st.sampled_from([0, 2, 5]),
       max_len=st.sampled_from([None, 2, 3, 5]))
def test_engine_equals_reference_trainer(words, new_tokens, min_frequency, max_len):
    alphabet = byte_alphabet()
    vocab = {t: k for k, t in enumerate(alphabet)}
    new_vocab, learned = _core.train_bpe(
        _counter(words), list(vocab.items()), [], False, False, False, new_tokens,
        min_frequency=min_frequency, max_token_length=max_len, forbidden=[b"ab"], check_every=1,
    )
    ref_vocab, ref_merges = train_merges(words, alphabet, new_tokens, min_frequency=min_frequency,
                                         max_token_length=max_len, forbidden=[b"ab"])
    assert [(a, b) for a, b, _ in learned] == ref_merges
    assert {**vocab, **dict(new_vocab)} == ref_vocab


def test_engine_equals_reference_on_real_text(rustdocs_docs):
    text = "".join(rustdocs_docs)[:150_000]
    counts = _core.PretokenCounter("r50k", None, True, [])
    counts.add_texts([text])
    words = dict(counts.items())
    alphabet = byte_alphabet()
    vocab = {t: k for k, t in enumerate(alphabet)}
    new_vocab, learned = _core.train_bpe(counts, list(vocab.items()), [], False, False, False, 300, check_every=50)
    ref_vocab, ref_merges = train_merges(words, alphabet, 300)
    assert [(a, b) for a, b, _ in learned] == ref_merges
    assert {**vocab, **dict(new_vocab)} == ref_vocab


def test_counter_equals_reference_pretokenizer(rustdocs_docs):
    from collections import Counter

    from tokenforge.pipeline.pretokenizers import NAMED_PATTERNS
    from tokenforge.reference.pretokenize import pretokenize

    docs = rustdocs_docs[:40]
    for name in ("r50k", "o200k"):
        counter = _core.PretokenCounter(name, None, True, [])
        counter.add_texts(docs)
        expected = Counter(p.encode() for d in docs for p in pretokenize(d, NAMED_PATTERNS[name]))
        assert dict(counter.items()) == dict(expected)
        assert counter.total() == sum(expected.values()) and len(counter) == len(expected)
    dropped = counter.prune(3)
    assert dropped == (sum(1 for c in expected.values() if c < 3), sum(c for c in expected.values() if c < 3))
    assert all(c >= 3 for _, c in counter.items())


# -- ours == HF BpeTrainer --------------------------------------------------------------------------------------

@needs_shared
@pytest.mark.parametrize("vocab_size,min_frequency,max_len", [(2000, 0, None), (6000, 3, None)])
def test_merges_equal_hf_bpe_trainer(rustdocs_docs, vocab_size, min_frequency, max_len):
    tok = tokenforge.train(Texts(rustdocs_docs), vocab_size=vocab_size, pattern="gpt2", min_frequency=min_frequency,
                           max_token_length=max_len, special_tokens=["<|endoftext|>", "<pad>"], progress=False)
    hf_merges, hf_vocab = _hf_train(rustdocs_docs, vocab_size, ["<|endoftext|>", "<pad>"], min_frequency, max_len)
    merges, vocab = _ours_as_hf(tok)
    assert merges == hf_merges
    assert vocab == hf_vocab
    assert tok.vocab_size == vocab_size


def test_max_token_length_bounds_every_learned_token(rustdocs_docs):
    tok = tokenforge.train(Texts(rustdocs_docs[:100]), vocab_size=3000, max_token_length=5, progress=False)
    assert max(len(t) for t in tok.model.vocab) == 5
    unbounded = tokenforge.train(Texts(rustdocs_docs[:100]), vocab_size=3000, progress=False)
    assert max(len(t) for t in unbounded.model.vocab) > 5


@needs_shared
def test_saved_trained_tokenizer_loads_in_hf_with_same_ids(rustdocs_docs, tmp_path, udhr):
    tok = tokenforge.train(Texts(rustdocs_docs), vocab_size=3000, pattern="o200k", special_tokens=["<|endoftext|>"],
                           progress=False)
    path = tmp_path / "trained.json"
    tok.save(path)
    hf = tokenizers.Tokenizer.from_file(str(path))
    docs = rustdocs_docs[:50] + [udhr[k] for k in ("eng", "deu_1996", "cmn_hans", "arb", "hin")]
    docs.append("x <|endoftext|> y")
    assert [e.ids for e in hf.encode_batch(docs, add_special_tokens=False)] == tok.encode_batch(docs, allowed_special="all")
    again = tokenforge.load(path)
    assert again.encode_batch(docs, allowed_special="all") == tok.encode_batch(docs, allowed_special="all")
    tt = tmp_path / "trained.tiktoken"
    tok.save(tt)
    assert tokenforge.load(tt).encode_batch(docs[:20]) == tok.encode_batch(docs[:20])


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=80))
def test_trained_tokenizer_round_trips(small_trained, text):
    assert small_trained.decode(small_trained.encode(text, disallowed_special=())) == text


@pytest.fixture(scope="module")
def small_trained():
    text = (ROOT / "examples" / "udhr-en.txt").read_text(encoding="utf-8")
    return tokenforge.train(Texts(text.splitlines(keepends=True)), vocab_size=700, pattern="cl100k",
                            special_tokens=["<s>"], progress=False)


# -- resume / extend --------------------------------------------------------------------------------------------

def test_extend_equals_training_straight_through(rustdocs_docs):
    docs = rustdocs_docs[:60]
    straight = tokenforge.train(Texts(docs), vocab_size=1800, special_tokens=["<eos>"], progress=False)
    half = tokenforge.train(Texts(docs), vocab_size=900, special_tokens=["<eos>"], progress=False)
    resumed = tokenforge.train(Texts(docs), vocab_size=1800, base=half, progress=False)
    assert resumed.model.merges == straight.model.merges
    assert resumed.model.vocab == straight.model.vocab
    assert resumed.special_tokens == straight.special_tokens
    assert resumed.pretokenizer == straight.pretokenizer


def test_extend_tiktoken_ranks_keeps_ids_and_specials(tmp_path, rustdocs_docs):
    base = tokenforge.load(ROOT / "examples" / "gpt2-small.tiktoken")
    grown = tokenforge.train(Texts(rustdocs_docs[:80]), vocab_size=base.vocab_size + 500, base=base,
                             special_tokens=["<|new|>"], progress=False)
    assert grown.vocab_size == base.vocab_size + 500
    for tok, i in base.model.vocab.items():
        assert grown.model.vocab[tok] == i
    for s, i in base.special_tokens.items():
        assert grown.special_tokens[s] == i
    assert grown.special_tokens["<|new|>"] == grown.vocab_size - 1
    sample = "".join(rustdocs_docs[80:90])
    assert len(grown.encode(sample)) < len(base.encode(sample))
    assert grown.decode(grown.encode(sample)) == sample
    path = tmp_path / "grown.json"
    grown.save(path)
    hf = tokenizers.Tokenizer.from_file(str(path))
    assert hf.encode(sample, add_special_tokens=False).ids == grown.encode(sample)


def test_extend_with_a_different_pretokenizer(rustdocs_docs):
    half = tokenforge.train(Texts(rustdocs_docs[:40]), vocab_size=800, pattern="gpt2", progress=False)
    resumed = tokenforge.train(Texts(rustdocs_docs[:40]), vocab_size=1200, base=half, pattern="o200k", progress=False)
    assert resumed.pretokenizer.name == "o200k"
    assert resumed.model.merges[: len(half.model.merges)] == half.model.merges
    text = "".join(rustdocs_docs[40:45])
    assert resumed.decode(resumed.encode(text)) == text


# -- determinism, errors ----------------------------------------------------------------------------------------

TRAIN_SCRIPT = """
import sys, tokenforge
text = open(sys.argv[1], encoding="utf-8").read()
tok = tokenforge.train(tokenforge.Texts(text.splitlines(keepends=True) * 3), vocab_size=900, special_tokens=["<s>"], progress=False)
tok.save(sys.argv[2])
"""


@pytest.mark.parametrize("fmt", ["json", "tiktoken"])
def test_same_file_whatever_the_thread_count(tmp_path, fmt):
    outputs = []
    for threads in ("1", "2"):
        out = tmp_path / f"t{threads}.{fmt}"
        env = {**os.environ, "RAYON_NUM_THREADS": threads}
        subprocess.run([sys.executable, "-c", TRAIN_SCRIPT, str(ROOT / "examples" / "udhr-en.txt"), str(out)],
                       check=True, env=env)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_training_errors():
    with pytest.raises(tokenforge.CorpusError, match="empty"):
        tokenforge.train(Texts([]), vocab_size=300, progress=False)
    with pytest.raises(tokenforge.CorpusError, match="empty"):
        tokenforge.train(Texts(["", ""]), vocab_size=300, progress=False)
    with pytest.raises(tokenforge.TrainingError, match="at least 258"):
        tokenforge.train(Texts(["hello"]), vocab_size=100, special_tokens=["<a>", "<b>"], progress=False)
    with pytest.raises(tokenforge.ConfigError):
        tokenforge.train(Texts(["hello"]), vocab_size=300, model="nope", progress=False)
    with pytest.raises(tokenforge.ConfigError):
        tokenforge.train(Texts(["hello"]), vocab_size=300, special_tokens=["<a>", "<a>"], progress=False)
    with pytest.raises(tokenforge.ConfigError, match="unknown training option"):
        tokenforge.train(Texts(["hello"]), vocab_size=300, colum="x", progress=False)
    with pytest.raises(tokenforge.CorpusError, match="no such file"):
        tokenforge.train(["hello world"], vocab_size=300, progress=False)


def test_special_token_text_is_never_learned_as_a_merge():
    tok = tokenforge.train(Texts(["ab ab ab ab ab"] * 10), vocab_size=260, pattern=None, special_tokens=["ab"],
                           progress=False)
    assert b"ab" not in tok.model.vocab
    assert tok.encode("ab", allowed_special="all") == [0]


def test_small_corpus_stops_when_no_pair_is_left():
    with pytest.warns(tokenforge.errors.TrainingWarning, match="only 258 ids of the 5000"):
        tok = tokenforge.train(Texts(["abc"]), vocab_size=5000, pattern=None, progress=False)
    assert tok.model.merges == [(b"a", b"b"), (b"ab", b"c")]
    assert tok.vocab_size == 258


# -- char-level BPE with byte fallback ----------------------------------------------------------------------

@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.dictionaries(st.text("abcé中 ", min_size=1, max_size=10), st.integers(1, 30), min_size=1, max_size=30),
       new_tokens=st.integers(1, 30))
def test_char_level_engine_equals_reference(words, new_tokens):
    raw = {w.encode(): c for w, c in words.items()}
    alphabet = [bytes([b]) for b in range(256)] + ["é".encode()]  # '中' stays outside: byte fallback
    vocab = {t: k for k, t in enumerate(alphabet)}
    new_vocab, learned = _core.train_bpe(_counter(raw), list(vocab.items()), [], False, False, True, new_tokens,
                                         check_every=1)
    ref_vocab, ref_merges = train_merges(raw, alphabet, new_tokens, char_level=True)
    assert [(a, b) for a, b, _ in learned] == ref_merges
    assert {**vocab, **dict(new_vocab)} == ref_vocab


@pytest.fixture(scope="module")
def char_trained(rustdocs_docs):
    return tokenforge.train(Texts(rustdocs_docs[:150]), vocab_size=2500, byte_level=False, limit_alphabet=150,
                            special_tokens=["<s>"], progress=False)


@needs_shared
def test_char_level_exports_to_hf_with_same_ids(char_trained, tmp_path, udhr, rustdocs_docs):
    assert char_trained.model.char_level
    path = tmp_path / "char.json"
    char_trained.save(path)
    hf = tokenizers.Tokenizer.from_file(str(path))
    samples = rustdocs_docs[150:170] + [udhr[k] for k in ("eng", "deu_1996", "cmn_hans", "arb", "rus")]
    ours = char_trained.encode_batch(samples)
    assert [e.ids for e in hf.encode_batch(samples, add_special_tokens=False)] == ours
    assert [hf.decode(i) for i in ours] == samples
    assert tokenforge.load(path).encode_batch(samples) == ours
    with pytest.raises(tokenforge.UnsupportedFeatureError):
        char_trained.save(tmp_path / "char.tiktoken")


def test_char_level_native_equals_reference_encoder(char_trained, udhr):
    from tokenforge import reference

    for text in [udhr["eng"][:3000], udhr["cmn_hans"][:500], "Grüße — 中文 ✓ 😀\x00 fn main() {}"]:
        assert char_trained.encode(text) == reference.encode(char_trained, text)


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=80))
def test_char_level_round_trips(char_trained, text):
    assert char_trained.decode(char_trained.encode(text, disallowed_special=())) == text


# -- tokenforge's own file --------------------------------------------------------------------------------

def test_tokenforge_file_keeps_everything(char_trained, small_trained, tmp_path):
    for tok in (char_trained, small_trained, tokenforge.load(ROOT / "examples" / "gpt2-small.tiktoken")):
        path = tmp_path / "t.tokenforge.json"
        tok.save(path)
        back = tokenforge.load(path)
        assert back.model.vocab == tok.model.vocab and back.model.merges == tok.model.merges
        assert back.model.char_level == tok.model.char_level
        assert back.pretokenizer == tok.pretokenizer and back.special_tokens == tok.special_tokens
        assert back.training == tok.training
        text = "Every one has the right to life, liberty — ünïcödé 中文"
        assert back.encode(text) == tok.encode(text)
    (tmp_path / "bad.json").write_text('{"format": "tokenforge", "version": 99}')
    with pytest.raises(tokenforge.FormatError, match="version 99"):
        tokenforge.load(tmp_path / "bad.json")
    (tmp_path / "bad2.json").write_text('{"format": "tokenforge", "version": 1, "model": {"type": "bpe"}}')
    with pytest.raises(tokenforge.FormatError, match="bad2.json"):
        tokenforge.load(tmp_path / "bad2.json")
