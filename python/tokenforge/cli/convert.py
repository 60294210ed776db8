"""`tokenforge convert`: read a tokenizer file in one format and write it in another."""

from __future__ import annotations

import sys

from ..formats.reading import load
from ..formats.tiktoken.rank_file import sidecar_in_use, sidecar_path
from ..formats.writing import format_for, save
from ..util.output_paths import check_output_not_input


def cmd_convert(args) -> int:
    fmt = format_for(args.output, args.to)
    check_output_not_input(args.output, [args.input] + [p for p in [sidecar_in_use(args.input)] if p],
                           sidecar=sidecar_path(args.output) if fmt == "tiktoken" else None)
    tok = load(args.input)
    save(tok, args.output, args.to)  # no --to: the extension decides, or the tokenizer's own format
    written = "tokenforge" if getattr(tok, "own_format", None) else fmt
    print(f"wrote {args.output} ({written}, {tok.vocab_size} ids)", file=sys.stderr)
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("convert", help="convert between tokenizer.json and tiktoken",
                       description="Convert a tokenizer file. The output format follows --to or the extension "
                                   "(.tiktoken: rank file + NAME.tiktoken.json sidecar; anything else: HF tokenizer.json).")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--to", choices=["hf", "tiktoken", "tokenforge"])
    p.set_defaults(func=cmd_convert)
