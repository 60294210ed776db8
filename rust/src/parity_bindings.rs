//! Python binding of parity-aware BPE training: per-language counters in, merges and the policy's record out.

use crate::bpe_train::{Engine, TrainLimits, WordTable};
use crate::parity_train::{run_parity, LangShare, ParityState};
use crate::pretoken_count::PretokenTable;
use crate::tf_error;
use crate::train_bindings::{learned_tokens, progress_hook, to_python, training_error, PretokenCounter};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rustc_hash::FxHashSet;

/// One word table over every language's training and dev pretokens, in byte order of the pretokens
/// (the order plain training uses, so one language, or all-global merges, give plain BPE's merges).
/// Returns the table, each word's per-language shares, and per language the dev tokens of words of
/// a single symbol (left out of the table: no merge can change them).
fn build_words(
    train: &[&PretokenTable],
    dev: &[&PretokenTable],
    byte_id: &[u32; 256],
) -> (WordTable, Vec<Vec<LangShare>>, Vec<u64>) {
    let n_langs = train.len();
    let mut all: Vec<(&[u8], u32, bool, u64)> = Vec::new();
    for (l, t) in train.iter().enumerate() {
        all.extend(t.counts.iter().map(|(k, &c)| (&k[..], l as u32, false, c)));
    }
    for (l, t) in dev.iter().enumerate() {
        all.extend(t.counts.iter().map(|(k, &c)| (&k[..], l as u32, true, c)));
    }
    all.sort_unstable_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
    let mut words = WordTable::new();
    let mut shares_of = Vec::new();
    let mut dev_constant = vec![0u64; n_langs];
    let mut symbols: Vec<u32> = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let piece = all[i].0;
        let mut shares: Vec<LangShare> = Vec::new();
        while i < all.len() && all[i].0 == piece {
            let (_, lang, is_dev, count) = all[i];
            if shares.last().map_or(true, |s| s.lang != lang) {
                shares.push(LangShare { lang, train: 0, dev: 0 });
            }
            let s = shares.last_mut().unwrap();
            if is_dev {
                s.dev = s.dev.saturating_add(count);
            } else {
                s.train = s.train.saturating_add(count);
            }
            i += 1;
        }
        if piece.len() < 2 {
            for s in &shares {
                dev_constant[s.lang as usize] += s.dev * piece.len() as u64;
            }
            continue;
        }
        symbols.clear();
        symbols.extend(piece.iter().map(|&b| byte_id[b as usize]));
        let total = shares.iter().fold(0u64, |acc, s| acc.saturating_add(s.train));
        words.push_uncounted(&symbols, total);
        shares_of.push(shares);
    }
    (words, shares_of, dev_constant)
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
) -> PyResult<(
    Vec<(Bound<'py, PyBytes>, u32)>,
    Vec<(Bound<'py, PyBytes>, Bound<'py, PyBytes>, u64)>,
    Vec<i64>,
    Vec<u64>,
    Vec<u64>,
)> {
    if train.is_empty() || train.len() != dev.len() {
        return Err(tf_error("ConfigError", format!("need one dev counter per language: {} languages, {} dev", train.len(), dev.len())));
    }
    let mut byte_id = [u32::MAX; 256];
    let mut max_id = 0u32;
    for (t, id) in &alphabet {
        if t.len() == 1 {
            byte_id[t[0] as usize] = *id;
        }
        max_id = max_id.max(*id);
    }
    if let Some(b) = byte_id.iter().position(|&id| id == u32::MAX) {
        return Err(tf_error("ModelError", format!("the alphabet lacks the byte 0x{b:02x}")));
    }
    let mut tokens: Vec<Option<Box<[u8]>>> = vec![None; max_id as usize + 1];
    for (t, id) in alphabet {
        tokens[id as usize] = Some(t.into_boxed_slice());
    }
    let token_len: Vec<u32> = tokens.iter().map(|t| t.as_deref().map_or(0, |b| b.len() as u32)).collect();
    let first_new = tokens.len() as u32;
    let train_refs: Vec<PyRef<PretokenCounter>> = train.iter().map(|c| c.borrow()).collect();
    let dev_refs: Vec<PyRef<PretokenCounter>> = dev.iter().map(|c| c.borrow()).collect();
    let train_tables: Vec<&PretokenTable> = train_refs.iter().map(|c| &c.table).collect();
    let dev_tables: Vec<&PretokenTable> = dev_refs.iter().map(|c| &c.table).collect();
    let n_langs = train_tables.len();

    let result = py.allow_threads(|| -> Result<_, String> {
        let (words, shares, dev_constant) = build_words(&train_tables, &dev_tables, &byte_id);
        let mut engine = Engine::new(words, tokens, token_len);
        let mut state = ParityState::new(&engine, shares, n_langs, dev_constant.clone());
        state.set_window(window, alpha);
        let before = state.dev_tokens().to_vec();
        let limits = TrainLimits {
            new_tokens,
            min_frequency,
            max_token_length,
            forbidden: forbidden.into_iter().map(|f| f.into_boxed_slice()).collect::<FxHashSet<_>>(),
            check_every,
            ..Default::default()
        };
        let mut report = progress_hook(&progress);
        let (learned, chosen) =
            run_parity(&mut engine, &mut state, &limits, global_tokens, &dev_constant, progress_every, &mut report)?;
        let (new_vocab, merges) = learned_tokens(&engine, first_new, &learned);
        let chosen: Vec<i64> = chosen.into_iter().map(|c| c.map_or(-1, |l| l as i64)).collect();
        Ok((new_vocab, merges, chosen, before, state.dev_tokens().to_vec()))
    });
    let (new_vocab, merges, chosen, before, after) = result.map_err(training_error)?;
    let (new_vocab, merges) = to_python(py, new_vocab, merges);
    Ok((
        new_vocab,
        merges,
        chosen,
        before,
        after,
    ))
}
