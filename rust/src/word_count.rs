//! Whitespace words of a batch of texts, counted in parallel: the evaluation scan's corpus-side pass (word table
//! for fertility, word / character / byte totals), which in Python cost as much as encoding the corpus.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// Python's `str.isspace` (what `str.split()` splits at): Rust's whitespace plus the four information separators.
#[inline]
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

struct Tally<'a> {
    words: FxHashMap<&'a str, u64>,
    n_words: u64,
    chars: u64,
    bytes: u64,
}

impl<'a> Tally<'a> {
    fn new() -> Self {
        Tally { words: FxHashMap::default(), n_words: 0, chars: 0, bytes: 0 }
    }

    fn add(mut self, text: &'a str) -> Self {
        self.bytes += text.len() as u64;
        self.chars += text.chars().count() as u64;
        for w in text.split(is_py_space).filter(|w| !w.is_empty()) {
            *self.words.entry(w).or_insert(0) += 1;
            self.n_words += 1;
        }
        self
    }

    fn merge(mut self, other: Self) -> Self {
        let (mut big, small) = if self.words.len() >= other.words.len() { (self.words, other.words) } else { (other.words, self.words) };
        for (w, c) in small {
            *big.entry(w).or_insert(0) += c;
        }
        self.words = big;
        self.n_words += other.n_words;
        self.chars += other.chars;
        self.bytes += other.bytes;
        self
    }
}

/// (word -> occurrences, words, characters, UTF-8 bytes) over `texts`; words as `str.split()` finds them.
#[pyfunction]
pub fn count_words<'py>(py: Python<'py>, texts: Vec<String>) -> PyResult<(Bound<'py, PyDict>, u64, u64, u64)> {
    let tally = py.allow_threads(|| {
        texts.par_iter().fold(Tally::new, |t, s| t.add(s)).reduce(Tally::new, Tally::merge)
    });
    let dict = PyDict::new(py);
    for (w, c) in &tally.words {
        dict.set_item(*w, *c)?;
    }
    Ok((dict, tally.n_words, tally.chars, tally.bytes))
}
