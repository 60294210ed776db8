"""Parity-aware BPE vs plain BPE on multilingual data: spread of per-language token counts on held-out parallel
text, global compression, and training time.

What it measures
----------------
Data (`<shared data>/parallel/udhr/*.json`, the UDHR in 53 languages, aligned by article):

* languages: every UDHR language with all of articles 1..30 (the preamble, article "0", is missing in one);
* per-language **training** data: UDHR articles 0 and 11..20, plus, for the languages `wordfreq` covers (its
  `small` lists; ~31 of the 53), a word-frequency table: the top `--wordfreq-words` words (default 20,000) as counts
  of a corpus of `--wordfreq-total` words (default 10**7), each word with a leading space and cut by the
  pre-tokenizer (`wordfreq_counts(..., prefix_space=True, pretokenize=True)`). So the data is unbalanced, as in the
  paper's setting: about 31 "high-resource" languages with large tables, about 22 with only 11 short articles;
* **dev** (parallel, steers the parity policy): articles 1..10;
* **held-out test** (reported): articles 21..30, encoded one article at a time.

Trainers (all ours, same pre-tokenizer `o200k`, byte-level, no normalizer, same vocabulary size):

* `bpe`: plain BPE on the concatenation of all languages' training data;
* `parity`: parity-aware BPE (`global_share=0`);
* `hybrid`: parity-aware BPE with `global_share=--hybrid-share` (default 0.5: the first half of the new tokens
  by global frequency, the rest by the parity policy);
* `window`: the moving-window variant (`window=100, alpha=2`, the setting of the paper's code).

Pretokens are counted once per language (not timed); each trainer then gets the same counts (plain BPE their sum),
so the timed part is the same for all three: building the word table and learning merges. Time is the median of
`--repeats` runs (default 5), the trainers interleaved so machine noise hits them alike; `time_vs_bpe` is that
median over plain BPE's. On a shared machine wall time is noisy, so the process CPU time (all threads) is
reported too (`cpu_s`, `cpu_vs_bpe`): the work done, less sensitive to other processes.

Reported per trainer and vocabulary size (default 8000, 32000): held-out tokens per language; their max/min
ratio (and which languages); the Gini coefficient of the per-language token counts (0 = every language needs the
same number of tokens for the same content); global compression = all held-out UTF-8 bytes / all held-out tokens;
mean tokens of the wordfreq-backed languages vs the UDHR-only ones; training time.

Results go to `benchmarks/results/parity.json` and are printed as a table.

Run (from the project root, with the tokenforge you want to measure importable):
    python benchmarks/bench_parity.py
Quick check:
    python benchmarks/bench_parity.py --vocab-sizes 4000 --repeats 1 --out /tmp/parity.json
Write the UDHR split as text files (to try the CLI: `tokenforge train --model parity --lang-corpus eng=DIR/train/eng.txt
... --dev eng=DIR/dev/eng.txt ...`):
    python benchmarks/bench_parity.py --write-split DIR
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from _common import UDHR_DIR, machine_info, results_path, udhr_docs, write_results

DEFAULT_OUT = results_path("parity")

TRAIN_ARTICLES = [0, *range(11, 21)]
DEV_ARTICLES = list(range(1, 11))
TEST_ARTICLES = list(range(21, 31))
PATTERN = "o200k"
# The moving-window variant's setting in the paper's code.
WINDOW, ALPHA = 100, 2.0
# UDHR bcp47 codes whose wordfreq name differs.
WORDFREQ_NAME = {"tl": "fil", "de-1996": "de", "el-monoton": "el", "pt-PT": "pt"}


def gini(values: list[float]) -> float:
    """Gini coefficient: mean absolute difference over all ordered pairs / (2 * mean)."""
    n = len(values)
    mean = sum(values) / n
    return sum(abs(a - b) for a in values for b in values) / (2 * n * n * mean)


def wordfreq_code(doc: dict, available: set[str]):
    code = WORDFREQ_NAME.get(doc["bcp47"], doc["bcp47"])
    return code if code in available else None


def prepare(docs: dict[str, dict], words: int, total: int):
    """Per-language pretoken counts of the training data and of the dev text; the held-out test articles."""
    from tokenforge.corpus import Texts, count_pretokens, open_corpus, wordfreq_counts

    try:
        import wordfreq

        available = set(wordfreq.available_languages("small"))
    except ImportError:
        available = set()
    train, dev, test, backed = {}, {}, {}, {}
    for lang, doc in docs.items():
        arts = doc["articles"]
        texts = [arts[str(i)] for i in TRAIN_ARTICLES if str(i) in arts]
        sources: list[Any] = [Texts(texts)]
        code = wordfreq_code(doc, available) if words > 0 else None
        if code is not None:
            try:
                sources.append(wordfreq_counts(code, words, total, prefix_space=True, pretokenize=True))
            except ImportError as err:  # zh needs jieba, ja needs MeCab: those stay UDHR-only
                print(f"{lang}: no wordfreq table ({err})", file=sys.stderr)
                code = None
        backed[lang] = code
        train[lang] = count_pretokens(open_corpus(sources), PATTERN)
        dev[lang] = count_pretokens(Texts([arts[str(i)] for i in DEV_ARTICLES]), PATTERN)
        test[lang] = [arts[str(i)] for i in TEST_ARTICLES]
    return train, dev, test, backed


def combined(train: dict) -> Any:
    """The sum of every language's counts: plain BPE's corpus."""
    from tokenforge.corpus import PretokenCounts, new_counter
    from tokenforge.pipeline.normalizers import Normalizer
    from tokenforge.pipeline.pretokenizers import PreTokenizer

    counter = new_counter(PreTokenizer.from_spec(PATTERN), Normalizer.from_spec(None))
    for counts in train.values():
        counter.add_counts(counts.items)
    return PretokenCounts(counter, records=sum(c.records for c in train.values()),
                          chars=sum(c.chars for c in train.values()))


def train_one(kind: str, vocab_size: int, train: dict, dev: dict, total: Any, hybrid_share: float):
    import tokenforge

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tokenforge.errors.TrainingWarning)
        start, cpu = time.perf_counter(), time.process_time()
        if kind == "bpe":
            tok = tokenforge.train(total, vocab_size=vocab_size, pattern=PATTERN, progress=False)
        else:
            tok = tokenforge.train(train, dev=dev, vocab_size=vocab_size, model="parity", pattern=PATTERN,
                                   global_share=hybrid_share if kind == "hybrid" else 0.0,
                                   window=WINDOW if kind == "window" else 0, alpha=ALPHA, progress=False)
        return tok, time.perf_counter() - start, time.process_time() - cpu


def evaluate(tok, test: dict[str, list[str]], backed: dict[str, Any]) -> dict:
    tokens = {lang: sum(len(ids) for ids in tok.encode_batch(texts)) for lang, texts in test.items()}
    nbytes = {lang: sum(len(t.encode("utf-8")) for t in texts) for lang, texts in test.items()}
    worst = max(tokens, key=lambda l: (tokens[l], l))
    best = min(tokens, key=lambda l: (tokens[l], l))
    rich = [tokens[l] for l in tokens if backed[l]]
    poor = [tokens[l] for l in tokens if not backed[l]]
    return {
        "tokens": tokens,
        "max_min_ratio": tokens[worst] / tokens[best],
        "max_lang": worst,
        "min_lang": best,
        "gini": gini(list(tokens.values())),
        "bytes_per_token": sum(nbytes.values()) / sum(tokens.values()),
        "total_tokens": sum(tokens.values()),
        "mean_tokens_wordfreq_langs": statistics.mean(rich) if rich else None,
        "mean_tokens_udhr_only_langs": statistics.mean(poor) if poor else None,
        "vocab_size": tok.vocab_size,
    }


def _num(x) -> str:
    return "-" if x is None else f"{x:.0f}"


def print_table(results: dict) -> None:
    header = (f"{'vocab':>6} {'trainer':<8} {'max/min':>8} {'gini':>7} {'bytes/tok':>9} {'tokens':>8} "
              f"{'wf-mean':>8} {'udhr-mean':>9} {'wall s':>7} {'vs bpe':>6} {'cpu s':>6} {'vs bpe':>6}  worst / best")
    print(header)
    print("-" * len(header))
    for vocab, block in results.items():
        for kind, r in block.items():
            print(f"{vocab:>6} {kind:<8} {r['max_min_ratio']:>8.3f} {r['gini']:>7.4f} {r['bytes_per_token']:>9.3f} "
                  f"{r['total_tokens']:>8} {_num(r['mean_tokens_wordfreq_langs']):>8} "
                  f"{_num(r['mean_tokens_udhr_only_langs']):>9} {r['train_s']:>7.2f} {r['time_vs_bpe']:>6.2f} {r['cpu_s']:>6.2f} {r['cpu_vs_bpe']:>6.2f}  "
                  f"{r['max_lang']} / {r['min_lang']}")


def write_split(docs: dict[str, dict], out: Path) -> None:
    from tokenforge.util.atomic import atomic_write

    for part, articles in (("train", TRAIN_ARTICLES), ("dev", DEV_ARTICLES), ("test", TEST_ARTICLES)):
        (out / part).mkdir(parents=True, exist_ok=True)
        for lang, doc in docs.items():
            texts = [doc["articles"][str(i)] for i in articles if str(i) in doc["articles"]]
            with atomic_write(out / part / f"{lang}.txt") as f:
                f.write("\n".join(texts) + "\n")
    print(f"wrote {out}/{{train,dev,test}}/LANG.txt for {len(docs)} languages")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vocab-sizes", default="8000,32000")
    parser.add_argument("--configs", default="unbalanced,udhr-only",
                        help="unbalanced: UDHR + wordfreq tables where available; udhr-only: UDHR articles only")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--hybrid-share", type=float, default=0.5)
    parser.add_argument("--trainers", default="bpe,parity,hybrid,window")
    parser.add_argument("--wordfreq-words", type=int, default=20_000, help="0: UDHR articles only")
    parser.add_argument("--wordfreq-total", type=int, default=10**7)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--write-split", type=Path, default=None, metavar="DIR",
                        help="only write the UDHR train/dev/test split as text files and exit")
    args = parser.parse_args(argv)
    if not UDHR_DIR.is_dir():
        print(f"UDHR data not found at {UDHR_DIR} (set TOKENFORGE_SHARED_DATA)", file=sys.stderr)
        return 2
    docs = udhr_docs(required_articles=range(1, 31))
    if args.write_split is not None:
        write_split(docs, args.write_split)
        return 0
    kinds = tuple(args.trainers.split(","))
    if kinds[0] != "bpe" or not set(kinds) <= {"bpe", "parity", "hybrid", "window"}:
        parser.error("--trainers: bpe first, then any of parity, hybrid, window")
    results: dict[str, dict] = {}
    setups: dict[str, dict] = {}
    for config in args.configs.split(","):
        words = {"unbalanced": args.wordfreq_words, "udhr-only": 0}[config]
        t0 = time.perf_counter()
        train, dev, test, backed = prepare(docs, words, args.wordfreq_total)
        total = combined(train)
        prep_s = time.perf_counter() - t0
        print(f"[{config}] {len(docs)} languages ({sum(1 for v in backed.values() if v)} with wordfreq tables); "
              f"{total.distinct} distinct training pretokens, {total.total} occurrences; prepared in {prep_s:.1f}s",
              file=sys.stderr)
        setups[config] = {"wordfreq": {k: v for k, v in backed.items() if v}, "wordfreq_words": words,
                          "distinct_pretokens": total.distinct, "pretoken_occurrences": total.total}
        results[config] = run_config(kinds, args, train, dev, test, backed, total)
    payload = {
        "benchmark": "parity",
        "command": " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv]),
        "setup": {"languages": sorted(docs), "configs": setups,
                  "train_articles": TRAIN_ARTICLES, "dev_articles": DEV_ARTICLES, "test_articles": TEST_ARTICLES,
                  "pattern": PATTERN, "hybrid_share": args.hybrid_share, "window": WINDOW, "alpha": ALPHA,
                  "wordfreq_total": args.wordfreq_total,
                  "repeats": args.repeats,
                  "timed": "word table + merges, from ready pretoken counts (counting excluded, same for all)"},
        "machine": machine_info("wordfreq"),
        "results": results,
    }
    write_results(args.out, payload)
    for config, block in results.items():
        print(f"\n[{config}]")
        print_table(block)
    print(f"\nresults: {args.out}")
    return 0


def run_config(kinds, args, train, dev, test, backed, total) -> dict:
    results: dict[str, dict] = {}
    for vocab in [int(v) for v in args.vocab_sizes.split(",")]:
        times: dict[str, list[float]] = {k: [] for k in kinds}
        cpu: dict[str, list[float]] = {k: [] for k in kinds}
        toks: dict[str, Any] = {}
        for _ in range(args.repeats):
            for kind in kinds:
                tok, seconds, cpu_seconds = train_one(kind, vocab, train, dev, total, args.hybrid_share)
                times[kind].append(seconds)
                cpu[kind].append(cpu_seconds)
                if kind in toks:
                    assert tok.model.merges == toks[kind].model.merges, "training is not deterministic"
                toks[kind] = tok
        block = {}
        for kind in kinds:
            r = evaluate(toks[kind], test, backed)
            r["train_s"] = statistics.median(times[kind])
            r["train_s_runs"] = times[kind]
            r["time_vs_bpe"] = r["train_s"] / statistics.median(times["bpe"])
            r["cpu_s"] = statistics.median(cpu[kind])
            r["cpu_s_runs"] = cpu[kind]
            r["cpu_vs_bpe"] = r["cpu_s"] / statistics.median(cpu["bpe"])
            if kind != "bpe":
                record = toks[kind].training
                r["global_merges"] = record["global_merges"]
                r["dev_tokens_after"] = record["dev_tokens_after"]
                r["merges_per_language"] = record["merges_per_language"]
            block[kind] = r
        results[str(vocab)] = block
        print(f"vocab {vocab} done", file=sys.stderr)
    return results


if __name__ == "__main__":
    sys.exit(main())
