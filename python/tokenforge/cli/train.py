"""`tokenforge train`: the command line of `tokenforge.train` (every trainer and its options), with the output
checked before any training starts."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .. import training
from ..corpus import open_corpus
from ..errors import ConfigError, WriteError
from ..formats.tiktoken.rank_file import sidecar_in_use, sidecar_path
from ..formats.tiktoken.write import sidecar_to_replace
from ..formats.writing import check_format_for
from ..pipeline.normalizers import Normalizer
from ..training.parity import corpora_from_args
from ..util.output_paths import check_output_not_input
from .options import add_corpus_args, corpus_options, non_negative_int, positive_int


def _check_train_output(args, corpus, options: dict) -> None:
    """Before training: the output format can hold what --model trains (`formats.writing.check_format_for`, the rule
    `save` applies), the output's directory exists, and nothing written (the output, a tiktoken sidecar) is an
    input: a corpus file, --lang-corpus / --dev file, or the --base tokenizer and its sidecar."""
    output = args.output
    fmt = check_format_for(args.model, output, args.format, char_level=args.char_level,
                           normalizer=bool(Normalizer.from_spec(args.normalizer)), pattern=args.pattern != "none")
    directory = os.path.dirname(os.path.abspath(output))
    if os.path.isdir(output):
        raise WriteError(output, "is a directory")
    if not os.path.isdir(directory):
        raise WriteError(output, f"cannot write: directory {directory} does not exist")
    if args.model == "parity":
        paths = [p for table in (corpus, options.get("dev") or {}) for group in table.values() for p in group]
    else:
        paths = list(corpus)
    reading = {k: options[k] for k in ("errors", "on_bad_record", "text_field", "column") if k in options}
    inputs = [source.path for source in open_corpus(paths, **reading).files]
    if args.base:
        inputs += [args.base] + [p for p in [sidecar_in_use(args.base)] if p]
    sidecar = sidecar_path(output) if fmt == "tiktoken" else None
    check_output_not_input(output, inputs, sidecar=sidecar)
    if sidecar is not None:
        sidecar_to_replace(sidecar, output)  # refuses a file there that is not a tiktoken sidecar


def cmd_train(args) -> int:
    special = [t for t in (args.special_tokens or "").split(",") if t]
    options = {}
    if args.pattern is not None:
        options["pattern"] = None if args.pattern == "none" else args.pattern
    options.update(corpus_options(args))
    for key in ("max_distinct", "ray_address"):
        value = getattr(args, key)
        if value is not None:
            options[key] = value
    if args.ray:
        options["ray"] = True
    # SuperBPE's, Unigram's and PathPiece's parameters; given only when set, so the defaults apply otherwise.
    for key in ("transition", "max_words_per_token", "sentence_punctuation", "character_coverage", "init_factor"):
        value = getattr(args, key)
        if value is not None:
            options[key] = value
    options.update(_method_options(args))
    corpus = [Path(c) for c in args.corpus]
    if args.model == "parity":
        corpus, options["dev"] = corpora_from_args(args.corpus, args.lang_corpus, args.dev)
        options["global_share"] = args.global_share
        options["window"] = args.window
        options["alpha"] = args.alpha
    else:
        if args.lang_corpus or args.dev or args.global_share or args.window:
            raise ConfigError("--lang-corpus, --dev, --global-share and --window only apply to --model parity")
        if not corpus:
            raise ConfigError("train: give at least one CORPUS")
    _check_train_output(args, corpus, options)
    tok = training.train(
        corpus, vocab_size=args.vocab_size, model=args.model, byte_level=not args.char_level,
        normalizer=args.normalizer, min_frequency=args.min_frequency, max_token_length=args.max_token_length,
        special_tokens=special, initial_alphabet=list(args.initial_alphabet or ""), limit_alphabet=args.limit_alphabet,
        base=args.base, progress=False if args.quiet else None, check_every=args.check_every,
        **options,
    )
    tok.save(args.output, args.format)
    if not args.quiet:
        merges = getattr(tok.model, "merges", None)
        kind, method = getattr(tok.model, "kind", type(tok).__name__), getattr(tok, "method", None)
        what = f"{len(merges)} merges" if merges is not None else f"{kind} model" + (f", method {method}" if method else "")
        print(f"wrote {args.output} ({tok.vocab_size} ids, {what})", file=sys.stderr)
    return 0


def add_method_args(p: argparse.ArgumentParser) -> None:
    """Options of the WordPiece / multi-word / LiB trainers (--model wordpiece|mwt|supertokens|lib)."""
    g = p.add_argument_group("wordpiece, mwt, supertokens, lib")
    g.add_argument("--unk-token", default=None, help="wordpiece: the unknown token (default [UNK])")
    g.add_argument("--continuation-prefix", default=None, help="wordpiece: prefix of word-inner tokens (default ##)")
    g.add_argument("--mwt-k", type=int, default=None, metavar="K", help="mwt: how many word n-grams to add (default 2500)")
    g.add_argument("--ngram-sizes", default=None, metavar="N,N", help="mwt: n-gram sizes in words (default 2)")
    g.add_argument("--max-words", type=int, default=None, help="supertokens: most words per supertoken (default 4)")
    g.add_argument("--passes", type=positive_int, default=None, help="lib: passes over the corpus (default 2)")
    g.add_argument("--max-sentences", type=positive_int, default=None, metavar="N",
                   help="lib: most corpus records to learn from (default 200000; LiB is pure Python)")
    g.add_argument("--seed", type=int, default=None, help="supertokens / lib: random seed (default 0)")


def _method_options(args) -> dict:
    out = {}
    for key in ("unk_token", "continuation_prefix", "mwt_k", "max_words", "passes", "max_sentences"):
        value = getattr(args, key, None)
        if value is not None:
            out[key] = value
    if getattr(args, "ngram_sizes", None):
        try:
            out["ngram_sizes"] = tuple(int(n) for n in args.ngram_sizes.split(","))
        except ValueError:
            raise ConfigError(f"--ngram-sizes takes comma-separated integers, got {args.ngram_sizes!r}") from None
    if getattr(args, "seed", None) is not None:
        out["chunk_seed" if args.model == "supertokens" else "seed"] = args.seed
    return out


def add_parser(sub) -> None:
    p = sub.add_parser(
        "train", help="train a tokenizer on a corpus",
        description="Train a tokenizer: byte- or char-level BPE and its research variants, Unigram, PathPiece, "
                    "WordPiece, multi-word tokens or LiB (--model). CORPUS: text files (.txt, .gz, .zst), JSON Lines "
                    "(--text-field), Parquet (--column), directories or globs. The corpus is streamed and counted "
                    "in parallel; --base resumes from an existing tokenizer (its ids are kept, new merges appended).",
        epilog="examples:\n"
               "  tokenforge train corpus.txt.gz --vocab-size 32000 -o tokenizer.json\n"
               "  tokenforge train data/*.jsonl --text-field body --vocab-size 8000 --char-level -o char8k.json\n"
               "  tokenforge train more.txt --base tokenizer.json --vocab-size 48000 -o bigger.json\n"
               "  tokenforge train --model parity --lang-corpus en=en.txt --lang-corpus fr=fr.txt --dev en=en.dev.txt "
               "--dev fr=fr.dev.txt --vocab-size 8000 -o parity.json\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("corpus", nargs="*", metavar="CORPUS")
    p.add_argument("-o", "--output", required=True, help="where to write the tokenizer (.json: HF tokenizer.json; "
                   ".tiktoken: rank file + NAME.tiktoken.json; see --format)")
    p.add_argument("--vocab-size", type=positive_int, required=True, metavar="N",
                   help="ids in all: special tokens + alphabet + merged tokens")
    p.add_argument("--model", default="bpe", choices=list(training.MODELS),
                   help="what to train: bpe, superbpe (superwords across whitespace, two stages) or boundless "
                        "(BoundlessBPE: supermerges of two whole pretokens; save it as .tokenforge.json), parity "
                        "(parity-aware BPE over --lang-corpus / --dev), unigram (SentencePiece-style Unigram LM), "
                        "pathpiece (fewest tokens), wordpiece, mwt (BPE + top-k word n-grams), supertokens (BPE on "
                        "multi-word chunks), lib (Less-is-Better lexicon; pure Python, hundreds of times slower than "
                        "bpe: 3 MB of text takes about a minute, so it reads at most --max-sentences records); see "
                        "docs/training.md")
    p.add_argument("--transition", type=lambda v: float(v) if "." in v else int(v), default=None, metavar="T",
                   help="superbpe: vocabulary size where stage 2 starts, or a fraction of --vocab-size (default 0.9)")
    p.add_argument("--max-words-per-token", type=int, default=None, metavar="N",
                   help="superbpe: most words in a superword (default 4)")
    p.add_argument("--sentence-punctuation", default=None, metavar="CHARS",
                   help="superbpe: characters no superword crosses (default '.!?;:'; '' for none)")
    p.add_argument("--lang-corpus", action="append", default=[], metavar="LANG=PATH",
                   help="parity: a training corpus of one language (repeat per language and per file)")
    p.add_argument("--dev", action="append", default=[], metavar="LANG=PATH",
                   help="parity: that language's part of the parallel dev set (repeat per language)")
    p.add_argument("--global-share", type=float, default=0.0, metavar="S",
                   help="parity: share of the new tokens learned first by plain frequency (hybrid mode; default 0)")
    p.add_argument("--window", type=int, default=0, metavar="W",
                   help="parity: moving-window variant over the last W parity merges (paper: 100; default 0: off)")
    p.add_argument("--alpha", type=float, default=2.0,
                   help="parity: with --window, a language may take up to ALPHA/languages of the window (default 2)")
    p.add_argument("--character-coverage", type=float, default=None, metavar="F",
                   help="unigram: share of character occurrences the required characters cover (default 0.9995)")
    p.add_argument("--init-factor", type=float, default=None, metavar="F",
                   help="pathpiece: the initial BPE vocabulary is F x --vocab-size (default 2)")
    add_method_args(p)
    p.add_argument("--char-level", action="store_true",
                   help="character-level BPE with byte fallback (default: byte-level)")
    p.add_argument("--pattern", default=None,
                   help="pre-tokenizer: a name (o200k, cl100k, r50k, gpt2, qwen2), a regex, or 'none' (default o200k, "
                        "or the base tokenizer's)")
    p.add_argument("--normalizer", default=None, help="e.g. nfc, nfkc, nfc+lowercase (default none: lossless)")
    p.add_argument("--min-frequency", type=non_negative_int, default=None, metavar="N",
                   help="never merge a pair seen fewer times (default 0; wordpiece: 10, as its likelihood score "
                        "otherwise spends the vocabulary on rare words)")
    p.add_argument("--max-token-length", type=positive_int, default=None, metavar="N",
                   help="longest token to learn (bytes; characters with --char-level)")
    p.add_argument("--special-tokens", default=None, metavar="A,B,...", help="comma-separated special tokens (ids 0..)")
    p.add_argument("--initial-alphabet", default=None, help="characters always in the char-level alphabet")
    p.add_argument("--limit-alphabet", type=non_negative_int, default=None, metavar="N",
                   help="most characters in the char-level alphabet")
    p.add_argument("--base", default=None, metavar="TOKENIZER", help="resume from this tokenizer")
    p.add_argument("--format", default=None, choices=["hf", "tiktoken", "tokenforge"],
                   help="output format (default: from the extension)")
    add_corpus_args(p)
    p.add_argument("--max-distinct", type=int, default=None,
                   help="memory bound: prune rare pretokens when more than this many distinct ones are held")
    p.add_argument("--ray", action="store_true", help="count the corpus on a Ray cluster (local if none is running)")
    p.add_argument("--ray-address", default=None, help="address of a running Ray cluster")
    p.add_argument("--check-every", type=int, default=0, metavar="N",
                   help="debug: recount all pairs every N merges and fail on any difference")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    p.set_defaults(func=cmd_train)
