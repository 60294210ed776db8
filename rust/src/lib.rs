//! `tokenforge._core`: the native hot loops behind the Python package.
//!
//! The crate is plain Rust in layers, each a folder; only `py/` knows Python:
//!
//! - `pretokenize/` — cutting text into pieces: the hand-written scanners of the named patterns, their Unicode
//!   class table, the fancy-regex fallback;
//! - `pipeline/` — the encode path of one tokenizer (special-token split, normalizer steps, pre-tokenizer, the
//!   model per piece) and decoding;
//! - `encode/` — the models that segment a piece: rank-merge BPE (byte- and char-level, dropout, supermerges),
//!   the lattice methods, SentencePiece's text handling, multi-word matching, their caches and generator;
//! - `train/` — corpus counting and the trainers: the incremental BPE engine and the policies and variants on
//!   it, Unigram and PathPiece loops;
//! - `eval/` — the evaluation scan's native parts (word tally, id histograms, token labels);
//! - `py/` (cargo feature `python`, on by default) — the PyO3 module: classes, functions, argument conversion,
//!   error mapping to `tokenforge.errors`.
//!
//! `cargo test --no-default-features` builds and tests everything but `py/`.

pub mod encode;
pub mod eval;
pub mod pipeline;
pub mod pretokenize;
pub mod train;

#[cfg(feature = "python")]
mod py;
