"""Pretoken counting: the reference counter, the orchestration (batches, shards, merges), the memory bound and its
report, word-count tables, and exact agreement with a plain Counter on real text."""

from __future__ import annotations

import gzip
import itertools
import random
from collections import Counter

import pytest

from tokenforge import _core
from tokenforge.corpus import Texts, count_pretokens, open_corpus, word_counts, wordfreq_counts
from tokenforge.corpus.shard_counting import PruneReport, enforce_bound
from tokenforge.errors import ConfigError, CorpusError
from tokenforge.pipeline.normalizers import Normalizer
from tokenforge.pipeline.pretokenizers import NAMED_PATTERNS, PreTokenizer
from tokenforge.reference.counting import PretokenCounter
from tokenforge.reference.pretokenize import pretokenize

from conftest import CORPORA, needs_shared


def plain_count(texts, pattern: str, normalizer: Normalizer = Normalizer(())) -> dict[bytes, int]:  # noqa: B008
    return dict(Counter(p.encode() for t in texts for p in pretokenize(normalizer(t), pattern)))


# ------------------------------------------------------------------------------------------- reference counter


def test_reference_counter_interface():
    c = PretokenCounter("r50k", None, True, [])
    c.add_texts(["the cat sat\n", "the cat\n"])
    assert c.items() == [(b"\n", 2), (b" cat", 2), (b" sat", 1), (b"the", 2)]
    assert (len(c), c.total()) == (4, 7)
    c.add_counts([(b" sat", 4), (b"zebra", 1)])
    assert dict(c.items())[b" sat"] == 5 and c.total() == 12
    assert c.prune(2) == (1, 1)  # zebra
    assert c.prune(3) == (3, 6)  # "\n", " cat", "the" had 2 each
    assert c.items() == [(b" sat", 5)] and c.total() == 5


def test_reference_counter_kinds_and_normalizer():
    whole = PretokenCounter("whole", None, True, ["lowercase"])
    whole.add_texts(["Hello World", "", "hello world"])
    assert whole.items() == [(b"hello world", 2)]
    gaps = PretokenCounter("regex", r"\d+", True, [])
    gaps.add_texts(["ab12cd"])
    assert gaps.items() == [(b"12", 1), (b"ab", 1), (b"cd", 1)]
    no_gaps = PretokenCounter("regex", r"\d+", False, [])
    no_gaps.add_texts(["ab12cd"])
    assert no_gaps.items() == [(b"12", 1)]
    nfkc = PretokenCounter("o200k", None, True, ["nfkc"])
    nfkc.add_texts(["ﬁne"])  # the ligature becomes "fi"
    assert nfkc.items() == [(b"fine", 1)]
    lone = PretokenCounter("whole", None, True, [])
    lone.add_texts(["a\ud800b"])  # a lone surrogate cannot be UTF-8: U+FFFD, as the tokenizer does
    assert lone.items() == [("a\ufffdb".encode(), 1)]
    with pytest.raises(ConfigError):
        PretokenCounter("nonsense", None, True, [])
    with pytest.raises(ConfigError):
        PretokenCounter("regex", None, True, [])


@pytest.mark.skipif(not hasattr(_core, "PretokenCounter"), reason="the native counter is not built into _core yet")
def test_native_counter_equals_reference():
    texts = ["Hello world! It's 2024.\n", "  spaces   and\ttabs\n\n", "naïve café 日本語 ✓", ""] * 3
    for name in ("r50k", "cl100k", "o200k", "qwen2"):
        args = PreTokenizer.named(name).native_args()
        native, ref = _core.PretokenCounter(*args, ["nfc"]), PretokenCounter(*args, ["nfc"])
        for c in (native, ref):
            c.add_texts(texts)
            c.add_counts([(b" world", 3), (b"\xff", 1)])
        assert native.items() == ref.items() and native.total() == ref.total() and len(native) == len(ref)
        assert native.prune(3) == ref.prune(3) and native.items() == ref.items()


def test_orchestration_uses_the_native_counter_when_present(monkeypatch):
    made = []

    class Native(PretokenCounter):
        def __init__(self, *args):
            made.append(args)
            super().__init__(*args)

    monkeypatch.setattr(_core, "PretokenCounter", Native, raising=False)
    counts = count_pretokens(Texts(["a b"]), "o200k", "nfc")
    assert made and made[0] == ("o200k", None, True, ["nfc"])
    assert counts.items == [(b" b", 1), (b"a", 1)]


# ------------------------------------------------------------------------------------------------ orchestration


def test_hand_computed_small_corpus(tmp_path):
    (tmp_path / "a.txt").write_text("the cat sat\nthe cat\n")
    counts = count_pretokens(open_corpus(tmp_path), "r50k")
    assert counts.items == [(b"\n", 2), (b" cat", 2), (b" sat", 1), (b"the", 2)]
    assert (counts.total, counts.distinct, counts.records, counts.chars) == (7, 4, 2, 20)
    assert not counts.pruned and counts.dropped_distinct == counts.dropped_occurrences == 0
    assert counts.most_common(2) == [(b"\n", 2), (b" cat", 2)]
    # a path, a list of paths and a corpus are all accepted
    assert count_pretokens(tmp_path / "a.txt", "r50k").items == counts.items


def test_batches_shards_and_files_do_not_change_exact_counts(tmp_path):
    rng = random.Random(7)
    words = ["alpha", "beta", "gamma", "δέλτα", "42", "it's", "!!", "日本"]
    lines = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 12))) + "\n" for _ in range(600)]
    (tmp_path / "a.txt").write_text("".join(lines[:200]), encoding="utf-8")
    (tmp_path / "b.txt.gz").write_bytes(gzip.compress("".join(lines[200:400]).encode()))
    (tmp_path / "c.jsonl").write_text("".join(f'{{"text": "{line[:-1]}\\n"}}\n' for line in lines[400:]),
                                      encoding="utf-8")
    expected = plain_count(lines, NAMED_PATTERNS["cl100k"])
    results = [count_pretokens(open_corpus(tmp_path), "cl100k", batch_chars=b, shard_size=s)
               for b, s in [(4_000_000, 64_000_000), (100, 1), (1, 1000)]]
    for counts in results:
        assert counts.as_dict() == expected
        assert counts.total == sum(expected.values()) and counts.records == 600


@needs_shared
def test_real_text_equals_a_plain_counter(tmp_path):
    with gzip.open(CORPORA / "en-rustdocs.txt.gz", "rt", encoding="utf-8") as f:
        lines = list(itertools.islice(f, 90_000))  # about 3.5 MB
    assert sum(map(len, lines)) > 3_000_000
    third = len(lines) // 3
    (tmp_path / "1.txt").write_text("".join(lines[:third]), encoding="utf-8")
    (tmp_path / "2.txt.gz").write_bytes(gzip.compress("".join(lines[third : 2 * third]).encode()))
    zstandard = pytest.importorskip("zstandard")
    (tmp_path / "3.txt.zst").write_bytes(zstandard.ZstdCompressor().compress("".join(lines[2 * third :]).encode()))
    counts = count_pretokens(open_corpus(tmp_path), "o200k", batch_chars=500_000, shard_size=100_000)
    expected = plain_count(lines, NAMED_PATTERNS["o200k"])
    assert counts.as_dict() == expected
    assert counts.items == sorted(expected.items()) and counts.records == len(lines)


def test_normalizer_is_applied_before_pretokenizing():
    texts = ["The CAFÉ\n", "the café\n", "ﬁne Fine\n"]
    norm = Normalizer(("nfkc", "lowercase"))
    counts = count_pretokens(Texts(texts), "o200k", "nfkc+lowercase")
    assert counts.as_dict() == plain_count(texts, NAMED_PATTERNS["o200k"], norm)
    assert counts.as_dict()[" café".encode()] == 2 and counts.as_dict()[b" fine"] == 1


def test_empty_corpus_is_a_clear_error(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    for corpus in (open_corpus(tmp_path / "empty.txt"), open_corpus(tmp_path), Texts([]), Texts(["", ""])):
        with pytest.raises(CorpusError, match="the corpus is empty"):
            count_pretokens(corpus, "o200k")


def test_progress_reports_records_chars_and_distinct():
    calls = []
    texts = [f"word{i % 50} and more\n" for i in range(400)]
    counts = count_pretokens(Texts(texts), "o200k", batch_chars=500,
                             progress=lambda r, c, d: calls.append((r, c, d)))
    assert len(calls) > 5
    assert calls == sorted(calls, key=lambda x: (x[0], x[1]))
    assert calls[-1] == (400, sum(map(len, texts)), counts.distinct)


def test_bad_arguments():
    with pytest.raises(ConfigError, match="max_distinct"):
        count_pretokens(Texts(["a"]), "o200k", max_distinct=1)
    with pytest.raises(ConfigError, match="unknown pattern|unknown normalizer"):
        count_pretokens(Texts(["a"]), "o200k", "nfx")


# --------------------------------------------------------------------------------------------------- memory bound


def test_pruning_rule_and_report_by_hand():
    # whole-record pretokens with counts p:1 q:1 r:2 s:3 t:5 u:8 (6 distinct, 20 occurrences)
    texts = ["p", "q"] + ["r"] * 2 + ["s"] * 3 + ["t"] * 5 + ["u"] * 8
    counts = count_pretokens(Texts(texts), None, max_distinct=4)
    # 6 > 4: k=2 drops p, q (4 left, still > 4/2); k=4 drops r, s (2 left)
    assert counts.items == [(b"t", 5), (b"u", 8)]
    assert (counts.dropped_distinct, counts.dropped_occurrences, counts.prune_threshold) == (4, 7, 4)
    assert counts.total + counts.dropped_occurrences == len(texts)
    assert count_pretokens(Texts(texts), None, max_distinct=6).prune_threshold is None  # at the bound: no pruning


def simulate(texts: list[str], batch_chars: int, max_distinct: int) -> tuple[dict[str, int], int, int, int]:
    """The documented rule, written independently: count batch by batch, prune after each batch."""
    table: Counter[str] = Counter()
    dropped_d = dropped_o = threshold = 0
    batch: list[str] = []
    size = 0
    for i, text in enumerate(texts):
        batch.append(text)
        size += len(text)
        if size >= batch_chars or i == len(texts) - 1:
            table.update(batch)
            batch, size = [], 0
            if len(table) > max_distinct:
                k = 2
                while True:
                    gone = [w for w, n in table.items() if n < k]
                    dropped_d += len(gone)
                    dropped_o += sum(table.pop(w) for w in gone)
                    threshold = max(threshold, k)
                    if 2 * len(table) <= max_distinct:
                        break
                    k *= 2
    return dict(table), dropped_d, dropped_o, threshold


def test_pruning_while_streaming_matches_the_rule():
    rng = random.Random(3)
    # Zipf-like: a few frequent words and a long tail, so pruning fires repeatedly while streaming
    texts = [f"w{int(rng.paretovariate(0.8))}" for _ in range(5000)]
    table, dropped_d, dropped_o, threshold = simulate(texts, 200, 60)
    counts = count_pretokens(Texts(texts), None, batch_chars=200, max_distinct=60)
    assert counts.as_dict() == {w.encode(): n for w, n in table.items()}
    assert (counts.dropped_distinct, counts.dropped_occurrences, counts.prune_threshold) == (dropped_d, dropped_o,
                                                                                             threshold)
    assert counts.total + counts.dropped_occurrences == len(texts)
    assert counts.distinct <= 60 and threshold >= 4


def test_enforce_bound_doubles_until_half():
    c = PretokenCounter("whole", None, True, [])
    c.add_counts([(bytes([65 + i]), n) for i, n in enumerate([1, 2, 3, 4, 7, 8, 9, 16, 17, 40])])
    report = PruneReport()
    enforce_bound(c, 4, report)  # 10 > 4: k=2 leaves 9, k=4 7, k=8 5, k=16 3, k=32 1 (<= 4/2: stop)
    assert c.items() == [(b"J", 40)] and report.threshold == 32 and report.rounds == 5
    assert (report.dropped_distinct, report.dropped_occurrences) == (9, 1 + 2 + 3 + 4 + 7 + 8 + 9 + 16 + 17)
    enforce_bound(c, 4, report)  # within the bound: nothing happens
    assert report.rounds == 5


# ---------------------------------------------------------------------------------------------- word-count tables


def test_word_table_from_dict_as_given_or_with_prefix_space():
    table = {"the": 10, "cat": 3, "don't": 2, "Cat": 1}
    counts = count_pretokens(word_counts(table), "o200k")
    assert counts.as_dict() == {b"the": 10, b"cat": 3, b"don't": 2, b"Cat": 1}
    spaced = count_pretokens(word_counts(table, prefix_space=True), "o200k", "lowercase")
    assert spaced.as_dict() == {b" the": 10, b" cat": 4, b" don't": 2}  # the normalizer merges Cat into cat
    split = count_pretokens(word_counts(table, prefix_space=True, pretokenize=True), "r50k")
    assert split.as_dict() == {b" the": 10, b" cat": 3, b" Cat": 1, b" don": 2, b"'t": 2}
    with pytest.raises(CorpusError, match="must be an integer"):
        word_counts({"a": -1})
    with pytest.raises(CorpusError, match="non-empty string"):
        word_counts({"": 3})


def test_word_table_from_tsv_and_mixed_with_text(tmp_path):
    path = tmp_path / "counts.tsv.gz"
    path.write_bytes(gzip.compress("hello\t5\nwith\ttab\t2\n\nbig\t18446744073709551615\nhello\t1\n".encode()))
    counts = count_pretokens([word_counts(path), Texts(["hello"])], None)
    assert counts.as_dict() == {b"hello": 7, b"with\ttab": 2, b"big": 2**64 - 1}
    assert counts.total == 2**64 - 1 + 9  # Python ints: no u64 overflow in the sum
    bad = tmp_path / "bad.tsv"
    bad.write_text("ok\t1\nbroken line\n")
    with pytest.raises(CorpusError, match=r"bad\.tsv: line 2: expected word<TAB>count"):
        count_pretokens(word_counts(bad), None)
    bad.write_text("ok\t1\nword\tmany\n")
    with pytest.raises(CorpusError, match=r"bad\.tsv: line 2: the count 'many' is not an integer"):
        count_pretokens(word_counts(bad), None)


def test_wordfreq_counts():
    pytest.importorskip("wordfreq")
    table = wordfreq_counts("en", n=2000, total=10**9, prefix_space=True)
    counts = count_pretokens(table, "o200k")
    top = counts.most_common(3)
    assert top[0][0] == b" the" and top[0][1] > 10**7
    assert 1900 <= counts.distinct <= 2000 and all(n > 0 for _, n in counts.items)
    with pytest.raises(ConfigError, match="wordfreq has no"):
        wordfreq_counts("xx-nonexistent")
