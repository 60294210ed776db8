"""BPE vs SuperBPE vs BoundlessBPE at equal vocabulary size: tokens on held-out English, bytes/token, training time.

What it measures
----------------
Training data: the first `--train-mb` MB (default 8; compressed-stream bytes read, lines kept whole) of each
English corpus in `../shared/data/corpora` (`en-gcide.txt.gz`, `en-rustdocs.txt.gz`), one record per line, all
three methods on the same lines, byte-level, o200k pre-tokenizer (SuperBPE: stage 1), no normalizer. A *slice*
of the corpora, so that a full run stays near 15 minutes on a 2-core machine; the output says so.

Held-out text: the last `--heldout-mb` MB (default 1) of each corpus, never seen in training.

For each vocabulary size (default 16000, 32000, 64000) and method:
  * `bpe`       `tokenforge.train(lines, vocab_size=N)` (the peer every figure is relative to);
  * `superbpe`  `model="superbpe"` with the paper's defaults (transition 0.9 * N, at most 4 words per token, no
                superword across . ! ? ; :);
  * `boundless` `model="boundless"` (supermerges of two complete adjacent pretokens).
  Tokens on each held-out text, bytes/token (UTF-8 bytes / tokens), the change in tokens vs BPE, and training
  time (counting included), as the median of `--repeats` runs (default 3: a run is long), runs interleaved
  (bpe, superbpe, boundless, bpe, ...) so machine noise hits all alike; training time is also given relative to
  BPE's. For SuperBPE, the held-out ids are also compared with HF `tokenizers` loading the saved tokenizer.json
  (`hf_ids_identical`), when `tokenizers` is installed.

The papers: SuperBPE encodes text with up to 33% fewer tokens than BPE at 200k; BoundlessBPE ~20% more bytes/token.
Our vocabularies are smaller (16k-64k) and trained on a slice, so smaller gains are expected.

Results: `benchmarks/results/variants.json` (raw times, medians, counts, machine info, command line), and a table
on stdout.

The other variants of the same issue run from here too (`--parts`, default all three), each with its own results
file and table, so one command reproduces every figure:
  * `parity`    `bench_parity.py`: plain vs parity-aware BPE on the UDHR (53 languages): max/min ratio and Gini of
                per-language token counts on held-out articles, global bytes/token, training time vs BPE
                (`benchmarks/results/parity.json`);
  * `wordpiece` `bench_wordpiece_mwt.py`: WordPiece, MWT, supertokens and LiB vs BPE at equal vocabulary size,
                held-out tokens and training time vs BPE (`benchmarks/results/wordpiece_mwt.json`).

Run (from the project root, with this tokenforge importable, e.g. PYTHONPATH=python):
    python benchmarks/bench_variants.py
Quick check:
    python benchmarks/bench_variants.py --train-mb 1 --vocab-sizes 4000 --repeats 1 --out /tmp/variants.json
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import warnings
from pathlib import Path

from _common import (command_line, corpus_path, head_lines, loadavg, machine_info, results_path, tail_text, timed,
                     write_results)

CORPORA = ("en-gcide", "en-rustdocs")
METHODS = ("bpe", "superbpe", "boundless")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train-mb", type=float, default=8.0, help="MB of each corpus to train on (default 8)")
    ap.add_argument("--heldout-mb", type=float, default=1.0, help="MB at the end of each corpus to measure on")
    ap.add_argument("--vocab-sizes", default="16000,32000,64000")
    ap.add_argument("--repeats", type=int, default=None,
                    help="runs per measurement (default: 3 here, each other part's own default)")
    ap.add_argument("--out", type=Path, default=results_path("variants"))
    ap.add_argument("--parts", default="english,parity,wordpiece",
                    help="which parts to run: english (BPE/SuperBPE/BoundlessBPE), parity, wordpiece (default all)")
    args = ap.parse_args()
    parts = args.parts.split(",")
    unknown = set(parts) - {"english", "parity", "wordpiece"}
    if unknown:
        ap.error(f"--parts: unknown {sorted(unknown)}")
    passed = [] if args.repeats is None else ["--repeats", str(args.repeats)]
    rc = run_english(args) if "english" in parts else 0
    if "parity" in parts:
        import bench_parity

        print("\n== parity-aware BPE (bench_parity.py) ==", flush=True)
        rc = bench_parity.main(passed) or rc
    if "wordpiece" in parts:
        import bench_wordpiece_mwt

        print("\n== WordPiece, MWT, supertokens, LiB (bench_wordpiece_mwt.py) ==", flush=True)
        rc = bench_wordpiece_mwt.main(passed) or rc
    return rc


def run_english(args) -> int:
    """BPE vs SuperBPE vs BoundlessBPE on English (this file's own part)."""
    args.repeats = 3 if args.repeats is None else args.repeats

    import tokenforge
    from tokenforge import Texts

    try:
        import tokenizers
    except ImportError:
        tokenizers = None
    warnings.simplefilter("ignore", tokenforge.errors.TrainingWarning)
    paths = {name: corpus_path(name) for name in CORPORA}
    missing = [str(p) for p in paths.values() if not p.exists()]
    if missing:
        print(f"shared data not found: {missing}", file=sys.stderr)
        return 2
    train_lines: list[str] = []
    heldout: dict[str, str] = {}
    for name, p in paths.items():
        train_lines += head_lines(p, int(args.train_mb * 1e6))
        heldout[name] = tail_text(p, int(args.heldout_mb * 1e6))
    train_bytes = sum(len(line.encode("utf-8")) for line in train_lines)
    print(f"training on a slice: the first {args.train_mb:g} MB of each of {', '.join(CORPORA)} "
          f"({len(train_lines)} lines, {train_bytes / 1e6:.1f} MB); held out: the last {args.heldout_mb:g} MB of each",
          flush=True)
    vocab_sizes = [int(v) for v in args.vocab_sizes.split(",")]
    results = {
        "benchmark": "variants",
        "command": command_line(),
        "machine": machine_info(),
        "setup": {"train_slice_mb_per_corpus": args.train_mb, "train_lines": len(train_lines), "train_bytes": train_bytes,
                  "heldout_mb_per_corpus": args.heldout_mb,
                  "heldout_bytes": {k: len(v.encode("utf-8")) for k, v in heldout.items()},
                  "pattern": "o200k", "superbpe": {"transition": 0.9, "max_words_per_token": 4,
                                                   "sentence_punctuation": ".!?;:"},
                  "repeats": args.repeats},
        "sizes": {},
    }
    for n in vocab_sizes:
        times: dict[str, list[float]] = {m: [] for m in METHODS}
        toks: dict[str, object] = {}
        for _ in range(args.repeats):
            for m in METHODS:
                seconds, toks[m] = timed(tokenforge.train, Texts(train_lines), vocab_size=n, model=m, progress=False)
                times[m].append(seconds)
        block: dict[str, dict] = {}
        for m in METHODS:
            tok = toks[m]
            entry = {"vocab_size": tok.vocab_size, "train_s": times[m], "train_s_median": statistics.median(times[m]),
                     "tokens": {}, "bytes_per_token": {}}
            for name, text in heldout.items():
                count = len(tok.encode(text))
                entry["tokens"][name] = count
                entry["bytes_per_token"][name] = len(text.encode("utf-8")) / count
            entry["tokens_total"] = sum(entry["tokens"].values())
            entry["bytes_per_token_total"] = sum(results["setup"]["heldout_bytes"].values()) / entry["tokens_total"]
            if m == "superbpe" and tokenizers is not None:
                with tempfile.TemporaryDirectory() as d:
                    path = os.path.join(d, "superbpe.json")
                    tok.save(path)
                    hf = tokenizers.Tokenizer.from_file(path)
                    entry["hf_ids_identical"] = all(hf.encode(t, add_special_tokens=False).ids == tok.encode(t)
                                                    for t in heldout.values())
            if m == "boundless":
                entry["supermerges"] = len(tok.model.supermerges)
            if m == "superbpe":
                entry["transition"] = tok.training["transition"]
            block[m] = entry
        base = block["bpe"]
        for m in METHODS:
            e = block[m]
            e["tokens_vs_bpe"] = e["tokens_total"] / base["tokens_total"] - 1.0
            e["bytes_per_token_vs_bpe"] = e["bytes_per_token_total"] / base["bytes_per_token_total"] - 1.0
            e["train_time_vs_bpe"] = e["train_s_median"] / base["train_s_median"]
        results["sizes"][str(n)] = block
        results["machine"]["loadavg_end"] = loadavg()
        write_results(args.out, results, indent=2)
        print(f"  {n}: done", flush=True)

    header = (f"{'vocab':>6} {'method':<10} {'tokens gcide':>13} {'tokens rustdocs':>16} {'bytes/tok':>9} "
              f"{'tokens vs BPE':>13} {'train s':>8} {'time vs BPE':>11}")
    print(header)
    print("-" * len(header))
    for n, block in results["sizes"].items():
        for m in METHODS:
            e = block[m]
            print(f"{n:>6} {m:<10} {e['tokens']['en-gcide']:>13,} {e['tokens']['en-rustdocs']:>16,} "
                  f"{e['bytes_per_token_total']:>9.3f} {e['tokens_vs_bpe'] * 100:>+12.1f}% "
                  f"{e['train_s_median']:>8.2f} {e['train_time_vs_bpe']:>10.2f}x")
    print(f"(training on a slice: {args.train_mb:g} MB of each corpus; medians of {args.repeats} runs; "
          f"results in {args.out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
