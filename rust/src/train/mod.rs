//! Training: counting pretokens over a corpus, then learning a vocabulary from the counts.
//!
//! - `pretoken_count` — the first stage of every trainer (parallel counting, pruning);
//! - `bpe_train` — the incremental merge engine and its policies (frequency, WordPiece likelihood);
//!   `bpe` — BPE training from a counter (byte- or char-level words) and the rank-rule check;
//! - `boundless` (BoundlessBPE supermerges), `parity_train` (parity-aware policy), `wordpiece_train` (WordPiece
//!   words and the likelihood policy) — variants on that engine;
//! - `unigram_train`, `pathpiece_train` — the hot loops of the Unigram and PathPiece trainers.
//!
//! Every trainer reports progress through a [`Progress`] callback and returns its learned tokens as [`Learned`].

pub mod boundless;
pub mod bpe;
pub mod bpe_train;
pub mod parity_train;
pub mod pathpiece_train;
pub mod pretoken_count;
#[cfg(test)]
mod tests;
pub mod unigram_train;
pub mod wordpiece_train;

use bpe_train::{Engine, Merge};

/// Called with (merges so far, new tokens so far) every `progress_every` merges and at the end; an error (an
/// interrupt, a failing callback) aborts training with that message.
pub type Progress<'a> = dyn FnMut(usize, usize) -> Result<(), String> + 'a;

/// What a training failure caused by an interrupt starts with (the bindings raise KeyboardInterrupt for it).
pub const INTERRUPTED: &str = "interrupted";

/// A trainer's result: the new tokens as (bytes, id) and the learned merges as (left, right, count).
pub type Learned = (Vec<(Vec<u8>, u32)>, Vec<(Vec<u8>, Vec<u8>, u64)>);

/// The tokens an engine added from id `first_new` on, and its merges as byte strings (left, right, count).
pub fn learned_tokens(engine: &Engine, first_new: u32, learned: &[Merge]) -> Learned {
    let tok = |i: u32| engine.token(i).unwrap_or(&[]).to_vec();
    let new_vocab = (first_new..engine.n_ids()).filter_map(|id| engine.token(id).map(|t| (t.to_vec(), id))).collect();
    (new_vocab, learned.iter().map(|m| (tok(m.left), tok(m.right), m.count)).collect())
}
