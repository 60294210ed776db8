"""Small real models of every kind for the lattice tests, built here from the bundled English UDHR sample.

Unigram and WordPiece vocabularies are trained with HF `tokenizers` (the reference implementation), BPE ones with
tokenforge's trainer (tested against HF elsewhere); each is loaded through the tokenizer.json import.
"""

from __future__ import annotations

import functools
import json

import tokenforge
from tokenforge.models.unigram import UnigramModel

from conftest import ROOT
from tokenforge.corpus import Texts

UDHR_EN = (ROOT / "examples" / "udhr-en.txt").read_text(encoding="utf-8")


def _hf_tokenizer(kind: str, vocab_size: int, pre: str):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    pre_tok = {"whitespace": pre_tokenizers.Whitespace(), "bert": pre_tokenizers.BertPreTokenizer()}[pre]
    lines = UDHR_EN.splitlines()
    if kind == "unigram":
        tok = Tokenizer(models.Unigram())
        trainer = trainers.UnigramTrainer(vocab_size=vocab_size, unk_token="<unk>", special_tokens=["<unk>"])
    else:
        tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=["[UNK]"])
    tok.pre_tokenizer = pre_tok
    tok.train_from_iterator(lines, trainer)
    return tok


def with_byte_pieces(hf_json: str) -> str:
    """An HF Unigram file with the 256 `<0xXX>` pieces appended and byte_fallback on (what SentencePiece-converted
    files look like); `tokenizers` loads it and is the reference for it too."""
    obj = json.loads(hf_json)
    vocab = obj["model"]["vocab"]
    low = min(s for _, s in vocab)
    vocab.extend([f"<0x{b:02X}>", low - 1.0] for b in range(256))
    obj["model"]["byte_fallback"] = True
    return json.dumps(obj)


@functools.lru_cache(maxsize=None)
def hf_files(tmp: str) -> dict[str, str]:
    """Paths of tokenizer.json files written under `tmp`: unigram, unigram_bytes, wordpiece."""
    import os

    uni = _hf_tokenizer("unigram", 300, "whitespace").to_str()
    wp = _hf_tokenizer("wordpiece", 400, "bert").to_str()
    out = {}
    for name, text in (("unigram", uni), ("unigram_bytes", with_byte_pieces(uni)), ("wordpiece", wp)):
        path = os.path.join(tmp, f"{name}.json")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        out[name] = path
    return out


@functools.lru_cache(maxsize=None)
def bpe_models() -> dict[str, tokenforge.Tokenizer]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        byte_level = tokenforge.train(Texts(UDHR_EN.splitlines()), vocab_size=400, pattern="o200k")
        char_level = tokenforge.train(Texts(UDHR_EN.splitlines()), vocab_size=400, pattern="o200k", byte_level=False)
    return {"bpe_bytes": byte_level, "bpe_chars": char_level}


def all_models(tmp: str) -> dict[str, tokenforge.Tokenizer]:
    models = dict(bpe_models())
    for name, path in hf_files(tmp).items():
        models[name] = tokenforge.load(path)
    return models


def unigram_without_unk(tok: tokenforge.Tokenizer) -> tokenforge.Tokenizer:
    """The same pieces with neither an unknown piece nor byte fallback: uncovered characters are an error."""
    m = tok.model
    return tokenforge.Tokenizer(UnigramModel(m.pieces, None, False), pretokenizer=tok.pretokenizer)
