"""`tokenforge inspect`: what a tokenizer file holds (model, method, pattern, special tokens, longest tokens)."""

from __future__ import annotations

import json
from typing import Optional

from ..formats.reading import load
from ..models.methods import OPTIONS
from .options import non_negative_int


def cmd_inspect(args) -> int:
    tok = load(args.tokenizer)
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


def add_parser(sub) -> None:
    p = sub.add_parser("inspect", help="vocab size, pattern, special tokens, longest tokens",
                       description="Describe a tokenizer file.")
    p.add_argument("tokenizer")
    p.add_argument("--longest", type=non_negative_int, default=10, metavar="N",
                   help="how many of the longest tokens to list")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_inspect)
