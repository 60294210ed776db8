"""What `evaluate` accepts, normalised: named tokenizers, parallel text aligned by segment, the progress callback."""

from __future__ import annotations

import json
import os
import sys
from typing import Callable, Mapping, Optional, Sequence, Union

from ..errors import ConfigError, CorpusError
from ..formats.reading import load
from ..util.progress import ProgressLine

Progress = Callable[[str, int], None]  # (stage, bytes done)


def _stem(path: str) -> str:
    name = os.path.basename(os.path.normpath(path))
    for suffix in (".tokenforge.json", ".tokenizer.json", ".tiktoken", ".json", ".model"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def named_tokenizers(tokenizers, sources: Optional[Mapping[str, str]] = None) -> list[tuple[str, object, str]]:
    """(name, Tokenizer, source) triples from a Tokenizer, a path, a list of either, or a {name: either} mapping.
    Paths are loaded with `tokenforge.load`; names are made unique."""
    if isinstance(tokenizers, Mapping):
        items = list(tokenizers.items())
    else:
        if isinstance(tokenizers, (str, os.PathLike)) or hasattr(tokenizers, "encode_batch"):
            tokenizers = [tokenizers]
        items = [(None, t) for t in tokenizers]
    if not items:
        raise ConfigError("evaluate needs at least one tokenizer")
    out: list[tuple[str, object, str]] = []
    seen: set[str] = set()
    for k, (name, tok) in enumerate(items):
        source = "<in-memory>"
        if isinstance(tok, (str, os.PathLike)):
            source = os.fspath(tok)
            name = name or _stem(source)
            tok = load(source)
        elif not hasattr(tok, "encode_batch"):
            raise ConfigError(f"tokenizer {k} is a {type(tok).__name__}, not a Tokenizer or a path")
        name = str(name or getattr(tok, "name", None) or f"tokenizer-{k + 1}")
        if sources and name in sources:
            source = os.fspath(sources[name])
        base, n = name, 1
        while name in seen:
            n += 1
            name = f"{base}#{n}"
        seen.add(name)
        out.append((name, tok, source))
    return out


def _read_parallel_dir(path: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for entry in sorted(os.listdir(path)):
        full = os.path.join(path, entry)
        stem, ext = os.path.splitext(entry)
        try:
            if ext == ".json":
                with open(full, encoding="utf-8") as f:
                    doc = json.load(f)
                articles = doc.get("articles") if isinstance(doc, dict) else None
                if not isinstance(articles, dict):
                    raise CorpusError("expected an object with an 'articles' object", full)
                out[stem] = {str(k): v for k, v in articles.items() if isinstance(v, str)}
            elif ext == ".txt":
                with open(full, encoding="utf-8") as f:
                    out[stem] = {str(i): line.rstrip("\n") for i, line in enumerate(f, 1)}
        except (UnicodeDecodeError, ValueError) as exc:
            raise CorpusError(f"cannot read parallel text: {exc}", full) from None
    return out


def aligned_parallel(parallel: Union[str, "os.PathLike[str]", Mapping]) -> dict[str, list[str]]:
    """{language: texts} with the same segments in the same order for every language.

    Accepts a directory (one `<lang>.json` UDHR-style file with an `articles` object, or `<lang>.txt` with one
    segment per line, per language), {lang: {segment id: text}} (segments every language has, non-empty, are
    kept) or {lang: [texts]} (already aligned: all lists the same length)."""
    if isinstance(parallel, (str, os.PathLike)):
        path = os.fspath(parallel)
        if not os.path.isdir(path):
            raise CorpusError("parallel text must be a directory of per-language .json / .txt files", path)
        parallel = _read_parallel_dir(path)
    if not isinstance(parallel, Mapping) or len(parallel) < 2:
        raise ConfigError("parallel text needs at least two languages")
    values = list(parallel.values())
    if all(isinstance(v, Mapping) for v in values):
        common = set.intersection(*(set(v) for v in values))
        common = {k for k in common if all(isinstance(v[k], str) and v[k].strip() for v in values)}
        if not common:
            raise CorpusError("the languages of the parallel set share no segment", "<parallel>")
        order = sorted(common, key=lambda k: (0, int(k), "") if k.isdigit() else (1, 0, k))
        return {str(lang): [seg[k] for k in order] for lang, seg in parallel.items()}
    lengths = {len(v) for v in values}
    if len(lengths) != 1 or not all(isinstance(v, Sequence) and not isinstance(v, str) for v in values):
        raise ConfigError("parallel lists of texts must all have the same length (aligned segments)")
    return {str(lang): [str(t) for t in texts] for lang, texts in parallel.items()}


def progress_callback(progress) -> Optional[Progress]:
    """None -> a status line on stderr when it is a terminal; False -> nothing; True -> the status line; a callable
    is called as progress(stage, bytes_done)."""
    if progress is False:
        return None
    if callable(progress):
        return progress
    if progress is None and not sys.stderr.isatty():
        return None
    line = ProgressLine()

    def show(stage: str, done: int) -> None:
        if stage == "done":
            line.close()
        else:
            line.show(f"evaluating: {stage}, {done / 1e6:,.1f} MB, {line.elapsed:5.1f}s")

    return show
