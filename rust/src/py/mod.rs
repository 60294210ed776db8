//! The Python module `tokenforge._core` (cargo feature `python`): every PyO3 class and function, the conversion of
//! Python arguments into the core's types, and the mapping of core errors onto `tokenforge.errors`.
//!
//! - `tokenizer.rs` — `CoreTokenizer` (the compiled pipeline), `LatticeModel`, `NgramMatcher`, the free
//!   pre-tokenizer functions;
//! - `eval.rs` — evaluation-only surface: `WordTally`, the token-label functions, and the bodies of
//!   `CoreTokenizer`'s evaluation methods;
//! - `train.rs` — `PretokenCounter`, every trainer binding (one `TrainArgs` for the limits and progress they
//!   share), the Unigram and PathPiece loops;
//! - `errors.rs` — core errors as the Python exception classes; `ints.rs` — the shared int objects of id lists.

mod errors;
mod eval;
mod ints;
mod tokenizer;
mod train;

use pyo3::prelude::*;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<tokenizer::CoreTokenizer>()?;
    m.add_class::<tokenizer::LatticeModel>()?;
    m.add_function(wrap_pyfunction!(tokenizer::pretokenize_text, m)?)?;
    m.add_function(wrap_pyfunction!(tokenizer::count_pieces, m)?)?;
    m.add_class::<eval::WordTally>()?;
    m.add_function(wrap_pyfunction!(eval::vocab_chars, m)?)?;
    m.add_function(wrap_pyfunction!(eval::label_tokens, m)?)?;
    m.add_class::<train::PretokenCounter>()?;
    m.add_class::<train::UnigramCorpus>()?;
    m.add_function(wrap_pyfunction!(train::unigram_alternatives, m)?)?;
    m.add_function(wrap_pyfunction!(train::unigram_seed_substrings, m)?)?;
    m.add_function(wrap_pyfunction!(train::pathpiece_removal_costs, m)?)?;
    m.add_function(wrap_pyfunction!(train::train_bpe, m)?)?;
    m.add_function(wrap_pyfunction!(train::train_boundless, m)?)?;
    m.add_function(wrap_pyfunction!(train::rank_rule_mismatch, m)?)?;
    m.add_function(wrap_pyfunction!(train::train_parity, m)?)?;
    m.add_function(wrap_pyfunction!(train::train_wordpiece, m)?)?;
    m.add_class::<tokenizer::NgramMatcher>()?;
    Ok(())
}
