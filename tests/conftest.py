"""Shared fixtures: the real data in ../shared/data, loaded once per session."""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TOKENFORGE_SHARED_DATA", ROOT.parent / "shared" / "data"))
TOKENIZERS = SHARED / "tokenizers"
CORPORA = SHARED / "corpora"
UDHR = SHARED / "parallel" / "udhr"
TIKTOKEN_NAMES = ("r50k_base", "p50k_base", "cl100k_base", "o200k_base")

EXAMPLES = ROOT / "examples"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared data not found at {SHARED}")


def read_corpus(path: Path) -> str:
    # en-gcide holds 3 bytes that are not UTF-8; the data README says to compare with errors="replace".
    with gzip.open(path, "rb") as f:
        return f.read().decode("utf-8", errors="replace")


@pytest.fixture(scope="session")
def corpora() -> dict[str, str]:
    return {p.name.split(".")[0]: read_corpus(p) for p in sorted(CORPORA.glob("*.txt.gz"))}


def udhr_texts() -> dict[str, str]:
    """language -> the whole UDHR in it (articles in order, a blank line between)."""
    texts = {}
    for p in sorted(UDHR.glob("*.json")):
        arts = json.loads(p.read_text(encoding="utf-8"))["articles"]
        texts[p.stem] = "\n\n".join(arts[k] for k in sorted(arts, key=int))
    return texts


@pytest.fixture(scope="session")
def udhr() -> dict[str, str]:
    return udhr_texts()


def tiktoken_reference(name: str):
    """tiktoken's own Encoding built from the shared rank file and its official pattern/special tokens."""
    tiktoken = pytest.importorskip("tiktoken")
    meta = json.loads((TOKENIZERS / f"{name}.json").read_text())
    ranks = {}
    for line in (TOKENIZERS / f"{name}.tiktoken").read_bytes().splitlines():
        if line:
            b64, rank = line.split()
            ranks[base64.b64decode(b64)] = int(rank)
    return tiktoken.Encoding(
        name, pat_str=meta["pat_str"], mergeable_ranks=ranks, special_tokens=meta["special_tokens"],
        explicit_n_vocab=meta["explicit_n_vocab"],
    )


@pytest.fixture(scope="session")
def ours():
    """Our tokenizers loaded from the shared files, by name."""
    import tokenforge

    cache = {}

    def get(name: str):
        if name not in cache:
            path = TOKENIZERS / (f"{name}.tiktoken" if name in TIKTOKEN_NAMES else f"{name}.tokenizer.json")
            cache[name] = tokenforge.load(path)
        return cache[name]

    return get


@pytest.fixture(scope="session")
def theirs():
    cache = {}

    def get(name: str):
        if name not in cache:
            cache[name] = tiktoken_reference(name)
        return cache[name]

    return get


def chunks(text: str, lines_per_chunk: int = 200) -> list[str]:
    lines = text.splitlines(keepends=True)
    return ["".join(lines[i : i + lines_per_chunk]) for i in range(0, len(lines), lines_per_chunk)]


@pytest.fixture(scope="session")
def enc():
    """tiktoken's Encoding for the bundled example (`examples/gpt2-small.tiktoken` and its sidecar): the independent
    reference for ids."""
    tiktoken = pytest.importorskip("tiktoken")
    meta = json.loads((EXAMPLES / "gpt2-small.json").read_text())
    ranks = {}
    for line in (EXAMPLES / "gpt2-small.tiktoken").read_bytes().splitlines():
        b64, rank = line.split()
        ranks[base64.b64decode(b64)] = int(rank)
    return tiktoken.Encoding("gpt2-small", pat_str=meta["pat_str"], mergeable_ranks=ranks,
                             special_tokens=meta["special_tokens"])


def run_cli(capsys, monkeypatch, argv, stdin: bytes = b""):
    """`tokenforge.cli.main(argv)` in-process with `stdin` as standard input and every warning shown; returns
    (status, stdout, stderr). argparse exits (--help, usage errors) give their status too."""
    from tokenforge import cli

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        try:
            status = cli.main(argv)
        except SystemExit as exc:
            status = exc.code
    out, err = capsys.readouterr()
    return status, out, err
