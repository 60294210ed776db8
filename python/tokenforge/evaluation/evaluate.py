"""`evaluate`: N tokenizers on one corpus (plus optional parallel text and a language), one streaming pass,
returning the JSON-able report (schema `tokenforge.eval-report`, version 1) that `tokenforge.reports` renders."""

from __future__ import annotations

import datetime as _dt
from concurrent.futures import ThreadPoolExecutor
import math
import os
from typing import Mapping, Optional

import numpy as np

from .._version import __version__
from ..corpus import open_corpus
from ..errors import ConfigError, CorpusError, MissingDependencyError, TokenforgeError
from ..metrics import (allocation, compression, entropy, fallback, lexicon as lexicon_mod, morphology, nsl as nsl_mod,
                       parity as parity_mod, reachability, robustness, surface, throughput, vocabulary,
                       zipf)
from .inputs import aligned_parallel, named_tokenizers, progress_callback
from .scan import scan
from .sections import build_sections
from .token_table import TokenTable

SCHEMA = "tokenforge.eval-report"
VERSION = 1

# Bounds on the expensive metrics (documented in docs/metrics.md).
FERTILITY_WORDS = 100_000      # most frequent distinct words tokenized on their own
LEXICON_TOKENS = 50_000        # most frequent distinct tokens checked against the lexicon
SILVER_WORDS = 2_000           # most frequent words segmented by zeyrek (Turkish)
UNREACHABLE_MAX_IDS = 1_000_000
# What the report says about how plain text was encoded (`corpus.plain_text_note`, shown next to the token totals).
RUNNING_TEXT_NOTE = ("plain text is encoded as running text in pieces of about 64K characters cut at line ends; "
                     "totals can differ from encoding each file whole by a few tokens per million")
LINE_RECORDS_NOTE = ("plain text is encoded line by line, each line on its own (the trainers' convention); totals "
                     "are higher than encoding each file whole wherever a pre-token would span a line end")
_LANG_ALIASES = {"eng": "en", "tur": "tr", "en-us": "en", "en-gb": "en", "tr-tr": "tr", "tr_tr": "tr"}


def _clean(value):
    """JSON-safe copy: NaN / inf become None, tuples lists, dict keys strings."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _kind(tok) -> str:
    model = getattr(tok, "model", None)
    kind = type(model).__name__ if model is not None else type(tok).__name__
    kind = kind[:-5].lower() if kind.endswith("Model") and len(kind) > 5 else kind.lower()
    if hasattr(tok, "spm"):
        return "sentencepiece"
    if getattr(model, "char_level", False):
        kind += " (char-level, byte fallback)"
    elif kind == "bpe":
        kind += " (byte-level)"
    return kind


def _default_lexicon(lang: str):
    try:
        return lexicon_mod.wordfreq_lexicon(lang)
    except (MissingDependencyError, ConfigError) as exc:
        return exc


def evaluate(tokenizers, corpus, *, parallel=None, lang: Optional[str] = None, baseline=None,
             pivot: Optional[str] = None, progress=None, sources: Optional[Mapping[str, str]] = None,
             lexicon=None, gold: Optional[Mapping[str, list]] = None, alpha: float = 2.5, noise_rate: float = 0.05,
             seed: int = 0, sample_records: int = 256, chunk_chars: int = 4 << 20,
             corpus_options: Optional[Mapping] = None, line_records: bool = False) -> dict:
    """Evaluates `tokenizers` (Tokenizer objects, paths `tokenforge.load` reads, or {name: either}) on `corpus`
    (anything `tokenforge.open_corpus` reads) and returns the report dict.

    - `parallel`: aligned text per language (a directory of UDHR-style `<lang>.json` / `<lang>.txt` files,
      {lang: {segment: text}} or {lang: [texts]}) for parity, NSL per language and vocabulary allocation/overlap;
      `pivot` is the reference language (default `eng`/`en` when present).
    - `baseline`: a tokenizer name among `tokenizers` (or another Tokenizer/path) that NSL is relative to.
    - `lang`: the corpus language, for %valid-word (`lexicon`: a `metrics.lexicon.Lexicon`, a set-like object, or
      the path of a hunspell `.dic`; default the wordfreq list of `lang`) and
      morphological alignment (`gold` segmentations, default the shipped set for `lang` when there is one;
      Turkish also gets a silver check against zeyrek).
    - Plain-text files are encoded as running text, as a tokenizer sees a document; `line_records` encodes each
      line on its own instead (the trainers' convention: about 4% more tokens on indented text, where a
      pre-token would span the line end). Other records (JSON Lines, Parquet, in-memory texts) are encoded one by
      one. Running text is cut into pieces of about 64K characters at line ends (`scan.running_pieces`), so totals
      can differ from encoding each file whole by a few tokens per million; the report says so
      (`corpus.plain_text_note`) when the corpus has plain text.
    - `corpus_options`: keyword arguments of `open_corpus` (errors, on_bad_record, text_field, column).
    - A corpus with no text (empty files, only whitespace, a directory without corpus files) raises
      `CorpusError("no text: ...")` naming it, before anything is reported.
    - Expensive metrics run on bounded samples: robustness on `sample_records` records spread evenly over the
      corpus (noise seeded by `seed`), fertility on the 100k most frequent words; unreachable tokens are checked
      over the whole vocabulary (one batched encode).
    """
    if not 0 < alpha or math.isnan(alpha):
        raise ConfigError(f"Rényi order alpha must be positive, got {alpha}")
    named = named_tokenizers(tokenizers, sources)
    names = [n for n, _, _ in named]
    toks = [t for _, t, _ in named]

    base_name: Optional[str] = None
    base_tok = None
    if baseline is not None:
        same = [k for k, t in enumerate(toks) if t is baseline]
        if same:
            base_name, base_tok = names[same[0]], toks[same[0]]
        elif isinstance(baseline, str) and baseline in names:
            base_name, base_tok = baseline, toks[names.index(baseline)]
        else:
            if isinstance(baseline, str) and not os.path.exists(baseline):
                raise ConfigError(f"baseline {baseline!r} is neither one of the tokenizers ({', '.join(names)}) "
                                  "nor a tokenizer file")
            (bn, bt, _), = named_tokenizers([baseline])
            base_name, base_tok = (f"{bn} (baseline)" if bn in names else bn), bt
    scanned = list(toks) + ([base_tok] if base_tok is not None and base_name not in names else [])

    report_progress = progress_callback(progress)
    corp = open_corpus(corpus, **dict(corpus_options or {}))
    if not corp.sources:
        raise CorpusError(f"no text: {_corpus_name(corpus, corp)} (no corpus files: looked for .txt, .md, .jsonl, "
                          ".parquet, optionally .gz/.zst)")
    # The token tables depend on the tokenizers only: they are built on a helper thread while the corpus is read
    # (both are mostly native calls with the GIL released, which fill each other's idle moments).
    with ThreadPoolExecutor(1, thread_name_prefix="tokenforge-tables") as helper:
        tables_built = helper.submit(lambda: [TokenTable.build(t) for t in toks])
        try:
            cscan, tscans = scan(corp, scanned, chunk_chars=chunk_chars, sample_records=sample_records,
                                 line_records=line_records, progress=report_progress)
        finally:
            built = tables_built.result()
    if cscan.words == 0:  # nothing but whitespace (or nothing at all): every metric would be null
        raise CorpusError(f"no text: {_corpus_name(corpus, corp)} (the corpus is empty or only whitespace)")
    base_tokens = None
    if base_tok is not None:
        base_tokens = tscans[names.index(base_name)].tokens if base_name in names else tscans[-1].tokens

    # Words for fertility: the most frequent distinct words, tokenized on their own (bounded).
    fertility_words = min(FERTILITY_WORDS, len(cscan.word_counts))
    noisy_sample = _noisy_sample(cscan.sample, noise_rate, seed)

    lex = None
    lex_note = None
    code = _LANG_ALIASES.get(lang.lower(), lang.lower()) if lang else None  # "tur" / "tr-TR" -> "tr"
    if isinstance(lexicon, (str, os.PathLike)):
        lexicon = lexicon_mod.HunspellLexicon(lexicon)
    if lang:
        lex = lexicon if lexicon is not None else _default_lexicon(code)
        if isinstance(lex, Exception):
            lex_note, lex = str(lex), None
    gold_set = gold
    if gold_set is None and lang:
        try:
            gold_set = morphology.load_gold(code)
        except ConfigError:
            gold_set = None
    silver = None
    silver_note = None
    if code == "tr":
        try:
            segmenter = morphology.ZeyrekSegmenter()
            silver = {}
            for w, _ in cscan.word_counts.most_common(SILVER_WORDS * 3):
                if len(silver) >= SILVER_WORDS:
                    break
                if w.isalpha():
                    seg = segmenter(w)
                    if seg:
                        silver[w] = seg
        except MissingDependencyError as exc:
            silver_note = str(exc)

    metrics: dict[str, dict] = {}
    tables: dict[str, TokenTable] = {}
    samples: dict[str, dict] = {}
    for idx, (name, tok) in enumerate(zip(names, toks)):
        if report_progress:
            report_progress(f"metrics for {name}", cscan.bytes)
        ts = tscans[idx]
        table = built[idx]
        tables[name] = table
        word_occurrences, word_tokens = _word_tokens(tok, cscan.word_counts)
        dense = ts.histogram.dense
        n = ts.tokens
        length_dist = table.length_distribution(dense)
        undecodable = table.undecodable()
        unreachable = table.unreachable()
        if unreachable is None and len(table.offsets) <= UNREACHABLE_MAX_IDS:
            unreachable = reachability.unreachable_tokens(tok, table.token_bytes, skip=table.special)
        m = {
            "tokens": n,
            "bytes_per_token": compression.bytes_per_token(cscan.bytes, n),
            "chars_per_token": compression.chars_per_token(cscan.chars, n),
            "tokens_per_word": compression.tokens_per_word(n, cscan.words),
            "fertility": compression.fertility(word_occurrences, word_tokens),
            "continued_words": compression.continued_words(word_occurrences, word_tokens),
            "unk_rate": fallback.unk_rate(dense, table.unk),
            "byte_fallback_rate": fallback.byte_fallback_rate(dense, table.partial),
            "shannon_entropy": entropy.shannon_entropy(dense),
            "renyi_entropy": entropy.renyi_entropy(dense, alpha),
            "renyi_efficiency": entropy.renyi_efficiency(dense, table.vocab_size, alpha),
            "renyi_alpha": alpha,
            "vocab_utilisation": vocabulary.utilisation(dense, table.vocab_size),
            "mean_token_bytes": vocabulary.mean_length(length_dist),
            "token_length_distribution": length_dist,
            "vocab_length_distribution": table.length_distribution(table.ordinary),
            "zipf": zipf.zipf_fit(dense),
            "scripts_vocab": table.script_distribution(),
            "scripts_corpus": table.script_distribution(dense),
            "categories_corpus": table.category_distribution(dense),
            "completeness": table.completeness(),
            "undecodable_tokens": len(undecodable),
            "unreachable_tokens": None if unreachable is None else len(unreachable),
            "unused_tokens": len(table.unused(dense)),
            "throughput_mb_s": throughput.throughput_mb_s(cscan.bytes, ts.seconds),
            "encode_seconds": ts.seconds,
        }
        samples[name] = {
            "unreachable": [table.bytes_of(i).decode("utf-8", "replace") for i in (unreachable or [])[:10]],
            "undecodable": [table.bytes_of(i).hex() for i in undecodable[:10]],
        }
        m["robustness"] = _robustness(tok, table, noisy_sample, noise_rate)
        if base_tokens is not None:
            m["nsl"] = nsl_mod.nsl([n], [base_tokens])
        if lang:
            token_counts = _top_token_counts(ts.histogram.as_dict(), table)
            m["valid_word_rate"] = None if lex is None else lexicon_mod.valid_word_rate(token_counts, lex)
            m["valid_word_rate_weighted"] = (None if lex is None else
                                             lexicon_mod.valid_word_rate(token_counts, lex, weighted=True))
            m["lexicon"] = getattr(lex, "name", None) if lex is not None else None
            if gold_set:
                m["morphology_gold"] = morphology.evaluate_segmentations(tok, gold_set)
            if silver:
                m["morphology_silver"] = morphology.evaluate_segmentations(
                    tok, silver, weights={w: cscan.word_counts[w] for w in silver})
        metrics[name] = m

    parity = None
    if parallel is not None:
        parity = _parity(names, toks, tables, aligned_parallel(parallel), pivot, base_name, base_tok, report_progress)
    if report_progress:
        report_progress("done", cscan.bytes)

    report = {
        "schema": SCHEMA,
        "version": VERSION,
        "created": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "tokenforge_version": __version__,
        "corpus": {"sources": _source_names(corp), "bytes": cscan.bytes, "chars": cscan.chars,
                   "words": cscan.words, "records": cscan.records, "lang": lang,
                   "plain_text_units": "lines" if line_records else "running text",
                   "sample_records": len(cscan.sample), "fertility_words": fertility_words,
                   "word_table_pruned": cscan.pruned_words},
        "tokenizers": [{"name": n, "source": s, "kind": _kind(t), "vocab_size": t.vocab_size}
                       for n, t, s in named],
        "metrics": metrics,
        "parity": parity,
        "baseline": base_name,
        "notes": [x for x in (lex_note, silver_note) if x],
        "examples": samples,
    }
    if _has_plain_text(corp):
        report["corpus"]["plain_text_note"] = LINE_RECORDS_NOTE if line_records else RUNNING_TEXT_NOTE
    report["sections"] = build_sections(report)
    return _clean(report)


def _corpus_name(corpus, corp) -> str:
    """The corpus as the caller named it (its paths), for error messages."""
    if isinstance(corpus, (str, os.PathLike)):
        return os.fspath(corpus)
    if isinstance(corpus, (list, tuple)) and corpus and all(isinstance(c, (str, os.PathLike)) for c in corpus):
        return ", ".join(os.fspath(c) for c in corpus)
    return corp.describe()


def _has_plain_text(corp) -> bool:
    return any(getattr(s, "format", None) == "text" for s in corp.sources)


def _source_names(corp) -> list[str]:
    out = []
    for s in corp.sources:
        out.append(getattr(s, "path", None) or getattr(s, "name", None) or repr(s))
    return out


def _top_token_counts(hist: Mapping[int, int], table: TokenTable) -> dict[bytes, int]:
    """The most frequent ordinary tokens as {bytes: count} (bounded for slow lexicons)."""
    top = sorted(((c, i) for i, c in hist.items() if i not in table.special), reverse=True)[:LEXICON_TOKENS]
    return {table.bytes_of(i): c for c, i in top}


def _word_tokens(tok, tally) -> tuple[np.ndarray, np.ndarray]:
    """Occurrences and token counts of the most frequent words, each tokenized on its own after a space (as a
    word appears in running text): natively from the word table, or through `count_batch`."""
    if hasattr(tok, "word_token_counts"):
        return tok.word_token_counts(tally, FERTILITY_WORDS)
    top = tally.most_common(FERTILITY_WORDS)
    counts = tok.count_batch([" " + w for w, _ in top], disallowed_special=())
    return np.array([c for _, c in top], dtype=np.int64), np.array(counts, dtype=np.int64)


def _noisy_sample(sample: list[str], rate: float, seed: int) -> tuple[list[str], list[str]]:
    """The sample's texts and their noisy copies (seeded per text), made once for all tokenizers."""
    texts = [t for t in sample if t]
    return texts, [robustness.add_noise(t, rate, seed + k) for k, t in enumerate(texts)]


def _boundaries(tok, table: TokenTable, ids: list[int], text: str) -> Optional[set[float]]:
    """Internal token boundaries of `text` (`robustness.boundaries`): from the table's byte lengths when the
    tokens spell the text as they are (one native decode checks it), else through `surface.align` (SentencePiece
    "▁", a dummy prefix); None when the tokens cannot be aligned to the text (a normalizer rewrote it)."""
    lengths = table.lengths[ids] if ids else np.zeros(0, np.int64)
    try:
        raw = text.encode("utf-8")
        if int(lengths.sum()) == len(raw) and hasattr(tok, "decode_bytes") and tok.decode_bytes(ids) == raw:
            return robustness.boundaries_from_lengths(lengths, text)
    except (UnicodeEncodeError, TokenforgeError):
        pass
    pieces = surface.align(table.pieces(ids), text)
    if pieces is None:
        pieces = surface.align([tok.id_to_bytes(i) for i in ids], text)
    return None if pieces is None else robustness.boundaries(pieces, text)


def _robustness(tok, table: TokenTable, sample: tuple[list[str], list[str]], rate: float) -> dict:
    pairs = []
    clean_n = noisy_n = 0
    texts, noisy_texts = sample
    clean_ids = tok.encode_batch(texts, disallowed_special=())
    noisy_ids = tok.encode_batch(noisy_texts, disallowed_special=())
    compared = 0
    for t, nt, ci, ni in zip(texts, noisy_texts, clean_ids, noisy_ids):
        clean_n += len(ci)
        noisy_n += len(ni)
        clean, noisy = _boundaries(tok, table, ci, t), _boundaries(tok, table, ni, nt)
        if clean is None or noisy is None:  # tokens that do not spell the text (a normalizer): no offsets to compare
            continue
        pairs.append((clean, noisy))
        compared += len(t)
    return {"boundary_stability": robustness.pooled_stability(pairs) if pairs else None,
            "token_inflation": robustness.token_inflation(clean_n, noisy_n),
            "noise_rate": rate, "texts": len(pairs), "chars": compared}


def _parity(names, toks, tables, texts: dict[str, list[str]], pivot, base_name, base_tok, report_progress) -> dict:
    langs = sorted(texts)
    if pivot is None:
        pivot = next((p for p in ("eng", "en") if p in texts), langs[0])
    elif pivot not in texts:
        raise ConfigError(f"pivot language {pivot!r} is not in the parallel set ({', '.join(langs)})")
    chars = {lang: sum(len(t) for t in texts[lang]) for lang in langs}
    per_text: dict[str, dict[str, list[int]]] = {}
    tokens: dict[str, dict[str, int]] = {}
    premium: dict[str, dict] = {}
    alloc: dict[str, dict] = {}
    overlap_out: dict[str, dict] = {}
    summary: dict[str, dict] = {}
    from collections import Counter

    all_toks = list(zip(names, toks))
    if base_tok is not None and base_name not in names:
        all_toks.append((base_name, base_tok))
    for name, tok in all_toks:
        if report_progress:
            report_progress(f"parallel text, {name}", 0)
        counts_by_lang = {}
        per_text[name] = {}
        for lang in langs:
            ids = tok.encode_batch(texts[lang], disallowed_special=())
            per_text[name][lang] = [len(x) for x in ids]
            c: Counter = Counter()
            for x in ids:
                c.update(x)
            counts_by_lang[lang] = c
        if name not in names:
            continue
        tokens[name] = {lang: sum(per_text[name][lang]) for lang in langs}
        premium[name] = parity_mod.premiums(tokens[name], pivot)
        summary[name] = {"max_min_ratio": parity_mod.max_min_ratio(tokens[name].values()),
                         "gini": parity_mod.gini(tokens[name].values()),
                         "mean_premium": sum(premium[name].values()) / len(langs)}
        alloc[name] = {lang: {"vocab_share": allocation.vocab_share(counts_by_lang[lang], tables[name].vocab_size),
                              "average_rank": allocation.average_rank(counts_by_lang[lang]),
                              "chars_per_token": compression.chars_per_token(chars[lang], tokens[name][lang])}
                       for lang in langs}
        pairs = allocation.overlap(counts_by_lang)
        jac = [v["jaccard"] for v in pairs.values() if v["jaccard"] is not None]
        jsd = [v["jsd"] for v in pairs.values() if v["jsd"] is not None]
        overlap_out[name] = {"mean_jaccard": sum(jac) / len(jac) if jac else None,
                             "mean_jsd": sum(jsd) / len(jsd) if jsd else None,
                             "pairs": {f"{a}|{b}": v for (a, b), v in pairs.items()}}
    nsl = None
    if base_name is not None:
        nsl = {name: nsl_mod.nsl_by_language(per_text[name], per_text[base_name]) for name in names}
    return {"pivot": pivot, "languages": langs, "segments": len(texts[langs[0]]), "chars": chars,
            "tokens": tokens, "premium": premium, "summary": summary, "nsl": nsl, "nsl_baseline": base_name,
            "allocation": alloc, "overlap": overlap_out}
