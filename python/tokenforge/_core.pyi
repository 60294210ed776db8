"""Typed stub of `tokenforge._core`, the native module built from `rust/src/` (bindings in `rust/src/py/`).

This is the whole boundary between the Python package and the Rust core: every class and function the module
exports, with the Python types it accepts and returns. Failures are raised as the classes of `tokenforge.errors`
(named per call below); training interrupted by Ctrl-C raises `KeyboardInterrupt`. Token bytes cross as `bytes`,
texts as `str`. Calls marked "parallel" release the GIL and use every core.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence, TypedDict

from typing_extensions import Buffer

__all__ = [
    "CoreTokenizer",
    "LatticeModel",
    "pretokenize",
    "count_pieces",
    "WordTally",
    "vocab_chars",
    "label_tokens",
    "PretokenCounter",
    "UnigramCorpus",
    "unigram_alternatives",
    "unigram_seed_substrings",
    "pathpiece_removal_costs",
    "train_bpe",
    "train_boundless",
    "rank_rule_mismatch",
    "train_parity",
    "train_wordpiece",
    "NgramMatcher",
]

Progress = Callable[[int, int], object]
"""A trainer's progress callback: called with (merges so far, new tokens so far)."""


class SpmArgs(TypedDict):
    """What `CoreTokenizer(spm=...)` needs to run an imported SentencePiece model."""

    charsmap: bytes
    """The precompiled charsmap blob (empty: no charsmap rules)."""
    add_dummy_prefix: bool
    remove_extra_whitespaces: bool
    escape_whitespaces: bool
    treat_whitespace_as_suffix: bool
    user_defined: list[tuple[str, int]]
    """(symbol, id) of each user-defined piece: copied through unnormalized and never split."""
    piece_ranks: list[tuple[int, int]]
    """(id, rank) of every piece merges may produce; rank 0 is SP's highest score, equal scores share a rank."""
    unk_id: Optional[int]
    """The unknown id, for characters without a piece when there is no byte fallback."""
    split_before_space: bool
    """Cut before a `▁` that follows another character (no vocabulary piece holds that combination)."""


# --- tokenizers -------------------------------------------------------------------------------------------------


class CoreTokenizer:
    """A compiled tokenizer: the whole encode/decode path, native (special-token split, normalizer,
    pre-tokenizer, model per piece). Built once from a `Tokenizer`'s description; every encode/decode runs here.

    `allowed_mask` (one flag per special token, in the order given to the constructor) and `allow_all` say which
    optional special tokens an encode call recognises; always-matched added tokens are recognised regardless."""

    def __new__(
        cls,
        vocab: Sequence[tuple[bytes, int]],
        merges: Optional[Sequence[tuple[bytes, bytes]]],
        whole_piece_first: bool,
        pretokenizer: str,
        pattern: Optional[str],
        emit_gaps: bool,
        normalizer: Sequence[str],
        specials: Sequence[tuple[str, int, bool]],
        char_level: bool = False,
        lattice: Optional[LatticeModel] = None,
        dropout: Optional[float] = None,
        seed: int = 0,
        decode: Optional[Sequence[tuple[int, bytes]]] = None,
        space_before: Optional[Sequence[int]] = None,
        supermerges: Optional[Sequence[tuple[bytes, bytes]]] = None,
        spm: Optional[SpmArgs] = None,
    ) -> CoreTokenizer:
        """`vocab`: (bytes, id) pairs. `merges`: None for tiktoken rank semantics (rank = id), else the ordered
        merge list. `pretokenizer`: a named scanner ("r50k"/"gpt2"/"p50k", "cl100k", "o200k", "qwen2"), "regex"
        (with `pattern`; `emit_gaps` keeps unmatched text as pieces) or "whole". `normalizer`: step names ("nfc",
        "nfkc", "lowercase"). `specials`: (text, id, always matched). `char_level`: pieces start as characters.
        `lattice`: another inference method over the same vocabulary; `dropout`: BPE-dropout probability; `seed`: of
        the random methods; `decode`: (id, bytes) overriding what ids decode to; `space_before`: ids decoded with a
        space before them unless first (WordPiece word starts); `supermerges`: BoundlessBPE's supermerges in rank
        order; `spm`: a SentencePiece model (replaces merges, normalizer and pre-tokenizer; with `lattice`, Unigram).
        Raises ConfigError (unknown pre-tokenizer or normalizer step) or ModelError (inconsistent model)."""

    def encode(self, text: str, allowed_mask: Optional[Sequence[bool]] = None, allow_all: bool = False) -> list[int]:
        """The ids of `text` (GIL released). Raises EncodeError."""

    def encode_with_byte_spans(
        self, text: str, allowed_mask: Optional[Sequence[bool]] = None, allow_all: bool = False
    ) -> tuple[list[int], list[tuple[int, int]]]:
        """Ids and each token's (start, end) byte span in `text`; inside a segment that normalization changed,
        every token spans the whole segment. Raises EncodeError."""

    def encode_batch(
        self, texts: Sequence[str], allowed_mask: Optional[Sequence[bool]] = None, allow_all: bool = False
    ) -> list[list[int]]:
        """The ids of each text (parallel; the lists are built while workers still encode). Raises EncodeError."""

    def count_batch(
        self, texts: Sequence[str], allowed_mask: Optional[Sequence[bool]] = None, allow_all: bool = False
    ) -> list[int]:
        """Number of tokens in each text, without building id lists (parallel). Raises EncodeError."""

    def histogram_batch(
        self,
        texts: Sequence[str],
        allowed_mask: Optional[Sequence[bool]] = None,
        allow_all: bool = False,
        units: str = "records",
        piece_chars: int = 65536,
        out: Optional[Buffer] = None,
    ) -> bytes | int:
        """Evaluation: occurrences of each id over all `texts` (parallel, no id lists). `units`: "records" (each
        text), "lines" (each "\\n"-terminated line) or "running" (running text cut at line ends into pieces of about
        `piece_chars` characters). Without `out`: the counts as little-endian u64 bytes (index = id). With `out` (a
        writable contiguous uint64 buffer, at least `n_ids()` entries): the counts are added into it and the number
        of tokens is returned. Raises ConfigError (bad `units` or `out`) or EncodeError."""

    def word_token_counts(
        self,
        tally: WordTally,
        n: int,
        prefix: str = " ",
        allowed_mask: Optional[Sequence[bool]] = None,
        allow_all: bool = False,
    ) -> tuple[bytes, bytes]:
        """Evaluation (fertility): for the words `tally.most_common(n)` gives (in no particular order), their
        occurrences and the token count of `prefix + word`, each as little-endian u64 bytes (parallel)."""

    def vocab_facts(
        self, allowed_mask: Optional[Sequence[bool]] = None, allow_all: bool = False
    ) -> tuple[bytes, bytes, bytes]:
        """Evaluation: (concatenated token bytes, n+1 offsets as little-endian u64, one flag byte per id). Flags: 1
        has bytes, 2 valid UTF-8, 4 ASCII, 8 contains an ASCII letter, 16 reachable (encoding its text gives back
        exactly this id; checked in parallel)."""

    def find_disallowed(
        self, text: str, allowed_mask: Optional[Sequence[bool]] = None, allow_all: bool = False
    ) -> Optional[tuple[int, str]]:
        """The first special token in `text` the call does not allow, as (char offset, token); None if none."""

    def decode_bytes(self, ids: Sequence[int]) -> bytes:
        """The bytes of `ids`. Raises DecodeError for an id outside the vocabulary."""

    def token_bytes(self, id: int) -> Optional[bytes]:
        """What `id` decodes to (None for an id without a token)."""

    def token_id(self, token: bytes) -> Optional[int]:
        """The id of the model or special token whose bytes are exactly `token`."""

    def n_ids(self) -> int:
        """One past the largest id (model tokens and special tokens)."""

    def nbest(self, text: str, k: int) -> list[tuple[list[int], float]]:
        """The `k` best segmentations of `text` by Unigram score, best first, as (ids, score); no special tokens
        are recognised. Raises EncodeError (e.g. without a Unigram lattice)."""

    def pretokenize(self, text: str) -> list[str]:
        """The pre-tokenizer's pieces of `text` after normalization (tests and inspection)."""


class LatticeModel:
    """A compiled lattice model (every inference method other than BPE merges), handed to
    `CoreTokenizer(lattice=...)`."""

    def __new__(
        cls,
        tokens: Sequence[tuple[bytes, int]],
        method: str,
        continuation: Optional[Sequence[tuple[bytes, int]]] = None,
        scores: Optional[Sequence[float]] = None,
        byte_ids: Optional[Sequence[int]] = None,
        char_fallback: bool = False,
        unk: Optional[int] = None,
        fuse_unk: bool = False,
        max_word_chars: Optional[int] = None,
        alpha: float = 1.0,
        random_ties: bool = False,
        sp: Optional[tuple[float, float, Sequence[int]]] = None,
    ) -> LatticeModel:
        """`tokens`: (bytes, id) the lattice matches (word-initial ones for WordPiece). `method`: "longest_prefix",
        "longest_suffix", "longest_token", "fewest" (`random_ties`: draw among equally short paths), "viterbi" or
        "sample" (`alpha`: subword-regularization smoothing). `continuation`: WordPiece's word-continuing tokens,
        prefix stripped; `scores`: by id (Unigram); `byte_ids`: 256 byte-fallback ids (2**32 - 1 where none);
        `char_fallback`: fallback edges for characters that are not tokens; `unk`, `fuse_unk`: the unknown id and
        whether adjacent unknown characters fuse; `max_word_chars`: WordPiece's longest word; `sp`: (unknown score,
        max score, user-defined ids) to score as SentencePiece does (f32). Raises ConfigError (unknown method) or
        ModelError."""


class NgramMatcher:
    """Multi-word tokens at the pre-token level: a trie of pretoken sequences, matched leftmost-longest (MWT)."""

    def __new__(cls, ngrams: Sequence[tuple[Sequence[str], int]]) -> NgramMatcher:
        """`ngrams`: (pretokens, id) of each multi-word token. Raises ConfigError for an empty part or a repeat."""

    def find(self, pieces: Sequence[str]) -> list[tuple[int, int, int]]:
        """Greedy leftmost-longest matches in `pieces`: (first piece, number of pieces, id), in order."""

    def __len__(self) -> int:
        """Number of multi-word tokens."""


def pretokenize(text: str, kind: str, pattern: Optional[str] = None, emit_gaps: bool = False) -> list[str]:
    """Pieces of `text` under a pre-tokenizer, without a model: a named scanner ("r50k", "cl100k", "o200k",
    "qwen2"), "regex" with `pattern` (fancy-regex, the engine tiktoken uses) or "whole". Raises ConfigError or
    EncodeError."""


def count_pieces(text: str, kind: str, pattern: Optional[str] = None) -> int:
    """Number of pieces the pre-tokenizer cuts `text` into (benchmarks the scanner alone; GIL released)."""


# --- evaluation -------------------------------------------------------------------------------------------------


class WordTally:
    """Whitespace words (as `str.split()` cuts them), characters and UTF-8 bytes of a corpus, accumulated batch by
    batch (parallel). The word table stays native; only its top entries cross into Python. When it holds more than
    `max_distinct` words, the words seen once so far are dropped (`pruned`; the totals stay exact)."""

    words: int
    """Words counted."""
    chars: int
    """Characters counted."""
    bytes: int
    """UTF-8 bytes counted."""
    newlines: int
    """"\\n" characters seen (the line records of blocks of lines)."""
    pruned: bool
    """Whether the table was ever pruned."""

    def __new__(cls, max_distinct: int = ...) -> WordTally: ...

    def add(self, texts: Sequence[str]) -> None:
        """Counts `texts` (records or blocks of lines alike: words never span a line end)."""

    def most_common(self, n: int) -> list[tuple[str, int]]:
        """The `n` most frequent words, most frequent first; equal counts in code-point order of the word."""

    def __getitem__(self, word: str) -> int:
        """Occurrences of `word` (0 when unseen or pruned)."""

    def __len__(self) -> int:
        """Distinct words held."""


def vocab_chars(blob: bytes, offsets: bytes) -> str:
    """The distinct characters of the entries (concatenated `blob`, n+1 little-endian u64 `offsets`) that are
    valid UTF-8, in code-point order. Raises ValueError for bad offsets."""


def label_tokens(
    blob: bytes, offsets: bytes, chars: str, scripts: Sequence[int], categories: Sequence[int]
) -> tuple[bytes, bytes]:
    """(script code, category code) of every entry, one byte each, from each character's codes (`chars[k]` has
    `scripts[k]` and `categories[k]`; the codes are decided in `metrics/scripts.py`). Raises ValueError for bad
    offsets, mismatched code lists or a character without codes."""


# --- training ---------------------------------------------------------------------------------------------------


class PretokenCounter:
    """Counts of distinct pretokens over a corpus, filled batch by batch: the first stage of every trainer."""

    def __new__(
        cls, kind: str, pattern: Optional[str] = None, emit_gaps: bool = True, normalizer: Sequence[str] = ...
    ) -> PretokenCounter:
        """`kind`, `pattern`, `emit_gaps`: as `PreTokenizer.native_args()`; `normalizer`: step names. Raises
        ConfigError."""

    def add_texts(self, texts: Sequence[str]) -> None:
        """Normalizes, pre-tokenizes and counts `texts` (parallel). Raises EncodeError."""

    def add_counts(self, items: Sequence[tuple[bytes, int]]) -> None:
        """Adds a ready (pretoken bytes, count) table."""

    def __len__(self) -> int:
        """Distinct pretokens held."""

    def total(self) -> int:
        """Sum of all counts (pretoken occurrences)."""

    def prune(self, min_count: int) -> tuple[int, int]:
        """Drops pretokens counted fewer than `min_count` times: (distinct dropped, occurrences dropped)."""

    def items(self) -> list[tuple[bytes, int]]:
        """(pretoken bytes, count), sorted by bytes."""

    def char_counts(self) -> list[tuple[str, int]]:
        """Occurrences of each character (pretokens decoded as UTF-8, invalid bytes as U+FFFD), by character."""

    def clear(self) -> None:
        """Forgets every count (frees the table's memory)."""


def train_bpe(
    counter: PretokenCounter,
    vocab: Sequence[tuple[bytes, int]],
    merges: Optional[Sequence[tuple[bytes, bytes]]],
    rank_semantics: bool,
    whole_piece_first: bool,
    char_level: bool,
    new_tokens: int,
    min_frequency: int = 0,
    max_token_length: Optional[int] = None,
    forbidden: Sequence[bytes] = ...,
    reserved_ids: Sequence[int] = ...,
    progress: Optional[Progress] = None,
    progress_every: int = 500,
    check_every: int = 0,
    consume: bool = False,
    max_words: Optional[int] = None,
    sentence_punctuation: bytes = ...,
) -> tuple[list[tuple[bytes, int]], list[tuple[bytes, bytes, int]]]:
    """Learns BPE merges from a counter's pretokens on top of an existing model (`vocab`, `merges`; None with
    `rank_semantics`: tiktoken ranks). `char_level`: words start as characters and lengths count characters.
    `forbidden`: texts no merge may produce; `reserved_ids`: ids new tokens skip; `check_every`: recount all pairs
    every this many merges (debug); `consume`: empty the counter once read; `max_words`, `sentence_punctuation`:
    SuperBPE's bounds. Returns (new tokens as (bytes, id), merges as (left, right, count)). Raises ModelError or
    TrainingError (KeyboardInterrupt on Ctrl-C)."""


def train_boundless(
    counter: PretokenCounter,
    kind: str,
    pattern: Optional[str],
    emit_gaps: bool,
    vocab: Sequence[tuple[bytes, int]],
    new_tokens: int,
    min_frequency: int = 0,
    max_token_length: Optional[int] = None,
    forbidden: Sequence[bytes] = ...,
    progress: Optional[Progress] = None,
    progress_every: int = 500,
    check_every: int = 0,
) -> tuple[list[tuple[bytes, int]], list[tuple[bytes, bytes, int, bool]]]:
    """Learns BoundlessBPE merges and supermerges from a counter of whole records, cut by the pre-tokenizer
    (`kind`, `pattern`, `emit_gaps`); fresh byte-level training from the alphabet `vocab`. Returns (new tokens,
    merges as (left, right, count, is_supermerge)). Raises ConfigError, ModelError or TrainingError."""


def train_parity(
    train: Sequence[PretokenCounter],
    dev: Sequence[PretokenCounter],
    alphabet: Sequence[tuple[bytes, int]],
    new_tokens: int,
    global_tokens: int = 0,
    min_frequency: int = 0,
    max_token_length: Optional[int] = None,
    forbidden: Sequence[bytes] = ...,
    progress: Optional[Progress] = None,
    progress_every: int = 500,
    check_every: int = 0,
    window: int = 0,
    alpha: float = 2.0,
) -> tuple[list[tuple[bytes, int]], list[tuple[bytes, bytes, int]], list[int], list[int], list[int]]:
    """Learns byte-level BPE merges with the parity-aware policy from per-language training and dev counters;
    the first `global_tokens` new tokens by plain frequency; `window` > 0: the moving-window variant. Returns (new
    tokens, merges, the language each merge was chosen for (-1: global), dev tokens per language before, after).
    Raises ConfigError, ModelError or TrainingError."""


def train_wordpiece(
    counter: PretokenCounter,
    vocab: Sequence[tuple[bytes, int]],
    new_tokens: int,
    min_frequency: int = 0,
    max_token_length: Optional[int] = None,
    forbidden: Sequence[bytes] = ...,
    forbidden_prefix: Optional[bytes] = None,
    progress: Optional[Progress] = None,
    progress_every: int = 500,
    check_every: int = 0,
) -> tuple[list[tuple[bytes, int]], list[tuple[bytes, bytes, int]]]:
    """Learns WordPiece tokens (likelihood policy) from a counter's pretokens. Tokens use internal bytes: a
    continuation token is 0xFF + its UTF-8. `max_token_length` counts characters. Returns (new tokens, merges).
    Raises ConfigError or TrainingError."""


def rank_rule_mismatch(
    vocab: Sequence[tuple[bytes, int]], merges: Sequence[tuple[bytes, bytes]], whole_piece_first: bool
) -> Optional[bytes]:
    """The first token (in id order) whose bytes segment differently under tiktoken's rank rule than under the
    merge list; None when all agree (the check behind exporting a rank file). Raises ModelError."""


class UnigramCorpus:
    """The Unigram trainer's corpus: built once from (word, count) pairs, then asked for E-steps and Viterbi counts
    under changing piece sets (parallel). Pieces and words are strings of code points."""

    def __new__(cls, words: Sequence[tuple[str, int]]) -> UnigramCorpus: ...

    def __len__(self) -> int:
        """Distinct words."""

    def e_step(self, pieces: Sequence[str], scores: Sequence[float], unk_score: float) -> tuple[list[float], float]:
        """(expected count of each piece plus unknown last, sum over words of count * log Z). Raises TrainingError
        when pieces and scores differ in length."""

    def viterbi_counts(self, pieces: Sequence[str], scores: Sequence[float], unk_score: float) -> list[int]:
        """Occurrences of each piece (plus unknown last) in the corpus's Viterbi segmentation."""


def unigram_alternatives(
    pieces: Sequence[str], scores: Sequence[float], unk_score: float
) -> list[tuple[int, list[int]]]:
    """For loss-based pruning, each piece's status and best alternative segmentation: 0 its own best segmentation
    splits it, 1 it has no other segmentation, 2 it is its own best and the list is the best one without it."""


def unigram_seed_substrings(words: Sequence[tuple[str, int]], allowed: str, max_len: int, size: int) -> list[tuple[str, int]]:
    """Seed pieces: substrings of 2..=`max_len` characters within runs of `allowed` characters, counted at least
    twice over the words; the top `size` by count x length (ties: smaller string first), as (substring, count)."""


def pathpiece_removal_costs(words: Sequence[tuple[bytes, int]], tokens: Sequence[bytes]) -> tuple[list[int], int]:
    """PathPiece: (how much the corpus token count under fewest-tokens segmentation grows if each token alone were
    removed, the corpus token count). Raises TrainingError when a word cannot be spelled."""
