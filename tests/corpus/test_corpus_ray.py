"""The Ray backend gives the same table as the local run (pruned or not), and reports errors and warnings alike."""

from __future__ import annotations

import gzip
import os
import random
import subprocess
import sys
import warnings

import pytest

from tokenforge.corpus import Texts, count_pretokens, open_corpus, word_counts
from tokenforge.errors import CorpusError, CorpusWarning

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the repository


def test_tokenforge_imports_without_ray():
    code = "import sys, tokenforge, tokenforge.corpus; assert 'ray' not in sys.modules, 'ray imported eagerly'"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.fixture(scope="module")
def ray_local():
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'tokenforge[ray]')")
    # Workers are fresh processes: make sure they import this checkout's tokenforge, as the driver does.
    python_dir = os.path.join(ROOT, "python")
    env_path = os.pathsep.join(p for p in (python_dir, os.environ.get("PYTHONPATH")) if p)
    try:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
                 runtime_env={"env_vars": {"PYTHONPATH": env_path}})
    except Exception as err:  # pragma: no cover - depends on the machine
        pytest.skip(f"Ray cannot start here: {type(err).__name__}: {err}")
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    rng = random.Random(11)
    vocab = [f"w{i}" for i in range(400)] + ["naïve", "日本", "it's", "42", "!!"]
    root = tmp_path_factory.mktemp("ray_corpus")
    for i in range(5):
        lines = [" ".join(rng.choice(vocab[: 20 + int(rng.paretovariate(0.7))]) for _ in range(rng.randint(1, 9)))
                 + "\n" for _ in range(300)]
        data = "".join(lines).encode()
        if i % 2:
            (root / f"part{i}.txt.gz").write_bytes(gzip.compress(data))
        else:
            (root / f"part{i}.txt").write_bytes(data)
    return root


def both(corpus_factory, *args, **kwargs):
    local = count_pretokens(corpus_factory(), *args, **kwargs)
    remote = count_pretokens(corpus_factory(), *args, ray=True, **kwargs)
    return local, remote


def test_ray_equals_local_exact(ray_local, corpus_dir):
    local, remote = both(lambda: open_corpus(corpus_dir), "o200k", shard_size=1, batch_chars=2000)
    assert not local.pruned
    assert remote == local
    assert remote.records == 1500


def test_ray_equals_local_with_pruning(ray_local, corpus_dir):
    local, remote = both(lambda: open_corpus(corpus_dir), "cl100k", "lowercase", shard_size=1, batch_chars=3000,
                         max_distinct=60)
    assert local.pruned and local.dropped_occurrences > 0
    assert remote == local  # same items, totals and pruning report


def test_ray_equals_local_on_iterables_and_tables(ray_local):
    rng = random.Random(5)
    texts = [f"item{int(rng.paretovariate(0.9))} and x{rng.randint(0, 30)}\n" for _ in range(3000)]
    table = word_counts({"and": 7, "zebra": 2, "x1": 40}, prefix_space=True)

    def make():
        return open_corpus([Texts(iter(texts)), table, Texts(texts[:100])])

    local, remote = both(make, "o200k", shard_size=5000, batch_chars=1000, max_distinct=80)
    assert local.pruned
    assert remote == local
    exact_local, exact_remote = both(make, "o200k", shard_size=5000)
    assert exact_remote == exact_local and exact_local.as_dict()[b" and"] == 3100 + 7


def test_ray_reports_errors_and_warnings_like_local(ray_local, tmp_path):
    (tmp_path / "a.txt").write_text("fine\n")
    (tmp_path / "b.txt").write_bytes(b"ok\nbad \xff\n")
    with pytest.raises(CorpusError, match=r"b\.txt: line 2, byte offset 7: invalid UTF-8"):
        count_pretokens(open_corpus(tmp_path, errors="strict"), "o200k", ray=True, shard_size=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        counts = count_pretokens(open_corpus(tmp_path), "o200k", ray=True, shard_size=1)
    messages = [str(w.message) for w in caught if issubclass(w.category, CorpusWarning)]
    assert len(messages) == 1 and "b.txt: 1 invalid UTF-8 byte(s) replaced" in messages[0]
    assert counts.as_dict()[" \ufffd\n".encode()] == 1
    with pytest.raises(CorpusError, match="the corpus is empty"):
        count_pretokens(Texts([""]), "o200k", ray=True)


def test_training_on_ray_equals_local_training(ray_local, corpus_dir, tmp_path):
    """The whole product path: `train(..., ray=True)` writes the same tokenizer file as the local run."""
    import tokenforge

    files = []
    for ray in (False, True):
        tok = tokenforge.train(open_corpus(corpus_dir), vocab_size=420, pattern="o200k", special_tokens=["<s>"],
                               ray=ray, shard_size=1, progress=False)
        path = tmp_path / f"ray_{ray}.json"
        tok.save(path)
        files.append(path.read_bytes())
    assert files[0] == files[1]
    assert len(tok.model.merges) > 100
