"""The `tokenforge` command line: train, encode, decode, count, convert, inspect, eval.

This package builds the parser and runs a command (`main`, the console script); each command group is a module:
encode.py (encode, decode, count), convert.py, train.py, inspect.py, eval.py; options.py holds the flags they
share.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from typing import Optional, Sequence

from .._version import __version__
from ..errors import DisallowedSpecialTokenError, TokenforgeError
from . import convert, encode, eval, inspect, train

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tokenforge",
        description="Train, run, inspect, convert and evaluate text tokenizers "
                    "(HF tokenizer.json, SentencePiece .model, tiktoken rank files).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"tokenforge {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    encode.add_parsers(sub)  # encode, decode, count
    convert.add_parser(sub)
    train.add_parser(sub)
    inspect.add_parser(sub)
    eval.add_parser(sub)
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
