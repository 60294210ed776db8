"""`tokenforge encode`, `decode` and `count`: run a tokenizer over text read as `train` and `eval` read it."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Sequence

from ..corpus.streaming import read_inputs
from ..errors import ConfigError, TokenforgeError
from ..formats.reading import load
from ..pipeline.safe_splits import SafeSplitter, can_split
from ..util.progress import ProgressLine
from .options import add_corpus_args, corpus_options

# Input is read in blocks of about this many bytes, so big files stream in bounded memory.
BLOCK_BYTES = 8 << 20


def read_texts(paths: Sequence[str], options: dict, streamable: bool):
    """The inputs as `corpus.streaming.Piece`s (name, texts, documents), read as `train` and `eval` read them:
    .txt/.gz/.zst, JSON Lines, Parquet, directories, globs; '-' or none: stdin (`options`: `corpus_options`).
    Running text is cut into pieces only where tokenization cannot change (`safe_splits`) when `streamable`;
    otherwise a file is one text."""
    return read_inputs(paths, options, SafeSplitter if streamable else None, BLOCK_BYTES)


def _special_kwargs(args) -> dict:
    if args.allow_special and args.special_as_text:
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
    tok = _with_method(load(args.tokenizer), args)
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
    tok = load(args.tokenizer)
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
    tok = _with_method(load(args.tokenizer), args)
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


def add_input_args(p: argparse.ArgumentParser) -> None:
    """-t TOKENIZER, the input files and the special-token and method flags of encode and count."""
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


def add_parsers(sub) -> None:
    """The encode, decode and count subcommands."""
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
