//! WordPiece training: the BPE engine under the likelihood policy.
//!
//! Words start as characters: the first one as itself, the others as continuation symbols
//! (BERT's `##`). Internally a continuation token is its text after the byte 0xFF, which no UTF-8
//! text contains, so a word-initial `##x` and the continuation `x` stay two tokens; the Python
//! side turns 0xFF into the `##` prefix. A word holding a character outside the alphabet is left
//! out (WordPiece encodes it as the unknown token).

use crate::bpe_train::{Engine, Policy, TrainLimits, WordTable};
use crate::tf_error;
use crate::train_bindings::{learned_tokens, progress_hook, to_python, training_error, PretokenCounter};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rustc_hash::{FxHashMap, FxHashSet};

pub const CONTINUATION: u8 = 0xFF;

/// Learns WordPiece tokens from a counter's pretokens.
///
/// `vocab`: the starting tokens as (internal bytes, id): special tokens and the alphabet, each
/// character word-initial and as a continuation (0xFF + its UTF-8). `max_token_length` counts
/// characters (the continuation mark excluded). Returns (new tokens as (internal bytes, id),
/// merges as (left, right, count)).
#[pyfunction]
#[pyo3(signature = (counter, vocab, new_tokens, min_frequency=0, max_token_length=None, forbidden=Vec::new(),
    forbidden_prefix=None, progress=None, progress_every=500, check_every=0))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
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
) -> PyResult<(Vec<(Bound<'py, PyBytes>, u32)>, Vec<(Bound<'py, PyBytes>, Bound<'py, PyBytes>, u64)>)> {
    let n_ids = vocab.iter().map(|&(_, id)| id as usize + 1).max().unwrap_or(0);
    let mut tokens: Vec<Option<Box<[u8]>>> = vec![None; n_ids];
    let mut seen: FxHashSet<&[u8]> = FxHashSet::default();
    for (t, id) in &vocab {
        if !seen.insert(t.as_slice()) || tokens[*id as usize].is_some() {
            return Err(tf_error("ConfigError", format!("starting vocabulary repeats token {t:?} or id {id}")));
        }
        tokens[*id as usize] = Some(t.clone().into_boxed_slice());
    }
    // char -> (initial id, continuation id)
    let mut initial: FxHashMap<char, u32> = FxHashMap::default();
    let mut continuation: FxHashMap<char, u32> = FxHashMap::default();
    for (t, id) in &vocab {
        let (map, text) = match t.first() {
            Some(&CONTINUATION) => (&mut continuation, &t[1..]),
            _ => (&mut initial, &t[..]),
        };
        if let Ok(s) = std::str::from_utf8(text) {
            let mut chars = s.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                map.insert(c, *id);
            }
        }
    }
    let token_len: Vec<u32> = tokens
        .iter()
        .map(|t| match t.as_deref() {
            Some([CONTINUATION, rest @ ..]) => String::from_utf8_lossy(rest).chars().count() as u32,
            Some(b) => String::from_utf8_lossy(b).chars().count() as u32,
            None => 0,
        })
        .collect();
    let counter = counter.borrow();
    let table = &counter.table;

    let result = py.allow_threads(|| -> Result<_, String> {
        let mut words = WordTable::new();
        let mut ids: Vec<u32> = Vec::new();
        'pieces: for (piece, count) in table.sorted() {
            ids.clear();
            for (k, ch) in String::from_utf8_lossy(piece).chars().enumerate() {
                let map = if k == 0 { &initial } else { &continuation };
                match map.get(&ch) {
                    Some(&id) => ids.push(id),
                    None => continue 'pieces,
                }
            }
            words.push(&ids, count);
        }
        let first_new = tokens.len() as u32;
        let mut engine = Engine::with_policy(words, tokens, token_len, Policy::Likelihood, Some(CONTINUATION));
        let limits = TrainLimits {
            new_tokens,
            min_frequency,
            max_token_length,
            forbidden: forbidden.into_iter().map(|f| f.into_boxed_slice()).collect::<FxHashSet<_>>(),
            check_every,
            forbidden_prefix: forbidden_prefix.map(|f| f.into_boxed_slice()),
            ..Default::default()
        };
        let mut report = progress_hook(&progress);
        let learned = engine.run(&limits, progress_every, &mut report)?;
        Ok(learned_tokens(&engine, first_new, &learned))
    });
    let (new_vocab, merges) = result.map_err(training_error)?;
    Ok(to_python(py, new_vocab, merges))
}
