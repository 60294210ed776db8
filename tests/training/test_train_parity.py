"""Parity-aware BPE: the native policy against the pure-Python reference trainer; its limits (one language, all
merges global) against plain BPE; dev token counts against the encoder; determinism; errors; files; the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tokenforge
from tokenforge import Texts, _core, cli
from tokenforge.reference.parity_train import dev_token_counts, train_parity_merges
from tokenforge.training.alphabet import byte_alphabet

from conftest import ROOT, UDHR, needs_shared

LANGS = ("eng", "rus", "hin", "tha", "fra")


def _counter(words: dict[bytes, int]):
    c = _core.PretokenCounter("whole", None, True, [])
    c.add_counts(list(words.items()))
    return c


@pytest.fixture(scope="module")
def articles() -> dict[str, dict[int, str]]:
    if not UDHR.is_dir():
        pytest.skip("shared data not found")
    out = {}
    for lang in LANGS:
        arts = json.loads((UDHR / f"{lang}.json").read_text(encoding="utf-8"))["articles"]
        out[lang] = {int(k): v for k, v in arts.items()}
    return out


def _split(articles, langs=LANGS, train=range(5, 31), dev=range(0, 5)):
    return ({lang: [articles[lang][i] for i in train] for lang in langs},
            {lang: [articles[lang][i] for i in dev] for lang in langs})


def _parity(train, dev, vocab_size, **kw):
    return tokenforge.train({k: Texts(v) for k, v in train.items()}, dev={k: Texts(v) for k, v in dev.items()},
                            vocab_size=vocab_size, model="parity", progress=False, **kw)


# -- native policy == reference trainer ---------------------------------------------------------------------------

def _words(lang: int):
    # A few letters per language, shifted so that languages share some pairs and not others; many ties.
    return st.dictionaries(st.binary(min_size=1, max_size=10).map(lambda b: bytes(x % 5 + 97 + 2 * lang for x in b)),
                           st.integers(1, 20), min_size=1, max_size=25)


@st.composite
def parity_cases(draw):
    n = draw(st.integers(1, 3))
    train = [draw(_words(l)) for l in range(n)]
    dev = [draw(_words(l)) for l in range(n)]
    new_tokens = draw(st.integers(0, 30))
    return dict(train=train, dev=dev, new_tokens=new_tokens, global_tokens=draw(st.integers(0, new_tokens)),
                min_frequency=draw(st.sampled_from([0, 2, 4])), max_len=draw(st.sampled_from([None, 2, 3])),
                forbidden=draw(st.sampled_from([[], [b"ab"], [b"cd", b"ef"]])),
                window=draw(st.sampled_from([0, 0, 1, 3, 10])), alpha=draw(st.sampled_from([0.5, 1.0, 2.0])))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=parity_cases())
def test_native_equals_reference_trainer(case):
    alphabet = byte_alphabet()
    vocab = {t: k for k, t in enumerate(alphabet)}
    new_vocab, learned, chosen, before, after = _core.train_parity(
        [_counter(w) for w in case["train"]], [_counter(w) for w in case["dev"]], list(vocab.items()),
        case["new_tokens"], global_tokens=case["global_tokens"], min_frequency=case["min_frequency"],
        max_token_length=case["max_len"], forbidden=case["forbidden"], check_every=1, window=case["window"],
        alpha=case["alpha"],
    )
    ref_vocab, ref_merges, ref_chosen = train_parity_merges(
        case["train"], case["dev"], alphabet, case["new_tokens"], global_tokens=case["global_tokens"],
        min_frequency=case["min_frequency"], max_token_length=case["max_len"], forbidden=case["forbidden"],
        window=case["window"], alpha=case["alpha"],
    )
    merges = [(a, b) for a, b, _ in learned]
    assert merges == ref_merges
    assert list(chosen) == ref_chosen
    assert {**vocab, **dict(new_vocab)} == ref_vocab
    assert list(before) == dev_token_counts(case["dev"], [])
    assert list(after) == dev_token_counts(case["dev"], merges)


@needs_shared
def test_native_equals_reference_on_udhr(articles):
    train, dev = _split(articles, ("eng", "rus", "hin"), train=range(5, 12), dev=range(0, 2))
    tables = []
    for part in (train, dev):
        counters = []
        for lang in ("eng", "rus", "hin"):
            c = _core.PretokenCounter("o200k", None, True, [])
            c.add_texts(part[lang])
            counters.append(c)
        tables.append(counters)
    alphabet = byte_alphabet()
    vocab = {t: k for k, t in enumerate(alphabet)}
    new_vocab, learned, chosen, _, after = _core.train_parity(tables[0], tables[1], list(vocab.items()), 80,
                                                              global_tokens=20, check_every=10)
    ref_vocab, ref_merges, ref_chosen = train_parity_merges(
        [dict(c.items()) for c in tables[0]], [dict(c.items()) for c in tables[1]], alphabet, 80, global_tokens=20)
    assert [(a, b) for a, b, _ in learned] == ref_merges
    assert list(chosen) == ref_chosen and set(ref_chosen[20:]) == {0, 1, 2}
    assert {**vocab, **dict(new_vocab)} == ref_vocab


@needs_shared
def test_window_variant_bounds_each_language_share(articles):
    """With a window, a language is chosen only while it holds at most alpha/languages of the last `window`
    parity merges (every language here always has a pair to offer); without it, the worst one takes long runs."""
    train, dev = _split(articles)
    tables = [[], []]
    for part, out in ((train, tables[0]), (dev, tables[1])):
        for lang in sorted(LANGS):
            c = _core.PretokenCounter("o200k", None, True, [])
            c.add_texts(part[lang])
            out.append(c)
    alphabet = [(t, k) for k, t in enumerate(byte_alphabet())]
    window, alpha = 20, 1.0
    limit = alpha * window / len(LANGS)

    def over_quota_steps(chosen):
        return sum(1 for i, l in enumerate(chosen) if chosen[max(0, i - window):i].count(l) > limit)

    _, _, windowed, _, _ = _core.train_parity(tables[0], tables[1], alphabet, 600, window=window, alpha=alpha)
    _, _, base, _, _ = _core.train_parity(tables[0], tables[1], alphabet, 600)
    assert len(windowed) == len(base) == 600
    assert over_quota_steps(windowed) == 0
    assert over_quota_steps(base) > 0
    api = _parity(train, dev, 856, window=window, alpha=alpha)
    assert api.training["window"] == window
    assert [m for m in api.model.merges] != _parity(train, dev, 856).model.merges


# -- the limits: plain BPE ----------------------------------------------------------------------------------------

@needs_shared
def test_one_language_equals_plain_bpe(articles):
    train, dev = _split(articles, ("rus",))
    parity = _parity(train, dev, 700)
    plain = tokenforge.train(Texts(train["rus"]), vocab_size=700, progress=False)
    assert parity.model.merges == plain.model.merges
    assert parity.model.vocab == plain.model.vocab


@needs_shared
def test_global_share_one_equals_plain_bpe_on_the_concatenation(articles):
    train, dev = _split(articles)
    hybrid = _parity(train, dev, 1200, global_share=1.0)
    plain = tokenforge.train(Texts([t for lang in LANGS for t in train[lang]]), vocab_size=1200, progress=False)
    assert hybrid.model.merges == plain.model.merges
    assert hybrid.model.vocab == plain.model.vocab
    assert hybrid.training["merges_per_language"] == {lang: 0 for lang in sorted(LANGS)}


@needs_shared
def test_hybrid_starts_as_plain_bpe_then_serves_languages(articles):
    train, dev = _split(articles)
    hybrid = _parity(train, dev, 1200, global_share=0.5)
    plain = tokenforge.train(Texts([t for lang in LANGS for t in train[lang]]), vocab_size=1200, progress=False)
    k = hybrid.training["global_merges"]
    assert hybrid.training["global_tokens"] == round(0.5 * (1200 - 256))
    assert k >= hybrid.training["global_tokens"]
    assert hybrid.model.merges[:k] == plain.model.merges[:k]
    assert hybrid.model.merges[k:] != plain.model.merges[k:]
    assert sum(hybrid.training["merges_per_language"].values()) == len(hybrid.model.merges) - k


# -- what the policy measures and achieves -------------------------------------------------------------------------

@needs_shared
def test_dev_token_counts_equal_the_encoder(articles):
    """The incremental dev counts (dev words rewritten by each merge) equal encoding the dev text afterwards."""
    train, dev = _split(articles)
    tok = _parity(train, dev, 1000, global_share=0.25)
    for lang in LANGS:
        assert sum(len(ids) for ids in tok.encode_batch(dev[lang])) == tok.training["dev_tokens_after"][lang]
    bytes_level = {lang: sum(len(t.encode("utf-8")) for t in dev[lang]) for lang in LANGS}
    assert tok.training["dev_tokens_before"] == bytes_level


@needs_shared
def test_parity_narrows_the_spread_of_dev_token_counts(articles):
    train, dev = _split(articles)
    parity = _parity(train, dev, 1500)
    plain = tokenforge.train(Texts([t for lang in LANGS for t in train[lang]]), vocab_size=1500, progress=False)

    def spread(tok):
        counts = [sum(len(ids) for ids in tok.encode_batch(dev[lang])) for lang in LANGS]
        return max(counts) / min(counts)

    assert spread(parity) < spread(plain)
    assert spread(parity) < 1.1  # the worst language is served until it catches up


# -- determinism ---------------------------------------------------------------------------------------------------

TRAIN_SCRIPT = """
import sys, tokenforge
from tokenforge import Texts
text = open(sys.argv[1], encoding="utf-8").read().splitlines(keepends=True)
tok = tokenforge.train({"a": Texts(text[::2]), "b": Texts(t.upper() for t in text[1::2])},
                       dev={"a": Texts(text[:20]), "b": Texts(t.upper() for t in text[:20])},
                       vocab_size=800, model="parity", global_share=0.3, special_tokens=["<s>"], progress=False)
tok.save(sys.argv[2])
"""


def test_same_file_whatever_the_thread_count(tmp_path):
    outputs = []
    for threads in ("1", "2"):
        out = tmp_path / f"t{threads}.json"
        env = {**os.environ, "RAYON_NUM_THREADS": threads}
        subprocess.run([sys.executable, "-c", TRAIN_SCRIPT, str(ROOT / "examples" / "udhr-en.txt"), str(out)],
                       check=True, env=env)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_language_order_does_not_matter():
    text = (ROOT / "examples" / "udhr-en.txt").read_text(encoding="utf-8").splitlines(keepends=True)
    parts = {"x": text[::3], "y": [t.upper() for t in text[1::3]], "z": [t[::-1] for t in text[2::3]]}
    devs = {"x": text[:10], "y": [t.upper() for t in text[:10]], "z": [t[::-1] for t in text[:10]]}
    one = _parity(parts, devs, 600)
    other = _parity(dict(reversed(parts.items())), dict(reversed(devs.items())), 600)
    assert one.model.merges == other.model.merges
    assert one.training["merges_per_language"] == other.training["merges_per_language"]


# -- files and round trips -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_parity():
    text = (ROOT / "examples" / "udhr-en.txt").read_text(encoding="utf-8").splitlines(keepends=True)
    return _parity({"en": text[5:], "up": [t.upper() for t in text[5:]]},
                   {"en": text[:5], "up": [t.upper() for t in text[:5]]}, 700, special_tokens=["<s>"])


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=80))
def test_parity_tokenizer_round_trips(small_parity, text):
    assert small_parity.decode(small_parity.encode(text, disallowed_special=())) == text


@needs_shared
def test_saved_parity_tokenizer_loads_in_hf_with_same_ids(articles, tmp_path):
    tokenizers = pytest.importorskip("tokenizers")
    train, dev = _split(articles)
    tok = _parity(train, dev, 1000, special_tokens=["<|endoftext|>"])
    path = tmp_path / "parity.json"
    tok.save(path)
    hf = tokenizers.Tokenizer.from_file(str(path))
    docs = [articles[lang][i] for lang in LANGS for i in (0, 7, 30)]
    assert [e.ids for e in hf.encode_batch(docs, add_special_tokens=False)] == tok.encode_batch(docs)
    tt = tmp_path / "parity.tiktoken"
    tok.save(tt)
    assert tokenforge.load(tt).encode_batch(docs) == tok.encode_batch(docs)


# -- errors --------------------------------------------------------------------------------------------------------

def test_errors_name_the_problem():
    en, fr = Texts(["hello world"]), Texts(["bonjour le monde"])

    def train(corpora, dev, **kw):
        return tokenforge.train(corpora, dev=dev, vocab_size=300, model="parity", progress=False, **kw)

    with pytest.raises(tokenforge.ConfigError, match="no dev text: fr"):
        train({"en": en, "fr": fr}, {"en": Texts(["hi"])})
    with pytest.raises(tokenforge.ConfigError, match="no training corpus: de"):
        train({"en": en}, {"en": Texts(["hi"]), "de": Texts(["hallo"])})
    with pytest.raises(tokenforge.ConfigError, match="parallel dev set"):
        tokenforge.train({"en": en}, vocab_size=300, model="parity", progress=False)
    with pytest.raises(tokenforge.ConfigError, match="at least one language"):
        train({}, {})
    with pytest.raises(tokenforge.ConfigError, match="mapping language -> corpus"):
        train(Texts(["hello"]), {"en": Texts(["hi"])})
    with pytest.raises(tokenforge.CorpusError, match="dev text of 'fr'.*empty"):
        train({"en": en, "fr": fr}, {"en": Texts(["hi"]), "fr": Texts([])})
    with pytest.raises(tokenforge.CorpusError, match="training corpus of 'fr'.*empty"):
        train({"en": en, "fr": Texts(["", ""])}, {"en": Texts(["hi"]), "fr": Texts(["salut"])})
    for share in (-0.1, 1.5, "half", True):
        with pytest.raises(tokenforge.ConfigError, match="global_share"):
            train({"en": en}, {"en": Texts(["hi"])}, global_share=share)
    for bad in (-1, 1.5, True):
        with pytest.raises(tokenforge.ConfigError, match="window"):
            train({"en": en}, {"en": Texts(["hi"])}, window=bad)
    with pytest.raises(tokenforge.ConfigError, match="alpha"):
        train({"en": en}, {"en": Texts(["hi"])}, window=10, alpha=0)
    with pytest.raises(tokenforge.ConfigError, match="byte-level"):
        train({"en": en}, {"en": Texts(["hi"])}, byte_level=False)
    with pytest.raises(tokenforge.ConfigError, match="non-empty strings"):
        train({"": en}, {"": Texts(["hi"])})
    with pytest.raises(tokenforge.TrainingError, match="at least 257"):
        tokenforge.train({"en": en}, dev={"en": en}, vocab_size=100, model="parity", special_tokens=["<s>"],
                         progress=False)
    with pytest.raises(tokenforge.ConfigError, match="unknown training option"):
        train({"en": en}, {"en": Texts(["hi"])}, colum="x")


def test_small_corpora_stop_when_no_pair_is_left():
    with pytest.warns(tokenforge.errors.TrainingWarning, match="only 259 ids of the 5000"):
        tok = tokenforge.train({"a": Texts(["abc"]), "b": Texts(["xy"])}, dev={"a": Texts(["abc"]), "b": Texts(["xy"])},
                               vocab_size=5000, model="parity", pattern=None, progress=False)
    # "abc" (3 dev tokens) is served first, twice; then "xy"
    assert tok.model.merges == [(b"a", b"b"), (b"ab", b"c"), (b"x", b"y")]
    assert tok.training["merges_per_language"] == {"a": 2, "b": 1}


# -- CLI ------------------------------------------------------------------------------------------------------------

def test_cli_trains_parity(tmp_path, capsys):
    text = (ROOT / "examples" / "udhr-en.txt").read_text(encoding="utf-8").splitlines(keepends=True)
    files = {}
    for name, lines in (("en", text[5:]), ("en.dev", text[:5]), ("up", [t.upper() for t in text[5:]]),
                        ("up.dev", [t.upper() for t in text[:5]])):
        files[name] = tmp_path / f"{name}.txt"
        files[name].write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "parity.json"
    argv = ["train", "--model", "parity", "--lang-corpus", f"en={files['en']}", "--lang-corpus", f"up={files['up']}",
            "--dev", f"en={files['en.dev']}", "--dev", f"up={files['up.dev']}", "--vocab-size", "600",
            "--global-share", "0.5", "-q", "-o", str(out)]
    assert cli.main(argv) == 0
    tok = tokenforge.load(out)
    api = _parity({"en": text[5:], "up": [t.upper() for t in text[5:]]},
                  {"en": text[:5], "up": [t.upper() for t in text[:5]]}, 600, global_share=0.5)
    assert tok.vocab_size == 600 and tok.model.merges == api.model.merges
    capsys.readouterr()
    for bad, fragment in ((argv[:9] + argv[11:], "no dev text: up"),
                          (["train", "--model", "parity", str(files["en"]), "--vocab-size", "600", "-o", str(out)],
                           "--lang-corpus"),
                          (["train", "--model", "parity", "--lang-corpus", "en", "--vocab-size", "600", "-o", str(out)],
                           "LANG=PATH"),
                          (["train", str(files["en"]), "--dev", f"en={files['en.dev']}", "--vocab-size", "600", "-o",
                            str(out)], "only apply to --model parity")):
        assert cli.main(bad) == 2
        err = capsys.readouterr().err
        assert fragment in err and "Traceback" not in err
