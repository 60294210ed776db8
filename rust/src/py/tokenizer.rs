//! `CoreTokenizer` (a compiled pipeline: encode, decode, inspection), the model objects handed to it
//! (`LatticeModel`, the SentencePiece arguments), `NgramMatcher`, and the free pre-tokenizer functions.

use super::errors::{config_error, encode_error, model_error, tf_error};
use super::eval;
use super::ints::IntCache;
use crate::encode::bpe_encode::Bpe;
use crate::encode::lattice::{parse_method, Lattice};
use crate::encode::ngram_match::NgramMatcher as Matcher;
use crate::encode::spm::SpmArgs as SpmArgsCore;
use crate::encode::supermerge::SuperMerges;
use crate::pipeline::{Allowed, NormStep, Pipeline, Special};
use crate::pretokenize::Pretokenizer;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBytes, PyList};
use rayon::prelude::*;
use std::sync::Arc;

/// A compiled tokenizer: the whole encode/decode path, native.
#[pyclass(frozen, module = "tokenforge._core")]
pub(crate) struct CoreTokenizer {
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
        lattice: Option<PyRef<'_, LatticeModel>>,
        dropout: Option<f64>,
        seed: u64,
        decode: Option<Vec<(u32, Vec<u8>)>>,
        space_before: Option<Vec<u32>>,
        supermerges: Option<Vec<(Vec<u8>, Vec<u8>)>>,
        spm: Option<SpmArgs>,
    ) -> PyResult<Self> {
        let specials: Vec<Special> =
            specials.into_iter().map(|(text, id, always)| Special { text, id, always }).collect();
        let lattice = lattice.map(|l| l.inner.clone());
        let p = match spm {
            Some(args) => {
                let args = SpmArgsCore::from(args);
                let mut p =
                    py.allow_threads(|| Pipeline::spm(vocab, specials, &args, lattice, seed)).map_err(model_error)?;
                if let Some(entries) = decode {
                    p.override_decode(entries);
                }
                p
            }
            None => {
                let pretok = Pretokenizer::build(pretokenizer, pattern, emit_gaps).map_err(config_error)?;
                let norm = NormStep::from_names(&normalizer).map_err(config_error)?;
                let mut bpe = py
                    .allow_threads(|| match merges {
                        None => Bpe::from_ranks(vocab),
                        Some(m) => Bpe::from_merges(vocab, m, whole_piece_first),
                    })
                    .map_err(model_error)?;
                bpe.char_level = char_level;
                let supermerges =
                    supermerges.map(|m| SuperMerges::from_merges(&bpe, m)).transpose().map_err(model_error)?;
                let mut p = Pipeline::new(bpe, pretok, norm, specials).map_err(model_error)?;
                p.lattice = lattice;
                p.dropout = dropout;
                p.seed = seed;
                if let Some(entries) = decode {
                    p.override_decode(entries);
                }
                if let Some(ids) = space_before {
                    p.set_space_before(&ids);
                }
                p.supermerges = supermerges;
                p
            }
        };
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
            .map_err(encode_error)?;
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
        .map_err(encode_error)
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
            return Err(encode_error(e));
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
        .map_err(encode_error)
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
        let allowed = allowed_from(&allowed_mask, allow_all);
        eval::histogram_batch(&self.p, py, &texts, &allowed, units, piece_chars, out)
    }

    /// Fertility's inputs from a word table: for the words `tally.most_common(n)` gives (in no particular
    /// order), their occurrences and the token count of `prefix + word` (little-endian u64s each), encoded in
    /// parallel with the GIL released; no Python string is made per word.
    #[pyo3(signature = (tally, n, prefix=" ", allowed_mask=None, allow_all=false))]
    fn word_token_counts<'py>(
        &self,
        py: Python<'py>,
        tally: PyRef<'py, eval::WordTally>,
        n: usize,
        prefix: &str,
        allowed_mask: Option<Vec<bool>>,
        allow_all: bool,
    ) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
        let allowed = allowed_from(&allowed_mask, allow_all);
        eval::word_token_counts(&self.p, py, &tally, n, prefix, &allowed)
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
        eval::vocab_facts(&self.p, py, &allowed)
    }

    /// The first special token in `text` that the call does not allow: (char offset, token).
    #[pyo3(signature = (text, allowed_mask=None, allow_all=false))]
    fn find_disallowed(&self, text: &str, allowed_mask: Option<Vec<bool>>, allow_all: bool) -> Option<(usize, String)> {
        let allowed = allowed_from(&allowed_mask, allow_all);
        self.p.find_disallowed(text, &allowed).map(|(byte_at, tok)| (text[..byte_at].chars().count(), tok.to_string()))
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
        py.allow_threads(|| self.p.nbest(text, k)).map_err(encode_error)
    }

    /// The pre-tokenizer's pieces of `text` (after normalization), for tests and inspection.
    fn pretokenize(&self, text: &str) -> PyResult<Vec<String>> {
        let normalized = self.p.normalize(text);
        let mut pieces = Vec::new();
        self.p
            .pretok
            .for_each_piece(&normalized, |s, e| pieces.push(normalized[s..e].to_string()))
            .map_err(encode_error)?;
        Ok(pieces)
    }
}

/// Pieces of `text` under a pre-tokenizer, without a model: "r50k", "cl100k", "o200k", "qwen2"
/// (hand-written scanners) or "regex" with `pattern` (the fancy-regex engine tiktoken uses).
#[pyfunction(name = "pretokenize")]
#[pyo3(signature = (text, kind, pattern=None, emit_gaps=false))]
pub(crate) fn pretokenize_text(
    text: &str,
    kind: &str,
    pattern: Option<&str>,
    emit_gaps: bool,
) -> PyResult<Vec<String>> {
    let pretok = Pretokenizer::build(kind, pattern, emit_gaps).map_err(config_error)?;
    let mut pieces = Vec::new();
    pretok.for_each_piece(text, |s, e| pieces.push(text[s..e].to_string())).map_err(encode_error)?;
    Ok(pieces)
}

/// Number of pieces the pre-tokenizer cuts `text` into (benchmarks the scanner alone).
#[pyfunction]
#[pyo3(signature = (text, kind, pattern=None))]
pub(crate) fn count_pieces(py: Python<'_>, text: &str, kind: &str, pattern: Option<&str>) -> PyResult<usize> {
    let pretok = Pretokenizer::build(kind, pattern, false).map_err(config_error)?;
    py.allow_threads(|| {
        let mut n = 0usize;
        pretok.for_each_piece(text, |_, _| n += 1).map(|_| n)
    })
    .map_err(encode_error)
}

/// A compiled lattice model, handed to `CoreTokenizer(lattice=...)`.
#[pyclass(frozen, module = "tokenforge._core")]
pub(crate) struct LatticeModel {
    pub(crate) inner: Arc<Lattice>,
}

#[pymethods]
impl LatticeModel {
    /// `tokens`: (bytes, id) the lattice matches (word-initial ones for WordPiece); `continuation`: WordPiece's
    /// word-continuing tokens, prefix stripped; `scores`: by id (Unigram); `byte_ids`: 256 fallback ids
    /// (u32::MAX where none); `char_fallback`: add fallback edges for characters that are not tokens.
    #[new]
    /// `sp`: (unknown score, max score, user-defined ids) to score and run Viterbi as SentencePiece does (f32).
    #[pyo3(signature = (tokens, method, continuation=None, scores=None, byte_ids=None, char_fallback=false, unk=None, fuse_unk=false, max_word_chars=None, alpha=1.0, random_ties=false, sp=None))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        py: Python<'_>,
        tokens: Vec<(Vec<u8>, u32)>,
        method: &str,
        continuation: Option<Vec<(Vec<u8>, u32)>>,
        scores: Option<Vec<f64>>,
        byte_ids: Option<Vec<u32>>,
        char_fallback: bool,
        unk: Option<u32>,
        fuse_unk: bool,
        max_word_chars: Option<usize>,
        alpha: f64,
        random_ties: bool,
        sp: Option<(f32, f32, Vec<u32>)>,
    ) -> PyResult<Self> {
        let method = parse_method(method, alpha, random_ties).map_err(config_error)?;
        let lattice = py
            .allow_threads(|| {
                Lattice::new(
                    tokens,
                    continuation,
                    scores,
                    byte_ids,
                    char_fallback,
                    unk,
                    fuse_unk,
                    max_word_chars,
                    method,
                    sp,
                )
            })
            .map_err(model_error)?;
        Ok(LatticeModel { inner: Arc::new(lattice) })
    }
}

/// What `CoreTokenizer` needs, beyond a char-level vocabulary, to run a SentencePiece model: a dict with the keys
/// of `encode::spm::SpmArgs` (see there).
#[derive(FromPyObject)]
pub(crate) struct SpmArgs {
    #[pyo3(item)]
    charsmap: Vec<u8>,
    #[pyo3(item)]
    add_dummy_prefix: bool,
    #[pyo3(item)]
    remove_extra_whitespaces: bool,
    #[pyo3(item)]
    escape_whitespaces: bool,
    #[pyo3(item)]
    treat_whitespace_as_suffix: bool,
    #[pyo3(item)]
    user_defined: Vec<(String, u32)>,
    #[pyo3(item)]
    piece_ranks: Vec<(u32, u32)>,
    #[pyo3(item)]
    unk_id: Option<u32>,
    #[pyo3(item)]
    split_before_space: bool,
}

impl From<SpmArgs> for SpmArgsCore {
    fn from(a: SpmArgs) -> SpmArgsCore {
        SpmArgsCore {
            charsmap: a.charsmap,
            add_dummy_prefix: a.add_dummy_prefix,
            remove_extra_whitespaces: a.remove_extra_whitespaces,
            escape_whitespaces: a.escape_whitespaces,
            treat_whitespace_as_suffix: a.treat_whitespace_as_suffix,
            user_defined: a.user_defined,
            piece_ranks: a.piece_ranks,
            unk_id: a.unk_id,
            split_before_space: a.split_before_space,
        }
    }
}

#[pyclass(module = "tokenforge._core", frozen)]
pub(crate) struct NgramMatcher {
    m: Matcher,
}

#[pymethods]
impl NgramMatcher {
    /// `ngrams`: (pretokens, id) for each multi-word token; none may be empty or repeated.
    #[new]
    fn new(ngrams: Vec<(Vec<String>, u32)>) -> PyResult<Self> {
        Ok(NgramMatcher { m: Matcher::new(ngrams).map_err(config_error)? })
    }

    /// Greedy leftmost-longest matches in `pieces`: (first piece, number of pieces, id), in order.
    fn find(&self, py: Python<'_>, pieces: Vec<String>) -> Vec<(usize, usize, u32)> {
        py.allow_threads(|| self.m.find(&pieces))
    }

    fn __len__(&self) -> usize {
        self.m.len()
    }
}
