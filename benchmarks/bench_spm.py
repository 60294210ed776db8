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
import os
from pathlib import Path

import sentencepiece as spm

import tokenforge
from _common import (MB, TOKENIZER_DIR, machine_info, mb_per_s, median_time, read_corpus, results_path, split_docs,
                     write_results)

MODEL = TOKENIZER_DIR / "mistral-v1.sentencepiece.model"
CORPORA = ("en-gcide", "en-rustdocs")
DEFAULT_OUT = results_path("spm")


def documents(name: str, max_mb: float) -> list[str]:
    text = read_corpus(name)
    if max_mb:
        text = text[: int(max_mb * MB)]
    return split_docs(text)


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
        "machine": machine_info(),
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
            row[label] = {"MB_per_s": mb_per_s(size, t.median), **t.as_dict()}
        row["single_thread_speedup"] = row["sentencepiece_single"]["median_s"] / row["tokenforge_single"]["median_s"]
        results["corpora"][name] = row
        print(f"{name}: {size / MB:.1f} MB, identical={identical}, single thread: tokenforge "
              f"{row['tokenforge_single']['MB_per_s']:.2f} MB/s vs sentencepiece "
              f"{row['sentencepiece_single']['MB_per_s']:.2f} MB/s ({row['single_thread_speedup']:.2f}x); batch "
              f"({cores} cores): {row['tokenforge_batch']['MB_per_s']:.2f} vs {row['sentencepiece_batch']['MB_per_s']:.2f} MB/s")
    write_results(args.out, results)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
