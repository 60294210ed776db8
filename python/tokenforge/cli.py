"""The `tokenforge` command line: train, encode, decode, count, convert, inspect, eval."""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from typing import Iterator, Optional, Sequence

from .cli_options import add_corpus_args, corpus_options
from .errors import DisallowedSpecialTokenError, TokenforgeError
from .inference import OPTIONS

EPILOG = """\
examples:
  tokenforge train examples/udhr-en.txt --vocab-size 1000 -o my-tokenizer.json
  tokenforge count -t examples/gpt2-small.tiktoken examples/udhr-en.txt
  echo "Hello world" | tokenforge encode -t cl100k_base.tiktoken
  echo "Hello world" | tokenforge encode -t tokenizer.json --tokens
  tokenforge decode -t cl100k_base.tiktoken 9906 1917
  tokenforge convert cl100k_base.tiktoken tokenizer.json
  tokenforge inspect tokenizer.json
  tokenforge eval my-bpe.json cl100k_base.tiktoken --corpus text.txt --parallel udhr -o report

A TOKENIZER is a file in any supported format: HF tokenizer.json, a SentencePiece .model, a tiktoken rank
file (.tiktoken, with its pattern from a sidecar NAME.tiktoken.json or NAME.json, or, for OpenAI's files,
recognised by hash) or tokenforge's own .tokenforge.json. The format is detected from the content.
"""

# Input is read in blocks of about this many bytes, so big files stream in bounded memory.
BLOCK_BYTES = 8 << 20


def _non_negative_int(text: str) -> int:
    """argparse type: an integer >= 0 (a negative count or limit is a typo, not a request)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be 1 or more, got 0")
    return value


def _load(path: str):
    from .formats import load

    return load(path)


def read_texts(paths: Sequence[str], options: dict, streamable: bool):
    """The inputs as `corpus.streaming.Piece`s (name, texts, documents), read as `train` and `eval` read them:
    .txt/.gz/.zst, JSON Lines, Parquet, directories, globs; '-' or none: stdin (`options`: `corpus_options`).
    Running text is cut into pieces only where tokenization cannot change (`safe_splits`) when `streamable`;
    otherwise a file is one text."""
    from .corpus.streaming import read_inputs
    from .safe_splits import SafeSplitter

    return read_inputs(paths, options, SafeSplitter if streamable else None, BLOCK_BYTES)


def _special_kwargs(args) -> dict:
    if args.allow_special and args.special_as_text:
        from .errors import ConfigError

        raise ConfigError("--allow-special and --special-as-text exclude each other")
    if args.allow_special:
        return {"allowed_special": "all"}
    if args.special_as_text:
        return {"disallowed_special": ()}
    return {}


def _with_method(tok, args):
    """`--method NAME --option KEY=VALUE ...`: the tokenizer with another inference method (docs/models.md)."""
    if not getattr(args, "method", None):
        if getattr(args, "option", None):
            raise TokenforgeError("--option needs --method")
        return tok
    options = {}
    for item in args.option or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise TokenforgeError(f"--option {item!r}: expected KEY=VALUE")
        try:
            options[key] = json.loads(value)
        except ValueError:
            options[key] = value
    return tok.with_method(args.method, **options)


def cmd_encode(args) -> int:
    tok = _with_method(_load(args.tokenizer), args)
    out = sys.stdout
    for piece in read_texts(args.files, corpus_options(args), streamable=False):
        units = []
        for text in piece.texts:  # a whole plain-text file, or JSON Lines / Parquet records (one line each)
            if args.lines:
                # Lines end at "\n" (or "\r\n") only: str.splitlines would also cut at \f, \x1c, U+2028 ...,
                # giving more output lines than the input has.
                lines = text.split("\n")
                if lines[-1] == "":
                    lines.pop()
                units += [u[:-1] if u.endswith("\r") else u for u in lines]
            elif piece.documents or args.keep_final_newline or not text.endswith("\n"):
                units.append(text)
            else:
                units.append(text[:-1])
        for unit in units:
            ids = tok.encode(unit, **_special_kwargs(args))
            if args.tokens:
                out.write(" ".join(json.dumps(tok.id_to_token(i), ensure_ascii=False) for i in ids) + "\n")
            elif args.json:
                out.write(json.dumps(ids) + "\n")
            else:
                out.write(" ".join(map(str, ids)) + "\n")
    return 0


def cmd_decode(args) -> int:
    tok = _load(args.tokenizer)
    words = args.ids or sys.stdin.read().split()
    try:
        ids = [int(w.strip("[],")) for w in words if w.strip("[],")]
    except ValueError as exc:
        raise TokenforgeError(f"not a token id: {exc.args[0].split(':')[-1].strip()}") from None
    sys.stdout.write(tok.decode(ids, errors=args.errors))
    if not args.no_newline:
        sys.stdout.write("\n")
    return 0


def cmd_count(args) -> int:
    import time

    from .progress import ProgressLine
    from .safe_splits import can_split

    tok = _with_method(_load(args.tokenizer), args)
    special = _special_kwargs(args)
    progress = ProgressLine() if not args.quiet and sys.stderr.isatty() else None
    totals: dict[str, list[int]] = {}
    all_tokens = all_bytes = 0
    shown = 0.0

    def show() -> None:
        progress.show(f"count: {all_bytes / 1e6:,.1f} MB read, {all_tokens:,} tokens, "
                      f"{all_bytes / 1e6 / progress.elapsed:,.1f} MB/s")

    try:
        # Plain text is running text (the count of encoding the whole file), streamed in pieces where the
        # tokenizer allows; JSON Lines and Parquet records are documents, counted one by one.
        for piece in read_texts(args.files, corpus_options(args), streamable=can_split(tok)):
            entry = totals.setdefault(piece.name, [0, 0, 0])
            texts = piece.texts
            if len(texts) == 1:
                tokens = tok.count(texts[0], **special)
            else:
                tokens = sum(tok.count_batch(texts, **special)) if texts else 0
            size = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts)
            entry[0] += tokens
            entry[1] += size
            entry[2] += sum(map(len, texts))
            all_tokens += tokens
            all_bytes += size
            if progress is not None and time.monotonic() - shown > 0.2:
                shown = time.monotonic()
                show()
    finally:
        if progress is not None:
            show()
            progress.close()
    if args.json:
        report = {n: {"tokens": t, "bytes": b, "chars": c} for n, (t, b, c) in totals.items()}
        print(json.dumps(report, indent=1))
        return 0
    all_t = all_b = 0
    for name, (t, b, _) in totals.items():
        ratio = f"{b / t:.2f} bytes/token" if t else "-"
        print(f"{t:>12,} tokens  {b:>14,} bytes  {ratio:>18}  {name}")
        all_t += t
        all_b += b
    if len(totals) > 1:
        print(f"{all_t:>12,} tokens  {all_b:>14,} bytes  {all_b / max(all_t, 1):>6.2f} bytes/token  total")
    return 0


def cmd_convert(args) -> int:
    from .formats import format_for, save
    from .formats.tiktoken_file import sidecar_in_use, sidecar_path
    from .output_paths import check_output_not_input

    fmt = format_for(args.output, args.to)
    check_output_not_input(args.output, [args.input] + [p for p in [sidecar_in_use(args.input)] if p],
                           sidecar=sidecar_path(args.output) if fmt == "tiktoken" else None)
    tok = _load(args.input)
    save(tok, args.output, fmt)
    print(f"wrote {args.output} ({fmt}, {tok.vocab_size} ids)", file=sys.stderr)
    return 0


def cmd_inspect(args) -> int:
    tok = _load(args.tokenizer)
    if hasattr(tok, "describe"):  # multi-word and LiB tokenizers describe themselves
        info = tok.describe(args.longest)
        if args.json:
            print(json.dumps(info, indent=1, ensure_ascii=False))
        else:
            for key, value in info.items():
                print(f"{key:>15}: {value}")
        return 0
    vocab = tok.model.vocab
    m = tok.model
    by_bytes = [(m.id_to_bytes(i), i) for i in vocab.values()]
    longest = sorted(by_bytes, key=lambda kv: (-len(kv[0]), kv[1]))[: args.longest]
    if m.kind == "bpe":
        model = ("BPE (" + ("char-level, byte fallback" if m.char_level else "byte-level") + ", "
                 + ("tiktoken rank merges" if m.rank_semantics else "HF merge list") + ")")
    elif m.kind == "unigram":
        model = f"Unigram (unk id {m.unk_id}, byte fallback {'on' if m.byte_fallback else 'off'})"
    else:
        model = f"WordPiece (unk {m.unk_token!r}, continuation prefix {m.continuation_prefix!r})"
    info = {
        "name": tok.name,
        "model": model,
        "method": tok.method + ("" if tok.method_options == OPTIONS[tok.method] else f" {tok.method_options}"),
        "vocab_size": tok.vocab_size,
        "model_tokens": len(vocab),
        "merges": None if m.kind != "bpe" or m.rank_semantics else len(m.merges),
        "pattern_name": tok.pretokenizer.name,
        "pattern": tok.pretokenizer.pattern,
        "native_scanner": tok.pretokenizer.scanner,
        "normalizer": list(tok.normalizer.steps),
        "special_tokens": tok.special_tokens,
        "added_tokens": tok.added_tokens,
        "longest_tokens": [{"id": i, "bytes": len(t), "token": t.decode("utf-8", "backslashreplace")} for t, i in longest],
    }
    info.update(getattr(tok, "inspect_info", dict)())  # formats with more to say (SentencePiece) add or override
    if args.json:
        print(json.dumps(info, indent=1, ensure_ascii=False))
        return 0
    for key in ("name", "model", "method", "vocab_size", "model_tokens", "merges", "pattern_name", "native_scanner", "normalizer",
                "piece_types", "trainer_spec", "pattern"):
        if key not in info:
            continue
        value = info[key]
        if key == "merges" and value is None:
            value = _no_merge_list(tok)
            if value is None:
                continue
        print(f"{key:>15}: {'none' if value is None else value}")
    print(f"{'special_tokens':>15}: {len(tok.special_tokens)}")
    for text, i in sorted(tok.special_tokens.items(), key=lambda kv: kv[1])[:20]:
        print(f"{'':>17}{i:>8}  {text}")
    print(f"{'added_tokens':>15}: {len(tok.added_tokens)}")
    for text, i in sorted(tok.added_tokens.items(), key=lambda kv: kv[1])[:20]:
        print(f"{'':>17}{i:>8}  {text}")
    print(f"{'longest':>15}:")
    for entry in info["longest_tokens"]:
        print(f"{'':>17}{entry['id']:>8}  {entry['bytes']:>3} bytes  {_show_token(m.id_to_bytes(entry['id']))}")
    return 0


def _show_token(data: bytes) -> str:
    """A token as one quoted, singly escaped literal: the text when it is UTF-8, else the bytes (b'\\xf0\\x9f')."""
    try:
        return repr(data.decode("utf-8"))
    except UnicodeDecodeError:
        return repr(data)


def _no_merge_list(tok) -> Optional[str]:
    """What `inspect` says for a BPE that lists no merges (None: the model is not a BPE, say nothing)."""
    if getattr(tok, "is_unigram", False) or tok.model.kind != "bpe":
        return None
    if getattr(tok, "spm", None) is not None:
        return "none listed (SentencePiece BPE merges the adjacent pair whose result has the best score)"
    return "none listed (tiktoken rank rule: two parts merge when they form a token, lowest rank first)"


def _check_train_output(args, corpus, options: dict) -> None:
    """Before training: the output format can hold what --model trains (`formats.check_format_for`, the rule
    `save` applies), the output's directory exists, and nothing written (the output, a tiktoken sidecar) is an
    input: a corpus file, --lang-corpus / --dev file, or the --base tokenizer and its sidecar."""
    from .corpus import open_corpus
    from .errors import WriteError
    from .formats import check_format_for
    from .formats.tiktoken_file import sidecar_in_use, sidecar_path, sidecar_to_replace
    from .normalizers import Normalizer
    from .output_paths import check_output_not_input

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
    from .training import train

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
    from pathlib import Path

    corpus = [Path(c) for c in args.corpus]
    if args.model == "parity":
        from .training.parity import corpora_from_args

        corpus, options["dev"] = corpora_from_args(args.corpus, args.lang_corpus, args.dev)
        options["global_share"] = args.global_share
        options["window"] = args.window
        options["alpha"] = args.alpha
    else:
        from .errors import ConfigError

        if args.lang_corpus or args.dev or args.global_share or args.window:
            raise ConfigError("--lang-corpus, --dev, --global-share and --window only apply to --model parity")
        if not corpus:
            raise ConfigError("train: give at least one CORPUS")
    _check_train_output(args, corpus, options)
    tok = train(
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
    g.add_argument("--passes", type=_positive_int, default=None, help="lib: passes over the corpus (default 2)")
    g.add_argument("--max-sentences", type=_positive_int, default=None, metavar="N",
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
            from .errors import ConfigError

            raise ConfigError(f"--ngram-sizes takes comma-separated integers, got {args.ngram_sizes!r}") from None
    if getattr(args, "seed", None) is not None:
        out["chunk_seed" if args.model == "supertokens" else "seed"] = args.seed
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tokenforge",
        description="Train, run, inspect, convert and evaluate text tokenizers "
                    "(HF tokenizer.json, SentencePiece .model, tiktoken rank files).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"tokenforge {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add_input_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("-t", "--tokenizer", required=True, metavar="TOKENIZER", help="tokenizer file (any supported format)")
        p.add_argument("files", nargs="*", metavar="FILE",
                       help="input: text files (.txt, .gz, .zst), JSON Lines (--text-field), Parquet (--column), "
                            "directories or globs; '-' or none: standard input")
        add_corpus_args(p)
        p.add_argument("--allow-special", action="store_true",
                       help="recognise special tokens such as <|endoftext|> in the text (default: their presence is an error)")
        p.add_argument("--special-as-text", action="store_true",
                       help="encode the text of special tokens as ordinary text (default: its presence is an error)")
        p.add_argument("--method", default=None,
                       help="inference method: merge, longest_prefix, longest_suffix, longest_token, fewest, viterbi, sample "
                            "(default: the model's own; see docs/models.md)")
        p.add_argument("--option", action="append", metavar="KEY=VALUE",
                       help="a method option, e.g. dropout=0.1, seed=3, alpha=0.2, tie_break=random (repeatable)")

    p = sub.add_parser("encode", help="text -> token ids",
                       description="Encode text to token ids: a plain-text file as one text (one output line), each "
                                   "JSON Lines / Parquet record as a text of its own (one output line each).")
    add_input_args(p)
    p.add_argument("--lines", action="store_true", help="encode each line separately, one output line each")
    p.add_argument("--tokens", action="store_true", help="print tokens (as JSON strings, HF byte-level spelling) instead of ids")
    p.add_argument("--json", action="store_true", help="print ids as a JSON list")
    p.add_argument("--keep-final-newline", action="store_true", help="encode the input's final newline too")
    p.set_defaults(func=cmd_encode)

    p = sub.add_parser("decode", help="token ids -> text", description="Decode token ids (arguments or stdin) to text.")
    p.add_argument("-t", "--tokenizer", required=True, metavar="TOKENIZER", help="tokenizer file (any supported format)")
    p.add_argument("ids", nargs="*", help="token ids (default: read whitespace-separated ids from stdin)")
    p.add_argument("--errors", default="replace", choices=["replace", "strict", "ignore", "backslashreplace"],
                   help="bytes that are not UTF-8 (a token sequence cut mid-character)")
    p.add_argument("-n", "--no-newline", action="store_true", help="do not print a final newline")
    p.set_defaults(func=cmd_decode)

    p = sub.add_parser("count", help="count tokens in files",
                       description="Count tokens per file: a plain-text file as encoding the whole file would (streamed "
                                   "in bounded memory for GPT-pattern tokenizers), JSON Lines / Parquet record by "
                                   "record.")
    add_input_args(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress line (shown on a terminal only)")
    p.set_defaults(func=cmd_count)

    p = sub.add_parser("convert", help="convert between tokenizer.json and tiktoken",
                       description="Convert a tokenizer file. The output format follows --to or the extension "
                                   "(.tiktoken: rank file + NAME.tiktoken.json sidecar; anything else: HF tokenizer.json).")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--to", choices=["hf", "tiktoken", "tokenforge"])
    p.set_defaults(func=cmd_convert)

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
    p.add_argument("--vocab-size", type=_positive_int, required=True, metavar="N",
                   help="ids in all: special tokens + alphabet + merged tokens")
    from .training import MODELS

    p.add_argument("--model", default="bpe", choices=list(MODELS),
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
    p.add_argument("--min-frequency", type=_non_negative_int, default=None, metavar="N",
                   help="never merge a pair seen fewer times (default 0; wordpiece: 10, as its likelihood score "
                        "otherwise spends the vocabulary on rare words)")
    p.add_argument("--max-token-length", type=_positive_int, default=None, metavar="N",
                   help="longest token to learn (bytes; characters with --char-level)")
    p.add_argument("--special-tokens", default=None, metavar="A,B,...", help="comma-separated special tokens (ids 0..)")
    p.add_argument("--initial-alphabet", default=None, help="characters always in the char-level alphabet")
    p.add_argument("--limit-alphabet", type=_non_negative_int, default=None, metavar="N",
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

    p = sub.add_parser("inspect", help="vocab size, pattern, special tokens, longest tokens",
                       description="Describe a tokenizer file.")
    p.add_argument("tokenizer")
    p.add_argument("--longest", type=_non_negative_int, default=10, metavar="N",
                   help="how many of the longest tokens to list")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_inspect)

    from .eval_command import add_parser as add_eval_parser

    add_eval_parser(sub)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings as one `tokenforge: warning: ...` line of their own: on a terminal the progress line is cleared
    first (it is redrawn by its next update), so a warning never lands in the middle of it."""
    stream = file if file is not None else sys.stderr
    clear = "\r\x1b[K" if stream.isatty() else ""
    stream.write(f"{clear}tokenforge: warning: {message}\n")
    stream.flush()


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    shown = warnings.showwarning
    warnings.showwarning = _show_warning
    try:
        return args.func(args)
    except DisallowedSpecialTokenError as exc:
        where = f" at character {exc.position}" if exc.position is not None else ""
        print(f"tokenforge: error: the input contains the special token {exc.token!r}{where}; pass --allow-special "
              "to encode it as that special token, or --special-as-text to encode it as ordinary text", file=sys.stderr)
        return 2
    except TokenforgeError as exc:
        print(f"tokenforge: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            # The reader went away (e.g. `| head`): stop quietly, as Unix tools do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 0
        print(f"tokenforge: error: {exc.filename or ''}: {exc.strerror}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        warnings.showwarning = shown


if __name__ == "__main__":
    sys.exit(main())
