"""`tokenforge eval`: load N tokenizers, evaluate them side by side on a corpus (and a parallel set), write
OUTDIR/report.json and OUTDIR/report.html. The metrics come from `tokenforge.evaluation.evaluate`; this module
only turns command-line arguments into that call and its result into files."""

from __future__ import annotations

import argparse
import inspect
import os
import sys
from pathlib import Path
from typing import Optional

from ..corpus.parallel_text import parallel_dir
from ..errors import ConfigError, CorpusError, TokenforgeError, WriteError
from ..formats.reading import load
from ..reports import write_html, write_json
from ..util.progress import ProgressLine
from .options import add_corpus_args, corpus_options

EPILOG = """\
examples:
  tokenforge eval my-bpe.json examples/gpt2-small.tiktoken --corpus examples/udhr-en.txt --parallel udhr -o report
  tokenforge eval cl100k_base.tiktoken o200k_base.tiktoken qwen3.tokenizer.json --corpus tr.txt.gz --lang tr \\
      --parallel ../shared/data/parallel/udhr --baseline cl100k_base -o report-tr
  tokenforge eval cl100k_base.tiktoken --corpus news.jsonl --corpus wiki/ --text-field body -o report-mix

A TOKENIZER is any file `tokenforge.load` reads (HF tokenizer.json, tiktoken ranks, tokenforge's own); its name in
the report is the file name without the format's extension. --corpus takes one path per flag; repeat it for
several (--corpus a.txt --corpus b.jsonl), so the TOKENIZERs may come before or after it. --parallel udhr uses
the UDHR sample bundled with tokenforge (8 languages); a directory holds one file per language (UDHR-style .json,
or .txt with one aligned segment per line). Open OUTDIR/report.html in any browser: it is one self-contained file
and works offline.
"""

_SUFFIXES = (".tokenforge.json", ".tokenizer.json", ".tiktoken", ".json", ".model", ".gz")


def tokenizer_names(paths: list[str]) -> list[str]:
    """A short, unique name per tokenizer file: the file name less its format extension ('cl100k_base.tiktoken' ->
    'cl100k_base'); clashes get the parent folder in front, then a counter."""
    def stem(p: str) -> str:
        name = os.path.basename(os.path.normpath(p))
        for suffix in _SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix):
                return name[: -len(suffix)]
        return name

    stems = [stem(p) for p in paths]
    names = list(stems)
    for i, p in enumerate(paths):
        if stems.count(stems[i]) > 1:
            parent = os.path.basename(os.path.dirname(os.path.abspath(p)))
            names[i] = f"{parent}/{stems[i]}" if parent else stems[i]
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in seen:
            seen[name] += 1
            names[i] = f"{name}#{seen[name]}"
        else:
            seen[name] = 1
    return names


def _resolve_baseline(baseline: Optional[str], paths: list[str], names: list[str]) -> Optional[str]:
    """--baseline may be a tokenizer's report name, the path it was given as, or another tokenizer file (used as
    the reference only, not evaluated)."""
    if baseline is None:
        return None
    if baseline in names:
        return baseline
    for path, name in zip(paths, names):
        if os.path.normpath(path) == os.path.normpath(baseline):
            return name
    if os.path.isfile(baseline):
        return baseline
    raise ConfigError(f"--baseline {baseline!r} is not one of the tokenizers being evaluated "
                      f"({', '.join(names)}) nor a tokenizer file")


def _check_corpus(paths: list[str]) -> None:
    for path in paths:
        if not os.path.exists(path):
            raise CorpusError("no such file or directory", path)


def _output_dir(path: str) -> tuple[Path, list[Path]]:
    """The output folder, created if missing, and the folders this call created (innermost first), so that a run
    that fails later can leave nothing behind."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise WriteError(out, "is not a directory (-o names the folder for report.json and report.html)")
    created, missing = [], out
    while not missing.exists() and missing != missing.parent:
        created.append(missing)
        missing = missing.parent
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(out, f"cannot create the directory: {exc.strerror}") from None
    return out, created


def _remove_created(created: list[Path]) -> None:
    for folder in created:  # innermost first; only folders this run made, and only while still empty
        try:
            folder.rmdir()
        except OSError:
            return


def _evaluate():
    try:
        from ..evaluation import evaluate
    except ImportError as exc:
        raise TokenforgeError(f"this build of tokenforge has no evaluation module ({exc})") from None
    return evaluate


def _call_evaluate(evaluate, tokenizers: dict, corpus: list[str], **options):
    """Passes only the options `evaluate` accepts (e.g. `progress` where it reports progress itself)."""
    params = inspect.signature(evaluate).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    kwargs = {k: v for k, v in options.items() if takes_any or k in params}
    return evaluate(tokenizers, corpus, **kwargs)


def run(args: argparse.Namespace) -> int:
    show = not args.quiet and sys.stderr.isatty()
    line = ProgressLine() if show else None
    paths = list(args.tokenizers)
    names = tokenizer_names(paths)
    baseline = _resolve_baseline(args.baseline, paths, names)
    corpus = list(args.corpus)
    _check_corpus(corpus)
    parallel = parallel_dir(args.parallel) if args.parallel else None
    if os.path.exists(args.output_dir) and not os.path.isdir(args.output_dir):
        raise WriteError(args.output_dir, "is not a directory (-o names the folder for report.json and report.html)")
    tokenizers = {}
    for i, (name, path) in enumerate(zip(names, paths), 1):
        if line:
            line.show(f"loading tokenizers: {i}/{len(paths)} {name}")
        tokenizers[name] = load(path)
    out, created = _output_dir(args.output_dir)  # before the long part: an unwritable folder fails now, not after
    if line:  # evaluate shows its own progress line from here on
        line.stream.write("\r\x1b[K")
        line.stream.flush()
    try:
        report = _call_evaluate(
            _evaluate(), tokenizers, corpus, parallel=parallel, lang=args.lang, baseline=baseline,
            sources=dict(zip(names, paths)), progress=None if show else False, line_records=args.line_records,
            corpus_options=corpus_options(args),
        )
    except BaseException:  # e.g. a corpus with no text: nothing written, not even the folder
        _remove_created(created)
        raise
    json_path, html_path = out / "report.json", out / "report.html"
    write_json(report, json_path)
    write_html(report, html_path)
    if not args.quiet:
        print(f"wrote {json_path} and {html_path}", file=sys.stderr)
    return 0


def add_parser(sub) -> None:
    """Registers `eval` on the CLI's subcommand parser."""
    p = sub.add_parser(
        "eval", help="evaluate and compare tokenizers; writes report.json and report.html",
        description="Evaluate one or more tokenizers side by side on a corpus (compression, fertility, parity "
                    "across languages, vocabulary use, ...) and write OUTDIR/report.json (stable, versioned schema) "
                    "and OUTDIR/report.html (one self-contained page with tables and plots).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("tokenizers", nargs="+", metavar="TOKENIZER", help="tokenizer files (any supported format)")
    p.add_argument("--corpus", action="append", required=True, metavar="PATH",
                   help="evaluation text: .txt, .gz, .zst, JSON Lines, Parquet, a directory; one path per flag, "
                        "repeat the flag for several (--corpus a.txt --corpus b.jsonl)")
    p.add_argument("--parallel", default=None, metavar="udhr|DIR",
                   help="parallel text for per-language parity: 'udhr' (bundled sample) or a directory")
    p.add_argument("--lang", default=None, metavar="CODE",
                   help="language of the corpus (e.g. tr), for the language-specific metrics")
    p.add_argument("--baseline", default=None, metavar="NAME",
                   help="tokenizer that NSL is relative to: one of the TOKENIZERs (name or path) or another file")
    p.add_argument("--line-records", action="store_true",
                   help="encode each line of plain-text files on its own (the trainers' convention) instead of as "
                        "running text")
    add_corpus_args(p)
    p.add_argument("-o", "--output-dir", default=".", metavar="OUTDIR",
                   help="folder for report.json and report.html (created if missing; default: current folder)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress display and no closing message")
    p.set_defaults(func=run)
