"""Encode throughput on a SentencePiece model: tokenforge (the imported .model) vs the `sentencepiece` library.

Both encode the same documents (each corpus split into documents of ~200 lines) with the shared Mistral v1 model
(BPE, 32k, byte fallback), single-threaded: a Python loop of `encode(doc)` for each library. Before timing, the ids
of every document are compared (`identical`). Throughput is corpus UTF-8 bytes / median seconds of `--repeats`
runs (default 5, each after one untimed warm-up), in MB/s (1 MB = 10**6 bytes). A batch row (all cores:
`encode_batch` vs `sp.encode(list, num_threads=cores)`) is reported too.

Run:
    python benchmarks/bench_spm.py
Quick check:
    python benchmarks/bench_spm.py --max-mb 1 --repeats 2 --out /tmp/spm.json
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Callable

import sentencepiece as spm

import tokenforge
from tokenforge.atomic import atomic_write

DATA = Path(os.environ.get("TOKENFORGE_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"))
MODEL = DATA / "tokenizers" / "mistral-v1.sentencepiece.model"
CORPORA = ("en-gcide", "en-rustdocs")
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "spm.json"
LINES_PER_DOC = 200
MB = 10**6


def median_time(fn: Callable[[], object], repeats: int) -> dict:
    fn()  # warm-up
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return {"median_s": statistics.median(runs), "runs_s": runs}


def documents(name: str, max_mb: float) -> list[str]:
    with gzip.open(DATA / "corpora" / f"{name}.txt.gz", "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    if max_mb:
        text = text[: int(max_mb * MB)]
    lines = text.splitlines(keepends=True)
    return ["".join(lines[i : i + LINES_PER_DOC]) for i in range(0, len(lines), LINES_PER_DOC)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--max-mb", type=float, default=0, help="use only the first N MB of each corpus (0: all)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()

    ours = tokenforge.load(MODEL)
    theirs = spm.SentencePieceProcessor(model_file=str(MODEL))
    cores = os.cpu_count() or 1
    results = {
        "model": MODEL.name,
        "repeats": args.repeats,
        "machine": {"python": platform.python_version(), "cpu_count": cores, "platform": platform.platform()},
        "versions": {"tokenforge": tokenforge.__version__, "sentencepiece": spm.__version__},
        "corpora": {},
    }
    for name in CORPORA:
        docs = documents(name, args.max_mb)
        size = sum(len(d.encode("utf-8")) for d in docs)
        identical = all(ours.encode(d) == theirs.encode(d) for d in docs)
        row = {"bytes": size, "documents": len(docs), "identical": identical}
        timings = {
            "tokenforge_single": lambda: [ours.encode(d) for d in docs],
            "sentencepiece_single": lambda: [theirs.encode(d) for d in docs],
            "tokenforge_batch": lambda: ours.encode_batch(docs),
            "sentencepiece_batch": lambda: theirs.encode(docs, num_threads=cores),
        }
        for label, fn in timings.items():
            t = median_time(fn, args.repeats)
            row[label] = {"MB_per_s": size / MB / t["median_s"], **t}
        row["single_thread_speedup"] = row["sentencepiece_single"]["median_s"] / row["tokenforge_single"]["median_s"]
        results["corpora"][name] = row
        print(f"{name}: {size / MB:.1f} MB, identical={identical}, single thread: tokenforge "
              f"{row['tokenforge_single']['MB_per_s']:.2f} MB/s vs sentencepiece "
              f"{row['sentencepiece_single']['MB_per_s']:.2f} MB/s ({row['single_thread_speedup']:.2f}x); batch "
              f"({cores} cores): {row['tokenforge_batch']['MB_per_s']:.2f} vs {row['sentencepiece_batch']['MB_per_s']:.2f} MB/s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(args.out) as f:
        json.dump(results, f, indent=1)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
