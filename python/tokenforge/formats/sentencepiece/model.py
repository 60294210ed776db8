"""SentencePiece `.model` files: the serialized ModelProto, read with `protobuf_wire` (no protobuf or sentencepiece
library) and checked for what the importer supports; read.py turns it into a `SentencePieceTokenizer` that encodes
exactly as the `sentencepiece` library does.

Field numbers follow sentencepiece_model.proto; fields not listed here are skipped. Absent fields take the proto's
defaults (e.g. `add_dummy_prefix`, `remove_extra_whitespaces` and `escape_whitespaces` default to true).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ...errors import FormatError, UnsupportedFeatureError
from .protobuf_wire import WireReader

# SentencePiece.Type
NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6
TYPE_NAMES = {NORMAL: "NORMAL", UNKNOWN: "UNKNOWN", CONTROL: "CONTROL", USER_DEFINED: "USER_DEFINED",
              UNUSED: "UNUSED", BYTE: "BYTE"}
# TrainerSpec.ModelType
MODEL_TYPES = {1: "unigram", 2: "bpe", 3: "word", 4: "char"}


@dataclass(frozen=True)
class Piece:
    piece: str
    score: float
    type: int = NORMAL


@dataclass
class TrainerSpec:
    model_type: str = "unigram"
    vocab_size: int = 8000
    byte_fallback: bool = False
    unk_id: int = 0
    bos_id: int = 1
    eos_id: int = 2
    pad_id: int = -1
    unk_piece: str = "<unk>"
    bos_piece: str = "<s>"
    eos_piece: str = "</s>"
    pad_piece: str = "<pad>"
    unk_surface: str = " \u2047 "
    split_by_whitespace: bool = True
    split_by_unicode_script: bool = True
    split_by_number: bool = True
    split_digits: bool = False
    treat_whitespace_as_suffix: bool = False
    allow_whitespace_only_pieces: bool = False
    max_sentencepiece_length: int = 16
    control_symbols: list[str] = field(default_factory=list)
    user_defined_symbols: list[str] = field(default_factory=list)


@dataclass
class NormalizerSpec:
    name: str = ""
    precompiled_charsmap: bytes = b""
    add_dummy_prefix: bool = True
    remove_extra_whitespaces: bool = True
    escape_whitespaces: bool = True
    normalization_rule_tsv: str = ""


@dataclass
class SentencePieceModel:
    """The parts of a ModelProto that define how text is encoded and decoded."""

    pieces: list[Piece]
    trainer_spec: TrainerSpec
    normalizer_spec: NormalizerSpec
    denormalizer_spec: Optional[NormalizerSpec] = None


# field number -> (attribute, kind) for the scalar fields we read
_TRAINER_FIELDS = {
    3: ("model_type", "enum"), 4: ("vocab_size", "int32"), 35: ("byte_fallback", "bool"),
    40: ("unk_id", "int32"), 41: ("bos_id", "int32"), 42: ("eos_id", "int32"), 43: ("pad_id", "int32"),
    45: ("unk_piece", "str"), 46: ("bos_piece", "str"), 47: ("eos_piece", "str"), 48: ("pad_piece", "str"),
    44: ("unk_surface", "str"), 22: ("split_by_whitespace", "bool"), 21: ("split_by_unicode_script", "bool"),
    23: ("split_by_number", "bool"), 25: ("split_digits", "bool"), 24: ("treat_whitespace_as_suffix", "bool"),
    26: ("allow_whitespace_only_pieces", "bool"), 20: ("max_sentencepiece_length", "int32"),
    30: ("control_symbols", "str_list"), 31: ("user_defined_symbols", "str_list"),
}
_NORMALIZER_FIELDS = {
    1: ("name", "str"), 2: ("precompiled_charsmap", "bytes"), 3: ("add_dummy_prefix", "bool"),
    4: ("remove_extra_whitespaces", "bool"), 5: ("escape_whitespaces", "bool"), 6: ("normalization_rule_tsv", "str"),
}


def _read_scalars(reader: WireReader, target, table: dict) -> None:
    for f in reader.fields():
        spec = table.get(f.number)
        if spec is None:
            continue  # a field we do not need (or a newer one): skipped, as protobuf does
        name, kind = spec
        if kind == "bool":
            setattr(target, name, reader.as_bool(f))
        elif kind == "int32":
            setattr(target, name, reader.as_int32(f))
        elif kind == "str":
            setattr(target, name, reader.as_str(f))
        elif kind == "bytes":
            setattr(target, name, reader.as_bytes(f))
        elif kind == "str_list":
            getattr(target, name).append(reader.as_str(f))
        elif kind == "enum":
            value = reader.as_int(f)
            if value not in MODEL_TYPES:
                raise FormatError(reader.path, f"corrupt protobuf at byte offset {f.offset}: unknown model_type {value}")
            setattr(target, name, MODEL_TYPES[value])


def _read_piece(reader: WireReader) -> Piece:
    text, score, kind = None, 0.0, NORMAL
    for f in reader.fields():
        if f.number == 1:
            text = reader.as_str(f)
        elif f.number == 2:
            score = reader.as_float(f)
        elif f.number == 3:
            kind = reader.as_int(f)
            if kind not in TYPE_NAMES:
                raise FormatError(reader.path, f"corrupt protobuf at byte offset {f.offset}: unknown piece type {kind}")
    if text is None:
        raise FormatError(reader.path, f"piece at byte offset {reader.base} has no text")
    return Piece(text, score, kind)


def parse_model(path: str, data: bytes) -> SentencePieceModel:
    """Parses a serialized ModelProto. Truncated or corrupt input raises `FormatError` naming the byte offset."""
    top = WireReader(path, data)
    pieces: list[Piece] = []
    trainer = TrainerSpec()
    normalizer = NormalizerSpec()
    denormalizer: Optional[NormalizerSpec] = None
    for f in top.fields():
        if f.number == 1:
            pieces.append(_read_piece(top.sub(f)))
        elif f.number == 2:
            _read_scalars(top.sub(f), trainer, _TRAINER_FIELDS)
        elif f.number == 3:
            _read_scalars(top.sub(f), normalizer, _NORMALIZER_FIELDS)
        elif f.number == 5:
            denormalizer = NormalizerSpec()
            _read_scalars(top.sub(f), denormalizer, _NORMALIZER_FIELDS)
    if not pieces:
        raise FormatError(path, "SentencePiece model has no pieces")
    return SentencePieceModel(pieces, trainer, normalizer, denormalizer)


def validate(path: str, model: SentencePieceModel) -> None:
    """Refuses what SentencePiece itself refuses (duplicate pieces, empty pieces, byte pieces without byte
    fallback, no unknown piece) and what this importer does not implement, naming the piece."""
    seen: dict[str, int] = {}
    unknowns = [i for i, p in enumerate(model.pieces) if p.type == UNKNOWN]
    for i, p in enumerate(model.pieces):
        if not p.piece:
            raise FormatError(path, f"piece {i} is empty")
        if p.piece in seen:
            raise FormatError(path, f"piece {p.piece!r} is defined twice (ids {seen[p.piece]} and {i})")
        seen[p.piece] = i
        if p.type == BYTE and not model.trainer_spec.byte_fallback:
            raise FormatError(path, f"byte piece {p.piece!r} (id {i}) in a model without byte_fallback")
    if len(unknowns) != 1:
        raise FormatError(path, f"a SentencePiece model needs exactly one UNKNOWN piece, this one has {len(unknowns)}")
    if model.trainer_spec.byte_fallback:
        missing = [b for b in range(256) if f"<0x{b:02X}>" not in seen]
        if missing:
            raise FormatError(path, f"byte_fallback is set but the byte piece <0x{missing[0]:02X}> is missing")
    if model.denormalizer_spec is not None and model.denormalizer_spec.precompiled_charsmap:
        raise UnsupportedFeatureError(path, "the model has a denormalizer (decode-time rules); not supported")
    if model.normalizer_spec.normalization_rule_tsv and not model.normalizer_spec.precompiled_charsmap:
        raise UnsupportedFeatureError(path, "normalization rules given only as TSV (not precompiled); not supported")
