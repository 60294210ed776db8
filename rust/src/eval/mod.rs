//! The evaluation scan's native parts: what the metrics need from a corpus and a tokenizer, computed in parallel.
//!
//! - `word_count` — whitespace words, characters and bytes of a corpus (`WordTally`), and how a corpus block is
//!   cut into encoding units;
//! - `histogram` — id histograms, per-word token counts and per-id vocabulary facts from a compiled pipeline;
//! - `token_labels` — script and character-category labels of every vocabulary entry.

pub mod histogram;
pub mod token_labels;
pub mod word_count;
