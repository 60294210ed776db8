//! Segmenting one piece into token ids: every model's inference, below the pipeline.
//!
//! - `bpe_encode` — rank-merge BPE over bytes (tiktoken's and HF's rule), with per-thread piece caches;
//!   `bpe_chars` — the same rule over characters (char-level and SentencePiece BPE); `bpe_dropout` — BPE-dropout;
//! - `supermerge` — BoundlessBPE's supermerges across adjacent single-token pieces;
//! - `lattice` — every other inference method over a byte trie (longest prefix / suffix / token, fewest tokens,
//!   Viterbi, sampling, n-best, WordPiece);
//! - `spm` — SentencePiece's normalizer, whitespace rules and piece boundaries;
//! - `ngram_match` — multi-word tokens over a pretoken stream;
//! - `result_cache` — the per-thread cache of whole-piece results; `rng` — the one generator of the random methods.

pub mod bpe_chars;
pub mod bpe_dropout;
pub mod bpe_encode;
pub mod lattice;
pub mod ngram_match;
pub mod result_cache;
pub mod rng;
pub mod spm;
pub mod supermerge;
#[cfg(test)]
mod tests;
