"""The evaluation's fast paths against the plain definitions they stand in for: the native token table and its
vectorised metrics, numpy inputs to the metric functions, block reading of plain text, running-text encoding,
the record sample and the read-ahead thread."""

from __future__ import annotations

import gzip
import itertools
import warnings
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tokenforge
from tokenforge.corpus import Texts, open_corpus
from tokenforge.corpus.corpus import group_records
from tokenforge.corpus.readers import LineBlock
from tokenforge.errors import CorpusError
from tokenforge.evaluation import evaluate
from tokenforge.evaluation.scan import RecordSample, read_ahead, running_pieces, scan
from tokenforge.evaluation.token_table import TokenTable
from tokenforge.metrics import compression, entropy, fallback, reachability, scripts, vocabulary, zipf

from conftest import ROOT, SHARED, needs_shared

GPT2_SMALL = ROOT / "examples" / "gpt2-small.tiktoken"
EXAMPLE_TEXT = ROOT / "examples" / "udhr-en.txt"


def _tokenizers():
    """Bundled GPT-2 sample, WordPiece and Unigram trained here on the bundled text, plus the shared files
    (tiktoken, HF tokenizer.json, SentencePiece) when they are there."""
    text = tokenforge.Texts(EXAMPLE_TEXT.read_text(encoding="utf-8").splitlines(keepends=True))
    out = {"gpt2-small": tokenforge.load(GPT2_SMALL),
           "wordpiece": tokenforge.train(text, model="wordpiece", vocab_size=600, progress=False),
           "unigram": tokenforge.train(text, model="unigram", vocab_size=600, progress=False)}
    if SHARED.exists():
        for name in ("cl100k_base.tiktoken", "qwen3.tokenizer.json", "mistral-v1.sentencepiece.model"):
            out[name] = tokenforge.load(SHARED / "tokenizers" / name)
    return out


TOKENIZERS = _tokenizers()


@pytest.fixture(scope="module", params=sorted(TOKENIZERS))
def table_and_tok(request):
    tok = TOKENIZERS[request.param]
    return TokenTable.build(tok), tok


def _plain_bytes(tok) -> dict[int, bytes]:
    out = {}
    for i in range(tok.vocab_size):
        b = tok._core.token_bytes(i)
        if b is not None:
            out[i] = b
    return out


def test_table_bytes_and_flags_match_the_plain_lookups(table_and_tok):
    table, tok = table_and_tok
    plain = _plain_bytes(tok)
    assert table.token_bytes == plain
    assert table.lengths.tolist() == [len(plain.get(i, b"")) for i in range(tok.vocab_size)]
    ordinary = {i: b for i, b in plain.items() if i not in table.special}
    assert table.ordinary_ids == sorted(ordinary)
    assert table.partial == {i for i, b in plain.items() if fallback.is_partial_utf8(b)}
    assert table.undecodable() == reachability.undecodable_tokens(ordinary)
    assert table.completeness() == scripts.completeness(ordinary.values())
    labels = {i: scripts.token_script(b) for i, b in ordinary.items()}
    assert table.script_distribution() == scripts.distribution(labels)


def test_native_labels_equal_the_python_rules(table_and_tok):
    """Every id's script and character category from `_core.label_tokens` (characters labelled in Python, tokens
    combined natively) is what `scripts.token_script` / `token_category` say of its bytes."""
    table, tok = table_and_tok
    for i, data in table.token_bytes.items():
        assert table.script_labels[table.script_codes[i]] == scripts.token_script(data), (i, data)
        assert table.category_labels[table.category_codes[i]] == scripts.token_category(data), (i, data)


def test_labels_of_hand_made_tokens():
    """Edge cases of the rules, through the native path: leading whitespace and "▁", marks that inherit the
    script of their letter, partial UTF-8, an empty entry."""
    from tokenforge import _core

    entries = [b"", b" ", b"\xe2\x96\x81", b" \xe2\x96\x81 x", b"\xe2\x96\x81 \xe2\x96\x81x", b"e\xcc\x81",
               b"\xcc\x81", "日本".encode(), "aé日".encode(), b"\xe6\x97", b"12", b" ,", b"a1", "\u2028x".encode()]
    blob = b"".join(entries)
    offsets = np.cumsum([0] + [len(e) for e in entries]).astype("<u8")
    chars = _core.vocab_chars(blob, offsets.tobytes())
    assert chars == "".join(sorted({c for e in entries for c in e.decode("utf-8", "ignore")}))
    table = TokenTable(len(entries), blob, offsets.astype(np.int64), np.ones(len(entries), np.uint8),
                       frozenset(), frozenset())
    table._label_characters()
    got = [(table.script_labels[s], table.category_labels[c]) for s, c in zip(table.script_codes, table.category_codes)]
    want = [(scripts.token_script(e), scripts.token_category(e)) for e in entries]
    assert got == want
    assert want[0] == ("Common", "empty") and want[5] == ("Latin", "letters") and want[9][0] == "Partial UTF-8"
    with pytest.raises(ValueError, match="offsets"):
        _core.vocab_chars(blob, b"\x00" * 7)


def test_vectorised_distributions_equal_the_metric_functions(table_and_tok):
    table, tok = table_and_tok
    counts = np.zeros(tok.vocab_size, np.int64)
    for ids in tok.encode_batch(EXAMPLE_TEXT.read_text(encoding="utf-8").splitlines(), disallowed_special=()):
        np.add.at(counts, ids, 1)
    hist = {i: int(c) for i, c in enumerate(counts) if c}
    lengths = {i: len(b) for i, b in table.token_bytes.items()}
    assert table.length_distribution(counts) == vocabulary.length_distribution(hist, lengths)
    assert table.length_distribution(table.ordinary) == vocabulary.length_distribution(
        {i: 1 for i in table.ordinary_ids}, lengths)
    labels = {i: scripts.token_script(b) for i, b in table.token_bytes.items()}
    assert table.script_distribution(counts) == scripts.distribution(labels, hist)
    categories = {i: scripts.token_category(table.token_bytes[i]) for i in hist}
    assert table.category_distribution(counts) == scripts.distribution(categories, hist)
    assert table.unused(counts) == reachability.unused_tokens(hist, table.ordinary_ids)


def test_native_reachability_equals_the_reference_check(table_and_tok):
    """The REACHES flag (one parallel native pass) gives the same unreachable ids as encoding every token's
    string through the Python API; word-start vocabularies fall back to the reference check."""
    table, tok = table_and_tok
    fast = table.unreachable()
    if fast is None:
        assert table.marks_word_start or not table.reach_known
        return
    assert fast == reachability.unreachable_tokens(tok, table.token_bytes, skip=table.special)


def test_word_start_detection_matches_the_reference_rule(table_and_tok):
    table, _ = table_and_tok
    ordinary = [table.token_bytes[i] for i in table.ordinary_ids]
    starts = sum(1 for b in ordinary if b.startswith(reachability.META_SPACE))
    assert table.marks_word_start == (starts > 0.05 * max(len(table.token_bytes), 1))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=0, max_size=40), st.floats(0.1, 5))
def test_metric_functions_take_dense_arrays(values, alpha):
    """A dense numpy histogram and the {id: count} mapping give the same metrics."""
    dense = np.array(values, dtype=np.int64)
    mapping = {i: c for i, c in enumerate(values) if c}
    same = pytest.approx
    for fn in (entropy.shannon_entropy, zipf.zipf_fit, lambda c: entropy.renyi_entropy(c, alpha),
               lambda c: vocabulary.utilisation(c, 64), lambda c: fallback.rate_of(c, {0, 3, 99})):
        got, want = fn(dense), fn(mapping)
        if want is None or got is None:
            assert got is want is None
        elif isinstance(want, dict):
            assert got == {k: same(v, rel=1e-9, abs=1e-12) for k, v in want.items()}
        else:
            assert got == same(want, rel=1e-9, abs=1e-12)


def test_fertility_takes_aligned_arrays():
    words = {"a": 3, "bb": 2, "ccc": 5}
    tokens = {"a": 1, "bb": 2, "ccc": 3}
    c, n = np.array(list(words.values())), np.array([tokens[w] for w in words])
    assert compression.fertility(c, n) == compression.fertility(words, tokens) == (3 + 4 + 15) / 10
    assert compression.continued_words(c, n) == compression.continued_words(words, tokens) == 7 / 10


def test_negative_dense_counts_are_refused():
    with pytest.raises(ValueError, match="negative count -2 for 1"):
        entropy.shannon_entropy(np.array([1, -2]))


# -- reading plain text by blocks -------------------------------------------------------------------------------


def _flatten(batches) -> list[str]:
    out = []
    for b in batches:
        out.extend(b.records() if isinstance(b, LineBlock) else b)
    return out


@pytest.mark.parametrize("content", [
    b"one\ntwo\n\nthree",                                   # no final newline
    "\ufeffbom first\nsecond\n".encode("utf-8"),            # a byte-order mark is dropped
    b"good\nbad \xff byte\nafter\n",                        # invalid UTF-8: the line-by-line path
    b"x" * 300 + b"\nshort\n" + b"y" * 90 + b"\n",          # lines over max_record_chars are cut
])
def test_batches_give_the_records_iteration_gives(tmp_path, content):
    path = tmp_path / "c.txt"
    path.write_bytes(content)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the invalid byte is reported once per read; not what is tested here
        corp = open_corpus([str(path)], max_record_chars=100)
        assert _flatten(corp.batches(chars=64)) == list(corp)


def test_batches_mix_files_and_texts(tmp_path):
    (tmp_path / "a.txt").write_text("l1\nl2\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"text": "doc one"}\n{"text": "doc two"}\n', encoding="utf-8")
    corp = open_corpus([str(tmp_path / "a.txt"), str(tmp_path / "b.jsonl"), Texts(["t1", "t2"])])
    batches = list(corp.batches(chars=5))
    assert isinstance(batches[0], LineBlock) and batches[0].text == "l1\nl2\n"
    assert _flatten(batches) == list(corp) == ["l1\n", "l2\n", "doc one", "doc two", "t1", "t2"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("ab \n\u00e9"), max_size=30), max_size=30), st.integers(1, 40))
def test_running_pieces_cut_only_at_line_ends(lines, size):
    text = "".join(line + "\n" for line in lines)
    pieces = running_pieces(text, size)
    assert "".join(pieces) == text
    assert all(p and (p.endswith("\n") or p is pieces[-1]) for p in pieces)


@needs_shared
def test_running_text_counts_are_those_of_the_whole_file():
    """Plain text is encoded as running text: the report's token count is that of encoding the file whole, to a
    few tokens per million (pre-tokens spanning a 64 KB cut); `line_records` counts each line on its own."""
    path = SHARED / "corpora" / "en-rustdocs.txt.gz"
    text = gzip.open(path, "rb").read(2_000_000).decode("utf-8", "ignore")
    text = text[: text.rfind("\n") + 1]
    corpus = ROOT / "build" / "running-text.txt"
    corpus.parent.mkdir(exist_ok=True)
    corpus.write_text(text, encoding="utf-8")
    tok = tokenforge.load(SHARED / "tokenizers" / "cl100k_base.tiktoken")
    running = evaluate([tok], [str(corpus)], progress=False)["metrics"]["cl100k_base"]["tokens"]
    lines = evaluate([tok], [str(corpus)], progress=False, line_records=True)["metrics"]["cl100k_base"]["tokens"]
    whole = tok.count(text, disallowed_special=())
    assert abs(running - whole) <= whole * 1e-4
    assert lines == sum(tok.count_batch(text.splitlines(keepends=True), disallowed_special=()))
    assert lines > running * 1.01  # indentation after a line end is one more token per line


def test_id_histogram_of_line_blocks_counts_each_line():
    tok = tokenforge.load(GPT2_SMALL)
    lines = EXAMPLE_TEXT.read_text(encoding="utf-8").splitlines(keepends=True) + ["no newline at the end"]
    block = "".join(lines)
    expected = Counter(i for ids in tok.encode_batch(lines, disallowed_special=()) for i in ids)
    got = tok.id_histogram([block[:1000], block[1000:]] if block[999] == "\n" else [block], disallowed_special=(),
                           units="lines")
    assert {i: int(c) for i, c in enumerate(got) if c} == dict(expected)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("ab é\n日"), max_size=40), max_size=20), st.integers(1, 50))
def test_native_running_pieces_equal_the_twin(texts, size):
    """`units="running"` cuts natively where `running_pieces` cuts (character counts, multi-byte text)."""
    tok = tokenforge.load(GPT2_SMALL)
    expected = Counter(i for t in texts for ids in tok.encode_batch(running_pieces(t, size), disallowed_special=())
                       for i in ids)
    got = tok.id_histogram(texts, disallowed_special=(), units="running", piece_chars=size)
    assert {i: int(c) for i, c in enumerate(got) if c} == dict(expected)


def test_bad_units_are_refused():
    tok = tokenforge.load(GPT2_SMALL)
    with pytest.raises(tokenforge.errors.ConfigError, match="units"):
        tok.id_histogram(["x"], units="words")
    with pytest.raises(tokenforge.errors.ConfigError, match="piece_chars"):
        tok.id_histogram(["x"], units="running", piece_chars=0)


# -- the record sample and the read-ahead thread ----------------------------------------------------------------


def _sampled(batches: list[list[str]], limit: int) -> list[str]:
    """`RecordSample` fed batch by batch, records located by a plain linear search (an oracle for the scan's)."""
    sample = RecordSample(limit, 10)
    pos = 0
    for b in batches:
        ends = list(itertools.accumulate(map(len, b)))

        def locate(p, b=b, ends=ends):
            k = next(k for k, e in enumerate(ends) if e > p)
            return (ends[k - 1] if k else 0), ends[k], b[k]
        sample.add(pos, ends[-1], locate)
        pos += ends[-1]
    return sample.texts()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="ab", min_size=0, max_size=50), max_size=200), st.integers(1, 8),
       st.integers(1, 300))
def test_record_sample_is_bounded_spread_and_made_of_records(records, limit, batch_chars):
    batches = list(group_records(records, batch_chars))
    got = _sampled(batches, limit)
    assert len(got) <= limit
    assert all(t in {r[:10] for r in records} and t for t in got)
    nonempty = [r for r in records if r]
    if nonempty and sum(map(len, records)) <= limit:  # a corpus this small is sampled whole
        assert got == [r[:10] for r in nonempty]
    assert _sampled(batches, limit) == got  # deterministic


def test_scan_sample_spreads_over_a_long_corpus():
    records = [f"record {k:05d}\n" for k in range(20_000)]
    corpus, _ = scan(records, [], sample_records=16, chunk_chars=5_000)
    picked = [int(r.split()[1]) for r in corpus.sample]
    assert len(picked) == 16 and picked == sorted(picked)
    gaps = [b - a for a, b in zip(picked, picked[1:])]
    assert min(gaps) > 20_000 / 16 / 3 and picked[0] < 20_000 / 8 and picked[-1] > 20_000 * 3 / 4


def test_read_ahead_keeps_order_and_raises_where_the_reader_did():
    assert list(read_ahead(iter(range(100)))) == list(range(100))

    def failing():
        yield 1
        yield 2
        raise CorpusError("truncated stream", "x.gz")

    got = []
    with pytest.raises(CorpusError, match="truncated"):
        for item in read_ahead(failing()):
            got.append(item)
    assert got == [1, 2]


def test_read_ahead_stops_when_the_consumer_does():
    produced = []

    def endless():
        for k in itertools.count():
            produced.append(k)
            yield k

    for item in read_ahead(endless()):
        if item == 3:
            break
    settled = len(produced)
    assert settled <= 3 + 3  # one step ahead, plus the item in hand


@pytest.mark.parametrize("name", sorted(TOKENIZERS))
def test_word_token_counts_equal_counting_each_word(name):
    """Fertility's native inputs: the words `most_common(n)` gives, with their counts, and the token count of
    " " + word as `count_batch` gives it (ties at the cut-off included the same way)."""
    from tokenforge import _core

    tok = TOKENIZERS[name]
    if not hasattr(tok, "word_token_counts"):
        pytest.skip("no native table")
    tally = _core.WordTally()
    tally.add([EXAMPLE_TEXT.read_text(encoding="utf-8"), "x <|endoftext|> y\n"])
    for n in (1, 50, 10_000):
        occurrences, tokens = tok.word_token_counts(tally, n)
        top = tally.most_common(n)
        want = dict(zip((w for w, _ in top), tok.count_batch([" " + w for w, _ in top], disallowed_special=())))
        assert sorted(occurrences.tolist()) == sorted(c for _, c in top)
        assert sorted(zip(occurrences.tolist(), tokens.tolist())) == sorted((c, want[w]) for w, c in top)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab é日\U0001f600\n"), max_size=40), st.data())
def test_boundaries_from_lengths_equal_boundaries(text, data):
    """The vectorised boundaries (byte lengths only) are `robustness.boundaries` of the same cut, including cuts
    inside a multi-byte character."""
    from tokenforge.metrics import robustness

    raw = text.encode("utf-8")
    cuts = sorted(set(data.draw(st.lists(st.integers(0, len(raw)), max_size=12))) | {0, len(raw)})
    pieces = [raw[a:b] for a, b in zip(cuts, cuts[1:])]
    assert robustness.boundaries_from_lengths([len(p) for p in pieces], text) == robustness.boundaries(pieces, text)


def test_id_histogram_adds_into_out():
    tok = tokenforge.load(GPT2_SMALL)
    texts = EXAMPLE_TEXT.read_text(encoding="utf-8").splitlines(keepends=True)
    once = tok.id_histogram(texts, disallowed_special=())
    out = np.zeros(tok.vocab_size, dtype=np.uint64)
    assert tok.id_histogram(texts, disallowed_special=(), out=out) is out
    tok.id_histogram(texts[:10], disallowed_special=(), out=out)
    assert out.tolist() == (once + tok.id_histogram(texts[:10], disallowed_special=())).tolist()
    for bad in (np.zeros(tok.vocab_size - 1, np.uint64), np.zeros(tok.vocab_size, np.uint64)[::2]):
        with pytest.raises(tokenforge.errors.ConfigError, match="out must be"):
            tok.id_histogram(texts, out=bad)
    with pytest.raises((ValueError, BufferError, TypeError)):
        tok.id_histogram(texts, out=np.zeros(tok.vocab_size, np.float64))
