"""The tokenizer pipeline: normalizer -> pre-tokenizer -> model -> decoder, plus special tokens.

The object holds the readable description; the encode/decode hot path runs in the native core, compiled from it on
first use.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, AbstractSet, Collection, Iterable, Literal, Optional, Sequence, Union

from .. import _core
from ..errors import ConfigError, DecodeError, DisallowedSpecialTokenError
from ..formats.writing import save as save_file
from ..models.bpe import BpeModel
from ..models.methods import resolve_method
from ..pipeline.byte_level import decode_string, encode_bytes
from ..pipeline.normalizers import Normalizer
from ..pipeline.pretokenizers import PreTokenizer
from ..pipeline.special import SpecialPolicy
from .compile import decode_overrides, model_index, native_args

if TYPE_CHECKING:  # annotations only
    import numpy

    from ..models.unigram import UnigramModel
    from ..models.wordpiece import WordPieceModel

AllowedSpecial = Union[Literal["all"], AbstractSet[str], Collection[str]]
DisallowedSpecial = Union[Literal["all"], Collection[str]]


def _fix_surrogates(text: str) -> str:
    """Lone surrogates cannot be UTF-8: replace them with U+FFFD, as tiktoken does."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


class Tokenizer:
    """A tokenizer pipeline over any model (BPE, Unigram, WordPiece) and inference method.

    `method` (default: the model's own — merge, viterbi, longest_prefix) and `method_options` choose how pieces
    are segmented; `with_method` gives the same tokenizer with another method (see docs/models.md).

    `special_tokens` are recognised in text only when a call allows them (tiktoken's policy: by default their
    presence raises `DisallowedSpecialTokenError`). `added_tokens` (HF's non-special added tokens, e.g. `<think>`)
    are always recognised, as HF does.
    """

    def __init__(
        self,
        model: "BpeModel | UnigramModel | WordPieceModel",
        *,
        pretokenizer: "str | PreTokenizer | None" = "o200k",
        normalizer: "str | Sequence[str] | Normalizer | None" = None,
        special_tokens: Optional[dict[str, int]] = None,
        added_tokens: Optional[dict[str, int]] = None,
        name: Optional[str] = None,
        method: Optional[str] = None,
        method_options: Optional[dict] = None,
    ):
        self.model = model
        self.method: str = method or model.default_method
        self.method_options: dict = resolve_method(model, self.method, dict(method_options or {}))
        self.pretokenizer = PreTokenizer.from_spec(pretokenizer)
        self.normalizer = Normalizer.from_spec(normalizer)
        self.special_tokens: dict[str, int] = dict(special_tokens or {})
        self.added_tokens: dict[str, int] = dict(added_tokens or {})
        self.name = name
        # How the tokenizer was trained (set by `tokenforge.train`, kept by the tokenforge file format).
        self.training: Optional[dict] = None
        overlap = set(self.special_tokens) & set(self.added_tokens)
        if overlap:
            raise ConfigError(f"tokens listed both as special and as added: {sorted(overlap)}")
        for text, i in {**self.special_tokens, **self.added_tokens}.items():
            existing = model.id_to_bytes(i)
            if existing is not None and existing != text.encode("utf-8"):
                raise ConfigError(f"special token {text!r} has id {i}, which the vocabulary gives to {existing!r}")
        self._policy = SpecialPolicy(list(self.special_tokens))
        self._native: Optional[_core.CoreTokenizer] = None

    # -- compilation -------------------------------------------------------------------------------------------

    @property
    def _core(self) -> "_core.CoreTokenizer":
        if self._native is None:
            kind, pattern, emit_gaps = self.pretokenizer.native_args()
            specials = [(t, i, False) for t, i in self.special_tokens.items()]
            specials += [(t, i, True) for t, i in self.added_tokens.items()]
            model = self.model
            is_bpe = model.kind == "bpe"
            extra = {}
            if not (is_bpe and self.method == "merge" and self.method_options.get("dropout") is None):
                extra = native_args(model, self.method, self.method_options)
            if not is_bpe:
                extra["decode"] = decode_overrides(model)
            if model.kind == "wordpiece":
                extra["space_before"] = model.word_start_ids() + [i for _, i, _ in specials]
            self._native = _core.CoreTokenizer(
                model_index(model),
                model.merges if is_bpe else [],
                model.whole_piece_first if is_bpe else False,
                kind,
                pattern,
                emit_gaps,
                list(self.normalizer.steps),
                specials,
                char_level=model.char_level if is_bpe else False,
                **extra,
                supermerges=getattr(model, "supermerges", None),  # BoundlessBPE (models/boundless.py)
            )
        return self._native

    # -- inference methods -------------------------------------------------------------------------------------

    def with_method(self, name: str, **options) -> "Tokenizer":
        """The same tokenizer (vocabulary, pre-tokenizer, normalizer, special tokens) segmenting with another
        method: "merge" (options dropout, seed), "longest_prefix", "longest_suffix", "longest_token", "fewest"
        (tie_break="longest"|"random", seed), "viterbi", "sample" (alpha, seed). A method the model does not
        define raises `ConfigError` saying why."""
        tok = Tokenizer(
            self.model,
            pretokenizer=self.pretokenizer,
            normalizer=self.normalizer,
            special_tokens=self.special_tokens,
            added_tokens=self.added_tokens,
            name=self.name,
            method=name,
            method_options=options,
        )
        tok.training = self.training
        return tok

    def encode_nbest(self, text: str, k: int) -> list[tuple[list[int], float]]:
        """The `k` best segmentations of `text` by total Unigram score, best first, as (ids, score); special
        tokens are not recognised. `ConfigError` for models without scores."""
        if self.model.kind != "unigram":
            raise ConfigError(f"n-best needs token scores, which only Unigram models have (this is a {self.model.kind} model)")
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 1024:
            raise ConfigError(f"k must be an integer in 1..1024, got {k!r}")
        try:
            return [(list(ids), score) for ids, score in self._core.nbest(text, k)]
        except UnicodeEncodeError:
            return [(list(ids), score) for ids, score in self._core.nbest(_fix_surrogates(text), k)]

    # -- encoding ----------------------------------------------------------------------------------------------

    def _special_args(self, text_or_texts, allowed_special, disallowed_special) -> tuple[Optional[list[bool]], bool]:
        mask, allow_all, disallowed = self._policy.resolve(allowed_special, disallowed_special)
        if disallowed:
            core = self._core
            texts = [text_or_texts] if isinstance(text_or_texts, str) else text_or_texts
            for text in texts:
                mask_ex = self._policy.mask_excluding(disallowed)
                try:
                    found = core.find_disallowed(text, mask_ex, False)
                except UnicodeEncodeError:
                    found = core.find_disallowed(_fix_surrogates(text), mask_ex, False)
                if found is not None:
                    position, token = found
                    raise DisallowedSpecialTokenError(token, position)
        return mask, allow_all

    def encode(
        self,
        text: str,
        *,
        allowed_special: AllowedSpecial = frozenset(),
        disallowed_special: DisallowedSpecial = "all",
    ) -> list[int]:
        """Token ids of `text`. Special tokens follow tiktoken's allowed/disallowed policy."""
        mask, allow_all = self._special_args(text, allowed_special, disallowed_special)
        try:
            return self._core.encode(text, mask, allow_all)
        except UnicodeEncodeError:
            return self._core.encode(_fix_surrogates(text), mask, allow_all)

    def encode_ordinary(self, text: str) -> list[int]:
        """Token ids of `text` with no special token recognised (added tokens still are)."""
        return self.encode(text, disallowed_special=())

    def _batch_call(self, native, texts: Iterable[str], allowed_special, disallowed_special, **options):
        """A native batch method over `texts` under the special-token policy (lone surrogates escaped first)."""
        texts = list(texts)
        mask, allow_all = self._special_args(texts, allowed_special, disallowed_special)
        try:
            return native(texts, mask, allow_all, **options)
        except UnicodeEncodeError:
            return native([_fix_surrogates(t) for t in texts], mask, allow_all, **options)

    def encode_batch(
        self,
        texts: Iterable[str],
        *,
        allowed_special: AllowedSpecial = frozenset(),
        disallowed_special: DisallowedSpecial = "all",
    ) -> list[list[int]]:
        """`encode` over many texts, in parallel on all cores with the GIL released."""
        return self._batch_call(self._core.encode_batch, texts, allowed_special, disallowed_special)

    def count(self, text: str, *, allowed_special: AllowedSpecial = frozenset(), disallowed_special: DisallowedSpecial = "all") -> int:
        """Number of tokens `encode` would return, without building the list."""
        return self.count_batch([text], allowed_special=allowed_special, disallowed_special=disallowed_special)[0]

    def count_batch(
        self,
        texts: Iterable[str],
        *,
        allowed_special: AllowedSpecial = frozenset(),
        disallowed_special: DisallowedSpecial = "all",
    ) -> list[int]:
        return self._batch_call(self._core.count_batch, texts, allowed_special, disallowed_special)

    def id_histogram(
        self,
        texts: Iterable[str],
        *,
        allowed_special: AllowedSpecial = frozenset(),
        disallowed_special: DisallowedSpecial = "all",
        units: str = "records",
        piece_chars: int = 1 << 16,
        out: "Optional[numpy.ndarray]" = None,
    ) -> "numpy.ndarray":
        """Occurrences of each id over all `texts` (a uint64 array, index = id): what `encode_batch` would give,
        counted natively without building the id lists (the evaluation scan only needs the counts). `units`:
        "records" encodes each text; "lines" each "\\n"-terminated line of each text; "running" each text as
        running text, in `evaluation.scan.running_pieces` of about `piece_chars` characters. With `out` (a
        writable uint64 array of at least `vocab_size` entries) the counts are added into it, which is returned."""
        import numpy

        raw = self._batch_call(self._core.histogram_batch, texts, allowed_special, disallowed_special, units=units,
                               piece_chars=piece_chars, out=out)
        return out if out is not None else numpy.frombuffer(raw, dtype="<u8")

    def word_token_counts(self, tally, n: int, prefix: str = " ") -> tuple["numpy.ndarray", "numpy.ndarray"]:
        """For the words `tally.most_common(n)` gives (a `_core.WordTally`; in no particular order): their
        occurrences and the token count of `prefix + word` under `encode(..., disallowed_special=())`, as two
        aligned uint64 arrays — fertility's inputs, computed natively without a Python string per word."""
        import numpy

        mask, allow_all = self._special_args(prefix, frozenset(), ())
        occurrences, tokens = self._core.word_token_counts(tally, n, prefix, mask, allow_all)
        return numpy.frombuffer(occurrences, dtype="<u8"), numpy.frombuffer(tokens, dtype="<u8")

    def vocab_facts(self) -> tuple[bytes, bytes, bytes]:
        """Every id's bytes and flags in one native call (see `_core.CoreTokenizer.vocab_facts`); the
        reachability flag is what `encode(text, disallowed_special=())` of the id's text gives."""
        mask, allow_all = self._special_args("", frozenset(), ())
        return self._core.vocab_facts(mask, allow_all)

    def encode_with_offsets(
        self,
        text: str,
        *,
        allowed_special: AllowedSpecial = frozenset(),
        disallowed_special: DisallowedSpecial = "all",
    ) -> tuple[list[int], list[tuple[int, int]]]:
        """Ids and, for each, the (start, end) character span of `text` it covers.

        A token holding part of a multi-byte character covers that whole character, so neighbours may share it.
        Where a normalizer rewrote a stretch of text, each token of that stretch gets the stretch's whole span.
        """
        try:
            raw = text.encode("utf-8")
        except UnicodeEncodeError:
            text = _fix_surrogates(text)
            raw = text.encode("utf-8")
        mask, allow_all = self._special_args(text, allowed_special, disallowed_special)
        ids, byte_spans = self._core.encode_with_byte_spans(text, mask, allow_all)
        if len(raw) == len(text):
            return ids, [tuple(s) for s in byte_spans]
        char_of_byte = [0] * (len(raw) + 1)
        b = 0
        for ci, ch in enumerate(text):
            n = len(ch.encode("utf-8"))
            char_of_byte[b : b + n] = [ci] * n
            b += n
        char_of_byte[len(raw)] = len(text)
        spans = [(char_of_byte[s], char_of_byte[e - 1] + 1) if e > s else (char_of_byte[s],) * 2 for s, e in byte_spans]
        return ids, spans

    # -- decoding ----------------------------------------------------------------------------------------------

    def decode_bytes(self, ids: Sequence[int]) -> bytes:
        """The exact bytes the ids stand for (lossless for byte-level models)."""
        ids = list(ids)
        try:
            return self._core.decode_bytes(ids)
        except (OverflowError, TypeError):
            bad = next((i for i in ids if not isinstance(i, int) or not 0 <= i < 2**32), None)
            raise DecodeError(f"token id {bad!r} is not in the vocabulary") from None

    def decode(self, ids: Sequence[int], errors: str = "replace") -> str:
        """Text of `ids`. Byte sequences that are not UTF-8 are handled by `errors` ("replace", "strict", "ignore",
        "backslashreplace", ...): "strict" raises `DecodeError` naming the byte offset."""
        data = self.decode_bytes(ids)
        try:
            return data.decode("utf-8", errors=errors)
        except UnicodeDecodeError as exc:
            raise DecodeError(f"decoded bytes are not valid UTF-8 at byte {exc.start}: {data[exc.start:exc.end]!r}") from None

    def decode_tokens_bytes(self, ids: Sequence[int]) -> list[bytes]:
        return [self.id_to_bytes(i) for i in ids]

    # -- vocabulary --------------------------------------------------------------------------------------------

    @property
    def vocab_size(self) -> int:
        """One past the largest id, special tokens included (tiktoken's `n_vocab`)."""
        return self._core.n_ids()

    def id_to_bytes(self, i: int) -> bytes:
        data = self._core.token_bytes(i) if 0 <= i < 2**32 else None
        if data is None:
            raise DecodeError(f"token id {i} is not in the vocabulary")
        return data

    def id_to_token(self, i: int) -> Optional[str]:
        """The token as HF writes it: special tokens verbatim, model tokens in the byte-level alphabet ('Ġthe')."""
        for table in (self.special_tokens, self.added_tokens):
            for text, j in table.items():
                if j == i:
                    return text
        if self.model.kind != "bpe":
            return self.model.token_of(i)
        data = self.model.id_to_bytes(i)
        return None if data is None else encode_bytes(data)

    def token_to_id(self, token: Union[str, bytes]) -> Optional[int]:
        """Id of a token given as raw bytes, as a special/added token's text, or in HF's byte-level alphabet."""
        if isinstance(token, bytes):
            return self._core.token_id(token)
        if token in self.special_tokens:
            return self.special_tokens[token]
        if token in self.added_tokens:
            return self.added_tokens[token]
        if self.model.kind != "bpe":
            return self.model.vocab.get(token)
        try:
            raw = decode_string(token)
        except Exception:
            return None
        return self.model.vocab.get(raw)

    def pretokenize(self, text: str) -> list[str]:
        """The pieces the model sees (after normalization), for inspection."""
        return self._core.pretokenize(text)

    # -- files -------------------------------------------------------------------------------------------------

    def save(self, path: "str | os.PathLike[str]", format: Optional[str] = None) -> None:
        """Writes `tokenizer.json` (format "hf", default for .json) or tiktoken ranks + sidecar ("tiktoken",
        default for .tiktoken). Writes are atomic: a temp file renamed into place."""
        save_file(self, path, format)

    def __repr__(self) -> str:
        method = "" if self.method == self.model.default_method else f", method={self.method!r}"
        return (
            f"Tokenizer(name={self.name!r}, model={self.model.kind}{method}, vocab_size={self.vocab_size}, "
            f"pattern={self.pretokenizer.name or 'custom'}, "
            f"specials={len(self.special_tokens)}, added={len(self.added_tokens)})"
        )

