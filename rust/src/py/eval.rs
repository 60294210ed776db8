//! The evaluation-only surface: `WordTally`, the token-label functions, and the bodies of `CoreTokenizer`'s
//! evaluation methods (`histogram_batch`, `word_token_counts`, `vocab_facts`; declared in `tokenizer.rs`).

use super::errors::{config_error, encode_error};
use crate::eval::word_count::{Units, WordTally as Tally};
use crate::eval::{histogram, token_labels};
use crate::pipeline::{Allowed, Pipeline};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyBytes;

/// Whitespace words, words, characters and UTF-8 bytes of a corpus, accumulated batch by batch (parallel, GIL
/// released). The word table stays here and only its top entries cross into Python: turning every distinct
/// word of every batch into a Python dict cost more than counting. Bounded: when it holds more than
/// `max_distinct` words, the words seen once so far are dropped (the totals stay exact). The table is split into
/// shards by hash, so that each batch's words are merged into it in parallel.
#[pyclass(module = "tokenforge._core")]
pub(crate) struct WordTally {
    tally: Tally,
}

#[pymethods]
impl WordTally {
    #[new]
    #[pyo3(signature = (max_distinct=usize::MAX))]
    fn new(max_distinct: usize) -> Self {
        WordTally { tally: Tally::new(max_distinct) }
    }

    #[getter]
    fn words(&self) -> u64 {
        self.tally.words
    }

    #[getter]
    fn chars(&self) -> u64 {
        self.tally.chars
    }

    #[getter]
    fn bytes(&self) -> u64 {
        self.tally.bytes
    }

    /// "\n" characters seen (the line records of blocks of lines).
    #[getter]
    fn newlines(&self) -> u64 {
        self.tally.newlines
    }

    #[getter]
    fn pruned(&self) -> bool {
        self.tally.pruned
    }

    /// Counts `texts` (records or blocks of lines alike: words never span a line end).
    fn add(&mut self, py: Python<'_>, texts: Vec<PyBackedStr>) {
        let tally = &mut self.tally;
        py.allow_threads(|| tally.add(&texts));
    }

    /// The `n` most frequent words, most frequent first; equal counts in code-point order of the word.
    fn most_common(&self, n: usize) -> Vec<(String, u64)> {
        self.tally.most_common(n).into_iter().map(|(w, c)| (w.to_string(), c)).collect()
    }

    /// Occurrences of `word` (0 when unseen or pruned).
    fn __getitem__(&self, word: &str) -> u64 {
        self.tally.get(word)
    }

    /// Distinct words held.
    fn __len__(&self) -> usize {
        self.tally.len()
    }
}

fn value_error(message: String) -> PyErr {
    pyo3::exceptions::PyValueError::new_err(message)
}

/// The distinct characters of the entries that are valid UTF-8, in code-point order.
#[pyfunction]
pub(crate) fn vocab_chars(blob: &[u8], offsets: &[u8]) -> PyResult<String> {
    token_labels::vocab_chars(blob, offsets).map_err(value_error)
}

/// (script code, category code) of every entry, from each character's codes (`chars[k]` has `scripts[k]` and
/// `categories[k]`): the script is the one script of the entry's characters other than Common and Inherited
/// (Common when none, Mixed when several, Partial when the bytes are not UTF-8); the category is the one category
/// of its characters after leading whitespace, "▁" and whitespace again (Whitespace or Empty when nothing is
/// left, Mixed when several, Partial when not UTF-8).
#[pyfunction]
pub(crate) fn label_tokens<'py>(
    py: Python<'py>,
    blob: &[u8],
    offsets: &[u8],
    chars: &str,
    scripts: Vec<u8>,
    categories: Vec<u8>,
) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
    let codes = token_labels::char_codes(chars, &scripts, &categories).map_err(value_error)?;
    let entries: Vec<&[u8]> = token_labels::tokens(blob, offsets).map_err(value_error)?.collect();
    let (script_out, category_out) =
        py.allow_threads(|| token_labels::label_tokens(&entries, &codes)).map_err(value_error)?;
    Ok((PyBytes::new(py, &script_out), PyBytes::new(py, &category_out)))
}

/// `CoreTokenizer.histogram_batch`: the id histogram of `texts` cut into `units`, as bytes or added into `out`.
pub(crate) fn histogram_batch<'py>(
    p: &Pipeline,
    py: Python<'py>,
    texts: &[PyBackedStr],
    allowed: &Allowed,
    units: &str,
    piece_chars: usize,
    out: Option<Bound<'py, PyAny>>,
) -> PyResult<PyObject> {
    let out = match out {
        Some(obj) => {
            let buf = pyo3::buffer::PyBuffer::<u64>::get(&obj)?;
            if buf.readonly() || !buf.is_c_contiguous() || buf.item_count() < p.n_ids() {
                return Err(config_error(format!(
                    "out must be a writable contiguous uint64 array of at least {} entries",
                    p.n_ids()
                )));
            }
            Some(buf)
        }
        None => None,
    };
    let units = Units::parse(units, piece_chars).map_err(config_error)?;
    let counts = py.allow_threads(|| histogram::histogram(p, &units.split(texts), allowed)).map_err(encode_error)?;
    match out {
        Some(buf) => {
            let cells = buf.as_mut_slice(py).expect("checked: writable and contiguous");
            if counts.len() > cells.len() {
                return Err(config_error(format!("out has {} entries, the counts {}", cells.len(), counts.len())));
            }
            let mut tokens = 0u64;
            for (cell, &c) in cells.iter().zip(&counts) {
                cell.set(cell.get() + c);
                tokens += c;
            }
            Ok(tokens.into_pyobject(py)?.into_any().unbind())
        }
        None => {
            let raw: Vec<u8> = counts.iter().flat_map(|c| c.to_le_bytes()).collect();
            Ok(PyBytes::new(py, &raw).into_any().unbind())
        }
    }
}

/// `CoreTokenizer.word_token_counts`: occurrences and token counts of `tally`'s top `n` words.
pub(crate) fn word_token_counts<'py>(
    p: &Pipeline,
    py: Python<'py>,
    tally: &WordTally,
    n: usize,
    prefix: &str,
    allowed: &Allowed,
) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
    let top = tally.tally.top(n);
    let tokens = py.allow_threads(|| histogram::word_token_counts(p, &top, prefix, allowed)).map_err(encode_error)?;
    let occurrences: Vec<u8> = top.iter().flat_map(|(_, c)| c.to_le_bytes()).collect();
    let tokens: Vec<u8> = tokens.iter().flat_map(|c| c.to_le_bytes()).collect();
    Ok((PyBytes::new(py, &occurrences), PyBytes::new(py, &tokens)))
}

/// `CoreTokenizer.vocab_facts`: (token bytes, offsets, flags) as bytes objects.
pub(crate) fn vocab_facts<'py>(
    p: &Pipeline,
    py: Python<'py>,
    allowed: &Allowed,
) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
    let (blob, offsets, flags) = py.allow_threads(|| histogram::vocab_facts(p, allowed));
    Ok((PyBytes::new(py, &blob), PyBytes::new(py, &offsets), PyBytes::new(py, &flags)))
}
