r"""Unigram training and encoding vs SentencePiece; tokens/byte of every inference method on the same vocabularies;
LZW hypertoken compression.

What it measures
----------------
Data: the first `--train-mb` MB of lines of `corpora/<--corpus>.txt.gz` (decoded with errors="replace") train
every model; the next `--eval-mb` MB of lines are the held-out evaluation text.

1. Unigram training time, median of `--repeats` runs, interleaved (ours, ours with whitespace units,
   SentencePiece, ours, ...):
   - ours: `tokenforge.train(Texts(lines), vocab_size=V, model="unigram")`: o200k pre-tokenizer, counting
     included, SentencePiece's defaults otherwise (coverage 0.9995, shrink 0.75, 2 EM sub-iterations, byte
     fallback; V counts <unk> and the 256 byte pieces); and the same with `pattern=r" ?\S+|\s+"` (whitespace
     units, close to SentencePiece's), to separate the trainer from the pre-tokenizer in tokens/byte;
   - SentencePiece: `SentencePieceTrainer.train(sentence_iterator=lines, model_type="unigram", vocab_size=V,
     byte_fallback=True, character_coverage=0.9995, normalization_rule_name="identity",
     remove_extra_whitespaces=False (lossless, as ours: by default it would drop code indentation), num_threads=<cores>,
     input_sentence_size=0, shuffle_input_sentence=False)`, written to memory. It splits at whitespace (with its
     "▁" marker) instead of a regex: the same algorithm over slightly different units.
2. Encode throughput on the evaluation lines without their newline (SentencePiece reads lines that way; MB of
   UTF-8 per second, median of 5): ours `encode_batch` (Viterbi) vs SentencePiece `encode(lines)`; and the
   tokens/byte each gives on them; also SentencePiece trained with its default remove_extra_whitespaces=True
   (lossy: runs of spaces collapse, so indentation costs nothing), for tokens/byte only.
3. Tokens/byte on the evaluation text of each inference method ("merge", "longest_prefix", "longest_suffix",
   "longest_token", "fewest", "viterbi", "sample") on each vocabulary trained at V: BPE (ours), Unigram (ours),
   PathPiece (ours). "n/a" where a method is not defined for the model (merge needs merges; viterbi and sample
   need scores). "sample" uses alpha 0.1 (SentencePiece's usual value) and seed 0.
4. LZW hypertokens (zip2zip): base tokens / hypertokens on the evaluation text cut into documents of 100 lines,
   each compressed with a fresh codebook (defaults: 2048 entries, at most 3 base tokens per hypertoken), for each
   vocabulary with its default method.

Results go to `benchmarks/results/models.json` (written atomically).

Run (from the project root):  python benchmarks/bench_models.py
Quick check:                   python benchmarks/bench_models.py --train-mb 1 --repeats 1 --out /tmp/models.json
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
from pathlib import Path

from _common import chunk_lines, command_line, iter_sized_lines, machine_info, results_path, timed, write_results

METHODS = ("merge", "longest_prefix", "longest_suffix", "longest_token", "fewest", "viterbi", "sample")


def read_lines(corpus: str, train_mb: float, eval_mb: float) -> tuple[list[str], list[str]]:
    train, held = [], []
    size = 0
    for line, n in iter_sized_lines(corpus):
        size += n
        if size <= train_mb * 1e6:
            train.append(line)
        elif size <= (train_mb + eval_mb) * 1e6:
            held.append(line)
        else:
            break
    return train, held


# Whitespace units like SentencePiece's (a word with the space before it; runs of whitespace alone), for the row
# that compares the trainers on (nearly) the same units.
WHITESPACE_PATTERN = r" ?\S+|\s+"


def train_ours(lines, vocab_size, model="unigram", pattern="o200k"):
    import tokenforge
    from tokenforge.corpus import Texts

    return tokenforge.train(Texts(lines), vocab_size=vocab_size, model=model, pattern=pattern, progress=False)


def train_sp(lines, vocab_size, lossless=True):
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([l.rstrip("\n") for l in lines if l.strip()]), model_writer=model,
        model_type="unigram", vocab_size=vocab_size, byte_fallback=True, character_coverage=0.9995,
        normalization_rule_name="identity", remove_extra_whitespaces=not lossless, num_threads=os.cpu_count() or 1, input_sentence_size=0,
        shuffle_input_sentence=False, max_sentence_length=1 << 16, minloglevel=2,
    )
    return spm.SentencePieceProcessor(model_proto=model.getvalue())


def tokens_per_byte(tok, lines, nbytes) -> float:
    return sum(len(ids) for ids in tok.encode_batch(lines, disallowed_special=())) / nbytes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default="en-rustdocs")
    parser.add_argument("--train-mb", type=float, default=4.0)
    parser.add_argument("--eval-mb", type=float, default=1.0)
    parser.add_argument("--vocab-size", type=int, default=8000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=results_path("models"))
    args = parser.parse_args()

    import sentencepiece  # noqa: F401  (fail before any training if it is missing)
    import tokenforge
    from tokenforge.tokenizers.lzw import lzw_compression_ratio

    train_lines, eval_lines = read_lines(args.corpus, args.train_mb, args.eval_mb)
    eval_bytes = sum(len(l.encode()) for l in eval_lines)
    v = args.vocab_size
    results: dict = {
        "command": command_line(),
        "machine": machine_info(),
        "data": {"corpus": args.corpus, "train_lines": len(train_lines),
                 "train_bytes": sum(len(l.encode()) for l in train_lines), "eval_lines": len(eval_lines),
                 "eval_bytes": eval_bytes},
        "vocab_size": v,
    }

    # 1. training
    ours_times, ws_times, sp_times = [], [], []
    ours = ours_ws = sp = None
    for _ in range(args.repeats):
        t, ours = timed(train_ours, train_lines, v)
        ours_times.append(t)
        t, ours_ws = timed(train_ours, train_lines, v, "unigram", WHITESPACE_PATTERN)
        ws_times.append(t)
        t, sp = timed(train_sp, train_lines, v)
        sp_times.append(t)
        print(f"train: ours {ours_times[-1]:.2f}s  ours (whitespace units) {ws_times[-1]:.2f}s  "
              f"sentencepiece {sp_times[-1]:.2f}s", file=sys.stderr)
    results["unigram_training"] = {
        "ours_s": ours_times, "ours_whitespace_units_s": ws_times, "sentencepiece_s": sp_times,
        "ours_median_s": statistics.median(ours_times),
        "ours_whitespace_units_median_s": statistics.median(ws_times),
        "sentencepiece_median_s": statistics.median(sp_times),
        "speedup_vs_sentencepiece": statistics.median(sp_times) / statistics.median(ours_times),
    }

    # 2. encoding: SentencePiece reads lines without their newline, so both encode the stripped lines
    stripped = [l.rstrip("\n") for l in eval_lines]
    stripped_bytes = sum(len(l.encode()) for l in stripped)
    mb = stripped_bytes / 1e6
    ours_enc, sp_enc = [], []
    for _ in range(5):
        t, _ids = timed(ours.encode_batch, stripped)
        ours_enc.append(mb / t)
        t, _ids = timed(sp.encode, stripped)
        sp_enc.append(mb / t)
    results["unigram_encode"] = {
        "text": "evaluation lines without their newline", "bytes": stripped_bytes,
        "ours_mb_per_s": ours_enc, "sentencepiece_mb_per_s": sp_enc,
        "ours_median_mb_per_s": statistics.median(ours_enc), "sentencepiece_median_mb_per_s": statistics.median(sp_enc),
        "ours_tokens_per_byte": tokens_per_byte(ours, stripped, stripped_bytes),
        "ours_whitespace_units_tokens_per_byte": tokens_per_byte(ours_ws, stripped, stripped_bytes),
        "sentencepiece_tokens_per_byte": sum(len(x) for x in sp.encode(stripped)) / stripped_bytes,
        "sentencepiece_default_whitespace_tokens_per_byte":
            sum(len(x) for x in train_sp(train_lines, v, lossless=False).encode(stripped)) / stripped_bytes,
    }
    print(json.dumps(results["unigram_encode"], indent=1), file=sys.stderr)

    # 3. methods x vocabularies
    vocabs = {"unigram": ours, "bpe": train_ours(train_lines, v, "bpe"), "pathpiece": train_ours(train_lines, v, "pathpiece")}
    table: dict = {}
    for name, tok in vocabs.items():
        row = {}
        for method in METHODS:
            options = {"alpha": 0.1, "seed": 0} if method == "sample" else {}
            try:
                variant = tok.with_method(method, **options)
            except tokenforge.TokenforgeError as exc:
                row[method] = f"n/a: {exc}"
                continue
            row[method] = tokens_per_byte(variant, eval_lines, eval_bytes)
        table[name] = row
        print(name, {m: (round(x, 4) if isinstance(x, float) else "n/a") for m, x in row.items()}, file=sys.stderr)
    results["tokens_per_byte"] = {"default_methods": {n: t.method for n, t in vocabs.items()}, "table": table}

    # 4. LZW
    docs = chunk_lines(eval_lines, 100)
    results["lzw"] = {"documents": len(docs), "max_codebook_size": 2048, "max_hypertoken_length": 3,
                      "compression_ratio": {n: lzw_compression_ratio(t, docs) for n, t in vocabs.items()}}
    print(results["lzw"], file=sys.stderr)

    write_results(args.out, results, indent=2)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
