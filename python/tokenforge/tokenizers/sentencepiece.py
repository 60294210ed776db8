"""A tokenizer imported from a SentencePiece `.model`: the pipeline of `Tokenizer`, with SentencePiece's rules.

Encoding runs natively: SP's normalizer (precompiled charsmap, whitespace rules; `NormStep::Spm`), then the model.
BPE: cuts where SP's BPE cannot merge across, then the char-level BPE encoder with SP's merge priority (piece score;
equal scores merge leftmost first), user-defined symbols frozen, byte fallback or a run of unknown characters as
one unknown id. Unigram: the lattice (`rust/src/lattice.rs`) with SP's scoring — f32 Viterbi over the whole
normalized text, unknown characters at `min_score - 10`, user-defined pieces at `len * max_score - 0.1`, control
and unused pieces never matched, byte fallback or a run of unknown characters as one unknown id.
Decoding follows SP's decoder: `▁` becomes a space, the dummy prefix is dropped, control ids are invisible, unknown
ids read as the unknown surface (" ⁇ "), and byte pieces are joined and decoded, each invalid byte as U+FFFD.
"""

from __future__ import annotations

import os
import re
import struct
from typing import Optional, Sequence, Union

from .. import _core
from ..errors import DecodeError, UnsupportedFeatureError
from ..formats.sentencepiece.model import (
    BYTE, CONTROL, NORMAL, TYPE_NAMES, UNKNOWN, UNUSED, USER_DEFINED, SentencePieceModel,
)
from ..models.bpe import BpeModel
from ..models.unigram import UnigramModel
from .compile import decode_overrides, model_index, native_args
from .tokenizer import Tokenizer

SPACE_SYMBOL = "\u2581"
# A non-space character followed by the space symbol: if no piece holds this, no merge crosses such a point.
_JOINS_BEFORE_SPACE = re.compile("[^\u2581]\u2581")


def f32(x: float) -> float:
    """`x` rounded to the nearest IEEE single (SentencePiece keeps scores and path sums as C++ floats)."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


FLT_MIN, FLT_MAX = 1.1754943508222875e-38, 3.4028234663852886e38


def sp_unigram_scores(spm: SentencePieceModel) -> tuple[float, float]:
    """(unknown score, max score) as SentencePiece's Unigram model computes them: over NORMAL pieces only, the
    minimum (from FLT_MAX) minus 10 and the maximum (from FLT_MIN, the smallest positive float), in f32."""
    lo, hi = FLT_MAX, FLT_MIN
    for p in spm.pieces:
        if p.type == NORMAL:
            lo, hi = min(lo, p.score), max(hi, p.score)
    return f32(lo - 10.0), hi


def byte_of_piece(piece: str) -> int:
    """The byte a byte-fallback piece `<0xXX>` stands for."""
    return int(piece[3:5], 16)


def decode_byte_run(run: "bytes | bytearray", errors: str = "replace") -> str:
    """Bytes of consecutive byte pieces as SentencePiece decodes them: character by character, each byte that does
    not start a valid UTF-8 character becoming one U+FFFD (Python's decoder would fold some runs into one)."""
    parts: list[str] = []
    i = 0
    while i < len(run):
        b = run[i]
        n = 1 if b < 0x80 else 2 if b & 0xE0 == 0xC0 else 3 if b & 0xF0 == 0xE0 else 4 if b & 0xF8 == 0xF0 else 0
        if n and i + n <= len(run):
            try:
                parts.append(bytes(run[i : i + n]).decode("utf-8"))
                i += n
                continue
            except UnicodeDecodeError:
                pass
        if errors == "strict":
            raise DecodeError(f"byte pieces are not valid UTF-8 at byte {i} of a run: {bytes(run[i:i + 4])!r}")
        if errors == "replace":
            parts.append("\ufffd")
        elif errors == "backslashreplace":
            parts.append(f"\\x{b:02x}")
        elif errors != "ignore":
            parts.append("\ufffd")
        i += 1
    return "".join(parts)


class SentencePieceTokenizer(Tokenizer):
    """A SentencePiece BPE model run by tokenforge, with ids identical to the `sentencepiece` library's.

    Control pieces (`<s>`, `</s>`) are special tokens, recognised in text only when a call allows them; unlike the
    default `Tokenizer` policy their presence in text is not an error (SentencePiece reads them as plain text).
    """

    def __init__(self, spm: SentencePieceModel, *, path: Optional[str] = None, name: Optional[str] = None,
                 method: Optional[str] = None, method_options: Optional[dict] = None):
        where = path or "<SentencePiece model>"
        ts = spm.trainer_spec
        if ts.model_type not in ("bpe", "unigram"):
            raise UnsupportedFeatureError(
                where, f"SentencePiece {ts.model_type} models are not supported yet (BPE and Unigram models are)")
        self.spm = spm
        self.path = path
        pieces = spm.pieces
        self.unk_id = next(i for i, p in enumerate(pieces) if p.type == UNKNOWN)
        specials = {p.piece: i for i, p in enumerate(pieces) if p.type == CONTROL}
        name = name or (os.path.basename(path) if path else None)
        if ts.model_type == "unigram":
            # Control, unused and unknown pieces are never matched in text; byte pieces only by byte fallback.
            model = UnigramModel(
                [(p.piece, p.score) for p in pieces], unk_id=self.unk_id, byte_fallback=ts.byte_fallback,
                unmatched=[i for i, p in enumerate(pieces) if p.type in (CONTROL, UNUSED, UNKNOWN)])
            super().__init__(model, pretokenizer=None, normalizer=None, special_tokens=specials, name=name,
                             method=method, method_options=method_options)
            return
        if method not in (None, "merge") or method_options:
            raise UnsupportedFeatureError(where, "SentencePiece BPE models run only SP's own merge order here")
        vocab: dict[bytes, int] = {}
        for i, p in enumerate(pieces):
            if p.type == UNUSED:
                raise UnsupportedFeatureError(where, f"piece {p.piece!r} (id {i}) is UNUSED; such pieces are not supported")
            if p.type in (NORMAL, USER_DEFINED):
                vocab[p.piece.encode("utf-8")] = i
        if ts.byte_fallback:
            for i, p in enumerate(pieces):
                if p.type == BYTE:
                    # A single-byte character that is a piece wins: SP only falls back to bytes for unknown ones.
                    vocab.setdefault(bytes([byte_of_piece(p.piece)]), i)
        for i, p in enumerate(pieces):
            if p.type == NORMAL:
                for ch in p.piece:
                    if ch.encode("utf-8") not in vocab:
                        raise UnsupportedFeatureError(
                            where, f"piece {p.piece!r} (id {i}) holds the character {ch!r}, which is not a piece itself; "
                            "such vocabularies are not supported")
        super().__init__(BpeModel(vocab, None, char_level=True), pretokenizer=None, normalizer=None,
                         special_tokens=specials, name=name)
        mergeable = [(i, p.score) for i, p in enumerate(pieces) if p.type in (NORMAL, USER_DEFINED)]
        rank_of_score = {s: r for r, s in enumerate(sorted({s for _, s in mergeable}, reverse=True))}
        self._piece_ranks = [(i, rank_of_score[s]) for i, s in mergeable]
        self._split_before_space = not any(
            _JOINS_BEFORE_SPACE.search(p.piece) for p in pieces if p.type in (NORMAL, USER_DEFINED))

    @property
    def is_unigram(self) -> bool:
        return self.spm.trainer_spec.model_type == "unigram"

    def with_method(self, name: str, **options) -> "SentencePieceTokenizer":
        """The same SentencePiece model (normalizer and decoder kept) segmenting with another method. Unigram
        models take every lattice method ("viterbi" is SP's own; "sample" with alpha, seed; "fewest", …); BPE
        models only their merge order."""
        return SentencePieceTokenizer(self.spm, path=self.path, name=self.name, method=name, method_options=options)

    # -- compilation -------------------------------------------------------------------------------------------

    @property
    def _core(self) -> "_core.CoreTokenizer":
        if self._native is None and self.is_unigram:
            self._native = self._compile_unigram()
        if self._native is None:
            args = self._spm_args(piece_ranks=self._piece_ranks,
                                  unk_id=None if self.spm.trainer_spec.byte_fallback else self.unk_id,
                                  split_before_space=self._split_before_space)
            specials = [(t, i, False) for t, i in self.special_tokens.items()]
            self._native = _core.CoreTokenizer(
                list(self.model.vocab.items()), None, False, "whole", None, False, [], specials,
                char_level=True, spm=args,
            )
        return self._native

    def _spm_args(self, **model_args) -> dict:
        ns, ts = self.spm.normalizer_spec, self.spm.trainer_spec
        return {
            "charsmap": ns.precompiled_charsmap,
            "add_dummy_prefix": ns.add_dummy_prefix,
            "remove_extra_whitespaces": ns.remove_extra_whitespaces,
            "escape_whitespaces": ns.escape_whitespaces,
            "treat_whitespace_as_suffix": ts.treat_whitespace_as_suffix,
            "user_defined": [(p.piece, i) for i, p in enumerate(self.spm.pieces) if p.type == USER_DEFINED],
            **model_args,
        }

    def _compile_unigram(self) -> "_core.CoreTokenizer":
        """The lattice with SentencePiece's scoring (see `SpScoring` in rust/src/lattice.rs) behind SP's
        normalizer; the whole normalized text is one lattice, as in SP."""
        model = self.model
        unk_score, max_score = sp_unigram_scores(self.spm)
        user_defined = [i for i, p in enumerate(self.spm.pieces) if p.type == USER_DEFINED]
        kwargs = native_args(model, self.method, self.method_options, sp=(unk_score, max_score, user_defined))
        args = self._spm_args(piece_ranks=[], unk_id=None, split_before_space=False)
        specials = [(t, i, False) for t, i in self.special_tokens.items()]
        return _core.CoreTokenizer(
            model_index(model), None, False, "whole", None, False, [], specials,
            lattice=kwargs["lattice"], seed=kwargs["seed"], decode=decode_overrides(model), spm=args,
        )

    def _special_args(self, text_or_texts, allowed_special, disallowed_special):
        # SentencePiece reads control pieces in text as plain text, so none is ever "disallowed".
        return super()._special_args(text_or_texts, allowed_special, ())

    def normalize(self, text: str) -> str:
        """The text SentencePiece's model sees (dummy prefix, `▁` for spaces, charsmap rules applied)."""
        return "".join(self._core.pretokenize(text))

    # -- decoding ----------------------------------------------------------------------------------------------

    def decode(self, ids: Sequence[int], errors: str = "replace") -> str:
        """Text of `ids`, as SentencePiece decodes them. `errors` applies to byte pieces that are not UTF-8:
        "replace" (SP's behaviour: one U+FFFD per bad byte), "strict" (raises `DecodeError`), "ignore"."""
        pieces = self.spm.pieces
        ns = self.spm.normalizer_spec
        strip_prefix = ns.add_dummy_prefix or ns.remove_extra_whitespaces
        unk_surface = self.spm.trainer_spec.unk_surface
        out: list[str] = []
        has_text = False
        run = bytearray()
        is_bos_ws, bos_ws_seen = True, False
        for i in ids:
            if not isinstance(i, int) or not 0 <= i < len(pieces):
                raise DecodeError(f"token id {i!r} is not in the vocabulary")
            p = pieces[i]
            if p.type == BYTE:
                run.append(byte_of_piece(p.piece))
                continue
            if run:
                text = decode_byte_run(run, errors)
                out.append(text)
                has_text = has_text or bool(text)
                run.clear()
            if bos_ws_seen or has_text:
                is_bos_ws = False
            if p.type == CONTROL:
                text, bos_ws_seen = "", False
            elif p.type == UNKNOWN:
                text, bos_ws_seen = unk_surface, False
            else:
                piece = p.piece
                bos_ws_seen = False
                if is_bos_ws and strip_prefix and piece.startswith(SPACE_SYMBOL):
                    piece = piece[1:]
                    bos_ws_seen = not ns.remove_extra_whitespaces
                text = piece.replace(SPACE_SYMBOL, " ")
            out.append(text)
            has_text = has_text or bool(text)
        if run:
            out.append(decode_byte_run(run, errors))
        return "".join(out)

    def decode_bytes(self, ids: Sequence[int]) -> bytes:
        return self.decode(ids).encode("utf-8")

    # -- vocabulary --------------------------------------------------------------------------------------------

    @property
    def vocab_size(self) -> int:
        return len(self.spm.pieces)

    def id_to_bytes(self, i: int) -> bytes:
        """The piece's bytes: a byte piece's byte, otherwise the piece's UTF-8 text (with `▁`)."""
        if not 0 <= i < len(self.spm.pieces):
            raise DecodeError(f"token id {i} is not in the vocabulary")
        p = self.spm.pieces[i]
        return bytes([byte_of_piece(p.piece)]) if p.type == BYTE else p.piece.encode("utf-8")

    def id_to_token(self, i: int) -> Optional[str]:
        """The piece as SentencePiece spells it ('▁the', '<0x0A>', '<s>')."""
        return self.spm.pieces[i].piece if 0 <= i < len(self.spm.pieces) else None

    def token_to_id(self, token: Union[str, bytes]) -> Optional[int]:
        if isinstance(token, bytes):
            token = token.decode("utf-8", "replace")
        if not hasattr(self, "_piece_ids"):
            self._piece_ids = {p.piece: i for i, p in enumerate(self.spm.pieces)}
        return self._piece_ids.get(token)

    def inspect_info(self) -> dict:
        """What `tokenforge inspect` shows for an imported SentencePiece model."""
        ts, ns = self.spm.trainer_spec, self.spm.normalizer_spec
        counts: dict[str, int] = {}
        for p in self.spm.pieces:
            counts[TYPE_NAMES[p.type]] = counts.get(TYPE_NAMES[p.type], 0) + 1
        return {
            "model": f"SentencePiece {ts.model_type.upper()} ("
                     + ("Viterbi, " if self.is_unigram else "char-level, ")
                     + ("byte fallback" if ts.byte_fallback else "unknown id for unknown characters") + ")",
            "piece_types": counts,
            "normalizer": [f"sentencepiece:{ns.name or 'custom'}"]
                          + (["add_dummy_prefix"] if ns.add_dummy_prefix else [])
                          + (["remove_extra_whitespaces"] if ns.remove_extra_whitespaces else [])
                          + (["escape_whitespaces"] if ns.escape_whitespaces else []),
            "merges": None,
            "trainer_spec": {k: getattr(ts, k) for k in (
                "model_type", "vocab_size", "byte_fallback", "unk_id", "bos_id", "eos_id", "pad_id",
                "split_by_whitespace", "split_digits", "treat_whitespace_as_suffix", "allow_whitespace_only_pieces",
                "user_defined_symbols", "control_symbols")},
        }

    # -- files -------------------------------------------------------------------------------------------------

    def check_savable(self, path: str, format: Optional[str]) -> None:
        """Called by `save`: refuses, as no writable format reproduces SP's normalizer and decoder exactly."""
        raise UnsupportedFeatureError(
            path, "a tokenizer imported from a SentencePiece .model cannot be written to another format yet "
            "(its normalizer and decoder have no exact tokenizer.json / tiktoken equivalent here); "
            "keep using the .model file")
