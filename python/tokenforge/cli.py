"""The `tokenforge` command line: train, encode, decode, count, convert, inspect, eval."""

from __future__ import annotations

import argparse
import codecs
import json
import os
import sys
from typing import Iterator, Optional, Sequence

from .errors import TokenforgeError
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

A TOKENIZER is a file in any supported format: HF tokenizer.json or a tiktoken rank file (.tiktoken, with
its pattern from a sidecar NAME.json or, for OpenAI's files, recognised by hash). The format is detected
from the content.
"""

# Input is read in blocks of about this many bytes, so big files stream in bounded memory.
BLOCK_BYTES = 8 << 20


def _load(path: str):
    from .formats import load

    return load(path)


def _safe_split_point(text: str) -> int:
    """Last position where the named GPT patterns split the text the same whole or cut in two: after a newline
    that follows a non-space character, and before an ASCII letter or digit. 0 if there is none.

    (The newline must be a whitespace run of its own: at the end of a block, `\\s++$` would take a longer run
    such as "\\n\\n" as one piece, where the whole text gives "\\n" + "\\n".)"""
    for k in range(len(text) - 1, 1, -1):
        if text[k - 1] == "\n" and text[k].isascii() and text[k].isalnum() and not text[k - 2].isspace():
            return k
    return 0


def read_texts(paths: Sequence[str], errors: str, streamable: bool) -> Iterator[tuple[str, str]]:
    """Yields (name, text block) for each input ('-' or none: stdin). Blocks split only where tokenization cannot
    change (see `_safe_split_point`); otherwise a file is one block. Invalid UTF-8 names the file and byte offset."""
    for path in paths or ["-"]:
        name = "<stdin>" if path == "-" else path
        stream = sys.stdin.buffer if path == "-" else open(path, "rb")
        try:
            decoder = codecs.getincrementaldecoder("utf-8")(errors=errors)
            consumed = 0
            pending = ""
            while True:
                block = stream.read(BLOCK_BYTES)
                carried = len(decoder.getstate()[0])  # bytes of a character split across blocks
                try:
                    pending += decoder.decode(block, final=not block)
                except UnicodeDecodeError as exc:
                    raise TokenforgeError(
                        f"{name}: invalid UTF-8 at byte {consumed - carried + exc.start} "
                        "(use --errors replace to substitute U+FFFD)"
                    ) from None
                consumed += len(block)
                if not block:
                    break
                if streamable:
                    cut = _safe_split_point(pending)
                    if cut:
                        yield name, pending[:cut]
                        pending = pending[cut:]
            yield name, pending
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()


def _special_kwargs(args) -> dict:
    if args.allow_special:
        return {"allowed_special": "all"}
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
    for _, text in read_texts(args.files, args.errors, streamable=False):
        if args.lines:
            # Lines end at "\n" (or "\r\n") only: str.splitlines would also cut at \f, \x1c, U+2028 ...,
            # giving more output lines than the input has.
            units = text.split("\n")
            if units[-1] == "":
                units.pop()
            units = [u[:-1] if u.endswith("\r") else u for u in units]
        else:
            units = [text[:-1] if text.endswith("\n") and not args.keep_final_newline else text]
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
    tok = _with_method(_load(args.tokenizer), args)
    streamable = tok.pretokenizer.scanner is not None
    totals: dict[str, list[int]] = {}
    for name, text in read_texts(args.files, args.errors, streamable):
        entry = totals.setdefault(name, [0, 0, 0])
        entry[0] += tok.count(text, **_special_kwargs(args))
        entry[1] += len(text.encode("utf-8", "surrogatepass"))
        entry[2] += len(text)
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
    from .formats import save

    tok = _load(args.input)
    fmt = args.to or ("tiktoken" if args.output.endswith(".tiktoken") else
                      "tokenforge" if args.output.endswith(".tokenforge.json") else "hf")
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
                "piece_types", "trainer_spec"):
        if key in info:
            print(f"{key:>15}: {info[key]}")
    print(f"{'pattern':>15}: {info['pattern']}")
    print(f"{'special_tokens':>15}: {len(tok.special_tokens)}")
    for text, i in sorted(tok.special_tokens.items(), key=lambda kv: kv[1])[:20]:
        print(f"{'':>17}{i:>8}  {text}")
    print(f"{'added_tokens':>15}: {len(tok.added_tokens)}")
    for text, i in sorted(tok.added_tokens.items(), key=lambda kv: kv[1])[:20]:
        print(f"{'':>17}{i:>8}  {text}")
    print(f"{'longest':>15}:")
    for entry in info["longest_tokens"]:
        print(f"{'':>17}{entry['id']:>8}  {entry['bytes']:>3} bytes  {entry['token']!r}")
    return 0


def cmd_train(args) -> int:
    from .training import train

    special = [t for t in (args.special_tokens or "").split(",") if t]
    options = {}
    if args.pattern is not None:
        options["pattern"] = None if args.pattern == "none" else args.pattern
    for key in ("text_field", "column", "max_distinct", "ray_address"):
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
    tok = train(
        corpus, vocab_size=args.vocab_size, model=args.model, byte_level=not args.char_level,
        normalizer=args.normalizer, min_frequency=args.min_frequency, max_token_length=args.max_token_length,
        special_tokens=special, initial_alphabet=list(args.initial_alphabet or ""), limit_alphabet=args.limit_alphabet,
        base=args.base, progress=False if args.quiet else None, check_every=args.check_every, errors=args.errors,
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
    g.add_argument("--passes", type=int, default=None, help="lib: passes over the corpus (default 2)")
    g.add_argument("--seed", type=int, default=None, help="supertokens / lib: random seed (default 0)")


def _method_options(args) -> dict:
    out = {}
    for key in ("unk_token", "continuation_prefix", "mwt_k", "max_words", "passes"):
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
                    "(HF tokenizer.json, tiktoken rank files).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"tokenforge {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add_input_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("-t", "--tokenizer", required=True, metavar="TOKENIZER", help="tokenizer file (any supported format)")
        p.add_argument("files", nargs="*", metavar="FILE", help="input files (default: standard input)")
        p.add_argument("--errors", default="strict", choices=["strict", "replace"],
                       help="invalid UTF-8 in the input: fail naming the byte offset (strict) or substitute U+FFFD")
        p.add_argument("--allow-special", action="store_true",
                       help="recognise special tokens such as <|endoftext|> in the text (default: their presence is an error)")
        p.add_argument("--method", default=None,
                       help="inference method: merge, longest_prefix, longest_suffix, longest_token, fewest, viterbi, sample "
                            "(default: the model's own; see docs/models.md)")
        p.add_argument("--option", action="append", metavar="KEY=VALUE",
                       help="a method option, e.g. dropout=0.1, seed=3, alpha=0.2, tie_break=random (repeatable)")

    p = sub.add_parser("encode", help="text -> token ids", description="Encode text to token ids.")
    add_input_args(p)
    p.add_argument("--lines", action="store_true", help="encode each line separately, one output line each")
    p.add_argument("--tokens", action="store_true", help="print tokens (as JSON strings, HF byte-level spelling) instead of ids")
    p.add_argument("--json", action="store_true", help="print ids as a JSON list")
    p.add_argument("--keep-final-newline", action="store_true", help="encode the input's final newline too")
    p.set_defaults(func=cmd_encode)

    p = sub.add_parser("decode", help="token ids -> text", description="Decode token ids (arguments or stdin) to text.")
    p.add_argument("-t", "--tokenizer", required=True, metavar="TOKENIZER")
    p.add_argument("ids", nargs="*", help="token ids (default: read whitespace-separated ids from stdin)")
    p.add_argument("--errors", default="replace", choices=["replace", "strict", "ignore", "backslashreplace"],
                   help="bytes that are not UTF-8 (a token sequence cut mid-character)")
    p.add_argument("-n", "--no-newline", action="store_true", help="do not print a final newline")
    p.set_defaults(func=cmd_decode)

    p = sub.add_parser("count", help="count tokens in files", description="Count tokens per file (streams big files).")
    add_input_args(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_count)

    p = sub.add_parser("convert", help="convert between tokenizer.json and tiktoken",
                       description="Convert a tokenizer file. The output format follows --to or the extension "
                                   "(.tiktoken: rank file + NAME.json sidecar; anything else: HF tokenizer.json).")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--to", choices=["hf", "tiktoken", "tokenforge"])
    p.set_defaults(func=cmd_convert)

    p = sub.add_parser(
        "train", help="train a tokenizer on a corpus",
        description="Train a BPE tokenizer. CORPUS: text files (.txt, .gz, .zst), JSON Lines (--text-field), Parquet "
                    "(--column), directories or globs. The corpus is streamed and counted in parallel; "
                    "--base resumes from an existing tokenizer (its ids are kept, new merges appended).",
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
                   ".tiktoken: rank file + NAME.json; see --format)")
    p.add_argument("--vocab-size", type=int, required=True, metavar="N",
                   help="ids in all: special tokens + alphabet + merged tokens")
    from .training import MODELS

    p.add_argument("--model", default="bpe", choices=list(MODELS),
                   help="what to train: bpe, superbpe (superwords across whitespace, two stages) or boundless "
                        "(BoundlessBPE: supermerges of two whole pretokens; save it as .tokenforge.json), parity "
                        "(parity-aware BPE over --lang-corpus / --dev), unigram (SentencePiece-style Unigram LM), "
                        "pathpiece (fewest tokens), wordpiece, mwt (BPE + top-k word n-grams), supertokens (BPE on "
                        "multi-word chunks), lib (Less-is-Better lexicon); see docs/training.md")
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
    p.add_argument("--min-frequency", type=int, default=0, help="never merge a pair seen fewer times")
    p.add_argument("--max-token-length", type=int, default=None,
                   help="longest token to learn (bytes; characters with --char-level)")
    p.add_argument("--special-tokens", default=None, metavar="A,B,...", help="comma-separated special tokens (ids 0..)")
    p.add_argument("--initial-alphabet", default=None, help="characters always in the char-level alphabet")
    p.add_argument("--limit-alphabet", type=int, default=None, help="most characters in the char-level alphabet")
    p.add_argument("--base", default=None, metavar="TOKENIZER", help="resume from this tokenizer")
    p.add_argument("--format", default=None, choices=["hf", "tiktoken", "tokenforge"],
                   help="output format (default: from the extension)")
    p.add_argument("--text-field", default=None, help="JSON Lines field holding the text (default 'text')")
    p.add_argument("--column", default=None, help="Parquet column holding the text (default 'text')")
    p.add_argument("--errors", default="replace", choices=["replace", "skip", "strict"],
                   help="invalid UTF-8 in the corpus: substitute U+FFFD and warn, skip the record, or fail")
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
    p.add_argument("--longest", type=int, default=10, metavar="N", help="how many of the longest tokens to list")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_inspect)

    from .eval_command import add_parser as add_eval_parser

    add_eval_parser(sub)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
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


if __name__ == "__main__":
    sys.exit(main())
