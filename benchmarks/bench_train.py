"""BPE training: tokenforge vs HF `tokenizers` BpeTrainer vs SentencePiece BPE, wall time and peak RSS.

What it measures
----------------
For each corpus (`corpora/en-rustdocs.txt.gz`, 16 MB; `corpora/en-gcide.txt.gz`, 40 MB, decoded with
errors="replace") and each vocabulary size (default 8000, 32000, 64000):

* Every timed run is a fresh subprocess (this script re-invoked with `--child`).  The child imports its library,
  reads the corpus into memory as a list of ~200-line documents (streamed from the .gz, so reading has no large
  transient peak), records its RSS as the *baseline* (imports + corpus), then times training only and prints one
  JSON line.  All three libraries get the same document list:

  - tokenforge: `tokenforge.train(docs, vocab_size=N, pattern="gpt2", min_frequency=0,
    special_tokens=["<|endoftext|>"])`.  Its time includes the (parallel, native) pretoken counting; the counting
    share is recorded separately as `count_s` (and the memory right after counting as `after_count`).
  - HF: `Tokenizer(models.BPE())` with `pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)`,
    `BpeTrainer(vocab_size=N, min_frequency=0, initial_alphabet=ByteLevel.alphabet(), special_tokens=[same])`,
    `train_from_iterator(docs, trainer)`: the same byte-level BPE, so the same work.
  - SentencePiece: `SentencePieceTrainer.train(sentence_iterator=<the non-empty lines of the same documents>,
    model_type="bpe", byte_fallback=True, character_coverage=1.0, num_threads=2, input_sentence_size=0,
    shuffle_input_sentence=False, max_sentence_length=<longest line>)`.  SentencePiece is NOT byte-level BPE: it
    splits on whitespace only (with its own "▁" marking), learns over characters with byte fallback, and works
    per sentence.  Its time is a reference point, not identical work.  Errors (e.g. a vocab size the data
    cannot reach) are recorded, not raised.

  Peak RSS is the child's `VmHWM` from /proc/self/status (the high-water mark of its own address space).
  `ru_maxrss` is recorded too but is NOT used: on Linux it survives exec() and includes the parent's RSS at the
  time of the fork.  The parent also samples each child's RSS with psutil (every 50 ms) as a cross-check, and
  kills a child whose RSS passes `--rss-limit-gb`.
  Runs are interleaved (ours, HF, SP, ours, HF, SP, ...) so machine noise hits the peers alike; the reported
  figure is the median of `--repeats` runs (default 3).

* Learned vocabularies: one extra, untimed child per corpus and vocab size trains ours and HF on the same
  documents and compares the merge lists: exact common prefix (index of the first difference), set overlap
  |ours ∩ HF| / |HF|, and whether the lists are identical.  It also serves as the warm-up for that block.

* Streaming memory (`--big-gb`, default 1.0; 0 skips): the two corpora are concatenated repeatedly into a temp
  file in /tmp of that many GB (10**9 bytes; deleted afterwards), then ours (median of `--repeats` runs) and HF
  (once, stopped after `--big-hf-timeout` seconds, default 660) train at 32k from a generator that reads the file in 200-line
  documents, never holding the file in memory.  By construction the distinct-word count equals that of the
  small corpora: this tests streaming memory, not vocabulary growth.

Results (every run's raw numbers, medians, ratios, overlap, machine info, command line) go to
`benchmarks/results/train.json` (written atomically, refreshed after every block).

Targets (benchmark, not test): ours >= 2x faster than HF and faster than SentencePiece at the same vocab size;
peak RSS <= 1/2 of HF's; a 1 GB corpus trains in < 4 GB RSS.

Data: `<project root>/../shared/data`, or env `TOKENFORGE_SHARED_DATA`.

Run (from the project root, with the tokenforge you want to measure importable):
    python benchmarks/bench_train.py
Quick check:
    python benchmarks/bench_train.py --repeats 1 --vocab-sizes 8000 --big-gb 0 --out /tmp/train.json
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Iterator, Optional

from _common import (DATA, LINES_PER_DOC, corpus_path, iter_docs, iter_lines, loadavg, machine_info, results_path,
                     write_results)

DEFAULT_OUT = results_path("train")

CORPORA = ("en-rustdocs", "en-gcide")
LIBS = ("ours", "hf", "sp")
SPECIAL_TOKENS = ["<|endoftext|>"]
BIG_VOCAB = 32000
MiB = 1 << 20
GB = 10**9

SP_NOTE = ("SentencePiece is not byte-level BPE: whitespace-only pre-splitting with '▁', character-level BPE with "
           "byte fallback, trained per line (sentence_iterator over the non-empty lines of the same documents); "
           "its time is a reference point, not identical work.")
BIG_NOTE = ("The big corpus is the two corpora concatenated repeatedly, so its distinct-word count equals theirs: "
            "it tests streaming memory, not vocabulary growth.")
RSS_NOTE = ("peak RSS = child's VmHWM (/proc/self/status); baseline = child's RSS after imports + reading the "
            "corpus (docs list in memory), before training; ru_maxrss is recorded but not used because on Linux it "
            "includes the parent's RSS at fork time.")


# =============================================================== child side

def _proc_status_kib(field: str) -> Optional[int]:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _mem() -> dict:
    import resource

    rss = _proc_status_kib("VmRSS")
    hwm = _proc_status_kib("VmHWM")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if rss is None:  # not Linux: fall back to psutil / ru_maxrss (bytes on macOS)
        import psutil

        rss = psutil.Process().memory_info().rss // 1024
        hwm = maxrss // 1024 if sys.platform == "darwin" else maxrss
    return {"rss_mib": rss / 1024, "peak_mib": hwm / 1024, "ru_maxrss_mib": maxrss / 1024}


def _sp_lines(docs) -> Iterator[str]:
    for doc in docs:
        for line in doc.split("\n"):
            if line:
                yield line


def _hf_trainer(vocab_size: int):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    hf = Tokenizer(models.BPE())
    hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, min_frequency=0, show_progress=False, special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    return hf, trainer


def _hf_merges(hf) -> list[tuple[str, str]]:
    model = json.loads(hf.to_str())["model"]
    return [tuple(m) if isinstance(m, list) else tuple(m.split(" ", 1)) for m in model["merges"]]


def _ours_train(corpus, vocab_size: int, mem_after_count: Optional[dict] = None) -> tuple[Any, float]:
    """tokenforge.train, with the time spent in pretoken counting measured by wrapping the counting function
    (and, if `mem_after_count` is given, the memory right after counting stored in it)."""
    import tokenforge
    from tokenforge.training import common as counts_mod

    spent = [0.0]
    original = counts_mod.count_pretokens

    def timed_count(*a, **k):
        t0 = time.perf_counter()
        try:
            return original(*a, **k)
        finally:
            spent[0] += time.perf_counter() - t0
            if mem_after_count is not None:
                mem_after_count.update(_mem())

    if isinstance(corpus, list):  # in-memory documents (a plain list of strings would be a list of paths)
        corpus = tokenforge.Texts(corpus)
    counts_mod.count_pretokens = timed_count
    try:
        tok = tokenforge.train(corpus, vocab_size=vocab_size, pattern="gpt2", min_frequency=0,
                               special_tokens=list(SPECIAL_TOKENS), progress=False)
    finally:
        counts_mod.count_pretokens = original
    return tok, spent[0]


def _ours_merges(tok) -> list[tuple[str, str]]:
    from tokenforge.pipeline.byte_level import encode_bytes

    return [(encode_bytes(a), encode_bytes(b)) for a, b in tok.model.merges]


def child_train(spec: dict) -> dict:
    lib, vocab_size = spec["lib"], spec["vocab_size"]
    path = Path(spec["path"])
    streaming = spec.get("streaming", False)
    if lib == "ours":
        import tokenforge  # noqa: F401
    elif lib == "hf":
        import tokenizers  # noqa: F401
    elif lib == "sp":
        import sentencepiece  # noqa: F401
    out: dict[str, Any] = {"lib": lib, "vocab_size": vocab_size, "streaming": streaming}
    out["after_import"] = _mem()
    if streaming:
        docs = None
        corpus = iter_docs(path)
    else:
        docs = list(iter_docs(path))
        corpus = docs
        out["docs"] = len(docs)
        out["chars"] = sum(map(len, docs))
    out["baseline"] = _mem()

    if lib == "ours":
        t0 = time.perf_counter()
        after_count: dict = {}
        tok, count_s = _ours_train(corpus, vocab_size, after_count)
        out["train_s"] = time.perf_counter() - t0
        out["after_count"] = after_count  # peak_mib here = the high-water mark of the counting phase
        out["count_s"] = count_s
        out["merges_s"] = out["train_s"] - count_s
        out["end"] = _mem()
        out["vocab_out"] = tok.vocab_size
        out["merges"] = len(tok.model.merges)
        out["training_info"] = {k: v for k, v in (tok.training or {}).items() if k != "pruned"}
    elif lib == "hf":
        hf, trainer = _hf_trainer(vocab_size)
        t0 = time.perf_counter()
        hf.train_from_iterator(corpus, trainer)
        out["train_s"] = time.perf_counter() - t0
        out["end"] = _mem()
        out["vocab_out"] = hf.get_vocab_size()
    elif lib == "sp":
        import sentencepiece as spm

        # Untimed pre-pass: the longest line (for max_sentence_length) and the cost of the line split itself.
        t0 = time.perf_counter()
        longest = 0
        n_lines = 0
        for line in _sp_lines(docs):
            n_lines += 1
            longest = max(longest, len(line))
        out["line_split_s"] = time.perf_counter() - t0
        out["sp_lines"] = n_lines
        max_len = 4 * longest + 16  # bytes: SentencePiece measures it in bytes
        out["max_sentence_length"] = max_len
        with tempfile.TemporaryDirectory(prefix="bench_train_sp_") as tmp:
            t0 = time.perf_counter()
            try:
                spm.SentencePieceTrainer.train(
                    sentence_iterator=_sp_lines(docs), model_type="bpe", vocab_size=vocab_size, byte_fallback=True,
                    character_coverage=1.0, model_prefix=os.path.join(tmp, "m"), num_threads=2,
                    train_extremely_large_corpus=False, max_sentence_length=max_len, input_sentence_size=0,
                    shuffle_input_sentence=False, minloglevel=2,
                )
                out["train_s"] = time.perf_counter() - t0
                sp = spm.SentencePieceProcessor(model_file=os.path.join(tmp, "m.model"))
                out["vocab_out"] = sp.get_piece_size()
            except Exception as e:  # noqa: BLE001 - SentencePiece raises RuntimeError/OSError with the reason
                out["error"] = f"{type(e).__name__}: {e}".strip()[:2000]
            out["end"] = _mem()
    else:
        raise ValueError(lib)
    out["peak_mib"] = out["end"]["peak_mib"]
    out["baseline_mib"] = out["baseline"]["rss_mib"]
    out["train_cost_mib"] = out["peak_mib"] - out["baseline_mib"]
    return out


def child_overlap(spec: dict) -> dict:
    vocab_size = spec["vocab_size"]
    docs = list(iter_docs(Path(spec["path"])))
    tok, _ = _ours_train(docs, vocab_size)
    ours = _ours_merges(tok)
    hf, trainer = _hf_trainer(vocab_size)
    hf.train_from_iterator(docs, trainer)
    theirs = _hf_merges(hf)
    prefix = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
    common = set(ours) & set(theirs)
    out = {
        "vocab_size": vocab_size,
        "ours_merges": len(ours),
        "hf_merges": len(theirs),
        "identical": ours == theirs,
        "exact_prefix": prefix,
        "set_overlap": len(common) / len(theirs) if theirs else None,
        "common": len(common),
        "ours_vocab": tok.vocab_size,
        "hf_vocab": hf.get_vocab_size(),
    }
    if prefix < min(len(ours), len(theirs)):
        out["first_difference"] = {"index": prefix, "ours": list(ours[prefix]), "hf": list(theirs[prefix])}
    if not out["identical"]:
        only_ours = [m for m in ours if m not in set(theirs)]
        only_hf = [m for m in theirs if m not in set(ours)]
        out["only_ours_sample"] = [list(m) for m in only_ours[:10]]
        out["only_hf_sample"] = [list(m) for m in only_hf[:10]]
    return out


def child_build_big(spec: dict) -> dict:
    """Writes the corpora, concatenated repeatedly, to spec["path"] until it holds spec["bytes"] bytes."""
    target = spec["bytes"]
    sources = [Path(p) for p in spec["sources"]]
    written = 0
    rounds = 0
    with open(spec["path"], "w", encoding="utf-8", newline="") as out:
        while written < target:
            rounds += 1
            for src in sources:
                for line in iter_lines(src):
                    b = len(line.encode("utf-8"))
                    out.write(line)
                    written += b
                    if written >= target:
                        break
                if written >= target:
                    break
    return {"bytes": written, "rounds": rounds}


def child_main(spec_json: str) -> None:
    spec = json.loads(spec_json)
    kind = spec["kind"]
    fn = {"train": child_train, "overlap": child_overlap, "build_big": child_build_big}[kind]
    print("@@RESULT " + json.dumps(fn(spec)), flush=True)


# =============================================================== parent side

def run_child(spec: dict, timeout: float, rss_limit_mib: float) -> dict:
    """Runs one child; returns its JSON result, plus wall time and the parent-sampled peak RSS, or an error."""
    import psutil

    env = dict(os.environ)
    import tokenforge

    tf_path = str(Path(tokenforge.__file__).resolve().parents[1])  # children import the same tokenforge
    env["PYTHONPATH"] = tf_path + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    sampled = [0.0]
    killed: list[str] = []
    stop = threading.Event()

    def sampler():
        try:
            p = psutil.Process(proc.pid)
        except psutil.Error:
            return
        while not stop.is_set():
            try:
                rss = p.memory_info().rss / MiB
            except psutil.Error:
                return
            sampled[0] = max(sampled[0], rss)
            if rss > rss_limit_mib:
                killed.append(f"killed: RSS {rss:.0f} MiB passed the {rss_limit_mib:.0f} MiB limit")
                proc.kill()
                return
            if time.perf_counter() - t0 > timeout:
                killed.append(f"killed: still running after {timeout:.0f} s")
                proc.kill()
                return
            stop.wait(0.05)

    th = threading.Thread(target=sampler, daemon=True)
    th.start()
    stdout, stderr = proc.communicate()
    stop.set()
    th.join()
    wall = time.perf_counter() - t0
    result: dict[str, Any] = {}
    for line in stdout.splitlines():
        if line.startswith("@@RESULT "):
            result = json.loads(line[len("@@RESULT "):])
    if not result:
        why = killed[0] if killed else f"child exited with {proc.returncode}"
        result = {"error": why, "stderr_tail": stderr[-2000:]}
    result["child_wall_s"] = wall
    result["sampled_peak_mib"] = sampled[0]
    return result


def _median(values: list) -> Optional[float]:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize(runs: list[dict]) -> dict:
    ok = [r for r in runs if "train_s" in r and "error" not in r]
    s = {"runs_ok": len(ok), "runs": len(runs)}
    if ok:
        s["train_s"] = _median([r["train_s"] for r in ok])
        s["peak_mib"] = _median([r["peak_mib"] for r in ok])
        s["baseline_mib"] = _median([r["baseline_mib"] for r in ok])
        s["train_cost_mib"] = _median([r["train_cost_mib"] for r in ok])
        if all("count_s" in r for r in ok):
            s["count_s"] = _median([r["count_s"] for r in ok])
            s["merges_s"] = _median([r["merges_s"] for r in ok])
        s["vocab_out"] = ok[0].get("vocab_out")
    errors = sorted({r["error"] for r in runs if "error" in r})
    if errors:
        s["errors"] = errors
    return s


def _ratio(a, b) -> Optional[float]:
    return a / b if a is not None and b else None


def _fmt(v, spec=".2f", unit="") -> str:
    return "—" if v is None else f"{v:{spec}}{unit}"


def print_table(results: dict) -> None:
    rows = results["blocks"]
    print()
    print("BPE training, median of runs (time = counting + merges for every library; RSS = peak of the fresh child)")
    hdr = (f"{'corpus':<12} {'vocab':>6} | {'ours s':>7} {'HF s':>7} {'SP s':>7} | {'HF/ours':>7} {'SP/ours':>7} | "
           f"{'ours MiB':>8} {'HF MiB':>8} {'SP MiB':>8} {'ours/HF':>7} | {'base':>5} {'cost ours/HF':>13}")
    print(hdr)
    print("-" * len(hdr))
    for b in rows:
        o, h, s = (b["summary"].get(k, {}) for k in LIBS)
        ot, ht, st_ = o.get("train_s"), h.get("train_s"), s.get("train_s")
        op, hp, sp = o.get("peak_mib"), h.get("peak_mib"), s.get("peak_mib")
        oc, hc = o.get("train_cost_mib"), h.get("train_cost_mib")
        sp_t = _fmt(st_) if st_ is not None else ("error" if s.get("errors") else "—")
        base = _median([x.get("baseline_mib") for x in (o, h, s) if x.get("baseline_mib") is not None])
        print(f"{b['corpus']:<12} {b['vocab_size']:>6} | {_fmt(ot):>7} {_fmt(ht):>7} {sp_t:>7} | "
              f"{_fmt(_ratio(ht, ot), '.2f', 'x'):>7} {_fmt(_ratio(st_, ot), '.2f', 'x'):>7} | "
              f"{_fmt(op, '.0f'):>8} {_fmt(hp, '.0f'):>8} {_fmt(sp, '.0f'):>8} {_fmt(_ratio(op, hp), '.2f'):>7} | "
              f"{_fmt(base, '.0f'):>5} {_fmt(oc, '.0f')+'/'+_fmt(hc, '.0f'):>13}")
    print("  base = child RSS after imports + corpus in memory (MiB); cost = peak - base (the training's own memory)")
    for b in rows:
        o = b["summary"].get("ours", {})
        if o.get("count_s") is not None:
            print(f"  ours {b['corpus']} {b['vocab_size']}: counting {o['count_s']:.2f} s + merges {o['merges_s']:.2f} s")
        for lib in LIBS:
            for e in b["summary"].get(lib, {}).get("errors", []):
                print(f"  {lib} {b['corpus']} {b['vocab_size']}: {e.splitlines()[0][:200]}")
    if results.get("overlap"):
        print()
        print("Merges, ours vs HF BpeTrainer (same docs, same vocab size)")
        print(f"{'corpus':<12} {'vocab':>6} | {'ours':>6} {'HF':>6} | {'identical':>9} {'exact prefix':>12} "
              f"{'set overlap':>11}")
        for ov in results["overlap"]:
            if "error" in ov:
                print(f"{ov['corpus']:<12} {ov['vocab_size']:>6} | error: {ov['error']}")
                continue
            print(f"{ov['corpus']:<12} {ov['vocab_size']:>6} | {ov['ours_merges']:>6} {ov['hf_merges']:>6} | "
                  f"{str(ov['identical']):>9} {ov['exact_prefix']:>12} {ov['set_overlap']*100:>10.3f}%")
    big = results.get("big")
    if big:
        print()
        print(f"Streaming {big['bytes']/GB:.2f} GB from a file, vocab {big['vocab_size']}")
        print(f"  ({BIG_NOTE})")
        for lib in ("ours", "hf"):
            s = big["summary"].get(lib)
            if not s:
                continue
            if s.get("train_s") is None:
                print(f"  {lib:<4}: {'; '.join(s.get('errors', ['not run']))}")
                continue
            extra = f" (counting {s['count_s']:.1f} s)" if s.get("count_s") is not None else ""
            print(f"  {lib:<4}: {s['train_s']:.1f} s{extra}, peak RSS {s['peak_mib']:.0f} MiB "
                  f"(baseline {s['baseline_mib']:.0f} MiB), {s['runs_ok']} run(s)")
    t = results.get("targets")
    if t:
        print()
        print("Targets")
        for k, v in t.items():
            print(f"  {k}: {v}")
    print()
    print("Note: " + SP_NOTE)


def evaluate_targets(results: dict) -> dict:
    t: dict[str, Any] = {}
    for b in results["blocks"]:
        key = f"{b['corpus']}@{b['vocab_size']}"
        o, h, s = (b["summary"].get(k, {}) for k in LIBS)
        r_hf = _ratio(h.get("train_s"), o.get("train_s"))
        r_sp = _ratio(s.get("train_s"), o.get("train_s"))
        r_rss = _ratio(o.get("peak_mib"), h.get("peak_mib"))
        parts = []
        if r_hf is not None:
            parts.append(f"HF/ours {r_hf:.2f}x {'OK' if r_hf >= 2 else 'MISS'} (>=2x)")
        if r_sp is not None:
            parts.append(f"SP/ours {r_sp:.2f}x {'OK' if r_sp > 1 else 'MISS'} (>1x)")
        if r_rss is not None:
            parts.append(f"RSS ours/HF {r_rss:.3f} {'OK' if r_rss <= 0.5 else 'MISS'} (<=0.5)")
        t[key] = "; ".join(parts) if parts else "n/a"
    big = results.get("big")
    if big and big["summary"].get("ours", {}).get("peak_mib") is not None:
        p = big["summary"]["ours"]["peak_mib"]
        t[f"big {big['bytes']/GB:.2f} GB"] = f"ours peak {p:.0f} MiB {'OK' if p < 4096 else 'MISS'} (<4 GiB)"
    return t


def main(argv: Optional[list[str]] = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--vocab-sizes", type=int, nargs="+", default=[8000, 32000, 64000])
    ap.add_argument("--corpora", nargs="+", default=list(CORPORA), help="names under corpora/ (without .txt.gz)")
    ap.add_argument("--big-gb", type=float, default=1.0, help="size of the streaming corpus in GB; 0 skips")
    ap.add_argument("--big-hf-timeout", type=float, default=660.0, help="seconds before HF's big run is stopped")
    ap.add_argument("--skip-sp", action="store_true")
    ap.add_argument("--skip-hf", action="store_true")
    ap.add_argument("--skip-overlap", action="store_true")
    ap.add_argument("--hf-skip", nargs="*", default=[], metavar="CORPUS@VOCAB",
                    help="blocks where HF is not run (e.g. en-gcide@64000)")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds per child")
    ap.add_argument("--rss-limit-gb", type=float, default=12.0, help="kill a child whose RSS passes this (GiB)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child_main(args.child)
        return

    import tokenforge

    paths = {}
    for name in args.corpora:
        p = corpus_path(name)
        if not p.exists():
            sys.exit(f"corpus not found: {p} (set TOKENFORGE_SHARED_DATA)")
        paths[name] = p
    libs = [lib for lib in LIBS if not (lib == "hf" and args.skip_hf) and not (lib == "sp" and args.skip_sp)]
    rss_limit = args.rss_limit_gb * 1024
    results: dict[str, Any] = {
        "benchmark": "bpe-train",
        "command": shlex.join([Path(sys.executable).name] + sys.argv),
        "cwd": os.getcwd(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine_info("psutil"),
        "settings": {
            "repeats": args.repeats, "vocab_sizes": args.vocab_sizes, "corpora": args.corpora, "libs": libs,
            "lines_per_doc": LINES_PER_DOC, "special_tokens": SPECIAL_TOKENS, "pattern": "gpt2",
            "min_frequency": 0, "hf_skip": args.hf_skip, "data": str(DATA),
        },
        "notes": {"sentencepiece": SP_NOTE, "rss": RSS_NOTE, "big": BIG_NOTE,
                  "time": "train_s = training only (counting + merges), the corpus already in memory as a list "
                          "of 200-line documents; ours' count_s is the counting share"},
        "blocks": [],
        "overlap": [],
    }
    print(f"tokenforge {tokenforge.__version__} from {Path(tokenforge.__file__).parent}; data {DATA}", flush=True)

    def log(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)

    for name, path in paths.items():
        for vs in args.vocab_sizes:
            block_libs = [lib for lib in libs if not (lib == "hf" and f"{name}@{vs}" in args.hf_skip)]
            if not args.skip_overlap and "hf" in block_libs:
                ov = run_child({"kind": "overlap", "path": str(path), "vocab_size": vs}, args.timeout, rss_limit)
                ov["corpus"] = name
                results["overlap"].append(ov)
                if "error" in ov:
                    log(f"overlap {name} {vs}: {ov['error']}")
                else:
                    log(f"overlap {name} {vs}: identical={ov['identical']} prefix={ov['exact_prefix']} "
                        f"set={ov['set_overlap']:.4f}")
            runs: dict[str, list] = {lib: [] for lib in block_libs}
            for r in range(args.repeats):
                for lib in block_libs:
                    res = run_child({"kind": "train", "lib": lib, "path": str(path), "vocab_size": vs},
                                    args.timeout, rss_limit)
                    res["repeat"] = r
                    runs[lib].append(res)
                    if "train_s" in res and "error" not in res:
                        log(f"{name} {vs} {lib} #{r}: {res['train_s']:.2f} s, peak {res['peak_mib']:.0f} MiB "
                            f"(base {res['baseline_mib']:.0f})")
                    else:
                        log(f"{name} {vs} {lib} #{r}: ERROR {res.get('error', '?').splitlines()[0][:200]}")
            summary = {lib: summarize(rs) for lib, rs in runs.items()}
            o, h, s = (summary.get(k, {}) for k in LIBS)
            ratios = {
                "hf_over_ours_time": _ratio(h.get("train_s"), o.get("train_s")),
                "sp_over_ours_time": _ratio(s.get("train_s"), o.get("train_s")),
                "ours_over_hf_peak_rss": _ratio(o.get("peak_mib"), h.get("peak_mib")),
                "ours_over_sp_peak_rss": _ratio(o.get("peak_mib"), s.get("peak_mib")),
                "ours_over_hf_train_cost_rss": _ratio(o.get("train_cost_mib"), h.get("train_cost_mib")),
            }
            results["blocks"].append({"corpus": name, "vocab_size": vs, "corpus_bytes_gz": path.stat().st_size,
                                      "summary": summary, "ratios": ratios, "runs": runs})
            write_results(args.out, results)

    if args.big_gb > 0:
        fd, big_path = tempfile.mkstemp(prefix="tokenforge_bench_big_", suffix=".txt", dir="/tmp")
        os.close(fd)
        try:
            log(f"building {args.big_gb} GB corpus at {big_path}")
            built = run_child({"kind": "build_big", "path": big_path, "bytes": int(args.big_gb * GB),
                               "sources": [str(p) for p in paths.values()]}, args.timeout, rss_limit)
            big: dict[str, Any] = {"bytes": built.get("bytes"), "build": built, "vocab_size": BIG_VOCAB,
                                   "note": BIG_NOTE, "runs": {}}
            big_libs = [("ours", args.repeats, args.timeout)] + ([] if args.skip_hf else [("hf", 1, args.big_hf_timeout)])
            for lib, reps, tmo in big_libs:
                big["runs"][lib] = []
                for r in range(reps):
                    res = run_child({"kind": "train", "lib": lib, "path": big_path, "vocab_size": BIG_VOCAB,
                                     "streaming": True}, tmo, rss_limit)
                    res["repeat"] = r
                    big["runs"][lib].append(res)
                    if "train_s" in res:
                        log(f"big {lib} #{r}: {res['train_s']:.1f} s, peak {res['peak_mib']:.0f} MiB")
                    else:
                        log(f"big {lib} #{r}: ERROR {res.get('error')}")
            big["summary"] = {lib: summarize(rs) for lib, rs in big["runs"].items()}
            results["big"] = big
        finally:
            os.unlink(big_path)

    results["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    results["machine"]["loadavg_end"] = loadavg()
    results["targets"] = evaluate_targets(results)
    write_results(args.out, results)
    print_table(results)
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
