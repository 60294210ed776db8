//! The training bindings: `PretokenCounter`, every trainer function, and the Unigram / PathPiece loops.
//!
//! Every trainer takes the same limits and progress arguments; they arrive as one `TrainArgs`, whose `run`
//! builds the engine's `TrainLimits`, adapts the Python progress callback (and Ctrl-C), releases the GIL and maps
//! the failure onto Python's exceptions — so a trainer binding only converts its own arguments.

use super::errors::{config_error, encode_error, model_error, tf_error, training_error};
use crate::encode::bpe_encode::Bpe;
use crate::pipeline::NormStep;
use crate::pretokenize::Pretokenizer;
use crate::train::bpe_train::TrainLimits;
use crate::train::parity_train::{ByteAlphabet, ParityRecord};
use crate::train::pretoken_count::PretokenTable;
use crate::train::unigram_train::{alternatives, seed_substrings, Corpus};
use crate::train::wordpiece_train::WordPieceStart;
use crate::train::{self as core, Learned, Progress, INTERRUPTED};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyBytes;
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
        let pretok = Pretokenizer::build(kind, pattern, emit_gaps).map_err(config_error)?;
        let norm = NormStep::from_names(&normalizer).map_err(config_error)?;
        Ok(PretokenCounter { table: PretokenTable::new(pretok, norm) })
    }

    /// Pre-tokenizes and counts `texts` on all cores with the GIL released.
    fn add_texts(&mut self, py: Python<'_>, texts: Vec<PyBackedStr>) -> PyResult<()> {
        let table = &mut self.table;
        py.allow_threads(|| table.add_texts(&texts)).map_err(encode_error)
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
        let table = &self.table;
        let by_char = py.allow_threads(|| table.char_counts());
        by_char.into_iter().map(|(ch, c)| (ch.to_string(), c)).collect()
    }

    /// Forgets every count (frees the table's memory).
    fn clear(&mut self) {
        self.table.clear()
    }
}

/// The arguments every trainer binding shares: the engine's limits and the progress reporting.
struct TrainArgs {
    limits: TrainLimits,
    progress: Option<PyObject>,
    progress_every: usize,
}

impl TrainArgs {
    /// The one conversion of the shared arguments into `TrainLimits`; a trainer sets its own limits on
    /// `self.limits` afterwards (reserved ids, SuperBPE's bounds, a forbidden prefix).
    fn new(
        new_tokens: usize,
        min_frequency: u64,
        max_token_length: Option<u32>,
        forbidden: Vec<Vec<u8>>,
        check_every: usize,
        progress: Option<PyObject>,
        progress_every: usize,
    ) -> TrainArgs {
        let limits = TrainLimits {
            new_tokens,
            min_frequency,
            max_token_length,
            forbidden: forbidden.into_iter().map(|f| f.into_boxed_slice()).collect::<FxHashSet<_>>(),
            check_every,
            ..Default::default()
        };
        TrainArgs { limits, progress, progress_every }
    }

    /// Runs `train(limits, progress_every, progress)` with the GIL released; `progress` checks for Ctrl-C and
    /// calls the Python callback. A failure is raised as `training_error` says.
    fn run<T: Send>(
        self,
        py: Python<'_>,
        train: impl FnOnce(&TrainLimits, usize, &mut Progress) -> Result<T, String> + Send,
    ) -> PyResult<T> {
        let TrainArgs { limits, progress, progress_every } = self;
        py.allow_threads(|| {
            let mut report = progress_hook(&progress);
            train(&limits, progress_every, &mut report)
        })
        .map_err(training_error)
    }
}

/// The progress hook every trainer binding hands its engine: stops on Ctrl-C, calls the Python callback.
fn progress_hook(progress: &Option<Py<PyAny>>) -> impl FnMut(usize, usize) -> Result<(), String> + '_ {
    move |m: usize, t: usize| {
        Python::with_gil(|py| {
            py.check_signals().map_err(|e| format!("{INTERRUPTED}: {e}"))?;
            if let Some(cb) = progress {
                cb.call1(py, (m, t)).map_err(|e| format!("progress callback failed: {e}"))?;
            }
            Ok(())
        })
    }
}

type PyVocab<'py> = Vec<(Bound<'py, PyBytes>, u32)>;
type PyMerges<'py> = Vec<(Bound<'py, PyBytes>, Bound<'py, PyBytes>, u64)>;

/// (new vocabulary, merges) as the Python lists the trainer bindings return.
fn to_python(py: Python<'_>, learned: Learned) -> (PyVocab<'_>, PyMerges<'_>) {
    let (new_vocab, merges) = learned;
    (
        new_vocab.into_iter().map(|(t, id)| (PyBytes::new(py, &t), id)).collect(),
        merges.into_iter().map(|(a, b, c)| (PyBytes::new(py, &a), PyBytes::new(py, &b), c)).collect(),
    )
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
#[allow(clippy::too_many_arguments)]
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
) -> PyResult<(PyVocab<'py>, PyMerges<'py>)> {
    let bpe = if rank_semantics {
        Bpe::from_ranks(vocab)
    } else {
        Bpe::from_merges(vocab, merges.unwrap_or_default(), whole_piece_first)
    }
    .map_err(model_error)?;
    let mut counter = counter.borrow_mut();
    let table = &mut counter.table;
    let mut args =
        TrainArgs::new(new_tokens, min_frequency, max_token_length, forbidden, check_every, progress, progress_every);
    args.limits.reserved_ids = reserved_ids.into_iter().collect();
    args.limits.max_words = max_words;
    args.limits.sentence_punctuation = sentence_punctuation;
    let learned = args.run(py, |limits, every, progress| {
        core::bpe::train_bpe(table, bpe, char_level, consume, limits, every, progress)
    })?;
    Ok(to_python(py, learned))
}

/// Learns BoundlessBPE merges and supermerges from a counter of whole *records* (pre-tokenizer
/// "whole"): each distinct record is cut by the pre-tokenizer (`kind`, `pattern`, `emit_gaps`);
/// its pieces are the engine's words (counted over all records) and its piece sequence gives the
/// supermerge candidates. A piece holding a line break never joins a superword. Fresh training
/// from `vocab` (the alphabet), byte level. Returns (new tokens, merges as (left, right, count,
/// is_supermerge)).
#[pyfunction]
#[pyo3(signature = (counter, kind, pattern, emit_gaps, vocab, new_tokens, min_frequency=0, max_token_length=None,
    forbidden=Vec::new(), progress=None, progress_every=500, check_every=0))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
pub fn train_boundless<'py>(
    py: Python<'py>,
    counter: &Bound<'py, PretokenCounter>,
    kind: &str,
    pattern: Option<&str>,
    emit_gaps: bool,
    vocab: Vec<(Vec<u8>, u32)>,
    new_tokens: usize,
    min_frequency: u64,
    max_token_length: Option<u32>,
    forbidden: Vec<Vec<u8>>,
    progress: Option<PyObject>,
    progress_every: usize,
    check_every: usize,
) -> PyResult<(PyVocab<'py>, Vec<(Bound<'py, PyBytes>, Bound<'py, PyBytes>, u64, bool)>)> {
    let pretok = Pretokenizer::build(kind, pattern, emit_gaps).map_err(config_error)?;
    let bpe = Bpe::from_merges(vocab, Vec::new(), false).map_err(model_error)?;
    let counter = counter.borrow();
    let table = &counter.table;
    let args =
        TrainArgs::new(new_tokens, min_frequency, max_token_length, forbidden, check_every, progress, progress_every);
    let (learned, superword) = args.run(py, |limits, every, progress| {
        core::boundless::train_boundless(table, &pretok, bpe, limits, every, progress)
    })?;
    let (new_vocab, merges) = to_python(py, learned);
    Ok((new_vocab, merges.into_iter().zip(superword).map(|((a, b, c), s)| (a, b, c, s)).collect()))
}

/// Learns byte-level BPE merges with the parity-aware policy.
///
/// `train[l]`, `dev[l]`: pretoken counters of language l's training and dev text. `alphabet`: the 256
/// single bytes with their ids. The first `global_tokens` new tokens are learned by plain frequency
/// (the hybrid mode), the rest for the worst-compressed language on the dev set. Returns (new tokens
/// as (bytes, id), merges as (left, right, count), the language each merge was chosen for (-1:
/// global), dev tokens per language before and after training). `window` > 0: the moving-window variant.
#[pyfunction]
#[pyo3(signature = (train, dev, alphabet, new_tokens, global_tokens=0, min_frequency=0, max_token_length=None,
    forbidden=Vec::new(), progress=None, progress_every=500, check_every=0, window=0, alpha=2.0))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
pub fn train_parity<'py>(
    py: Python<'py>,
    train: Vec<Bound<'py, PretokenCounter>>,
    dev: Vec<Bound<'py, PretokenCounter>>,
    alphabet: Vec<(Vec<u8>, u32)>,
    new_tokens: usize,
    global_tokens: usize,
    min_frequency: u64,
    max_token_length: Option<u32>,
    forbidden: Vec<Vec<u8>>,
    progress: Option<PyObject>,
    progress_every: usize,
    check_every: usize,
    window: usize,
    alpha: f64,
) -> PyResult<(PyVocab<'py>, PyMerges<'py>, Vec<i64>, Vec<u64>, Vec<u64>)> {
    if train.is_empty() || train.len() != dev.len() {
        return Err(config_error(format!(
            "need one dev counter per language: {} languages, {} dev",
            train.len(),
            dev.len()
        )));
    }
    let alphabet = ByteAlphabet::new(alphabet).map_err(model_error)?;
    let train_refs: Vec<PyRef<PretokenCounter>> = train.iter().map(|c| c.borrow()).collect();
    let dev_refs: Vec<PyRef<PretokenCounter>> = dev.iter().map(|c| c.borrow()).collect();
    let train_tables: Vec<&PretokenTable> = train_refs.iter().map(|c| &c.table).collect();
    let dev_tables: Vec<&PretokenTable> = dev_refs.iter().map(|c| &c.table).collect();
    let args =
        TrainArgs::new(new_tokens, min_frequency, max_token_length, forbidden, check_every, progress, progress_every);
    let (learned, record) = args.run(py, |limits, every, progress| {
        core::parity_train::train_parity(
            &train_tables,
            &dev_tables,
            alphabet,
            global_tokens,
            window,
            alpha,
            limits,
            every,
            progress,
        )
    })?;
    let ParityRecord { chosen, dev_before, dev_after } = record;
    let (new_vocab, merges) = to_python(py, learned);
    Ok((new_vocab, merges, chosen, dev_before, dev_after))
}

/// Learns WordPiece tokens from a counter's pretokens.
///
/// `vocab`: the starting tokens as (internal bytes, id): special tokens and the alphabet, each
/// character word-initial and as a continuation (0xFF + its UTF-8). `max_token_length` counts
/// characters (the continuation mark excluded). Returns (new tokens as (internal bytes, id),
/// merges as (left, right, count)).
#[pyfunction]
#[pyo3(signature = (counter, vocab, new_tokens, min_frequency=0, max_token_length=None, forbidden=Vec::new(),
    forbidden_prefix=None, progress=None, progress_every=500, check_every=0))]
#[allow(clippy::too_many_arguments)]
pub fn train_wordpiece<'py>(
    py: Python<'py>,
    counter: &Bound<'py, PretokenCounter>,
    vocab: Vec<(Vec<u8>, u32)>,
    new_tokens: usize,
    min_frequency: u64,
    max_token_length: Option<u32>,
    forbidden: Vec<Vec<u8>>,
    forbidden_prefix: Option<Vec<u8>>,
    progress: Option<PyObject>,
    progress_every: usize,
    check_every: usize,
) -> PyResult<(PyVocab<'py>, PyMerges<'py>)> {
    let start = WordPieceStart::new(&vocab).map_err(config_error)?;
    let counter = counter.borrow();
    let table = &counter.table;
    let mut args =
        TrainArgs::new(new_tokens, min_frequency, max_token_length, forbidden, check_every, progress, progress_every);
    args.limits.forbidden_prefix = forbidden_prefix.map(|f| f.into_boxed_slice());
    let learned = args.run(py, |limits, every, progress| {
        core::wordpiece_train::train_wordpiece(table, start, limits, every, progress)
    })?;
    Ok(to_python(py, learned))
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
    let found =
        py.allow_threads(|| core::bpe::rank_rule_mismatch(vocab, merges, whole_piece_first)).map_err(model_error)?;
    Ok(found.map(|t| PyBytes::new(py, &t)))
}

fn code_points(s: &str) -> Vec<u32> {
    s.chars().map(|c| c as u32).collect()
}

/// Python face of the Unigram trainer's corpus: built once from (word, count) pairs, then asked for E-steps and
/// Viterbi counts under changing piece sets, with the GIL released.
#[pyclass(module = "tokenforge._core")]
pub struct UnigramCorpus {
    corpus: Corpus,
}

#[pymethods]
impl UnigramCorpus {
    #[new]
    fn new(words: Vec<(String, u64)>) -> Self {
        let words: Vec<(Vec<u32>, u64)> = words.iter().map(|(w, c)| (code_points(w), *c)).collect();
        UnigramCorpus { corpus: Corpus::new(&words) }
    }

    fn __len__(&self) -> usize {
        self.corpus.len()
    }

    /// (expected counts, one per piece plus unknown last; sum over words of count * log Z).
    fn e_step(
        &self,
        py: Python<'_>,
        pieces: Vec<String>,
        scores: Vec<f64>,
        unk_score: f64,
    ) -> PyResult<(Vec<f64>, f64)> {
        check_lengths(&pieces, &scores)?;
        let pieces: Vec<Vec<u32>> = pieces.iter().map(|p| code_points(p)).collect();
        Ok(py.allow_threads(|| self.corpus.e_step(&pieces, &scores, unk_score)))
    }

    /// Viterbi occurrence counts, one per piece plus unknown last.
    fn viterbi_counts(
        &self,
        py: Python<'_>,
        pieces: Vec<String>,
        scores: Vec<f64>,
        unk_score: f64,
    ) -> PyResult<Vec<u64>> {
        check_lengths(&pieces, &scores)?;
        let pieces: Vec<Vec<u32>> = pieces.iter().map(|p| code_points(p)).collect();
        Ok(py.allow_threads(|| self.corpus.viterbi_counts(&pieces, &scores, unk_score)))
    }
}

fn check_lengths(pieces: &[String], scores: &[f64]) -> PyResult<()> {
    if pieces.len() != scores.len() {
        return Err(tf_error("TrainingError", format!("{} pieces but {} scores", pieces.len(), scores.len())));
    }
    Ok(())
}

/// Each piece's status for pruning and its best alternative segmentation (see `alternatives`).
#[pyfunction]
pub fn unigram_alternatives(
    py: Python<'_>,
    pieces: Vec<String>,
    scores: Vec<f64>,
    unk_score: f64,
) -> PyResult<Vec<(u8, Vec<u32>)>> {
    check_lengths(&pieces, &scores)?;
    let pieces: Vec<Vec<u32>> = pieces.iter().map(|p| code_points(p)).collect();
    Ok(py.allow_threads(|| alternatives(&pieces, &scores, unk_score)))
}

/// Python face of `seed_substrings`: words as (text, count), `allowed` as a string of characters.
#[pyfunction]
pub fn unigram_seed_substrings(
    py: Python<'_>,
    words: Vec<(String, u64)>,
    allowed: &str,
    max_len: usize,
    size: usize,
) -> Vec<(String, u64)> {
    let words: Vec<(Vec<u32>, u64)> = words.iter().map(|(w, c)| (code_points(w), *c)).collect();
    let allowed = code_points(allowed);
    let out = py.allow_threads(|| seed_substrings(&words, &allowed, max_len, size));
    out.into_iter().map(|(s, c)| (s.into_iter().filter_map(char::from_u32).collect(), c)).collect()
}

/// Python face: `words` as (bytes, count), `tokens` as bytes; (costs per token, corpus token count).
#[pyfunction]
pub fn pathpiece_removal_costs(
    py: Python<'_>,
    words: Vec<(Vec<u8>, u64)>,
    tokens: Vec<Vec<u8>>,
) -> PyResult<(Vec<u64>, u64)> {
    py.allow_threads(|| core::pathpiece_train::removal_costs(&words, &tokens)).map_err(|e| tf_error("TrainingError", e))
}
