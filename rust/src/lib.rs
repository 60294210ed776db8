//! `tokenforge._core`: the native hot loops behind the Python package.

mod boundless;
mod boundless_bindings;
mod bpe_chars;
mod bpe_dropout;
mod bpe_encode;
mod bpe_train;
mod lattice;
mod ngram_match;
mod parity_bindings;
mod parity_train;
mod pathpiece_train;
mod pipeline;
mod pretoken_count;
mod pretokenize;
mod result_cache;
mod rng;
mod spm;
mod token_labels;
mod train_bindings;
mod unicode_class;
mod unigram_train;
mod word_count;
mod wordpiece_train;

use bpe_encode::Bpe;
use pipeline::{Allowed, NormStep, Pipeline, Special};
use pretokenize::{Flavor, Pretokenizer};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBytes, PyList};

/// Python int objects for token ids, created on first use and then shared by every list this tokenizer returns.
/// An id list then costs one reference-count increment per id instead of allocating (and later freeing) an
/// int object. Only ids a text actually produced get an object, so the memory is bounded by the vocabulary.
struct IntCache {
    ints: std::sync::Mutex<Vec<Option<Py<PyAny>>>>,
}

impl IntCache {
    fn new(n_ids: usize) -> Self {
        IntCache { ints: std::sync::Mutex::new((0..n_ids).map(|_| None).collect()) }
    }

    /// A Python list of ints built directly (PyO3's generic conversion costs ~3x more per id, and encode returns
    /// millions of them).
    fn list<'py>(&self, py: Python<'py>, ids: &[u32]) -> PyResult<Bound<'py, PyList>> {
        // The lock is only ever taken with the GIL held and never waits: should it be busy (it cannot be, short of
        // a future free-threaded build), the list is built with fresh int objects instead.
        let mut guard = self.ints.try_lock().ok();
        unsafe {
            let list = pyo3::ffi::PyList_New(ids.len() as pyo3::ffi::Py_ssize_t);
            if list.is_null() {
                return Err(PyErr::fetch(py));
            }
            for (k, &id) in ids.iter().enumerate() {
                let cached = guard.as_deref_mut().and_then(|ints| ints.get_mut(id as usize));
                let item = match cached {
                    Some(Some(obj)) => {
                        let ptr = obj.as_ptr();
                        pyo3::ffi::Py_IncRef(ptr);
                        ptr
                    }
                    slot => {
                        let item = pyo3::ffi::PyLong_FromUnsignedLong(id as std::os::raw::c_ulong);
                        if item.is_null() {
                            pyo3::ffi::Py_DecRef(list);
                            return Err(PyErr::fetch(py));
                        }
                        if let Some(slot) = slot {
                            pyo3::ffi::Py_IncRef(item);
                            *slot = Some(Py::from_owned_ptr(py, item));
                        }
                        item
                    }
                };
                pyo3::ffi::PyList_SET_ITEM(list, k as pyo3::ffi::Py_ssize_t, item);
            }
            Ok(Bound::from_owned_ptr(py, list).downcast_into_unchecked())
        }
    }
}
use rayon::prelude::*;

/// Raises `tokenforge.errors.<name>(message)`; the typed hierarchy lives in Python.
pub(crate) fn tf_error(name: &str, message: String) -> PyErr {
    Python::with_gil(|py| {
        match py.import("tokenforge.errors").and_then(|m| m.getattr(name)).and_then(|c| c.call1((message.clone(),))) {
            Ok(exc) => PyErr::from_value(exc),
            Err(e) => e,
        }
    })
}

pub(crate) fn build_pretokenizer(kind: &str, pattern: Option<&str>, emit_gaps: bool) -> Result<Pretokenizer, String> {
    match kind {
        "whole" => Ok(Pretokenizer::Whole),
        "regex" => Pretokenizer::regex(pattern.ok_or("a regex pre-tokenizer needs a pattern")?, emit_gaps),
        name => Flavor::from_name(name)
            .map(Pretokenizer::Named)
            .ok_or_else(|| format!("unknown pre-tokenizer {name:?}")),
    }
}

/// Normalizer steps by name ("nfc", "nfkc", "lowercase"); an unknown name is a `ConfigError`.
pub(crate) fn build_normalizer(names: &[String]) -> PyResult<Vec<NormStep>> {
    names
        .iter()
        .map(|n| NormStep::from_name(n))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tf_error("ConfigError", e))
}

/// A compiled tokenizer: the whole encode/decode path, native.
#[pyclass(frozen, module = "tokenforge._core")]
struct CoreTokenizer {
    p: Pipeline,
    ints: IntCache,
}

fn allowed_from(mask: &Option<Vec<bool>>, all: bool) -> Allowed<'_> {
    if all {
        Allowed::All
    } else {
        match mask {
            Some(m) => Allowed::Mask(m),
            None => Allowed::None,
        }
    }
}

impl CoreTokenizer {
    /// A SentencePiece model: BPE (`lattice` None: SP's merge order on the char-level encoder, cut where no
    /// merge can cross) or Unigram (`lattice` with SP's scoring: Viterbi over the whole normalized text).
    #[allow(clippy::too_many_arguments)]
    fn new_spm(
        py: Python<'_>,
        vocab: Vec<(Vec<u8>, u32)>,
        specials: Vec<(String, u32, bool)>,
        args: spm::SpmArgs,
        lattice: Option<std::sync::Arc<lattice::Lattice>>,
        seed: u64,
        decode: Option<Vec<(u32, Vec<u8>)>>,
    ) -> PyResult<Self> {
        let normalizer = args.normalizer().map_err(|e| tf_error("ModelError", e))?;
        let unigram = lattice.is_some();
        let split = if unigram {
            // SP scores the whole normalized text in one f32 Viterbi pass: no cut is exact under rounding.
            spm::SpmSplit { user_defined: None, split_before_space: false }
        } else {
            spm::SpmSplit {
                user_defined: args.user_defined_matcher().map_err(|e| tf_error("ModelError", e))?,
                split_before_space: args.split_before_space,
            }
        };
        let mut bpe = py
            .allow_threads(|| if unigram { Bpe::from_ranks(vocab) } else { Bpe::from_piece_ranks(vocab, &args.piece_ranks) })
            .map_err(|e| tf_error("ModelError", e))?;
        if !unigram {
            if let Some(unk) = args.unk_id {
                bpe.unk_id = unk;
            }
            bpe.frozen = args.user_defined.iter().map(|(s, id)| (s.as_bytes().into(), *id)).collect();
        }
        let specials = specials.into_iter().map(|(text, id, always)| Special { text, id, always }).collect();
        let norm = vec![NormStep::Spm(std::sync::Arc::new(normalizer))];
        let mut p = Pipeline::new(bpe, Pretokenizer::Spm(Box::new(split)), norm, specials)
            .map_err(|e| tf_error("ModelError", e))?;
        if unigram {
            p.lattice = lattice;
            p.seed = seed;
        } else {
            p.collapse_unk = args.unk_id;
        }
        if let Some(entries) = decode {
            p.override_decode(entries);
        }
        let ints = IntCache::new(p.n_ids());
        Ok(CoreTokenizer { p, ints })
    }
}

#[pymethods]
impl CoreTokenizer {
    /// `vocab`: (bytes, id) pairs. `merges`: None for tiktoken rank semantics, else the ordered
    /// merge list. `pretokenizer`: a named scanner ("r50k", "cl100k", "o200k", "qwen2"),
    /// "regex" (with `pattern`) or "whole". `spm`: a SentencePiece model (see `spm::SpmArgs`); it replaces
    /// merges, normalizer and pre-tokenizer (with `lattice`, a Unigram model: SP's Viterbi over the whole text).
    /// `lattice`: another inference method over the same vocabulary (`LatticeModel`); `dropout`: BPE-dropout;
    /// `seed`: of the random methods; `decode`: (id, bytes) overriding what model ids decode to; `space_before`:
    /// ids before which decoding puts a space unless first (WordPiece's word starts).
    #[new]
    #[pyo3(signature = (vocab, merges, whole_piece_first, pretokenizer, pattern, emit_gaps, normalizer, specials, char_level=false, lattice=None, dropout=None, seed=0, decode=None, space_before=None, supermerges=None, spm=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        vocab: Vec<(Vec<u8>, u32)>,
        merges: Option<Vec<(Vec<u8>, Vec<u8>)>>,
        whole_piece_first: bool,
        pretokenizer: &str,
        pattern: Option<&str>,
        emit_gaps: bool,
        normalizer: Vec<String>,
        specials: Vec<(String, u32, bool)>,
        char_level: bool,
        lattice: Option<PyRef<'_, lattice::LatticeModel>>,
        dropout: Option<f64>,
        seed: u64,
        decode: Option<Vec<(u32, Vec<u8>)>>,
        space_before: Option<Vec<u32>>,
        supermerges: Option<Vec<(Vec<u8>, Vec<u8>)>>,
        spm: Option<spm::SpmArgs>,
    ) -> PyResult<Self> {
        if let Some(args) = spm {
            return Self::new_spm(py, vocab, specials, args, lattice.map(|l| l.inner.clone()), seed, decode);
        }
        let pretok = build_pretokenizer(pretokenizer, pattern, emit_gaps).map_err(|e| tf_error("ConfigError", e))?;
        let norm = build_normalizer(&normalizer)?;
        let mut bpe = py
            .allow_threads(|| match merges {
                None => Bpe::from_ranks(vocab),
                Some(m) => Bpe::from_merges(vocab, m, whole_piece_first),
            })
            .map_err(|e| tf_error("ModelError", e))?;
        bpe.char_level = char_level;
        let specials = specials.into_iter().map(|(text, id, always)| Special { text, id, always }).collect();
        let supermerges = supermerges.map(|m| boundless_bindings::supermerge_table(&bpe, m)).transpose().map_err(|e| tf_error("ModelError", e))?;
        let mut p = Pipeline::new(bpe, pretok, norm, specials).map_err(|e| tf_error("ModelError", e))?;
        p.lattice = lattice.map(|l| l.inner.clone());
        p.dropout = dropout;
        p.seed = seed;
        if let Some(entries) = decode {
            p.override_decode(entries);
        }
        if let Some(ids) = space_before {
            let mut flags = vec![false; p.n_ids()];
            for id in ids {
                if let Some(f) = flags.get_mut(id as usize) {
                    *f = true;
                }
            }
            p.space_before = flags;
        }
        p.supermerges = supermerges;
        let ints = IntCache::new(p.n_ids());
        Ok(CoreTokenizer { p, ints })
    }

    #[pyo3(signature = (text, allowed_mask=None, allow_all=false))]
    fn encode<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        allowed_mask: Option<Vec<bool>>,
        allow_all: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let allowed = allowed_from(&allowed_mask, allow_all);
        let ids = py
            .allow_threads(|| {
                let mut out = Vec::with_capacity(text.len() / 3 + 1);
                self.p.encode(text, &allowed, &mut out, None).map(|_| out)
            })
            .map_err(|e| tf_error("EncodeError", e))?;
        self.ints.list(py, &ids)
    }

    /// Ids and each token's byte span in `text`.
    #[pyo3(signature = (text, allowed_mask=None, allow_all=false))]
    fn encode_with_byte_spans(
        &self,
        py: Python<'_>,
        text: &str,
        allowed_mask: Option<Vec<bool>>,
        allow_all: bool,
    ) -> PyResult<(Vec<u32>, Vec<(usize, usize)>)> {
        let allowed = allowed_from(&allowed_mask, allow_all);
        py.allow_threads(|| {
            let mut out = Vec::new();
            let mut spans = Vec::new();
            self.p.encode(text, &allowed, &mut out, Some(&mut spans)).map(|_| (out, spans))
        })
        .map_err(|e| tf_error("EncodeError", e))
    }

    /// Encodes many texts in parallel (all cores, GIL released). Building the Python lists needs the
    /// GIL and would be a serial tail after the parallel part, so this thread builds each text's list as
    /// soon as a worker finishes it, overlapping list building with encoding.
    #[pyo3(signature = (texts, allowed_mask=None, allow_all=false))]
    fn encode_batch<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<PyBackedStr>,
        allowed_mask: Option<Vec<bool>>,
        allow_all: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let allowed = allowed_from(&allowed_mask, allow_all);
        let mut lists: Vec<Option<Bound<'py, PyList>>> = (0..texts.len()).map(|_| None).collect();
        let mut failure: Option<String> = None;
        let (tx, rx) = std::sync::mpsc::channel::<(usize, Result<Vec<u32>, String>)>();
        std::thread::scope(|scope| -> PyResult<()> {
            let (texts, allowed, pipeline) = (&texts, &allowed, &self.p);
            scope.spawn(move || {
                texts.par_iter().enumerate().for_each_with(tx, |tx, (k, t)| {
                    let mut out = Vec::with_capacity(t.len() / 3 + 1);
                    let result = pipeline.encode(t, allowed, &mut out, None).map(|_| out);
                    let _ = tx.send((k, result));
                });
            });
            let mut rx = rx;
            loop {
                let received = match rx.try_recv() {
                    Ok(item) => Some(item),
                    Err(std::sync::mpsc::TryRecvError::Empty) => {
                        // Wait without the GIL (the receiver is moved in and back out: it is Send, not Sync).
                        let (item, back) = py.allow_threads(move || (rx.recv().ok(), rx));
                        rx = back;
                        item
                    }
                    Err(std::sync::mpsc::TryRecvError::Disconnected) => None,
                };
                let Some((k, result)) = received else { break };
                match result {
                    Ok(ids) if failure.is_none() => lists[k] = Some(self.ints.list(py, &ids)?),
                    Ok(_) => {}
                    Err(e) => {
                        if failure.is_none() {
                            failure = Some(e);
                        }
                    }
                }
            }
            Ok(())
        })?;
        if let Some(e) = failure {
            return Err(tf_error("EncodeError", e));
        }
        PyList::new(py, lists.into_iter().map(|l| l.expect("every text was encoded")))
    }

    /// Number of tokens in each text, without building id lists (parallel, GIL released).
    #[pyo3(signature = (texts, allowed_mask=None, allow_all=false))]
    fn count_batch(
        &self,
        py: Python<'_>,
        texts: Vec<PyBackedStr>,
        allowed_mask: Option<Vec<bool>>,
        allow_all: bool,
    ) -> PyResult<Vec<usize>> {
        let allowed = allowed_from(&allowed_mask, allow_all);
        py.allow_threads(|| {
            texts
                .par_iter()
                .map_init(Vec::new, |out, t| {
                    out.clear();
                    self.p.encode(t, &allowed, out, None).map(|_| out.len())
                })
                .collect::<Result<Vec<usize>, String>>()
        })
        .map_err(|e| tf_error("EncodeError", e))
    }

    /// Occurrences of each id over all `texts` (index = id) as little-endian u64s, without building id lists:
    /// the evaluation scan needs only the histogram (parallel, GIL released). `units` says what is encoded:
    /// "records" (each text), "lines" (each "\n"-terminated line of each text) or "running" (each text as running
    /// text, cut at line ends into pieces of about `piece_chars` characters to be encoded in parallel). A corpus
    /// block thus crosses into native code as one string instead of one Python object per line or piece.
    /// With `out` (a writable, contiguous uint64 buffer such as a numpy array, at least one entry per id) the
    /// counts are added into it and the number of tokens counted is returned; else the counts come back as bytes.
    #[pyo3(signature = (texts, allowed_mask=None, allow_all=false, units="records", piece_chars=1 << 16, out=None))]
    #[allow(clippy::too_many_arguments)]
    fn histogram_batch<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<PyBackedStr>,
        allowed_mask: Option<Vec<bool>>,
        allow_all: bool,
        units: &str,
        piece_chars: usize,
        out: Option<Bound<'py, PyAny>>,
    ) -> PyResult<PyObject> {
        let out = match out {
            Some(obj) => {
                let buf = pyo3::buffer::PyBuffer::<u64>::get(&obj)?;
                if buf.readonly() || !buf.is_c_contiguous() || buf.item_count() < self.p.n_ids() {
                    return Err(tf_error(
                        "ConfigError",
                        format!("out must be a writable contiguous uint64 array of at least {} entries", self.p.n_ids()),
                    ));
                }
                Some(buf)
            }
            None => None,
        };
        let allowed = allowed_from(&allowed_mask, allow_all);
        let n = self.p.n_ids();
        let units = word_count::Units::parse(units, piece_chars).map_err(|e| tf_error("ConfigError", e))?;
        let counts = py.allow_threads(|| {
            let records = units.split(&texts);
            // A few contiguous parts per thread (even when text differs in density), each with one dense u32
            // counter (overflow is an error, not a wrap), summed into u64 totals at the end.
            let part = records.len().div_ceil(rayon::current_num_threads() * 4).max(1);
            let parts = records
                .par_chunks(part)
                .map(|chunk| {
                    let mut counts = vec![0u32; n];
                    let mut out = Vec::new();
                    for t in chunk {
                        out.clear();
                        self.p.encode(t, &allowed, &mut out, None)?;
                        for &id in &out {
                            let i = id as usize;
                            if i >= counts.len() {
                                counts.resize(i + 1, 0);
                            }
                            counts[i] = counts[i].checked_add(1).ok_or(
                                "an id occurs over 4 billion times in one part of a histogram call: pass the \
                                 text in smaller batches",
                            )?;
                        }
                    }
                    Ok::<_, String>(counts)
                })
                .collect::<Result<Vec<Vec<u32>>, String>>()?;
            // The parts summed id range by id range, in parallel.
            let mut totals = vec![0u64; parts.iter().map(|p| p.len()).max().unwrap_or(n).max(n)];
            totals.par_chunks_mut(1 << 14).enumerate().for_each(|(k, range)| {
                let start = k << 14;
                for p in &parts {
                    for (x, &y) in range.iter_mut().zip(p.get(start..).unwrap_or(&[])) {
                        *x += y as u64;
                    }
                }
            });
            Ok::<_, String>(totals)
        })
        .map_err(|e| tf_error("EncodeError", e))?;
        match out {
            Some(buf) => {
                let cells = buf.as_mut_slice(py).expect("checked: writable and contiguous");
                if counts.len() > cells.len() {
                    return Err(tf_error("ConfigError", format!("out has {} entries, the counts {}", cells.len(), counts.len())));
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

    /// Fertility's inputs from a word table: for the words `tally.most_common(n)` gives (in no particular
    /// order), their occurrences and the token count of `prefix + word` (little-endian u64s each), encoded in
    /// parallel with the GIL released; no Python string is made per word.
    #[pyo3(signature = (tally, n, prefix=" ", allowed_mask=None, allow_all=false))]
    fn word_token_counts<'py>(
        &self,
        py: Python<'py>,
        tally: PyRef<'py, word_count::WordTally>,
        n: usize,
        prefix: &str,
        allowed_mask: Option<Vec<bool>>,
        allow_all: bool,
    ) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
        let allowed = allowed_from(&allowed_mask, allow_all);
        let top = tally.top(n);
        let tokens = py
            .allow_threads(|| {
                top.par_iter()
                    .map_init(
                        || (String::new(), Vec::new()),
                        |(text, out), (word, _)| {
                            text.clear();
                            text.push_str(prefix);
                            text.push_str(word);
                            out.clear();
                            self.p.encode(text, &allowed, out, None).map(|_| out.len() as u64)
                        },
                    )
                    .collect::<Result<Vec<u64>, String>>()
            })
            .map_err(|e| tf_error("EncodeError", e))?;
        let occurrences: Vec<u8> = top.iter().flat_map(|(_, c)| c.to_le_bytes()).collect();
        let tokens: Vec<u8> = tokens.iter().flat_map(|c| c.to_le_bytes()).collect();
        Ok((PyBytes::new(py, &occurrences), PyBytes::new(py, &tokens)))
    }

    /// Per-id facts for the evaluation's token table, in one call: (concatenated token bytes, n+1 offsets as
    /// little-endian u64, one flag byte per id). Flags: 1 the id has bytes, 2 they are valid UTF-8, 4 they are
    /// ASCII, 8 they contain an ASCII letter, 16 encoding their text gives back exactly this id (the
    /// reachability check, run in parallel with the GIL released).
    #[pyo3(signature = (allowed_mask=None, allow_all=false))]
    fn vocab_facts<'py>(
        &self,
        py: Python<'py>,
        allowed_mask: Option<Vec<bool>>,
        allow_all: bool,
    ) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
        let allowed = allowed_from(&allowed_mask, allow_all);
        let n = self.p.n_ids();
        let mut blob = Vec::new();
        let mut offsets = Vec::with_capacity((n + 1) * 8);
        offsets.extend_from_slice(&0u64.to_le_bytes());
        for id in 0..n as u32 {
            if let Some(b) = self.p.token_bytes(id) {
                blob.extend_from_slice(b);
            }
            offsets.extend_from_slice(&(blob.len() as u64).to_le_bytes());
        }
        let flags: Vec<u8> = py.allow_threads(|| {
            (0..n as u32)
                .into_par_iter()
                .map_init(Vec::new, |out, id| {
                    let Some(b) = self.p.token_bytes(id) else { return 0u8 };
                    let mut f = 1u8;
                    if b.is_ascii() {
                        f |= 4;
                    }
                    if b.iter().any(|c| c.is_ascii_alphabetic()) {
                        f |= 8;
                    }
                    if let Ok(text) = std::str::from_utf8(b) {
                        f |= 2;
                        out.clear();
                        if self.p.encode(text, &allowed, out, None).is_ok() && out.len() == 1 && out[0] == id {
                            f |= 16;
                        }
                    }
                    f
                })
                .collect()
        });
        Ok((PyBytes::new(py, &blob), PyBytes::new(py, &offsets), PyBytes::new(py, &flags)))
    }

    /// The first special token in `text` that the call does not allow: (char offset, token).
    #[pyo3(signature = (text, allowed_mask=None, allow_all=false))]
    fn find_disallowed(&self, text: &str, allowed_mask: Option<Vec<bool>>, allow_all: bool) -> Option<(usize, String)> {
        let allowed = allowed_from(&allowed_mask, allow_all);
        self.p
            .find_disallowed(text, &allowed)
            .map(|(byte_at, tok)| (text[..byte_at].chars().count(), tok.to_string()))
    }

    fn decode_bytes<'py>(&self, py: Python<'py>, ids: Vec<u32>) -> PyResult<Bound<'py, PyBytes>> {
        let mut out = Vec::with_capacity(ids.len() * 4);
        self.p
            .decode_bytes(&ids, &mut out)
            .map_err(|id| tf_error("DecodeError", format!("token id {id} is not in the vocabulary")))?;
        Ok(PyBytes::new(py, &out))
    }

    fn token_bytes<'py>(&self, py: Python<'py>, id: u32) -> Option<Bound<'py, PyBytes>> {
        self.p.token_bytes(id).map(|b| PyBytes::new(py, b))
    }

    fn token_id(&self, token: &[u8]) -> Option<u32> {
        if let Some(id) = self.p.bpe.lookup(token) {
            return Some(id);
        }
        self.p.specials.iter().find(|s| s.text.as_bytes() == token).map(|s| s.id)
    }

    /// One past the largest id (model tokens and special tokens).
    fn n_ids(&self) -> usize {
        self.p.n_ids()
    }

    /// The `k` best segmentations of `text` (Unigram scores; no special tokens recognised): (ids, score), best first.
    fn nbest(&self, py: Python<'_>, text: &str, k: usize) -> PyResult<Vec<(Vec<u32>, f64)>> {
        py.allow_threads(|| self.p.nbest(text, k)).map_err(|e| tf_error("EncodeError", e))
    }

    /// The pre-tokenizer's pieces of `text` (after normalization), for tests and inspection.
    fn pretokenize(&self, text: &str) -> PyResult<Vec<String>> {
        let normalized = self.p.normalize(text);
        let mut pieces = Vec::new();
        self.p
            .pretok
            .for_each_piece(&normalized, |s, e| pieces.push(normalized[s..e].to_string()))
            .map_err(|e| tf_error("EncodeError", e))?;
        Ok(pieces)
    }
}

/// Pieces of `text` under a pre-tokenizer, without a model: "r50k", "cl100k", "o200k", "qwen2"
/// (hand-written scanners) or "regex" with `pattern` (the fancy-regex engine tiktoken uses).
#[pyfunction(name = "pretokenize")]
#[pyo3(signature = (text, kind, pattern=None, emit_gaps=false))]
fn pretokenize_text(text: &str, kind: &str, pattern: Option<&str>, emit_gaps: bool) -> PyResult<Vec<String>> {
    let pretok = build_pretokenizer(kind, pattern, emit_gaps).map_err(|e| tf_error("ConfigError", e))?;
    let mut pieces = Vec::new();
    pretok
        .for_each_piece(text, |s, e| pieces.push(text[s..e].to_string()))
        .map_err(|e| tf_error("EncodeError", e))?;
    Ok(pieces)
}

/// Number of pieces the pre-tokenizer cuts `text` into (benchmarks the scanner alone).
#[pyfunction]
#[pyo3(signature = (text, kind, pattern=None))]
fn count_pieces(py: Python<'_>, text: &str, kind: &str, pattern: Option<&str>) -> PyResult<usize> {
    let pretok = build_pretokenizer(kind, pattern, false).map_err(|e| tf_error("ConfigError", e))?;
    py.allow_threads(|| {
        let mut n = 0usize;
        pretok.for_each_piece(text, |_, _| n += 1).map(|_| n)
    })
    .map_err(|e| tf_error("EncodeError", e))
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<CoreTokenizer>()?;
    m.add_class::<lattice::LatticeModel>()?;
    m.add_function(wrap_pyfunction!(pretokenize_text, m)?)?;
    m.add_function(wrap_pyfunction!(count_pieces, m)?)?;
    m.add_class::<word_count::WordTally>()?;
    m.add_function(wrap_pyfunction!(token_labels::vocab_chars, m)?)?;
    m.add_function(wrap_pyfunction!(token_labels::label_tokens, m)?)?;
    m.add_class::<train_bindings::PretokenCounter>()?;
    m.add_class::<unigram_train::UnigramCorpus>()?;
    m.add_function(wrap_pyfunction!(unigram_train::unigram_alternatives, m)?)?;
    m.add_function(wrap_pyfunction!(unigram_train::unigram_seed_substrings, m)?)?;
    m.add_function(wrap_pyfunction!(pathpiece_train::pathpiece_removal_costs, m)?)?;
    m.add_function(wrap_pyfunction!(train_bindings::train_bpe, m)?)?;
    m.add_function(wrap_pyfunction!(boundless_bindings::train_boundless, m)?)?;
    m.add_function(wrap_pyfunction!(train_bindings::rank_rule_mismatch, m)?)?;
    m.add_function(wrap_pyfunction!(parity_bindings::train_parity, m)?)?;
    m.add_function(wrap_pyfunction!(wordpiece_train::train_wordpiece, m)?)?;
    m.add_class::<ngram_match::NgramMatcher>()?;
    Ok(())
}
