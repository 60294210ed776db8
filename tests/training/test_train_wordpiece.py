"""WordPiece training: the native likelihood policy against the pure-Python reference trainer (hypothesis and
real text), hand-checked first merges, determinism, the debug self-check, bad parameters."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tokenforge import _core
from tokenforge.errors import ConfigError, TrainingError
from tokenforge.reference.wordpiece_train import train_wordpiece as reference_train
from tokenforge.training.wordpiece import WordPieceTrainerConfig, learn_wordpiece

from conftest import CORPORA, read_corpus


def _counter(words: dict[str, int]):
    c = _core.PretokenCounter("whole", None, True, [])
    c.add_counts([(w.encode("utf-8"), n) for w, n in words.items()])
    return c


def _reference(words: dict[str, int], vocab_size: int, **kw):
    """The reference run with the same starting ids as `learn_wordpiece`: [UNK], chars plain, chars continued."""
    chars = sorted({ch for w in words for ch in w})
    alphabet = [(False, c) for c in chars] + [(True, c) for c in chars]
    vocab, merges = reference_train(words, alphabet, vocab_size - 1 - len(alphabet), first_id=1,
                                    forbidden=["[UNK]"], **kw)
    spell = lambda s: ("##" if s[0] else "") + s[1]  # noqa: E731
    return {spell(s): i for s, i in vocab.items()}, [(spell(a), spell(b)) for a, b in merges]


def _native(words: dict[str, int], vocab_size: int, **kw):
    learned = learn_wordpiece(_counter(words), WordPieceTrainerConfig(vocab_size=vocab_size, check_every=1, **kw))
    vocab = {t: i for t, i in learned.vocab.items() if t != "[UNK]"}
    return vocab, [(a, b) for a, b, _ in learned.merges]


def test_first_merges_by_hand():
    # "ab" x10, "ac" x1, "bc" x1: symbols a=11, ##b=10, ##c=2, b=1.
    # scores: (a,##b) 10/(11*10)=0.0909, (a,##c) 1/(11*2)=0.045, (b,##c) 1/(1*2)=0.5 -> (b,##c) first,
    # although (a,##b) is ten times as frequent: the likelihood score, not the count.
    vocab, merges = _native({"ab": 10, "ac": 1, "bc": 1}, vocab_size=1 + 6 + 1)
    assert merges == [("b", "##c")]
    # then: a=11, ##b=10, ##c=1 -> (a,##b)=0.0909 vs (a,##c)=1/11=0.0909: equal score, the more frequent wins
    vocab, merges = _native({"ab": 10, "ac": 1, "bc": 1}, vocab_size=1 + 6 + 2)
    assert merges == [("b", "##c"), ("a", "##b")]
    assert vocab["bc"] == 7 and vocab["ab"] == 8


def test_ids_and_prefix_layout():
    learned = learn_wordpiece(_counter({"hello": 3, "help": 2}), WordPieceTrainerConfig(vocab_size=14))
    assert learned.vocab["[UNK]"] == 0
    chars = sorted(set("hellohelp"))
    assert [learned.vocab[c] for c in chars] == list(range(1, 1 + len(chars)))
    assert [learned.vocab["##" + c] for c in chars] == list(range(1 + len(chars), 1 + 2 * len(chars)))
    assert len(learned.vocab) == 14
    for a, b, _ in learned.merges:
        assert b.startswith("##"), "the right part of a WordPiece merge is always a continuation"


words_strategy = st.dictionaries(
    st.text(alphabet="abcé#", min_size=1, max_size=7), st.integers(min_value=1, max_value=30), min_size=1, max_size=25,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=words_strategy, extra=st.integers(min_value=0, max_value=25), min_frequency=st.integers(0, 3),
       max_len=st.one_of(st.none(), st.integers(2, 4)))
def test_native_equals_reference(words, extra, min_frequency, max_len):
    chars = {ch for w in words for ch in w}
    size = 1 + 2 * len(chars) + extra
    assert _native(words, size, min_frequency=min_frequency, max_token_length=max_len) == _reference(
        words, size, min_frequency=min_frequency, max_token_length=max_len)


def test_native_equals_reference_on_real_text():
    path = CORPORA / "en-rustdocs.txt.gz"
    if not path.is_file():
        pytest.skip("shared data not found")
    text = read_corpus(path)[:150_000]
    pieces = _core.pretokenize(text, "o200k", None, True)
    words: dict[str, int] = {}
    for p in pieces:
        words[p] = words.get(p, 0) + 1
    chars = {ch for w in words for ch in w}
    size = 1 + 2 * len(chars) + 150
    assert _native(words, size) == _reference(words, size)


def test_word_initial_prefix_is_never_learned():
    # "##x" as a word could merge into a word-initial token spelled like the continuation "##x".
    vocab, merges = _native({"##x": 50, "ax": 1}, vocab_size=1 + 2 * 3 + 5)
    assert not any(a == "#" and b == "###" for a, b in merges)
    assert len(set(vocab)) == len(vocab)


def test_deterministic():
    words = {"lower": 5, "lowest": 3, "newer": 6, "wider": 2, "new": 9}
    assert _native(words, 40) == _native(dict(reversed(list(words.items()))), 40)


def test_bad_parameters():
    c = _counter({"abc": 2})
    with pytest.raises(ConfigError, match="vocab_size"):
        learn_wordpiece(c, WordPieceTrainerConfig(vocab_size=0))
    with pytest.raises(ConfigError, match="continuation_prefix"):
        learn_wordpiece(c, WordPieceTrainerConfig(vocab_size=50, continuation_prefix=""))
    with pytest.raises(ConfigError, match="min_frequency"):
        learn_wordpiece(c, WordPieceTrainerConfig(vocab_size=50, min_frequency=-1))
    with pytest.raises(TrainingError, match="at least 7"):
        learn_wordpiece(c, WordPieceTrainerConfig(vocab_size=3))
    with pytest.raises(TrainingError, match="also a character"):
        learn_wordpiece(_counter({"a!": 1}), WordPieceTrainerConfig(vocab_size=50, special_tokens=["!"]))


# -- end to end: trained vocabulary + the model layer's WordPieceModel -------------------------------------------

@pytest.fixture(scope="module")
def wp_tok():
    pytest.importorskip("tokenforge.models.wordpiece")
    import tokenforge
    from tokenforge import Texts

    from conftest import ROOT

    text = (ROOT / "examples" / "udhr-en.txt").read_text(encoding="utf-8")
    return tokenforge.train(Texts(text.splitlines(True)), model="wordpiece", vocab_size=800)


def test_trained_tokenizer_loads_in_tokenizers_with_our_ids(wp_tok, tmp_path):
    tokenizers = pytest.importorskip("tokenizers")
    from conftest import ROOT

    path = tmp_path / "wp.json"
    wp_tok.save(path)
    hf = tokenizers.Tokenizer.from_file(str(path))
    texts = [(ROOT / "examples" / "udhr-en.txt").read_text(encoding="utf-8")]
    if (CORPORA / "en-rustdocs.txt.gz").is_file():
        texts.append(read_corpus(CORPORA / "en-rustdocs.txt.gz")[:200_000])
    for text in texts:
        assert hf.encode(text, add_special_tokens=False).ids == wp_tok.encode(text)


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("Everyone has the right to life, liberty.\n")), max_size=120))
def test_what_wordpiece_keeps(wp_tok, text):
    # Over the training alphabet (no [UNK]), decoding gives back the same words: same pre-tokenization.
    ids = wp_tok.encode(text)
    assert wp_tok.model.unk_id not in ids
    assert wp_tok.pretokenize(wp_tok.decode(ids)) == wp_tok.pretokenize(text)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=80))
def test_unknown_words_become_one_unk_each(wp_tok, text):
    ids = wp_tok.encode(text)
    alphabet = {t for t in wp_tok.model.vocab if len(t) == 1}
    unknown_words = [w for w in wp_tok.pretokenize(text) if not set(w) <= alphabet or len(w) > 100]
    assert ids.count(wp_tok.model.unk_id) == len(unknown_words)
