//! Python bindings of BoundlessBPE: training on the shared engine, and the encoder's table.

use crate::boundless::{SuperMerges, SuperPairs, BLOCKED, FIXED};
use crate::bpe_encode::Bpe;
use crate::bpe_train::{Engine, TrainLimits, WordTable};
use crate::train_bindings::{learned_tokens, progress_hook, to_python, training_error, PretokenCounter};
use crate::{build_pretokenizer, tf_error};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

/// The encoder's supermerge table from (left bytes, right bytes) in rank order; the first rank of a
/// pair wins if it is listed twice.
pub fn supermerge_table(bpe: &Bpe, merges: Vec<(Vec<u8>, Vec<u8>)>) -> Result<SuperMerges, String> {
    let mut table = FxHashMap::default();
    for (rank, (a, b)) in merges.into_iter().enumerate() {
        let joined: Vec<u8> = a.iter().chain(b.iter()).copied().collect();
        let look = |t: &[u8]| bpe.lookup(t).ok_or_else(|| format!("supermerge #{rank} needs {:?}, which is not in the vocabulary", String::from_utf8_lossy(t)));
        let (l, r, x) = (look(&a)?, look(&b)?, look(&joined)?);
        table.entry((l, r)).or_insert((rank as u32, x));
    }
    Ok(SuperMerges { table })
}

type Learned = ((Vec<(Vec<u8>, u32)>, Vec<(Vec<u8>, Vec<u8>, u64)>), Vec<bool>);

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
) -> PyResult<(Vec<(Bound<'py, PyBytes>, u32)>, Vec<(Bound<'py, PyBytes>, Bound<'py, PyBytes>, u64, bool)>)> {
    let pretok = build_pretokenizer(kind, pattern, emit_gaps).map_err(|e| tf_error("ConfigError", e))?;
    let bpe = Bpe::from_merges(vocab, Vec::new(), false).map_err(|e| tf_error("ModelError", e))?;
    let counter = counter.borrow();
    let table = &counter.table;
    let result = py.allow_threads(|| -> Result<Learned, String> {
        let records = table.sorted();
        // Each record's pieces as byte ranges, in parallel, kept in record order.
        let pieces: Vec<Vec<(usize, usize)>> = records
            .par_iter()
            .map(|&(rec, _)| {
                let text = std::str::from_utf8(rec).map_err(|_| "a counted record is not UTF-8".to_string())?;
                let mut v = Vec::new();
                pretok.for_each_piece(text, |s, e| v.push((s, e)))?;
                Ok(v)
            })
            .collect::<Result<_, String>>()?;
        let mut piece_count: FxHashMap<&[u8], u64> = FxHashMap::default();
        for (k, &(rec, c)) in records.iter().enumerate() {
            for &(s, e) in &pieces[k] {
                let entry = piece_count.entry(&rec[s..e]).or_insert(0);
                *entry = entry.saturating_add(c);
            }
        }
        let mut distinct: Vec<(&[u8], u64)> = piece_count.into_iter().collect();
        distinct.sort_unstable();
        let segmented: Vec<Vec<u32>> = distinct
            .par_iter()
            .map(|&(p, _)| {
                let mut ids = Vec::with_capacity(p.len());
                bpe.encode_piece(p, &mut ids).map(|_| ids)
            })
            .collect::<Result<_, String>>()?;
        let mut words = WordTable::new();
        let mut unit_of: FxHashMap<&[u8], u32> = FxHashMap::default();
        for (k, &(p, c)) in distinct.iter().enumerate() {
            let ids = &segmented[k];
            let unit = if p.contains(&b'\n') || p.contains(&b'\r') {
                if ids.len() > 1 {
                    words.push(ids, c);
                }
                BLOCKED
            } else if ids.len() > 1 {
                words.push(ids, c);
                (words.n_words() - 1) as u32
            } else {
                FIXED | ids[0]
            };
            unit_of.insert(p, unit);
        }
        let seqs: Vec<(Vec<u32>, u64)> = records
            .iter()
            .enumerate()
            .map(|(k, &(rec, c))| (pieces[k].iter().map(|&(s, e)| unit_of[&rec[s..e]]).collect(), c))
            .collect();
        drop(unit_of);
        let tokens: Vec<Option<Box<[u8]>>> = bpe.tokens.clone();
        let token_len: Vec<u32> = tokens.iter().map(|t| t.as_deref().map_or(0, |b| b.len() as u32)).collect();
        let first_new = tokens.len() as u32;
        let n_words = words.n_words();
        let mut engine = Engine::new(words, tokens, token_len);
        engine.set_superwords(SuperPairs::new(seqs, n_words));
        let limits = TrainLimits {
            new_tokens,
            min_frequency,
            max_token_length,
            forbidden: forbidden.into_iter().map(|f| f.into_boxed_slice()).collect::<FxHashSet<_>>(),
            check_every,
            ..Default::default()
        };
        let mut report = progress_hook(&progress);
        let learned = engine.run(&limits, progress_every, &mut report)?;
        let superword: Vec<bool> = learned.iter().map(|m| m.superword).collect();
        Ok((learned_tokens(&engine, first_new, &learned), superword))
    });
    let ((new_vocab, merges), superword) = result.map_err(training_error)?;
    let (new_vocab, merges) = to_python(py, new_vocab, merges);
    Ok((new_vocab, merges.into_iter().zip(superword).map(|((a, b, c), s)| (a, b, c, s)).collect()))
}
