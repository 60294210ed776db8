"""WordPiece, MWT, learned supertokens and LiB against plain BPE at equal vocabulary size.

What it measures
----------------
Corpus: `corpora/en-rustdocs.txt.gz` (16 MB English technical prose) from the shared data. Its lines are split
into a training part (the first `--train-mb` MB, default 8) and a held-out part (the last `--heldout-mb` MB,
default 1; never trained on). For each vocabulary size (`--vocab-sizes`, default 8000 32000):

* tokens on the held-out text, and bytes per token, for each method;
* training wall time (reading the in-memory lines + counting + learning), median of `--repeats` runs (default 3),
  and its ratio to plain BPE's median. Runs are interleaved (bpe, wordpiece, ..., bpe, wordpiece, ...).

Methods (all `tokenforge.train(texts, vocab_size=N, model=...)`, o200k pre-tokenization unless said):
  bpe          plain byte-level BPE (the reference row for the multi-word methods);
  bpe-bert     the same BPE with WordPiece's BERT split (whitespace dropped, punctuation alone): the like-for-like
               reference row for the WordPiece rows (`tokens_vs_bpe` of those rows is against this one);
  wordpiece    likelihood WordPiece, min_frequency=0 (the bare criterion); held-out count includes [UNK] tokens
               (also reported); needs the model layer (tokenforge.models.wordpiece), else skipped with the reason;
  wordpiece-mf10  the same with min_frequency=10;
  hf-wordpiece the peer: HF `tokenizers` WordPieceTrainer (BPE-style merges with ## prefix) with
               `BertPreTokenizer`, same lines, same vocab size;
  mwt          BPE with vocab_size - k ids + the top-k word bigrams (`--mwt-k`, default 10% of N);
  supertokens  BPE on multi-word chunks (max_words=4, seed 0);
  lib          LiB trained on the first `--lib-lines` training lines (default 20000; pure Python), passes=2.

Results go to `benchmarks/results/wordpiece_mwt.json` (atomically), with the command line and machine info.

Run (from the project root):
    python benchmarks/bench_wordpiece_mwt.py
Quick check:
    python benchmarks/bench_wordpiece_mwt.py --repeats 1 --vocab-sizes 8000 --out /tmp/wm.json
"""

from __future__ import annotations

import argparse
import statistics
import sys
import warnings

import tokenforge
from _common import command_line, machine_info, read_corpus, results_path, timed, write_results
from tokenforge import Texts

METHODS = ("bpe", "bpe-bert", "wordpiece", "wordpiece-mf10", "hf-wordpiece", "mwt", "supertokens", "lib")
WORDPIECE_ROWS = ("wordpiece", "wordpiece-mf10", "hf-wordpiece")


def load_lines(train_mb: float, heldout_mb: float) -> tuple[list[str], str]:
    lines = read_corpus("en-rustdocs").splitlines(True)
    held, size = [], 0
    while lines and size < heldout_mb * 1e6:
        line = lines.pop()
        held.append(line)
        size += len(line.encode("utf-8"))
    train, size = [], 0
    for line in lines:
        if size >= train_mb * 1e6:
            break
        train.append(line)
        size += len(line.encode("utf-8"))
    return train, "".join(reversed(held))


def has_wordpiece_model() -> bool:
    try:
        import tokenforge.models.wordpiece  # noqa: F401
    except ImportError:
        return False
    return True


def train_one(method: str, lines: list[str], vocab_size: int, args):
    if method == "hf-wordpiece":
        from tokenizers import Tokenizer, models, pre_tokenizers, trainers

        hf = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        hf.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=["[UNK]"], show_progress=False)
        hf.train_from_iterator(lines, trainer)
        return hf
    kw: dict = {}
    if method == "mwt":
        kw["mwt_k"] = args.mwt_k or vocab_size // 10
    if method == "bpe-bert":
        kw["pattern"] = "bert"
    if method == "wordpiece":
        kw["min_frequency"] = 0  # the bare criterion (train's default for wordpiece is 10)
    if method == "wordpiece-mf10":
        kw["min_frequency"] = 10
    if method == "lib":
        lines = lines[: args.lib_lines]
        kw["passes"] = 2
    model = {"bpe-bert": "bpe", "wordpiece-mf10": "wordpiece"}.get(method, method)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tokenforge.train(Texts(lines), vocab_size=vocab_size, model=model, progress=False, **kw)


def count(method: str, tok, text: str) -> dict:
    if method == "hf-wordpiece":
        ids = tok.encode(text, add_special_tokens=False).ids
        unk = tok.token_to_id("[UNK]")
    else:
        ids = tok.encode(text)
        unk = tok.token_to_id("[UNK]") if method.startswith("wordpiece") else None
    out = {"tokens": len(ids), "bytes_per_token": round(len(text.encode("utf-8")) / max(1, len(ids)), 4),
           "vocab_size": tok.get_vocab_size() if method == "hf-wordpiece" else tok.vocab_size}
    if unk is not None:
        out["unk_tokens"] = sum(1 for i in ids if i == unk)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vocab-sizes", type=int, nargs="+", default=[8000, 32000])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--train-mb", type=float, default=8.0)
    ap.add_argument("--heldout-mb", type=float, default=1.0)
    ap.add_argument("--mwt-k", type=int, default=None)
    ap.add_argument("--lib-lines", type=int, default=20000)
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    ap.add_argument("--out", default=str(results_path("wordpiece_mwt")))
    args = ap.parse_args(argv)
    lines, held = load_lines(args.train_mb, args.heldout_mb)
    methods = list(args.methods)
    skipped = {}
    if not has_wordpiece_model():
        for m in ("wordpiece", "wordpiece-mf10", "bpe-bert"):
            if m in methods:
                methods.remove(m)
                skipped[m] = "needs tokenforge.models.wordpiece and the 'bert' pattern (the model layer)"
    result = {"command": command_line(), "machine": machine_info(),
              "corpus": {"file": "corpora/en-rustdocs.txt.gz", "train_lines": len(lines),
                         "train_bytes": sum(len(x.encode("utf-8")) for x in lines),
                         "heldout_bytes": len(held.encode("utf-8"))},
              "repeats": args.repeats, "skipped": skipped, "sizes": {}}
    for n in args.vocab_sizes:
        times: dict[str, list[float]] = {m: [] for m in methods}
        counts: dict[str, dict] = {}
        for _ in range(args.repeats):
            for m in methods:
                seconds, tok = timed(train_one, m, lines, n, args)
                times[m].append(seconds)
                if m not in counts:
                    counts[m] = count(m, tok, held)
        base_t = statistics.median(times["bpe"]) if "bpe" in times else None
        rows = {}
        for m in methods:
            ref = "bpe-bert" if m in WORDPIECE_ROWS and "bpe-bert" in counts else "bpe"
            base_tokens = counts.get(ref, {}).get("tokens")
            med = statistics.median(times[m])
            rows[m] = {**counts[m], "train_s_runs": [round(x, 3) for x in times[m]], "train_s_median": round(med, 3),
                       "train_time_vs_bpe": round(med / base_t, 3) if base_t else None,
                       "tokens_vs_bpe": round(counts[m]["tokens"] / base_tokens, 4) if base_tokens else None,
                       "tokens_reference_row": ref}
            print(f"{n:>6} {m:<13} tokens {counts[m]['tokens']:>9} ({rows[m]['tokens_vs_bpe']}x bpe)  "
                  f"train {med:7.2f}s ({rows[m]['train_time_vs_bpe']}x bpe)", flush=True)
        result["sizes"][str(n)] = rows
        write_results(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
