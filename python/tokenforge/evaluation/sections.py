"""The human-readable part of the report: sections of tables and plots built from the machine-readable metrics.
Each description states the definition and the source paper, so the page explains itself."""

from __future__ import annotations

from typing import Optional


def _r(x, digits: int = 4):
    """A table cell: floats rounded for reading (the metrics object keeps full precision)."""
    if isinstance(x, float):
        return round(x, digits)
    return x


def _pct(x) -> Optional[float]:
    return None if x is None else round(100.0 * x, 2)


def _table(title, columns, rows):
    return {"title": title, "columns": columns, "rows": [[_r(c) for c in row] for row in rows]}


def _plot(kind, title, x_label, y_label, series):
    return {"kind": kind, "title": title, "x_label": x_label, "y_label": y_label, "series": series}


def build_sections(report: dict) -> list[dict]:
    names = [t["name"] for t in report["tokenizers"]]
    vocab = {t["name"]: t["vocab_size"] for t in report["tokenizers"]}
    m = report["metrics"]
    sections = [_compression(names, vocab, m, report), _distribution(names, vocab, m),
                _scripts(names, m), _reachability(names, vocab, m, report), _robustness(names, m),
                _throughput(names, m, report)]
    if report.get("parity"):
        sections += [_parity(names, report["parity"]), _allocation(names, report["parity"])]
    if report["corpus"].get("lang"):
        sections.append(_lexical(names, m, report))
    return sections


def _compression(names, vocab, m, report) -> dict:
    base = report.get("baseline")
    cols = ["tokenizer", "vocab size", "tokens", "bytes/token", "chars/token", "tokens/word", "fertility",
            "continued words %", "UNK %", "byte fallback %"] + ([f"NSL vs {base}"] if base else [])
    rows = [[n, vocab[n], m[n]["tokens"], m[n]["bytes_per_token"], m[n]["chars_per_token"], m[n]["tokens_per_word"],
             m[n]["fertility"], _pct(m[n]["continued_words"]), _pct(m[n]["unk_rate"]),
             _pct(m[n]["byte_fallback_rate"])] + ([m[n].get("nsl")] if base else []) for n in names]
    by_vocab = sorted(names, key=lambda n: vocab[n])
    note = report["corpus"].get("plain_text_note")
    return {
        "id": "compression",
        "title": "Compression",
        "description": (
            "bytes/token and chars/token: UTF-8 bytes and characters of the corpus per token (higher compresses "
            "better). tokens/word: tokens of the running text per whitespace-separated word. Fertility (Rust et "
            "al. 2021, 'How Good is Your Tokenizer?'): mean tokens per word with each word tokenized on its own "
            f"(the {report['corpus'].get('fertility_words')} most frequent words); continued words: share of word "
            "occurrences split into 2+ tokens. UNK: share of unknown tokens; byte fallback: share of tokens that "
            "are partial UTF-8 (text spelled as bytes)."
            + (f" NSL (Tamang & Bora 2024, after Dagan et al. 2024): tokens relative to the baseline tokenizer "
               f"({base}) on the same text." if base else "")
            + (f"\n\nToken totals: {note}." if note else "")),
        "tables": [_table("Compression per tokenizer", cols, rows)],
        "plots": [
            _plot("bar", "Bytes per token", "tokenizer", "bytes/token",
                  [{"name": "bytes/token", "x": list(names), "y": [_r(m[n]["bytes_per_token"]) for n in names]}]),
            # One series (one point) per tokenizer: unrelated tokenizers are points, never joined by a line.
            _plot("line", "Compression vs vocabulary size", "vocabulary size", "bytes/token",
                  [{"name": n, "x": [vocab[n]], "y": [_r(m[n]["bytes_per_token"])]} for n in by_vocab]),
        ],
    }


def _distribution(names, vocab, m) -> dict:
    alpha = m[names[0]]["renyi_alpha"] if names else 2.5
    rows = []
    for n in names:
        z = m[n]["zipf"] or {}
        rows.append([n, vocab[n], m[n]["shannon_entropy"], m[n]["renyi_entropy"], m[n]["renyi_efficiency"],
                     _pct(m[n]["vocab_utilisation"]), m[n]["mean_token_bytes"], z.get("exponent"), z.get("r2")])
    cols = ["tokenizer", "vocab size", "Shannon entropy (bits)", f"Rényi entropy α={alpha} (bits)",
            f"Rényi efficiency α={alpha}", "vocab used %", "mean token bytes", "Zipf exponent", "Zipf R²"]
    series = []
    for n in names:
        dist = m[n]["token_length_distribution"]
        total = sum(dist.values()) or 1
        xs = sorted(int(k) for k in dist)
        series.append({"name": n, "x": xs, "y": [round(dist[k if k in dist else str(k)] / total, 6) for k in xs]})
    return {
        "id": "distribution",
        "title": "Token distribution",
        "description": (
            "Shannon entropy H = -Σ p log2 p of the unigram token distribution on the corpus. Rényi efficiency "
            "(Zouhar et al. 2023, 'Tokenization and the Noiseless Channel'): H_α(p) / log2 |V| with "
            "H_α = log2(Σ p^α) / (1-α); α = 2.5 by default, the order that best predicted BLEU in that study. "
            "Vocab used: share of the vocabulary that occurs on the corpus. Zipf fit: least-squares line "
            "log f = a - s log r over frequency ranks; exponent s (near 1 for natural word frequencies) and R²."),
        "tables": [_table("Distribution statistics", cols, rows)],
        "plots": [_plot("histogram", "Token length (bytes), share of token occurrences", "token length (bytes)",
                        "share of tokens", series)],
    }


def _scripts(names, m) -> dict:
    labels: list[str] = []
    for n in names:
        for k in m[n]["scripts_vocab"]:
            if k not in labels:
                labels.append(k)
    labels = labels[:12]
    rows = []
    for k in labels:
        row: list = [k]
        for n in names:
            sv = m[n]["scripts_vocab"]
            row.append(round(100 * sv.get(k, 0) / (sum(sv.values()) or 1), 2))
        for n in names:
            sc = m[n]["scripts_corpus"]
            row.append(round(100 * sc.get(k, 0) / (sum(sc.values()) or 1), 2))
        rows.append(row)
    comp_rows = []
    for n in names:
        c = m[n]["completeness"]
        total = (c["complete"] + c["partial"]) or 1
        comp_rows.append([n, c["complete"], c["partial"], round(100 * c["partial"] / total, 2)])
    cat_labels = sorted({k for n in names for k in m[n]["categories_corpus"]})
    cat_rows = []
    for n in names:
        cc = m[n]["categories_corpus"]
        t = sum(cc.values()) or 1
        cat_rows.append([n] + [round(100 * cc.get(k, 0) / t, 2) for k in cat_labels])
    series = []
    for n in names:
        sv = m[n]["scripts_vocab"]
        tv = sum(sv.values()) or 1
        series.append({"name": n, "x": list(labels), "y": [round(100 * sv.get(k, 0) / tv, 3) for k in labels]})
    return {
        "id": "scripts",
        "title": "Script coverage and token completeness",
        "description": (
            "After Qtok (Chelombitko et al. 2024): each vocabulary entry is labelled with the Unicode script of its "
            "letters (Common = no letters, Mixed = several scripts, Partial UTF-8 = bytes that are not a whole "
            "character) and with its character category; shares are given over the vocabulary and over token "
            "occurrences on the corpus. Completeness: vocabulary entries that are whole UTF-8 text vs partial "
            "byte sequences."),
        "tables": [_table("Scripts (% of vocabulary entries, % of corpus tokens)",
                          ["script"] + [f"{n} vocab %" for n in names] + [f"{n} corpus %" for n in names], rows),
                   _table("Token completeness (vocabulary)", ["tokenizer", "complete", "partial", "partial %"],
                          comp_rows),
                   _table("Character categories (corpus tokens %)", ["tokenizer"] + cat_labels, cat_rows)],
        "plots": [_plot("grouped_bar", "Vocabulary share per script (%)", "script", "% of vocabulary", series)],
    }


def _reachability(names, vocab, m, report) -> dict:
    rows = [[n, vocab[n], m[n]["undecodable_tokens"], m[n]["unreachable_tokens"], m[n]["unused_tokens"],
             _pct(m[n]["unused_tokens"] / vocab[n]) if vocab[n] else None] for n in names]
    ex = report.get("examples", {})
    ex_rows = [[n, ", ".join(repr(s) for s in ex.get(n, {}).get("unreachable", [])[:10]) or None] for n in names]
    return {
        "id": "reachability",
        "title": "Unreachable, undecodable and unused tokens",
        "description": (
            "Tokenizer-side checks of Land & Bartolo (2024), 'Fishing for Magikarp': undecodable = vocabulary "
            "entries that are not valid UTF-8 on their own; unreachable = entries whose own string, encoded, does "
            "not give back that single token (checked over the whole vocabulary, special tokens excluded); unused "
            "= entries that never occur on this corpus. Such tokens get little training signal (glitch-token "
            "candidates)."),
        "tables": [_table("Token reachability", ["tokenizer", "vocab size", "undecodable", "unreachable", "unused",
                                                 "unused %"], rows),
                   _table("Examples of unreachable tokens", ["tokenizer", "first unreachable tokens"], ex_rows)],
        "plots": [_plot("bar", "Unused vocabulary entries (%)", "tokenizer", "% of vocabulary",
                        [{"name": "unused %", "x": list(names), "y": [r[5] for r in rows]}])],
    }


def _robustness(names, m) -> dict:
    rows = []
    for n in names:
        r = m[n]["robustness"]
        rows.append([n, r["boundary_stability"], r["token_inflation"], r["noise_rate"], r["texts"], r["chars"]])
    return {
        "id": "robustness",
        "title": "Robustness to OCR / typo noise",
        "description": (
            "After KL3M (Bommarito et al. 2025): a seeded sample of corpus records is corrupted by one-for-one "
            "character substitutions (OCR confusions such as l/1, O/0, e/c, or another letter of the same text) "
            "and tokenized again. Boundary stability: Jaccard overlap of the internal token-boundary offsets of "
            "clean and noisy text, pooled over the sample (1 = the noise moved no boundary). Token inflation: "
            "noisy tokens / clean tokens."),
        "tables": [_table("Boundary stability", ["tokenizer", "boundary stability", "token inflation",
                                                 "noise rate", "sample texts", "sample chars"], rows)],
        "plots": [_plot("bar", "Boundary stability under noise", "tokenizer", "stability (Jaccard)",
                        [{"name": "stability", "x": list(names), "y": [r[1] for r in rows]}])],
    }


def _throughput(names, m, report) -> dict:
    rows = [[n, m[n]["throughput_mb_s"], m[n]["encode_seconds"], report["corpus"]["bytes"]] for n in names]
    return {
        "id": "throughput",
        "title": "Throughput",
        "description": ("Megabytes (10^6 bytes of UTF-8) encoded per second by tokenforge's native batch encoder "
                        "during the evaluation pass, on this machine (time of the encode calls only)."),
        "tables": [_table("Throughput", ["tokenizer", "MB/s", "encode seconds", "corpus bytes"],
                          [[r[0], _r(r[1], 2), _r(r[2], 3), r[3]] for r in rows])],
        "plots": [_plot("bar", "Throughput (MB/s)", "tokenizer", "MB/s",
                        [{"name": "MB/s", "x": list(names), "y": [_r(r[1], 2) for r in rows]}])],
    }


def _parity(names, p) -> dict:
    langs = p["languages"]
    cols = ["language"] + [f"{n} tokens" for n in names] + [f"{n} premium" for n in names]
    rows = [[lang] + [p["tokens"][n][lang] for n in names] + [p["premium"][n][lang] for n in names]
            for lang in langs]
    summary = [[n, p["summary"][n]["max_min_ratio"], p["summary"][n]["gini"], p["summary"][n]["mean_premium"]]
               for n in names]
    tables = [_table(f"Tokens and premium relative to {p['pivot']}", cols, rows),
              _table("Parity summary", ["tokenizer", "max/min ratio", "Gini", "mean premium"], summary)]
    if p.get("nsl"):
        tables.append(_table(f"NSL per language (baseline {p['nsl_baseline']})", ["language"] + list(names),
                             [[lang] + [p["nsl"][n].get(lang) for n in names] for lang in langs]))
    series = [{"name": n, "x": list(langs), "y": [_r(p["premium"][n][lang]) for lang in langs]} for n in names]
    return {
        "id": "parity",
        "title": "Parity across languages",
        "description": (
            f"On {p['segments']} aligned segments of parallel text per language. Premium (Petrov et al. 2023, "
            "'Language Model Tokenizers Introduce Unfairness Between Languages'): tokens for a language divided by "
            f"tokens for the pivot ({p['pivot']}) on the same content; 1 = parity. Max/min ratio and Gini "
            "coefficient summarise the spread of per-language token counts (0 = equal)."
            + (" NSL (normalized sequence length; Indic and Assamese evaluations): tokens relative to the baseline "
               f"tokenizer ({p.get('nsl_baseline')}), per language." if p.get("nsl") else "")),
        "tables": tables,
        "plots": [_plot("grouped_bar", f"Tokenization premium relative to {p['pivot']}", "language", "premium",
                        series)],
    }


def _allocation(names, p) -> dict:
    langs = p["languages"]
    pivot = p["pivot"]
    cols = ["language"]
    for n in names:
        cols += [f"{n} vocab %", f"{n} avg rank", f"{n} chars/token", f"{n} Jaccard vs {pivot}"]
    rows = []
    for lang in langs:
        row = [lang]
        for n in names:
            a = p["allocation"][n][lang]
            key = "|".join(sorted((lang, pivot)))
            jac = 1.0 if lang == pivot else p["overlap"][n]["pairs"].get(key, {}).get("jaccard")
            row += [_pct(a["vocab_share"]), a["average_rank"], a["chars_per_token"], jac]
        rows.append(row)
    summary = [[n, p["overlap"][n]["mean_jaccard"], p["overlap"][n]["mean_jsd"]] for n in names]
    series = [{"name": n, "x": list(langs), "y": [_r(p["allocation"][n][lang]["average_rank"], 2) for lang in langs]}
              for n in names]
    return {
        "id": "allocation",
        "title": "Vocabulary allocation and overlap across languages",
        "description": (
            "Limisiewicz et al. (2023), 'Tokenization Impacts Multilingual Language Modeling': average rank (AR) "
            "= Σ rank(v)·p(v) with tokens ranked by their frequency in that language (higher = the language uses "
            "more of the vocabulary) and characters per token, per language; overlap between languages as the "
            "Jensen-Shannon divergence of their token distributions (0 = same, 1 = disjoint) and, added here, the "
            "Jaccard overlap of their used-token sets and the share of the vocabulary each language uses."),
        "tables": [_table("Allocation per language", cols, rows),
                   _table("Mean overlap over all language pairs", ["tokenizer", "mean Jaccard", "mean JSD"],
                          summary)],
        "plots": [_plot("grouped_bar", "Average rank per language", "language", "average rank", series)],
    }


def _lexical(names, m, report) -> dict:
    lang = report["corpus"]["lang"]
    rows = []
    for n in names:
        g = m[n].get("morphology_gold") or {}
        s = m[n].get("morphology_silver") or {}
        rows.append([n, m[n].get("lexicon"), _pct(m[n].get("valid_word_rate")),
                     _pct(m[n].get("valid_word_rate_weighted")), g.get("precision"), g.get("recall"), g.get("f1"),
                     _pct(g.get("pure")), g.get("words"), s.get("f1"), _pct(s.get("pure")), s.get("words")])
    notes = " ".join(report.get("notes") or [])
    return {
        "id": "lexical",
        "title": f"Linguistic alignment ({lang})",
        "description": (
            "%valid-word (%TR of Bayram et al. 2025, 'Tokenization Standards for Linguistic Integrity: Turkish as "
            "a Benchmark'): share of the distinct tokens used on the corpus (with a letter; leading space "
            "stripped) that the lexicon accepts as words; 'weighted' counts occurrences. Boundary precision / "
            "recall / F1 (morphological alignment, Uzan et al. 2024, 'Greed is All You Need'): word-internal token "
            "boundaries against hand-checked gold morpheme boundaries; %Pure: share of tokens that are exactly one "
            "morpheme. Silver: the same against zeyrek's analyses of the corpus's most frequent words (Turkish). "
            + notes).strip(),
        "tables": [_table("Valid words and morphological alignment",
                          ["tokenizer", "lexicon", "valid-word %", "valid-word % (weighted)", "gold boundary P",
                           "gold boundary R", "gold boundary F1", "gold %pure", "gold words", "silver F1",
                           "silver %pure", "silver words"], rows)],
        "plots": [_plot("bar", "Valid-word share of distinct tokens (%)", "tokenizer", "%",
                        [{"name": "valid-word %", "x": list(names), "y": [r[2] for r in rows]}])],
    }
