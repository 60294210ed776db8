"""Evaluation report cost and the UDHR parity table.

1. Report time vs encode time.  Three tokenizers — cl100k_base, o200k_base (shared rank files) and a byte-level
   BPE trained here (32,000 ids, o200k pattern, on en-gcide: a different corpus from the one evaluated) — are
   evaluated together on en-rustdocs (16 MB): `tokenforge.evaluation.evaluate(...)` plus writing report.json and
   report.html, i.e. exactly what `tokenforge eval` does.  The peer is one plain encode pass of the same three
   tokenizers over the same text: `tok.encode_batch(docs)` on the corpus already in memory, split into 200-line
   documents, summed over the three.  Target: report time <= 2x the encode time.  The report's time also includes
   reading and decompressing the corpus, which that encode pass does not; a second peer, printed beside it for
   context, does: read and decompress the file, then the same encode pass.  The report encodes the plain-text
   corpus as running text (64K-character pieces cut at line ends), as the peer's documents are.

2. Parity over the 53 UDHR languages (../shared/data/parallel/udhr) for cl100k_base, o200k_base, Qwen3
   (qwen3.tokenizer.json) and the trained tokenizer: tokens per language and the premium relative to English
   (Petrov et al. 2023), plus max/min ratio and Gini per tokenizer, taken from the report's `parity` block.

Timings are medians of --repeats runs (default 5, for the encode pass and the report alike), each after
one untimed warm-up.  Results go to benchmarks/results/eval.json (atomically) and are printed.

Run:
    python benchmarks/bench_eval.py
Quick check:
    python benchmarks/bench_eval.py --max-mb 1 --repeats 1 --out /tmp/eval.json
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import tokenforge
from tokenforge.evaluation import evaluate
from tokenforge.reports import write_html, write_json

from _common import (LINES_PER_DOC, MB, TOKENIZER_DIR, UDHR_DIR, corpus_path, loadavg, machine_info, median_time,
                     read_corpus, results_path, split_docs, write_results)

DEFAULT_OUT = results_path("eval")
EVAL_CORPUS = "en-rustdocs"
TRAIN_CORPUS = "en-gcide"
TRAINED_NAME = "gcide-bpe-32k"
TRAINED_VOCAB = 32000


def train_here(workdir: str, max_bytes: int | None) -> Path:
    text = read_corpus(TRAIN_CORPUS, max_bytes)
    start = time.perf_counter()
    tok = tokenforge.train(tokenforge.Texts(split_docs(text)), vocab_size=TRAINED_VOCAB, pattern="o200k", progress=False)
    seconds = time.perf_counter() - start
    path = Path(workdir) / f"{TRAINED_NAME}.json"
    tok.save(path)
    print(f"trained {TRAINED_NAME} on {TRAIN_CORPUS} in {seconds:.1f}s", file=sys.stderr)
    return path


def bench_report(paths: dict[str, Path], corpus: Path, docs: list[str], repeats: int, workdir: str) -> dict:
    toks = {name: tokenforge.load(p) for name, p in paths.items()}
    encode = {}
    for name, tok in toks.items():
        encode[name] = median_time(lambda tok=tok: tok.encode_batch(docs, disallowed_special=()), repeats).as_dict()
    encode_total = sum(e["median_s"] for e in encode.values())

    def read_and_encode():
        texts = split_docs(read_corpus(corpus))
        for tok in toks.values():
            tok.encode_batch(texts, disallowed_special=())

    file_pass = median_time(read_and_encode, repeats).as_dict()

    out = Path(workdir) / "report"
    out.mkdir(exist_ok=True)
    holder = {}

    def full_report():
        report = evaluate(toks, [corpus], sources={n: str(p) for n, p in paths.items()}, progress=False)
        write_json(report, out / "report.json")
        write_html(report, out / "report.html")
        holder["report"] = report

    report_t = median_time(full_report, repeats).as_dict()
    report = holder["report"]

    # Where the report's time goes (one more, untimed-for-the-median run): evaluate's progress callback marks the
    # stages — reading + encoding the corpus for all tokenizers, then the per-tokenizer metrics — and writing.
    marks: list[tuple[str, float]] = [("start", time.perf_counter())]

    def mark(stage: str, _done: int) -> None:
        if not marks or marks[-1][0] != stage:
            marks.append((stage, time.perf_counter()))

    staged = evaluate(toks, [corpus], sources={n: str(p) for n, p in paths.items()}, progress=mark)
    marks.append(("write report.json", time.perf_counter()))
    write_json(staged, out / "report.json")
    marks.append(("write report.html", time.perf_counter()))
    write_html(staged, out / "report.html")
    marks.append(("end", time.perf_counter()))
    stages = {}
    for (stage, t0), (_, t1) in zip(marks, marks[1:]):
        label = ("read + encode corpus (all tokenizers)" if stage in ("start", "encoding") else
                 "build report sections" if stage == "done" else stage)
        stages[label] = stages.get(label, 0.0) + (t1 - t0)
    return {
        "corpus": EVAL_CORPUS,
        "corpus_bytes": report["corpus"]["bytes"],
        "tokenizers": list(paths),
        "encode_pass": encode,
        "encode_pass_total_s": encode_total,
        "report": report_t,
        "ratio_report_to_encode": report_t["median_s"] / encode_total,
        "read_and_encode_pass": file_pass,
        "ratio_report_to_read_and_encode": report_t["median_s"] / file_pass["median_s"],
        "report_stages_s": stages,
        # evaluate's own timing of the native id_histogram calls inside its scan (running-text pieces)
        "report_encode_seconds_in_scan": {n: staged["metrics"][n]["encode_seconds"] for n in paths},
        "target_ratio": 2.0,
        "report_json_bytes": (out / "report.json").stat().st_size,
        "report_html_bytes": (out / "report.html").stat().st_size,
        "tokens": {n: report["metrics"][n]["tokens"] for n in paths},
        "bytes_per_token": {n: report["metrics"][n]["bytes_per_token"] for n in paths},
    }


def parity_table(paths: dict[str, Path]) -> dict:
    toks = {name: tokenforge.load(p) for name, p in paths.items()}
    start = time.perf_counter()
    report = evaluate(toks, [str(UDHR_DIR / "eng.json")], parallel=str(UDHR_DIR), progress=False,
                      sources={n: str(p) for n, p in paths.items()})
    seconds = time.perf_counter() - start
    parity = report["parity"]
    return {"pivot": parity["pivot"], "languages": parity["languages"], "segments": parity["segments"],
            "tokens": parity["tokens"], "premium": parity["premium"], "summary": parity["summary"],
            "seconds": seconds}


def print_results(result: dict) -> None:
    r = result["report_vs_encode"]
    print(f"\nReport vs encode on {r['corpus']} ({r['corpus_bytes'] / 1e6:.1f} MB), tokenizers: "
          f"{', '.join(r['tokenizers'])}")
    for name, e in r["encode_pass"].items():
        print(f"  encode pass  {name:<16} {e['median_s']:8.2f} s")
    print(f"  encode pass  {'total':<16} {r['encode_pass_total_s']:8.2f} s")
    print(f"  full report  {'(3 tokenizers)':<16} {r['report']['median_s']:8.2f} s   "
          f"ratio {r['ratio_report_to_encode']:.2f}x (target <= {r['target_ratio']:.0f}x)")
    print(f"  read + decompress + encode pass   {r['read_and_encode_pass']['median_s']:8.2f} s   "
          f"report / that {r['ratio_report_to_read_and_encode']:.2f}x")
    print("  where the report's time goes (one run):")
    for stage, seconds in r["report_stages_s"].items():
        print(f"    {stage:<40} {seconds:8.2f} s")
    inside = r["report_encode_seconds_in_scan"]
    print(f"    (of the scan: native id_histogram on running-text pieces {sum(inside.values()):.2f} s — "
          + ", ".join(f"{n} {v:.2f}" for n, v in inside.items()) + ")")
    p = result["parity"]
    names = list(p["tokens"])
    print(f"\nUDHR parity: tokens per language and premium vs {p['pivot']} ({len(p['languages'])} languages, "
          f"{p['segments']} aligned segments)")
    print(f"  {'lang':<14}" + "".join(f"{n:>22}" for n in names))
    for lang in sorted(p["languages"], key=lambda l: p["premium"][names[0]][l] or 0):
        print(f"  {lang:<14}" + "".join(
            f"{p['tokens'][n][lang]:>12,} {p['premium'][n][lang]:>8.2f}x" for n in names))
    for key in ("max_min_ratio", "gini", "mean_premium"):
        print(f"  {key:<14}" + "".join(f"{p['summary'][n][key]:>22.3f}" for n in names))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of the encode pass and of the report (medians)")
    parser.add_argument("--max-mb", type=float, default=None, help="use only the first MB of each corpus")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    with tempfile.TemporaryDirectory(prefix="bench-eval-") as workdir:
        max_bytes = None if args.max_mb is None else int(args.max_mb * MB)
        trained = train_here(workdir, max_bytes)
        corpus = corpus_path(EVAL_CORPUS)
        if args.max_mb is not None:
            corpus = Path(workdir) / f"{EVAL_CORPUS}.txt"
            corpus.write_text(read_corpus(EVAL_CORPUS, max_bytes), encoding="utf-8")
        docs = split_docs(read_corpus(EVAL_CORPUS, max_bytes))
        three = {"cl100k_base": TOKENIZER_DIR / "cl100k_base.tiktoken",
                 "o200k_base": TOKENIZER_DIR / "o200k_base.tiktoken", TRAINED_NAME: trained}
        result = {
            "benchmark": "eval",
            "command": "python3 " + " ".join([os.path.relpath(__file__, Path.cwd())] + sys.argv[1:]),
            "started": started,
            "machine": machine_info(),
            "settings": {"repeats": args.repeats, "max_mb": args.max_mb, "trained": {
                "name": TRAINED_NAME, "corpus": TRAIN_CORPUS, "vocab_size": TRAINED_VOCAB, "pattern": "o200k",
                "byte_level": True}, "lines_per_doc": LINES_PER_DOC},
            "report_vs_encode": bench_report(three, corpus, docs, args.repeats, workdir),
            "parity": parity_table({"cl100k_base": three["cl100k_base"], "o200k_base": three["o200k_base"],
                                    "qwen3": TOKENIZER_DIR / "qwen3.tokenizer.json", TRAINED_NAME: trained}),
        }
        result["machine"]["loadavg_end"] = loadavg()
    write_results(args.out, result)
    print_results(result)
    print(f"\nwrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
