"""Encode throughput: tokenforge vs tiktoken vs HF `tokenizers`, side by side.

What it measures (one process, one run):

1. Ordinary text.  For each encoding (cl100k_base, o200k_base) and each corpus
   (en-gcide, en-rustdocs), the corpus is split into documents of ~200 lines and
   every library encodes the same documents:

   - single thread: a Python loop of `encode_ordinary(doc)` (HF: `encode(doc)`),
   - batch: `tok.encode_batch(docs)` / `enc.encode_ordinary_batch(docs,
     num_threads=<cores>)` / `hf.encode_batch(docs)`, all using every core.

   Throughput is corpus UTF-8 bytes / median seconds, in MB/s (1 MB = 10**6
   bytes).  Before timing, the token ids of tokenforge are checked against
   tiktoken and HF for every document; the result is recorded as `identical`.

2. Hostile inputs, tokenforge only: one-million-character runs ("a", "^", " ",
   "abcdefghij" repeated) and one huge single line (the rustdocs corpus joined
   with spaces, repeated to `--big-line-mb` MB).  Reported as seconds per MB and
   as a ratio to tokenforge's single-thread seconds per MB on rustdocs (target:
   within 2x).  tiktoken is timed on the short hostile inputs at a smaller size
   only (`--tiktoken-hostile-chars`, default 10**5), labelled with that size.

Every timing is the median of `--repeats` runs (default 5; the big line uses at
most 3), each after one untimed warm-up run (none for the big line).  Results,
with every run's time, go to benchmarks/results/encode.json, written atomically.

Run:
    python benchmarks/bench_encode.py
Quick check:
    python benchmarks/bench_encode.py --max-mb 1 --repeats 2 --big-line-mb 5 --out /tmp/enc.json
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import tempfile
from pathlib import Path

import tiktoken
import tokenforge
from _common import (LINES_PER_DOC, MB, TOKENIZER_DIR, Timing, machine_info, mb_per_s, median_time, read_corpus,
                     results_path, split_docs, usable_cpus, write_results)

DEFAULT_OUT = results_path("encode")

ENCODINGS = ("cl100k_base", "o200k_base")
CORPORA = ("en-gcide", "en-rustdocs")
BASELINE_CORPUS = "en-rustdocs"
HOSTILE_CHARS = 10**6
BIG_LINE_MAX_REPEATS = 3
HOSTILE_PATTERNS = {
    "a*1M": "a",
    "caret*1M": "^",
    "space*1M": " ",
    "abcdefghij*100k": "abcdefghij",
}


# ---------------------------------------------------------------- timing

def throughput(timing: Timing, n_bytes: int) -> dict:
    """A `median_time` result with MB/s (from the median)."""
    return {"runs": timing.runs, "median": timing.median, "bytes": n_bytes,
            "mb_per_s": mb_per_s(n_bytes, timing.median)}


def per_mb(timing: Timing, n_bytes: int) -> dict:
    """A `median_time` result with seconds per MB (from the median)."""
    return {"runs": timing.runs, "median": timing.median, "bytes": n_bytes, "s_per_mb": timing.median / (n_bytes / MB)}


# ---------------------------------------------------------------- data

def load_corpus(name: str, max_mb: float | None) -> str:
    """The corpus as text, optionally cut (at a line end) to about `max_mb` MB."""
    text = read_corpus(name)
    if max_mb is None:
        return text
    limit = int(max_mb * MB)
    kept, size = [], 0
    for line in text.splitlines(keepends=True):
        if size >= limit:
            break
        kept.append(line)
        size += len(line.encode("utf-8"))
    return "".join(kept)


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def big_line(text: str, target_mb: float) -> str:
    """The corpus lines joined by spaces into one line, repeated to at least `target_mb` MB."""
    line = " ".join(text.splitlines())
    copies = -(-int(target_mb * MB) // max(1, utf8_len(line)))  # ceil division
    return " ".join([line] * copies)


# ---------------------------------------------------------------- tokenizers

def load_tokenforge(name: str):
    return tokenforge.load(TOKENIZER_DIR / f"{name}.tiktoken")


def load_tiktoken(name: str) -> tiktoken.Encoding:
    meta = json.loads((TOKENIZER_DIR / f"{name}.json").read_text())
    ranks = {}
    for line in (TOKENIZER_DIR / f"{name}.tiktoken").read_bytes().splitlines():
        if line.strip():
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return tiktoken.Encoding(
        name,
        pat_str=meta["pat_str"],
        mergeable_ranks=ranks,
        special_tokens=meta["special_tokens"],
        explicit_n_vocab=meta["explicit_n_vocab"],
    )


def load_hf(tok, workdir: str):
    """HF `tokenizers` peer: our tokenizer saved as tokenizer.json and loaded back."""
    import tokenizers

    path = os.path.join(workdir, f"{tok.name}.tokenizer.json")
    tok.save(path)
    return tokenizers.Tokenizer.from_file(path)


# ---------------------------------------------------------------- ordinary text

def first_mismatch(ours: list[list[int]], theirs: list[list[int]]) -> int | None:
    """Index of the first document whose ids differ, or None."""
    if len(ours) != len(theirs):
        return min(len(ours), len(theirs))
    return next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), None)


def check_ids(tok, enc, hf, docs: list[str]) -> dict:
    """Encodes every doc once with each library and compares the ids with ours."""
    ours = [tok.encode_ordinary(d) for d in docs]
    result = {"tiktoken": first_mismatch(ours, [enc.encode_ordinary(d) for d in docs])}
    if hf is not None:
        theirs = [e.ids for e in hf.encode_batch(docs, add_special_tokens=False)]
        result["hf"] = first_mismatch(ours, theirs)
    checks = {peer: {"identical": bad is None, "first_mismatch_doc": bad} for peer, bad in result.items()}
    return {"identical": all(c["identical"] for c in checks.values()), **checks}


def bench_corpus(tok, enc, hf, docs: list[str], repeats: int, threads: int) -> dict:
    n_bytes = sum(utf8_len(d) for d in docs)
    cases = {
        "ours_single": lambda: [tok.encode_ordinary(d) for d in docs],
        "ours_batch": lambda: tok.encode_batch(docs, disallowed_special=()),
        "tiktoken_single": lambda: [enc.encode_ordinary(d) for d in docs],
        "tiktoken_batch": lambda: enc.encode_ordinary_batch(docs, num_threads=threads),
    }
    if hf is not None:
        cases["hf_single"] = lambda: [hf.encode(d, add_special_tokens=False) for d in docs]
        cases["hf_batch"] = lambda: hf.encode_batch(docs, add_special_tokens=False)
    return {case: throughput(median_time(fn, repeats), n_bytes) for case, fn in cases.items()}


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def corpus_ratios(t: dict) -> dict:
    mbps = {case: m["mb_per_s"] for case, m in t.items()}
    return {
        "ours_vs_tiktoken_single": ratio(mbps["ours_single"], mbps["tiktoken_single"]),
        "ours_vs_tiktoken_batch": ratio(mbps["ours_batch"], mbps["tiktoken_batch"]),
        "ours_vs_hf_single": ratio(mbps["ours_single"], mbps.get("hf_single")),
        "ours_vs_hf_batch": ratio(mbps["ours_batch"], mbps.get("hf_batch")),
        "ours_batch_vs_single": ratio(mbps["ours_batch"], mbps["ours_single"]),
    }


# ---------------------------------------------------------------- hostile inputs

def hostile_inputs(n_chars: int) -> dict[str, str]:
    return {label: (unit * -(-n_chars // len(unit)))[:n_chars] for label, unit in HOSTILE_PATTERNS.items()}


def hostile_baseline(ordinary: list[dict], encoding: str) -> dict:
    """Ours single-thread s/MB on rustdocs (or, if it was not run, the first corpus run)."""
    rows = [r for r in ordinary if r["encoding"] == encoding]
    row = next((r for r in rows if r["corpus"] == BASELINE_CORPUS), rows[0] if rows else None)
    if row is None:
        return {"corpus": None, "s_per_mb": None}
    return {"corpus": row["corpus"], "s_per_mb": 1 / row["timings"]["ours_single"]["mb_per_s"]}


def bench_hostile(tok, enc, rustdocs_text: str, big_line_mb: float, tiktoken_chars: int,
                  repeats: int, baseline_s_per_mb: float | None) -> dict:
    results = {}
    small = hostile_inputs(tiktoken_chars)
    for label, text in hostile_inputs(HOSTILE_CHARS).items():
        ours = per_mb(median_time(lambda: tok.encode_ordinary(text), repeats), utf8_len(text))
        short = small[label]
        theirs = per_mb(median_time(lambda: enc.encode_ordinary(short), repeats), utf8_len(short))
        results[label] = {
            "chars": len(text),
            "ours": ours,
            "ours_vs_baseline": ratio(ours["s_per_mb"], baseline_s_per_mb),
            "tiktoken_at_smaller_size": {
                "chars": len(short),
                "identical_to_ours": tok.encode_ordinary(short) == enc.encode_ordinary(short),
                **theirs,
            },
        }
    line = big_line(rustdocs_text, big_line_mb)
    big_repeats = min(repeats, BIG_LINE_MAX_REPEATS)
    ours = per_mb(median_time(lambda: tok.encode_ordinary(line), big_repeats, warmup=0), utf8_len(line))
    results[f"big_line_{big_line_mb:g}MB"] = {
        "chars": len(line),
        "ours": ours,
        "ours_vs_baseline": ratio(ours["s_per_mb"], baseline_s_per_mb),
    }
    return results


# ---------------------------------------------------------------- output

def fmt(x: float | None, spec: str = ".1f") -> str:
    return "-" if x is None else format(x, spec)


def print_corpus_table(rows: list[dict]) -> None:
    header = ("encoding", "corpus", "ours 1t", "tikt 1t", "hf 1t", "ours N", "tikt N", "hf N",
              "o/tk 1t", "o/tk N", "o/hf 1t", "o/hf N", "o N/1t", "ids")
    print("\nOrdinary text, MB/s (1t = single thread, N = batch on all cores)")
    print("  ".join(f"{h:>7}" if i > 1 else f"{h:<12}" for i, h in enumerate(header)))
    for row in rows:
        t, r = row["timings"], row["ratios"]
        cells = [fmt(t.get(c, {}).get("mb_per_s")) for c in
                 ("ours_single", "tiktoken_single", "hf_single", "ours_batch", "tiktoken_batch", "hf_batch")]
        cells += [fmt(r[k], ".2f") for k in
                  ("ours_vs_tiktoken_single", "ours_vs_tiktoken_batch", "ours_vs_hf_single",
                   "ours_vs_hf_batch", "ours_batch_vs_single")]
        cells.append("same" if row["check"]["identical"] else "DIFFER")
        print("  ".join([f"{row['encoding']:<12}", f"{row['corpus']:<12}"] + [f"{c:>7}" for c in cells]))


def print_hostile_table(encoding: str, hostile: dict, baseline: dict) -> None:
    print(f"\nHostile inputs, {encoding}: tokenforge s/MB (baseline {baseline['corpus']} "
          f"single thread: {fmt(baseline['s_per_mb'], '.4f')} s/MB; target ratio <= 2)")
    print(f"{'input':<18}{'chars':>12}{'ours s/MB':>12}{'x baseline':>12}   tiktoken (smaller size)")
    for label, h in hostile.items():
        tk = h.get("tiktoken_at_smaller_size")
        tk_cell = "-" if tk is None else (
            f"{tk['s_per_mb']:.4f} s/MB at {tk['chars']:,} chars"
            f" (ours {'=' if tk['identical_to_ours'] else '!='} tiktoken)")
        print(f"{label:<18}{h['chars']:>12,}{h['ours']['s_per_mb']:>12.4f}"
              f"{fmt(h['ours_vs_baseline'], '.2f'):>12}   {tk_cell}")


def warn_if_different(encoding: str, corpus: str, check: dict) -> None:
    if check["identical"]:
        return
    bar = "!" * 78
    print(f"\n{bar}\nWARNING: token ids differ for {encoding} on {corpus}: {check}\n{bar}", file=sys.stderr)


# ---------------------------------------------------------------- main

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=5, help="timed runs per figure; the median is reported")
    p.add_argument("--encodings", nargs="+", default=list(ENCODINGS))
    p.add_argument("--corpora", nargs="+", default=list(CORPORA))
    p.add_argument("--max-mb", type=float, default=None, help="cut each corpus to about X MB (quick runs)")
    p.add_argument("--big-line-mb", type=float, default=100, help="size of the single-line hostile input")
    p.add_argument("--tiktoken-hostile-chars", type=int, default=10**5,
                   help="size of the hostile inputs given to tiktoken (it can be slow on long pieces)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--skip-hf", action="store_true", help="leave out HF tokenizers")
    p.add_argument("--skip-hostile", action="store_true", help="leave out the hostile inputs")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    threads = usable_cpus()
    corpora = {name: load_corpus(name, args.max_mb) for name in args.corpora}
    docs = {name: split_docs(text) for name, text in corpora.items()}
    results = {
        "machine": machine_info(),
        "parameters": {
            "repeats": args.repeats, "encodings": args.encodings, "corpora": args.corpora,
            "max_mb": args.max_mb, "big_line_mb": args.big_line_mb,
            "big_line_repeats": min(args.repeats, BIG_LINE_MAX_REPEATS),
            "warmup_runs": 1, "big_line_warmup_runs": 0,
            "tiktoken_hostile_chars": args.tiktoken_hostile_chars, "hostile_chars": HOSTILE_CHARS,
            "lines_per_doc": LINES_PER_DOC, "batch_threads": threads, "mb": MB,
            "skip_hf": args.skip_hf, "skip_hostile": args.skip_hostile,
        },
        "corpora": {name: {"bytes": utf8_len(text), "docs": len(docs[name])} for name, text in corpora.items()},
        "ordinary": [],
        "hostile": {},
    }
    all_identical = True
    with tempfile.TemporaryDirectory() as workdir:
        for encoding in args.encodings:
            tok, enc = load_tokenforge(encoding), load_tiktoken(encoding)
            hf = None if args.skip_hf else load_hf(tok, workdir)
            for corpus in args.corpora:
                print(f"[{encoding} / {corpus}] checking ids, then timing ...", flush=True)
                check = check_ids(tok, enc, hf, docs[corpus])
                warn_if_different(encoding, corpus, check)
                all_identical &= check["identical"]
                timings = bench_corpus(tok, enc, hf, docs[corpus], args.repeats, threads)
                results["ordinary"].append({"encoding": encoding, "corpus": corpus, "check": check,
                                            "timings": timings, "ratios": corpus_ratios(timings)})
            if not args.skip_hostile:
                print(f"[{encoding}] hostile inputs ...", flush=True)
                baseline = hostile_baseline(results["ordinary"], encoding)
                rustdocs = corpora.get(BASELINE_CORPUS) or load_corpus(BASELINE_CORPUS, args.max_mb)
                results["hostile"][encoding] = {
                    "baseline": baseline,
                    "inputs": bench_hostile(tok, enc, rustdocs, args.big_line_mb, args.tiktoken_hostile_chars,
                                            args.repeats, baseline["s_per_mb"]),
                }
    results["identical"] = all_identical
    print_corpus_table(results["ordinary"])
    for encoding, h in results["hostile"].items():
        print_hostile_table(encoding, h["inputs"], h["baseline"])
    write_results(args.out, results, indent=2)
    print(f"\nidentical ids: {all_identical}\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
