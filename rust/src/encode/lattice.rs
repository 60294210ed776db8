//! Segmenting a piece over a vocabulary lattice: every inference method other than BPE's merge rule.
//!
//! A piece's lattice has a node per byte offset and an edge per vocabulary token that matches there (found by
//! walking a byte trie), plus, for Unigram vocabularies, a *fallback edge* over each character that is not itself
//! a token (emitted as its `<0xXX>` byte tokens, else as the unknown token). Edges are enumerated in one fixed
//! order — by start, then by end, the fallback edge last — which every method and the Python twin
//! (`tokenforge.reference.lattice`) share, so ties and random draws resolve identically. See docs/models.md.

use super::result_cache::{new_owner, ResultCache, CACHE_PIECE_MAX};
use super::rng::SplitMix64;
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

/// A cached piece: each emitted (id, start, end), spans relative to the piece.
type Emitted = Box<[(u32, u32, u32)]>;

thread_local! {
    /// Deterministic methods' results for short pieces, per thread (see result_cache.rs).
    static PIECE_RESULTS: RefCell<ResultCache<Emitted>> = RefCell::new(ResultCache::default());
}

pub const NO_ID: u32 = u32::MAX;
/// The id of a fallback edge (a character that is not a token).
const FALLBACK: u32 = u32::MAX - 1;
/// Unigram's score for a fallback edge: this much below the lowest piece score (HF's and SentencePiece's rule).
const UNK_PENALTY: f64 = 10.0;

/// A byte trie: node 0 is the root; `term[node]` is the id of the token spelled by the path to it.
struct Trie {
    children: FxHashMap<u64, u32>,
    term: Vec<u32>,
}

impl Trie {
    fn new() -> Self {
        Trie { children: FxHashMap::default(), term: vec![NO_ID] }
    }

    fn insert(&mut self, key: &[u8], id: u32) {
        let mut node = 0u32;
        for &b in key {
            let k = ((node as u64) << 8) | b as u64;
            node = match self.children.get(&k) {
                Some(&c) => c,
                None => {
                    let c = self.term.len() as u32;
                    self.term.push(NO_ID);
                    self.children.insert(k, c);
                    c
                }
            };
        }
        self.term[node as usize] = id;
    }

    /// Calls `f(end, id)` for every token that starts at `s[start..]`, shortest first.
    #[inline]
    fn matches(&self, s: &[u8], start: usize, mut f: impl FnMut(usize, u32)) {
        let mut node = 0u32;
        for (k, &b) in s[start..].iter().enumerate() {
            match self.children.get(&(((node as u64) << 8) | b as u64)) {
                Some(&c) => node = c,
                None => return,
            }
            let id = self.term[node as usize];
            if id != NO_ID {
                f(start + k + 1, id);
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method {
    LongestPrefix,
    LongestSuffix,
    LongestToken,
    Fewest { random: bool },
    Viterbi,
    Sample { alpha: f64 },
}

#[derive(Clone, Copy, Debug)]
struct Edge {
    start: usize,
    end: usize,
    id: u32,
}

pub struct Lattice {
    init: Trie,
    /// WordPiece: the tokens that may continue a word (prefix stripped); `init` then holds word-initial tokens.
    cont: Option<Trie>,
    scores: Vec<f64>,
    unk_score: f64,
    byte_ids: [u32; 256],
    char_fallback: bool,
    unk: u32,
    fuse_unk: bool,
    /// WordPiece: a word longer than this many characters, or with no segmentation, is one unknown token.
    word_unk: Option<usize>,
    /// The longest edge in bytes (the longest token, or 4 for a fallback character).
    max_len: usize,
    /// SentencePiece's own scoring (an imported SP Unigram `.model`), else None.
    sp: Option<SpScoring>,
    pub method: Method,
    /// Key of this lattice's entries in the per-thread piece cache.
    cache_id: u64,
}

/// How SentencePiece (the `sentencepiece` 0.2.x library) scores a Unigram lattice, as measured against it: piece
/// scores are f32 and the best path score into each offset is an f32 sum; an unknown character scores
/// `min_score - 10` (the lowest NORMAL score); a user-defined piece of `len` bytes scores `len * max_score - 0.1`
/// rounded to f32 (`max_score`: the highest NORMAL score, at least FLT_MIN). Long texts: when the path score at a
/// start offset falls below -1e5, that score is subtracted (in f32) from every best score from there on that is
/// already set, so sums stay small — this changes which near-tied path wins, exactly as in SP.
pub struct SpScoring {
    pub unk_score: f32,
    pub max_score: f32,
    /// By id: the piece is USER_DEFINED.
    pub user_defined: Vec<bool>,
    /// By id: the piece's score as SP holds it.
    pub scores: Vec<f32>,
}

impl SpScoring {
    #[inline]
    fn is_user_defined(&self, id: u32) -> bool {
        self.user_defined.get(id as usize).copied().unwrap_or(false)
    }

    /// The score of a user-defined piece of `len` bytes (SP's `len * max_score_ - 0.1`, kept as an f32).
    #[inline]
    fn user_defined_score(&self, len: usize) -> f32 {
        (((len as f32) * self.max_score) as f64 - 0.1) as f32
    }

    #[inline]
    fn edge_score(&self, e: &Edge) -> f32 {
        if e.id == FALLBACK {
            self.unk_score
        } else if self.is_user_defined(e.id) {
            self.user_defined_score(e.end - e.start)
        } else {
            self.scores.get(e.id as usize).copied().unwrap_or(self.unk_score)
        }
    }
}

fn char_width(lead: u8) -> usize {
    match lead {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => 1,
    }
}

fn is_char_start(b: u8) -> bool {
    (b as i8) >= -0x40
}

/// log(exp(x) + exp(y)), as SentencePiece computes it (the twin repeats the same operations).
fn log_add(x: f64, y: f64) -> f64 {
    let (lo, hi) = if x > y { (y, x) } else { (x, y) };
    if hi > lo + 50.0 {
        hi
    } else {
        hi + ((lo - hi).exp() + 1.0).ln()
    }
}

/// Emits edges as ids (and piece-relative byte spans), fusing adjacent unknown characters into one unknown token.
struct Emitter<'a> {
    out: &'a mut Vec<u32>,
    spans: Option<&'a mut Vec<(usize, usize)>>,
    unk_end: usize,
}

impl Emitter<'_> {
    fn push(&mut self, id: u32, s: usize, e: usize) {
        self.out.push(id);
        if let Some(sp) = self.spans.as_deref_mut() {
            sp.push((s, e));
        }
    }
}

/// The path into offset `n` read back from each offset's best incoming edge.
fn backtrace(back: &[Option<Edge>], n: usize) -> Option<Vec<Edge>> {
    let mut path = Vec::new();
    let mut j = n;
    while j > 0 {
        let e = back[j]?;
        path.push(e);
        j = e.start;
    }
    path.reverse();
    Some(path)
}

impl Lattice {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        tokens: Vec<(Vec<u8>, u32)>,
        continuation: Option<Vec<(Vec<u8>, u32)>>,
        scores: Option<Vec<f64>>,
        byte_ids: Option<Vec<u32>>,
        char_fallback: bool,
        unk: Option<u32>,
        fuse_unk: bool,
        max_word_chars: Option<usize>,
        method: Method,
        sp: Option<(f32, f32, Vec<u32>)>,
    ) -> Result<Lattice, String> {
        let mut init = Trie::new();
        let mut max_len = 4;
        for (t, _) in tokens.iter().chain(continuation.iter().flatten()) {
            max_len = max_len.max(t.len());
        }
        for (t, id) in &tokens {
            if t.is_empty() {
                return Err(format!("token id {id} is empty"));
            }
            init.insert(t, *id);
        }
        let cont = continuation.map(|c| {
            let mut trie = Trie::new();
            for (t, id) in &c {
                if !t.is_empty() {
                    trie.insert(t, *id);
                }
            }
            trie
        });
        let mut table = [NO_ID; 256];
        if let Some(b) = byte_ids {
            if b.len() != 256 {
                return Err(format!("byte fallback table has {} entries, not 256", b.len()));
            }
            table.copy_from_slice(&b);
        }
        let scores = scores.unwrap_or_default();
        if matches!(method, Method::Viterbi | Method::Sample { .. }) && scores.is_empty() {
            return Err("this method needs token scores (a Unigram vocabulary)".to_string());
        }
        let min_score = scores.iter().copied().filter(|s| s.is_finite()).fold(f64::INFINITY, f64::min);
        let unk_score = if min_score.is_finite() { min_score - UNK_PENALTY } else { -UNK_PENALTY };
        let sp = match sp {
            None => None,
            Some((unk_score, max_score, ud_ids)) => {
                if scores.is_empty() {
                    return Err("SentencePiece scoring needs token scores".to_string());
                }
                let mut user_defined = vec![false; scores.len()];
                for id in ud_ids {
                    match user_defined.get_mut(id as usize) {
                        Some(f) => *f = true,
                        None => return Err(format!("user-defined id {id} has no score")),
                    }
                }
                let scores = scores.iter().map(|&s| s as f32).collect();
                Some(SpScoring { unk_score, max_score, user_defined, scores })
            }
        };
        Ok(Lattice {
            init,
            cont,
            scores,
            unk_score,
            byte_ids: table,
            char_fallback,
            unk: unk.unwrap_or(NO_ID),
            fuse_unk,
            word_unk: max_word_chars,
            max_len,
            sp,
            method,
            cache_id: new_owner(),
        })
    }

    /// Calls `f` with each edge starting at offset `i`, in enumeration order: tokens shortest first, then the
    /// fallback edge. Methods walk the trie on demand instead of storing the lattice, so memory stays O(n) even
    /// where every offset has dozens of matches (a megabyte of spaces under a vocabulary of space runs).
    #[inline]
    fn for_each_edge_at(&self, piece: &[u8], i: usize, mut f: impl FnMut(Edge)) {
        let n = piece.len();
        let trie = if i > 0 { self.cont.as_ref().unwrap_or(&self.init) } else { &self.init };
        let char_end =
            if self.char_fallback && is_char_start(piece[i]) { (i + char_width(piece[i])).min(n) } else { 0 };
        let mut single = false;
        trie.matches(piece, i, |end, id| {
            single |= end == char_end;
            f(Edge { start: i, end, id })
        });
        if char_end != 0 && !single {
            f(Edge { start: i, end: char_end, id: FALLBACK });
        }
    }

    /// The longest token edge at `i` ending by `limit`, else (with `fallback`) the fallback edge at `i`.
    fn longest_at(&self, piece: &[u8], i: usize, limit: usize, fallback: bool) -> Option<Edge> {
        let mut best: Option<Edge> = None;
        let mut fb = None;
        self.for_each_edge_at(piece, i, |e| {
            if e.id == FALLBACK {
                fb = Some(e);
            } else if e.end <= limit {
                best = Some(e);
            }
        });
        best.or(if fallback { fb } else { None })
    }

    /// Only `nbest` stores the whole lattice (its k lists per offset dominate memory anyway).
    fn edges(&self, piece: &[u8]) -> (Vec<Edge>, Vec<usize>) {
        let n = piece.len();
        let mut edges = Vec::new();
        let mut first = Vec::with_capacity(n + 1);
        for i in 0..n {
            first.push(edges.len());
            self.for_each_edge_at(piece, i, |e| edges.push(e));
        }
        first.push(edges.len());
        (edges, first)
    }

    #[inline]
    fn score(&self, e: &Edge) -> f64 {
        if let Some(sp) = &self.sp {
            return sp.edge_score(e) as f64;
        }
        if e.id == FALLBACK {
            self.unk_score
        } else {
            self.scores.get(e.id as usize).copied().unwrap_or(self.unk_score)
        }
    }

    fn byte_fallback_covers(&self, bytes: &[u8]) -> bool {
        bytes.iter().all(|&b| self.byte_ids[b as usize] != NO_ID)
    }

    /// How many tokens an edge emits (a fallback edge: one per byte, or one unknown token).
    fn cost(&self, piece: &[u8], e: &Edge) -> u32 {
        if e.id != FALLBACK {
            1
        } else if self.byte_fallback_covers(&piece[e.start..e.end]) {
            (e.end - e.start) as u32
        } else {
            1
        }
    }

    fn emit(&self, piece: &[u8], e: &Edge, em: &mut Emitter) -> Result<(), String> {
        if e.id != FALLBACK {
            em.push(e.id, e.start, e.end);
            em.unk_end = usize::MAX;
            return Ok(());
        }
        let bytes = &piece[e.start..e.end];
        if self.byte_fallback_covers(bytes) {
            for (k, &b) in bytes.iter().enumerate() {
                em.push(self.byte_ids[b as usize], e.start + k, e.start + k + 1);
            }
            em.unk_end = usize::MAX;
        } else if self.unk != NO_ID {
            if self.fuse_unk && em.unk_end == e.start {
                if let Some(sp) = em.spans.as_deref_mut() {
                    if let Some(last) = sp.last_mut() {
                        last.1 = e.end;
                    }
                }
            } else {
                em.push(self.unk, e.start, e.end);
            }
            em.unk_end = e.end;
        } else {
            return Err(format!(
                "character {:?} has no token, no byte-fallback tokens, and the vocabulary has no unknown token",
                String::from_utf8_lossy(bytes)
            ));
        }
        Ok(())
    }

    /// Appends the ids of one piece (and with `spans`, each token's byte span within the piece).
    pub fn encode_piece(
        &self,
        piece: &[u8],
        rng: &mut SplitMix64,
        out: &mut Vec<u32>,
        spans: Option<&mut Vec<(usize, usize)>>,
    ) -> Result<(), String> {
        let random = matches!(self.method, Method::Sample { .. } | Method::Fewest { random: true });
        if random || piece.len() > CACHE_PIECE_MAX {
            return self.encode_piece_uncached(piece, rng, out, spans);
        }
        let replay = |hit: &[(u32, u32, u32)], out: &mut Vec<u32>, spans: Option<&mut Vec<(usize, usize)>>| {
            out.extend(hit.iter().map(|t| t.0));
            if let Some(sp) = spans {
                sp.extend(hit.iter().map(|t| (t.1 as usize, t.2 as usize)));
            }
        };
        let mut spans = spans;
        let hit = PIECE_RESULTS.with(|cell| {
            cell.borrow_mut().get(self.cache_id, piece).map(|hit| replay(hit, out, spans.as_deref_mut())).is_some()
        });
        if hit {
            return Ok(());
        }
        let (mut ids, mut piece_spans) = (Vec::new(), Vec::new());
        self.encode_piece_uncached(piece, rng, &mut ids, Some(&mut piece_spans))?;
        let result: Emitted = ids.iter().zip(&piece_spans).map(|(&id, &(a, b))| (id, a as u32, b as u32)).collect();
        replay(&result, out, spans);
        PIECE_RESULTS.with(|cell| cell.borrow_mut().insert(self.cache_id, piece, result));
        Ok(())
    }

    fn encode_piece_uncached(
        &self,
        piece: &[u8],
        rng: &mut SplitMix64,
        out: &mut Vec<u32>,
        spans: Option<&mut Vec<(usize, usize)>>,
    ) -> Result<(), String> {
        let n = piece.len();
        if n == 0 {
            return Ok(());
        }
        let mut em = Emitter { out, spans, unk_end: usize::MAX };
        if let Some(max_chars) = self.word_unk {
            if piece.iter().filter(|&&b| is_char_start(b)).count() > max_chars {
                return self.word_is_unknown(piece, &mut em);
            }
        }
        let path = match self.method {
            Method::LongestPrefix => self.longest_prefix(piece),
            Method::LongestSuffix => self.longest_suffix(piece),
            Method::LongestToken => self.longest_token(piece),
            Method::Fewest { random } => self.fewest(piece, random, rng),
            Method::Viterbi => self.viterbi(piece),
            Method::Sample { alpha } => self.sample(piece, alpha, rng),
        };
        match path {
            Some(path) => {
                for e in &path {
                    self.emit(piece, e, &mut em)?;
                }
                Ok(())
            }
            None if self.word_unk.is_some() => self.word_is_unknown(piece, &mut em),
            None => {
                let bare = |i: usize| {
                    let mut any = false;
                    self.for_each_edge_at(piece, i, |_| any = true);
                    !any
                };
                let at = (0..n).find(|&i| is_char_start(piece[i]) && bare(i)).unwrap_or(0);
                let w = char_width(piece[at]).min(n - at);
                Err(format!(
                    "no token in the vocabulary covers {:?} (byte {} of the piece {:?})",
                    String::from_utf8_lossy(&piece[at..at + w]),
                    at,
                    String::from_utf8_lossy(piece)
                ))
            }
        }
    }

    fn word_is_unknown(&self, piece: &[u8], em: &mut Emitter) -> Result<(), String> {
        if self.unk == NO_ID {
            return Err(format!(
                "the word {:?} has no segmentation and the vocabulary has no unknown token",
                String::from_utf8_lossy(piece)
            ));
        }
        em.push(self.unk, 0, piece.len());
        Ok(())
    }

    fn longest_prefix(&self, piece: &[u8]) -> Option<Vec<Edge>> {
        let n = piece.len();
        let mut path = Vec::new();
        let mut i = 0;
        while i < n {
            let e = self.longest_at(piece, i, n, true)?;
            path.push(e);
            i = e.end;
        }
        Some(path)
    }

    fn longest_suffix(&self, piece: &[u8]) -> Option<Vec<Edge>> {
        let n = piece.len();
        // For each end offset: the token edge ending there with the smallest start (starts are visited in
        // increasing order, so the first one seen), and the fallback edge ending there, if any.
        let mut token_into: Vec<Option<Edge>> = vec![None; n + 1];
        let mut fallback_into: Vec<Option<Edge>> = vec![None; n + 1];
        for i in 0..n {
            self.for_each_edge_at(piece, i, |e| {
                if e.id == FALLBACK {
                    fallback_into[e.end] = Some(e);
                } else if token_into[e.end].is_none() {
                    token_into[e.end] = Some(e);
                }
            });
        }
        let mut path = Vec::new();
        let mut j = n;
        while j > 0 {
            let e = token_into[j].or(fallback_into[j])?;
            path.push(e);
            j = e.start;
        }
        path.reverse();
        Some(path)
    }

    /// The longest token anywhere (leftmost on ties), then the same on each side of it. A queue of each start's
    /// longest candidate, re-capped lazily when a taken token cuts it, makes this O(n·L·log n) instead of O(n²).
    fn longest_token(&self, piece: &[u8]) -> Option<Vec<Edge>> {
        let n = piece.len();
        let mut heap = BinaryHeap::new();
        for i in 0..n {
            if let Some(e) = self.longest_at(piece, i, n, false) {
                heap.push((e.end - i, Reverse(i), e.end, e.id));
            }
        }
        let mut taken: BTreeMap<usize, Edge> = BTreeMap::new();
        while let Some((_, Reverse(i), end, id)) = heap.pop() {
            if let Some((_, e0)) = taken.range(..=i).next_back() {
                if e0.end > i {
                    continue;
                }
            }
            let limit = taken.range(i + 1..).next().map_or(n, |(&s, _)| s);
            if end <= limit {
                taken.insert(i, Edge { start: i, end, id });
            } else if let Some(e) = self.longest_at(piece, i, limit, false) {
                heap.push((e.end - i, Reverse(i), e.end, e.id));
            }
        }
        let mut path = Vec::new();
        let mut i = 0;
        while i < n {
            let e = match taken.get(&i) {
                Some(&e) => e,
                None => {
                    let mut fb = None;
                    self.for_each_edge_at(piece, i, |e| {
                        if e.id == FALLBACK {
                            fb = Some(e)
                        }
                    });
                    fb?
                }
            };
            path.push(e);
            i = e.end;
        }
        Some(path)
    }

    /// Fewest tokens (PathPiece): tokens-to-the-end computed right to left, then a left-to-right walk taking, among
    /// the edges on a shortest path, the longest (or, with `random`, a uniformly drawn one where there is a choice).
    fn fewest(&self, piece: &[u8], random: bool, rng: &mut SplitMix64) -> Option<Vec<Edge>> {
        const INF: u32 = u32::MAX;
        let n = piece.len();
        let mut f = vec![INF; n + 1];
        f[n] = 0;
        for i in (0..n).rev() {
            let mut best = INF;
            self.for_each_edge_at(piece, i, |e| {
                if f[e.end] != INF {
                    best = best.min(self.cost(piece, &e) + f[e.end]);
                }
            });
            f[i] = best;
        }
        if f[0] == INF {
            return None;
        }
        let mut path = Vec::new();
        let mut i = 0;
        let mut tied: Vec<Edge> = Vec::new();
        while i < n {
            tied.clear();
            self.for_each_edge_at(piece, i, |e| {
                if f[e.end] != INF && self.cost(piece, &e) + f[e.end] == f[i] {
                    tied.push(e);
                }
            });
            let pick = if random && tied.len() > 1 {
                tied[rng.below(tied.len())]
            } else {
                *tied.iter().max_by_key(|e| e.end)?
            };
            path.push(pick);
            i = pick.end;
        }
        Some(path)
    }

    /// Highest total score (Unigram), ties to the path found first (HF's and SentencePiece's order).
    fn viterbi(&self, piece: &[u8]) -> Option<Vec<Edge>> {
        if let Some(sp) = &self.sp {
            return self.viterbi_sp(piece, sp);
        }
        let n = piece.len();
        let mut best = vec![0.0f64; n + 1];
        let mut back: Vec<Option<Edge>> = vec![None; n + 1];
        let mut reached = vec![false; n + 1];
        reached[0] = true;
        for i in 0..n {
            if !reached[i] {
                continue;
            }
            let from = best[i];
            self.for_each_edge_at(piece, i, |e| {
                let candidate = from + self.score(&e);
                if !reached[e.end] || candidate > best[e.end] {
                    reached[e.end] = true;
                    best[e.end] = candidate;
                    back[e.end] = Some(e);
                }
            });
        }
        if !reached[n] {
            return None;
        }
        backtrace(&back, n)
    }

    /// Viterbi exactly as SentencePiece runs it: the best path into each offset, an f32 sum replaced only by a
    /// strictly better candidate, edges visited in the same order (start, then end, the unknown edge last), and
    /// the rebasing of long sums (see `SpScoring`). Since f32 rounding decides near-ties, the whole normalized
    /// text must be one piece for the result to equal SP's (which is how the SentencePiece importer runs it).
    fn viterbi_sp(&self, piece: &[u8], sp: &SpScoring) -> Option<Vec<Edge>> {
        const REBASE_BELOW: f32 = -1e5;
        let n = piece.len();
        let mut best = vec![0.0f32; n + 1];
        let mut back: Vec<Option<Edge>> = vec![None; n + 1];
        for i in 0..n {
            if i > 0 && back[i].is_none() {
                continue;
            }
            if best[i] < REBASE_BELOW {
                let base = best[i];
                best[i] = 0.0;
                for j in i + 1..=(i + self.max_len).min(n) {
                    if back[j].is_some() {
                        best[j] -= base;
                    }
                }
            }
            let from = best[i];
            self.for_each_edge_at(piece, i, |e| {
                let j = e.end;
                let candidate = from + sp.edge_score(&e);
                if back[j].is_none() || candidate > best[j] {
                    best[j] = candidate;
                    back[j] = Some(e);
                }
            });
        }
        back[n]?;
        backtrace(&back, n)
    }

    /// Subword regularization: forward filtering (log-sum of alpha-scaled scores), backward sampling. The edges
    /// into an offset are found again on the way back (starts at most `max_len` bytes before it).
    fn sample(&self, piece: &[u8], alpha: f64, rng: &mut SplitMix64) -> Option<Vec<Edge>> {
        let n = piece.len();
        let mut fwd = vec![0.0f64; n + 1];
        let mut reached = vec![false; n + 1];
        reached[0] = true;
        for i in 0..n {
            if !reached[i] {
                continue;
            }
            let from = fwd[i];
            self.for_each_edge_at(piece, i, |e| {
                let v = from + alpha * self.score(&e);
                fwd[e.end] = if reached[e.end] { log_add(fwd[e.end], v) } else { v };
                reached[e.end] = true;
            });
        }
        if !reached[n] {
            return None;
        }
        let mut path = Vec::new();
        let mut into: Vec<Edge> = Vec::new();
        let mut j = n;
        while j > 0 {
            into.clear();
            for s in j.saturating_sub(self.max_len)..j {
                if reached[s] {
                    self.for_each_edge_at(piece, s, |e| {
                        if e.end == j {
                            into.push(e)
                        }
                    });
                }
            }
            let r = rng.uniform();
            let mut acc = 0.0;
            let mut pick = None;
            for e in &into {
                pick = Some(*e);
                acc += (fwd[e.start] + alpha * self.score(e) - fwd[j]).exp();
                if r < acc {
                    break;
                }
            }
            let e = pick?;
            path.push(e);
            j = e.start;
        }
        path.reverse();
        Some(path)
    }

    /// The `k` best segmentations of a piece by total score, best first (ties: the one found first), as
    /// (edges, score). Offsets in order; each gathers every (path into an edge's start) + edge, edges in
    /// enumeration order and paths in rank order, and keeps the k best by a stable sort: O(n·L·k log k).
    fn nbest_piece(&self, edges: &[Edge], n: usize, k: usize) -> Vec<(Vec<Edge>, f64)> {
        let mut into: Vec<Vec<usize>> = vec![Vec::new(); n + 1];
        for (ke, e) in edges.iter().enumerate() {
            into[e.end].push(ke);
        }
        // lists[j]: up to k (score, edge index, rank in lists[start]) sorted best first.
        let mut lists: Vec<Vec<(f64, usize, usize)>> = vec![Vec::new(); n + 1];
        lists[0].push((0.0, usize::MAX, 0));
        for j in 1..=n {
            let mut found = Vec::new();
            for &ke in &into[j] {
                let e = &edges[ke];
                let s = self.score(e);
                for (r, entry) in lists[e.start].iter().enumerate() {
                    found.push((entry.0 + s, ke, r));
                }
            }
            found.sort_by(|a, b| b.0.total_cmp(&a.0)); // stable
            found.truncate(k);
            lists[j] = found;
        }
        let mut result = Vec::new();
        for &(score, ke, r) in &lists[n] {
            let mut path = Vec::new();
            let (mut ke, mut r) = (ke, r);
            while ke != usize::MAX {
                let e = edges[ke];
                path.push(e);
                let (_, pk, pr) = lists[e.start][r];
                ke = pk;
                r = pr;
            }
            path.reverse();
            result.push((path, score));
        }
        result
    }

    /// The `k` best segmentations of a piece as id lists with their scores.
    pub fn nbest(&self, piece: &[u8], k: usize) -> Result<Vec<(Vec<u32>, f64)>, String> {
        if self.scores.is_empty() {
            return Err("n-best needs token scores (a Unigram vocabulary)".to_string());
        }
        let n = piece.len();
        if n == 0 {
            return Ok(vec![(Vec::new(), 0.0)]);
        }
        let (edges, _) = self.edges(piece);
        let mut result = Vec::new();
        for (path, score) in self.nbest_piece(&edges, n, k) {
            let mut ids = Vec::new();
            let mut em = Emitter { out: &mut ids, spans: None, unk_end: usize::MAX };
            for e in &path {
                self.emit(piece, e, &mut em)?;
            }
            result.push((ids, score));
        }
        if result.is_empty() {
            return Err(format!(
                "no segmentation of {:?}: a character has no piece, no byte-fallback pieces and there is no unknown piece",
                String::from_utf8_lossy(piece)
            ));
        }
        Ok(result)
    }
}

pub fn parse_method(name: &str, alpha: f64, random_ties: bool) -> Result<Method, String> {
    Ok(match name {
        "longest_prefix" => Method::LongestPrefix,
        "longest_suffix" => Method::LongestSuffix,
        "longest_token" => Method::LongestToken,
        "fewest" => Method::Fewest { random: random_ties },
        "viterbi" => Method::Viterbi,
        "sample" => Method::Sample { alpha },
        other => return Err(format!("unknown lattice method {other:?}")),
    })
}
