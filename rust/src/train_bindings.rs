//! Python bindings of the training stages: `PretokenCounter` and `train_bpe`.

use crate::bpe_encode::Bpe;
use crate::bpe_train::{Engine, Merge, TrainLimits, WordTable};
use crate::pretoken_count::PretokenTable;
use crate::{build_normalizer, build_pretokenizer, tf_error};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyBytes;
use rayon::prelude::*;
use rustc_hash::FxHashSet;

/// Counts of distinct pretokens over a corpus, filled batch by batch.
#[pyclass(module = "tokenforge._core")]
pub struct PretokenCounter {
    pub(crate) table: PretokenTable,
}

#[pymethods]
impl PretokenCounter {
    /// `kind`, `pattern`, `emit_gaps`: as `PreTokenizer.native_args()`; `normalizer`: step names.
    #[new]
    #[pyo3(signature = (kind, pattern=None, emit_gaps=true, normalizer=Vec::new()))]
    fn new(kind: &str, pattern: Option<&str>, emit_gaps: bool, normalizer: Vec<String>) -> PyResult<Self> {
        let pretok = build_pretokenizer(kind, pattern, emit_gaps).map_err(|e| tf_error("ConfigError", e))?;
        let norm = build_normalizer(&normalizer)?;
        Ok(PretokenCounter { table: PretokenTable::new(pretok, norm) })
    }

    /// Pre-tokenizes and counts `texts` on all cores with the GIL released.
    fn add_texts(&mut self, py: Python<'_>, texts: Vec<PyBackedStr>) -> PyResult<()> {
        let table = &mut self.table;
        py.allow_threads(|| table.add_texts(&texts)).map_err(|e| tf_error("EncodeError", e))
    }

    /// Adds a ready (pretoken bytes, count) table.
    fn add_counts(&mut self, items: Vec<(Vec<u8>, u64)>) {
        self.table.add_counts(items)
    }

    fn __len__(&self) -> usize {
        self.table.counts.len()
    }

    /// Sum of all counts (pretoken occurrences).
    fn total(&self) -> u128 {
        self.table.total
    }

    /// Drops pretokens counted fewer than `min_count` times: (distinct dropped, occurrences dropped).
    fn prune(&mut self, min_count: u64) -> (u64, u128) {
        self.table.prune(min_count)
    }

    /// (pretoken bytes, count), sorted by bytes.
    fn items<'py>(&self, py: Python<'py>) -> Vec<(Bound<'py, PyBytes>, u64)> {
        self.table.sorted().into_iter().map(|(k, c)| (PyBytes::new(py, k), c)).collect()
    }

    /// Occurrences of each character (pretokens decoded as UTF-8, invalid bytes as U+FFFD).
    fn char_counts(&self, py: Python<'_>) -> Vec<(String, u64)> {
        let counts = &self.table.counts;
        let mut by_char: Vec<(char, u64)> = py.allow_threads(|| {
            let mut m: rustc_hash::FxHashMap<char, u64> = Default::default();
            for (k, &c) in counts {
                for ch in String::from_utf8_lossy(k).chars() {
                    *m.entry(ch).or_insert(0) += c;
                }
            }
            m.into_iter().collect()
        });
        by_char.sort_unstable();
        by_char.into_iter().map(|(ch, c)| (ch.to_string(), c)).collect()
    }

    /// Forgets every count (frees the table's memory).
    fn clear(&mut self) {
        self.table.counts = Default::default();
        self.table.total = 0;
    }
}

fn char_len(bytes: &[u8]) -> u32 {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.chars().count() as u32,
        Err(_) => String::from_utf8_lossy(bytes).chars().count() as u32,
    }
}

/// Splits a pretoken into the symbol runs char-level training sees: each character that is a
/// token is a symbol; a character outside the alphabet ends the run (it will be encoded by byte
/// fallback, and byte-fallback tokens never merge).
fn char_level_runs(piece: &[u8], bpe: &Bpe, runs: &mut Vec<Vec<u32>>) {
    let text = String::from_utf8_lossy(piece);
    let mut run = Vec::new();
    let mut buf = [0u8; 4];
    for ch in text.chars() {
        match bpe.lookup(ch.encode_utf8(&mut buf).as_bytes()) {
            Some(id) => run.push(id),
            None => {
                if run.len() > 1 {
                    runs.push(std::mem::take(&mut run));
                }
                run.clear();
            }
        }
    }
    if run.len() > 1 {
        runs.push(run);
    }
}

/// Learns BPE merges from a counter's pretokens, on top of an existing model.
///
/// `vocab`: every existing model token (bytes, id) — for fresh training, the alphabet.
/// `merges`: the existing ordered merge list (None with `rank_semantics`: tiktoken ranks).
/// `char_level`: words start as characters (those not in the vocabulary split the word) and
/// lengths count characters; otherwise words start as the existing model's encoding of their
/// bytes. Returns (new tokens as (bytes, id), learned merges as (left, right, count)).
#[pyfunction]
#[pyo3(signature = (counter, vocab, merges, rank_semantics, whole_piece_first, char_level, new_tokens,
    min_frequency=0, max_token_length=None, forbidden=Vec::new(), reserved_ids=Vec::new(), progress=None, progress_every=500,
    check_every=0, consume=false, max_words=None, sentence_punctuation=Vec::new()))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
pub fn train_bpe<'py>(
    py: Python<'py>,
    counter: &Bound<'py, PretokenCounter>,
    vocab: Vec<(Vec<u8>, u32)>,
    merges: Option<Vec<(Vec<u8>, Vec<u8>)>>,
    rank_semantics: bool,
    whole_piece_first: bool,
    char_level: bool,
    new_tokens: usize,
    min_frequency: u64,
    max_token_length: Option<u32>,
    forbidden: Vec<Vec<u8>>,
    reserved_ids: Vec<u32>,
    progress: Option<PyObject>,
    progress_every: usize,
    check_every: usize,
    consume: bool,
    max_words: Option<u32>,
    sentence_punctuation: Vec<u8>,
) -> PyResult<(Vec<(Bound<'py, PyBytes>, u32)>, Vec<(Bound<'py, PyBytes>, Bound<'py, PyBytes>, u64)>)> {
    let bpe = if rank_semantics {
        Bpe::from_ranks(vocab)
    } else {
        Bpe::from_merges(vocab, merges.unwrap_or_default(), whole_piece_first)
    }
    .map_err(|e| tf_error("ModelError", e))?;
    let mut counter = counter.borrow_mut();
    let table = &mut counter.table;

    let result = py.allow_threads(|| -> Result<_, String> {
        // Words in the canonical (byte-sorted) order, segmented in parallel, appended in order.
        let mut words = WordTable::new();
        {
            let sorted = table.sorted();
            for chunk in sorted.chunks(1 << 16) {
                let segmented: Result<Vec<Vec<(Vec<u32>, u64)>>, String> = chunk
                    .par_iter()
                    .map(|&(piece, count)| {
                        if char_level {
                            let mut runs = Vec::new();
                            char_level_runs(piece, &bpe, &mut runs);
                            for run in runs.iter_mut() {
                                bpe.merge_ids(run);
                            }
                            runs.retain(|r| r.len() > 1);
                            Ok(runs.into_iter().map(|r| (r, count)).collect())
                        } else {
                            let mut ids = Vec::with_capacity(piece.len());
                            bpe.encode_piece(piece, &mut ids)?;
                            Ok(if ids.len() > 1 { vec![(ids, count)] } else { Vec::new() })
                        }
                    })
                    .collect();
                for runs in segmented? {
                    for (ids, count) in runs {
                        words.push(&ids, count);
                    }
                }
            }
        }
        if consume {
            table.counts = Default::default();
        }
        let tokens: Vec<Option<Box<[u8]>>> = bpe.tokens.clone();
        let token_len: Vec<u32> = tokens
            .iter()
            .map(|t| t.as_deref().map_or(0, |b| if char_level { char_len(b) } else { b.len() as u32 }))
            .collect();
        drop(bpe);
        let first_new = tokens.len() as u32;
        let mut engine = Engine::new(words, tokens, token_len);
        let limits = TrainLimits {
            new_tokens,
            min_frequency,
            max_token_length,
            forbidden: forbidden.into_iter().map(|f| f.into_boxed_slice()).collect::<FxHashSet<_>>(),
            check_every,
            reserved_ids: reserved_ids.into_iter().collect(),
            max_words,
            sentence_punctuation,
            ..Default::default()
        };
        let mut report = progress_hook(&progress);
        let learned = engine.run(&limits, progress_every, &mut report)?;
        Ok(learned_tokens(&engine, first_new, &learned))
    });
    let (new_vocab, merges) = result.map_err(training_error)?;
    Ok(to_python(py, new_vocab, merges))
}

/// The progress hook every trainer binding hands its engine: stops on Ctrl-C, calls the Python callback.
pub(crate) fn progress_hook(progress: &Option<Py<PyAny>>) -> impl FnMut(usize, usize) -> Result<(), String> + '_ {
    move |m: usize, t: usize| {
        Python::with_gil(|py| {
            py.check_signals().map_err(|e| format!("interrupted: {e}"))?;
            if let Some(cb) = progress {
                cb.call1(py, (m, t)).map_err(|e| format!("progress callback failed: {e}"))?;
            }
            Ok(())
        })
    }
}

/// A training failure as Python sees it: Ctrl-C as KeyboardInterrupt, anything else TrainingError.
pub(crate) fn training_error(e: String) -> PyErr {
    if e.starts_with("interrupted") {
        pyo3::exceptions::PyKeyboardInterrupt::new_err(e)
    } else {
        tf_error("TrainingError", e)
    }
}

/// The tokens an engine added from id `first_new` on, and its merges as byte strings (left, right, count).
pub(crate) fn learned_tokens(engine: &Engine, first_new: u32, learned: &[Merge]) -> (Vec<(Vec<u8>, u32)>, Vec<(Vec<u8>, Vec<u8>, u64)>) {
    let tok = |i: u32| engine.token(i).unwrap_or(&[]).to_vec();
    let new_vocab = (first_new..engine.n_ids()).filter_map(|id| engine.token(id).map(|t| (t.to_vec(), id))).collect();
    (new_vocab, learned.iter().map(|m| (tok(m.left), tok(m.right), m.count)).collect())
}

/// (new vocabulary, merges) as the Python lists the trainer bindings return.
#[allow(clippy::type_complexity)]
pub(crate) fn to_python<'py>(
    py: Python<'py>,
    new_vocab: Vec<(Vec<u8>, u32)>,
    merges: Vec<(Vec<u8>, Vec<u8>, u64)>,
) -> (Vec<(Bound<'py, PyBytes>, u32)>, Vec<(Bound<'py, PyBytes>, Bound<'py, PyBytes>, u64)>) {
    (
        new_vocab.into_iter().map(|(t, id)| (PyBytes::new(py, &t), id)).collect(),
        merges.into_iter().map(|(a, b, c)| (PyBytes::new(py, &a), PyBytes::new(py, &b), c)).collect(),
    )
}

/// The first token (in id order) whose own bytes, encoded as one piece, segment differently under
/// tiktoken's rank rule (rank = id) than under the merge list; None when every token agrees. This
/// is the check behind exporting a merge-list model as a tiktoken rank file.
#[pyfunction]
pub fn rank_rule_mismatch<'py>(
    py: Python<'py>,
    vocab: Vec<(Vec<u8>, u32)>,
    merges: Vec<(Vec<u8>, Vec<u8>)>,
    whole_piece_first: bool,
) -> PyResult<Option<Bound<'py, PyBytes>>> {
    let found = py.allow_threads(|| -> Result<Option<Vec<u8>>, String> {
        let by_merges = Bpe::from_merges(vocab.clone(), merges, whole_piece_first)?;
        let by_ranks = Bpe::from_ranks(vocab)?;
        let mut ids: Vec<usize> = (0..by_ranks.tokens.len()).collect();
        ids.retain(|&i| by_ranks.tokens[i].as_ref().is_some_and(|t| t.len() > 1));
        let first = ids.par_iter().find_first(|&&i| {
            let t = by_ranks.tokens[i].as_deref().unwrap_or(&[]);
            let (mut a, mut b) = (Vec::new(), Vec::new());
            by_merges.encode_piece(t, &mut a).is_err() || by_ranks.encode_piece(t, &mut b).is_err() || a != b
        });
        Ok(first.map(|&i| by_ranks.tokens[i].as_deref().unwrap_or(&[]).to_vec()))
    });
    let found = found.map_err(|e| tf_error("ModelError", e))?;
    Ok(found.map(|t| PyBytes::new(py, &t)))
}
