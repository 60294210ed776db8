"""Encode throughput of the models and methods beyond BPE: tokenforge vs HF `tokenizers`, side by side.

What it measures (one process, one run):

1. Unigram (Viterbi) and WordPiece (longest prefix) vocabularies of `--vocab-size` ids trained by HF `tokenizers`
   on the first `--train-mb` MB of en-rustdocs (untimed), then loaded by tokenforge from the same tokenizer.json.
   Both libraries encode the same documents (~200 lines each) of en-gcide and en-rustdocs (`--max-mb` MB each):
   batch (`encode_batch`, all cores) and single thread (a loop of `encode`). Ids are compared for every document
   first; the result is recorded as `identical`.
2. BPE-dropout against HF's (p = 0.1, on a byte-level BPE of `--vocab-size` ids trained by tokenforge, vs HF BPE
   with `dropout=0.1` on the same merges; HF's `ignore_merges` turned off so that it drops merges in every word as
   ours does). Token counts of both are recorded (equal in distribution, not id for id: the generators differ).
3. Every method tokenforge has for each vocabulary (BPE, Unigram, WordPiece), batch, with no peer: its throughput
   and its tokens per byte on the corpus (what the method changes).

Throughput is corpus UTF-8 bytes / median seconds, in MB/s (1 MB = 10**6 bytes). Every timing is the median of
`--repeats` runs (default 5) after one untimed warm-up run. Results, with every run's time, go to
benchmarks/results/lattice.json, written atomically.

Run:
    python benchmarks/bench_lattice.py
Quick check:
    python benchmarks/bench_lattice.py --max-mb 0.3 --train-mb 1 --repeats 2 --out /tmp/lattice.json
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import warnings
from pathlib import Path

import tokenforge
from _common import MB, machine_info, mb_per_s, median_time, read_corpus, results_path, split_docs, write_results

DEFAULT_OUT = results_path("lattice")
CORPORA = ("en-gcide", "en-rustdocs")


def hf_train(kind: str, lines: list[str], vocab_size: int, path: str):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    if kind == "unigram":
        tok = Tokenizer(models.Unigram())
        tok.pre_tokenizer = pre_tokenizers.Whitespace()
        trainer = trainers.UnigramTrainer(vocab_size=vocab_size, unk_token="<unk>", special_tokens=["<unk>"],
                                          show_progress=False)
    else:
        tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=["[UNK]"], show_progress=False)
    tok.train_from_iterator(lines, trainer)
    tok.save(path)
    return tok


def mbps(nbytes: int, timing: dict) -> float:
    return round(mb_per_s(nbytes, timing["median_s"]), 3)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--max-mb", type=float, default=2.0, help="MB of each corpus to encode")
    ap.add_argument("--train-mb", type=float, default=4.0, help="MB of en-rustdocs to train the vocabularies on")
    ap.add_argument("--vocab-size", type=int, default=16000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()

    from tokenizers import Tokenizer as HfTokenizer

    tmp = tempfile.mkdtemp(prefix="bench-lattice-")
    train_lines = read_corpus("en-rustdocs", int(args.train_mb * MB)).splitlines()
    corpora = {name: read_corpus(name, int(args.max_mb * MB)) for name in CORPORA}
    docs = {name: split_docs(text) for name, text in corpora.items()}
    nbytes = {name: len(text.encode("utf-8")) for name, text in corpora.items()}

    result: dict = {
        "machine": machine_info(),
        "settings": vars(args) | {"out": str(args.out)},
        "versions": {"tokenforge": tokenforge.__version__, "tokenizers": __import__("tokenizers").__version__},
        "exact": {},
        "random": {},
        "methods": {},
    }

    # 1. exact methods vs HF
    pairs = {}
    for kind in ("unigram", "wordpiece"):
        path = os.path.join(tmp, f"{kind}.json")
        hf_train(kind, train_lines, args.vocab_size, path)
        pairs[kind] = (tokenforge.load(path), HfTokenizer.from_file(path))
    for kind, (ours, theirs) in pairs.items():
        for name, ds in docs.items():
            ours_ids = ours.encode_batch(ds)
            theirs_ids = [e.ids for e in theirs.encode_batch(ds, add_special_tokens=False)]
            entry = {"identical": ours_ids == theirs_ids, "tokens": sum(map(len, ours_ids)), "bytes": nbytes[name]}
            timings = {
                "tokenforge_batch": median_time(lambda: ours.encode_batch(ds), args.repeats),
                "hf_batch": median_time(lambda: theirs.encode_batch(ds, add_special_tokens=False), args.repeats),
                "tokenforge_single": median_time(lambda: [ours.encode(d) for d in ds], args.repeats),
                "hf_single": median_time(lambda: [theirs.encode(d, add_special_tokens=False) for d in ds], args.repeats),
            }
            timings = {k: t.as_dict() for k, t in timings.items()}
            entry["mb_per_s"] = {k: mbps(nbytes[name], t) for k, t in timings.items()}
            entry["timings"] = timings
            result["exact"][f"{kind}/{ours.method}/{name}"] = entry
            print(kind, name, entry["identical"], entry["mb_per_s"], flush=True)

    # 2. random methods vs HF counterparts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bpe = tokenforge.train(tokenforge.Texts(train_lines), vocab_size=args.vocab_size, pattern="o200k")
    bpe_path = os.path.join(tmp, "bpe.json")
    bpe.save(bpe_path)
    hf_bpe_obj = json.loads(Path(bpe_path).read_text(encoding="utf-8"))
    hf_bpe_obj["model"]["dropout"] = 0.1
    hf_bpe_obj["model"]["ignore_merges"] = False  # HF skips dropout for whole-token words otherwise
    hf_dropout = HfTokenizer.from_str(json.dumps(hf_bpe_obj))
    ours_dropout = bpe.with_method("merge", dropout=0.1, seed=1)
    peers = {"bpe/merge+dropout0.1": (ours_dropout, hf_dropout)}
    for name, ds in docs.items():
        for label, (ours, theirs) in peers.items():
            timings = {
                "tokenforge_batch": median_time(lambda: ours.encode_batch(ds), args.repeats),
                "hf_batch": median_time(lambda: theirs.encode_batch(ds, add_special_tokens=False), args.repeats),
            }
            timings = {k: t.as_dict() for k, t in timings.items()}
            tokens = {"tokenforge": sum(map(len, ours.encode_batch(ds))),
                      "hf": sum(len(e.ids) for e in theirs.encode_batch(ds, add_special_tokens=False))}
            result["random"][f"{label}/{name}"] = {
                "bytes": nbytes[name], "tokens": tokens, "mb_per_s": {k: mbps(nbytes[name], t) for k, t in timings.items()},
                "timings": timings,
            }
            print(label, name, tokens, result["random"][f"{label}/{name}"]["mb_per_s"], flush=True)

    # 3. every method of every vocabulary, tokenforge only
    bases = {"bpe": bpe, "unigram": pairs["unigram"][0], "wordpiece": pairs["wordpiece"][0]}
    options = {"sample": {"alpha": 0.1, "seed": 1}, "merge": {}}
    for kind, base in bases.items():
        for method in base.model.methods:
            tok = base.with_method(method, **options.get(method, {}))
            for name, ds in docs.items():
                timing = median_time(lambda: tok.encode_batch(ds), args.repeats).as_dict()
                tokens = sum(map(len, tok.encode_batch(ds)))
                result["methods"][f"{kind}/{method}/{name}"] = {
                    "mb_per_s": mbps(nbytes[name], timing), "tokens": tokens,
                    "bytes_per_token": round(nbytes[name] / max(tokens, 1), 4), "timing": timing,
                }
                print(kind, method, name, result["methods"][f"{kind}/{method}/{name}"]["mb_per_s"], tokens, flush=True)

    write_results(args.out, result)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
