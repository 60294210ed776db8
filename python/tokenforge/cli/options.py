"""Command-line flags shared by every command that reads a corpus (train, count, encode, eval), so each corpus
option of the Python API (`open_corpus`) has the same flag, default and help text everywhere; and the argparse
types of the count flags."""

from __future__ import annotations

import argparse

# The same default as `open_corpus(errors=...)`: invalid UTF-8 becomes U+FFFD and one warning per file says where.
DEFAULT_ERRORS = "replace"


def add_corpus_args(p: argparse.ArgumentParser) -> None:
    """--errors, --on-bad-record, --text-field, --column: how input files are read (see `open_corpus`)."""
    g = p.add_argument_group("reading the input (plain text, .gz, .zst, JSON Lines, Parquet, directories)")
    g.add_argument("--errors", default=DEFAULT_ERRORS, choices=["replace", "skip", "strict"],
                   help="invalid UTF-8 in the input: substitute U+FFFD and warn once per file (replace), drop the "
                        "record holding it (skip), or fail naming the file and byte offset (strict) "
                        f"(default: {DEFAULT_ERRORS})")
    g.add_argument("--on-bad-record", default="raise", choices=["raise", "skip"],
                   help="a bad JSON line or a record without the text field: fail (raise) or skip it and warn "
                        "(default: raise)")
    g.add_argument("--text-field", default="text", metavar="NAME",
                   help="JSON Lines: the field holding the text (default: text)")
    g.add_argument("--column", default="text", metavar="NAME",
                   help="Parquet: the column holding the text (default: text)")


def corpus_options(args: argparse.Namespace) -> dict:
    """The `open_corpus` keyword arguments the flags of `add_corpus_args` ask for."""
    return {"errors": args.errors, "on_bad_record": args.on_bad_record, "text_field": args.text_field,
            "column": args.column}


def non_negative_int(text: str) -> int:
    """argparse type: an integer >= 0 (a negative count or limit is a typo, not a request)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def positive_int(text: str) -> int:
    value = non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be 1 or more, got 0")
    return value
