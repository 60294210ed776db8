"""Morphological alignment: boundary precision / recall / F1 against gold segmentations, and %Pure.

Boundary P/R/F1 is the morphological-alignment measure of Uzan et al. (2024), "Greed is All You Need: An
Evaluation of Tokenizer Inference Methods": the word-internal token boundaries are compared with the gold morpheme
boundaries, micro-averaged over words. %Pure (Bayram et al. 2025, "Tokenization Standards for Linguistic Integrity:
Turkish as a Benchmark") is the share of a word's tokens that are exactly one morpheme (a root or an affix), i.e.
whose span starts and ends on morpheme boundaries with none inside.

Words are tokenized on their own with a leading space (`prefix`), as a word appears in running text for the
GPT-style byte-level tokenizers; the prefix is then dropped. Offsets are UTF-8 byte offsets in the word, so a cut
inside a character is a boundary that matches no morpheme boundary.
"""

from __future__ import annotations

import logging
import os
from typing import Mapping, Optional, Sequence

from ..errors import ConfigError, MissingDependencyError
from ._util import ratio
from .surface import align

GOLD_DIR = os.path.join(os.path.dirname(__file__), "gold")


def spans(pieces: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) UTF-8 byte spans of consecutive pieces."""
    out, pos = [], 0
    for p in pieces:
        n = len(p.encode("utf-8"))
        out.append((pos, pos + n))
        pos += n
    return out


def internal_boundaries(piece_spans: Sequence[tuple[int, int]]) -> set[int]:
    """The offsets between consecutive pieces (neither 0 nor the word's end)."""
    if not piece_spans:
        return set()
    end = piece_spans[-1][1]
    return {e for _, e in piece_spans if 0 < e < end}


def boundary_prf(predicted: Sequence[set[int]], gold: Sequence[set[int]]) -> dict[str, Optional[float]]:
    """Micro-averaged boundary precision, recall and F1 over words (predicted[i] against gold[i])."""
    if len(predicted) != len(gold):
        raise ConfigError(f"{len(predicted)} predicted segmentations vs {len(gold)} gold ones")
    tp = n_pred = n_gold = 0
    for p, g in zip(predicted, gold):
        tp += len(p & g)
        n_pred += len(p)
        n_gold += len(g)
    precision = ratio(tp, n_pred)
    recall = ratio(tp, n_gold)
    f1 = None
    if precision is not None and recall is not None:
        f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    return {"precision": precision, "recall": recall, "f1": f1}


def pure_rate(predicted: Sequence[Sequence[tuple[int, int]]], gold: Sequence[Sequence[tuple[int, int]]],
              weights: Optional[Sequence[int]] = None) -> Optional[float]:
    """Share of predicted token spans that equal one gold morpheme span (weighted by word counts if given)."""
    if len(predicted) != len(gold):
        raise ConfigError(f"{len(predicted)} predicted segmentations vs {len(gold)} gold ones")
    total = hit = 0
    for k, (p, g) in enumerate(zip(predicted, gold)):
        w = 1 if weights is None else weights[k]
        morphemes = set(g)
        total += w * len(p)
        hit += w * sum(1 for s in p if s in morphemes)
    return ratio(hit, total)


def tokenize_words(tokenizer, words: Sequence[str], prefix: str = " ") -> list[Optional[list[tuple[int, int]]]]:
    """Byte spans of each word's tokens within the word (tokenized as prefix + word, prefix dropped; the first
    token's span is clipped at 0; token surfaces as `surface.align` reads them). None for a word whose tokens do not
    spell it back (e.g. a normalizer changed it)."""
    skip = len(prefix.encode("utf-8"))
    encoded = tokenizer.encode_batch([prefix + w for w in words], disallowed_special=())
    out: list[Optional[list[tuple[int, int]]]] = []
    for w, ids in zip(words, encoded):
        pieces = align([tokenizer.id_to_bytes(i) for i in ids], prefix + w)
        if pieces is None:
            out.append(None)
            continue
        result, pos = [], -skip
        for p in pieces:
            start, pos = pos, pos + len(p)
            if pos > 0:
                result.append((max(start, 0), pos))
        out.append(result)
    return out


def load_gold(lang: str) -> dict[str, list[str]]:
    """The shipped hand-checked gold segmentations of `lang` ("en" or "tr"): {word: [morpheme, ...]}."""
    path = os.path.join(GOLD_DIR, f"{lang}.tsv")
    if not os.path.isfile(path):
        available = sorted(f[:-4] for f in os.listdir(GOLD_DIR) if f.endswith(".tsv"))
        raise ConfigError(f"no gold segmentation set for language {lang!r} (have: {', '.join(available)})")
    return read_gold(path)


def read_gold(path: str) -> dict[str, list[str]]:
    """Reads `word<TAB>morph morph ...` lines ('#' starts a comment); the morphemes must spell the word."""
    out: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split("\t")
            if len(parts) != 2:
                raise ConfigError(f"{path}:{n}: expected 'word<TAB>morphemes', got {line!r}")
            word, morphs = parts[0].strip(), parts[1].split()
            if "".join(morphs) != word:
                raise ConfigError(f"{path}:{n}: morphemes {morphs} do not spell {word!r}")
            out[word] = morphs
    return out


class ZeyrekSegmenter:
    """Silver Turkish morpheme segmentation from the `zeyrek` analyser (first analysis; surface forms of its
    morphemes). Returns None for words it cannot analyse or whose morphemes do not spell the word."""

    def __init__(self):
        try:
            import zeyrek
        except ImportError:
            raise MissingDependencyError("Turkish segmentation needs the 'zeyrek' package: "
                                         "pip install 'tokenforge[eval]'") from None
        # zeyrek logs every analysis it finds at WARNING level; keep it quiet.
        for name in ["zeyrek", *list(logging.root.manager.loggerDict)]:
            if name.startswith("zeyrek"):
                logging.getLogger(name).setLevel(logging.ERROR)
        self._analyzer = zeyrek.MorphAnalyzer()
        self._cache: dict[str, Optional[list[str]]] = {}

    def __call__(self, word: str) -> Optional[list[str]]:
        if word in self._cache:
            return self._cache[word]
        result = None
        try:
            analyses = self._analyzer._parse(word)
        except Exception:
            analyses = []
        if analyses:
            morphs = [surface for _, surface in analyses[0].morphemes if surface]
            if "".join(morphs) == word.lower() or "".join(morphs) == word:
                # keep the word's own casing: cut it at the same lengths
                result, pos = [], 0
                for m in morphs:
                    result.append(word[pos:pos + len(m)])
                    pos += len(m)
        self._cache[word] = result
        return result


def evaluate_segmentations(tokenizer, gold: Mapping[str, Sequence[str]], weights: Optional[Mapping[str, int]] = None,
                           prefix: str = " ") -> dict[str, Optional[float]]:
    """Boundary P/R/F1 and %Pure of `tokenizer` on gold segmentations {word: morphemes}; `words` counts how many
    words could be compared."""
    words = list(gold)
    tokenized = tokenize_words(tokenizer, words, prefix)
    pred_spans, gold_spans, w = [], [], []
    for word, toks in zip(words, tokenized):
        if toks is None:
            continue
        pred_spans.append(toks)
        gold_spans.append(spans(gold[word]))
        w.append(1 if weights is None else weights.get(word, 1))
    prf = boundary_prf([internal_boundaries(p) for p in pred_spans], [internal_boundaries(g) for g in gold_spans])
    return {**prf, "pure": pure_rate(pred_spans, gold_spans, w), "words": len(pred_spans)}
