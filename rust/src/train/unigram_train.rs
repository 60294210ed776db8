//! Unigram LM training hot loops: the E-step (forward-backward expected piece counts over every word's lattice),
//! corpus Viterbi counts and each piece's best alternative segmentation (for loss-based pruning).
//!
//! Words are the corpus's distinct pretokens as code points, each with its count. Pieces are strings with log
//! probabilities. A position that no one-character piece covers gets an "unknown" edge of one character with
//! `unk_score`; its counts go to the extra slot `pieces.len()` of every returned array.
//! The pure-Python twin is `tokenforge.reference.unigram_train`.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// Fixed number of work chunks: sums are reduced chunk by chunk in order, so results do not depend on the
/// thread count.
const CHUNKS: usize = 8;

/// A character trie over the pieces: (node, char) -> child, and the piece id ending at each node.
pub struct Trie {
    edges: FxHashMap<(u32, u32), u32>,
    piece_at: Vec<i64>,
}

impl Trie {
    pub fn new(pieces: &[Vec<u32>]) -> Trie {
        let mut trie = Trie { edges: FxHashMap::default(), piece_at: vec![-1] };
        for (id, piece) in pieces.iter().enumerate() {
            let mut node = 0u32;
            for &c in piece {
                let next = trie.piece_at.len() as u32;
                node = *trie.edges.entry((node, c)).or_insert(next);
                if node == next {
                    trie.piece_at.push(-1);
                }
            }
            if !piece.is_empty() && trie.piece_at[node as usize] < 0 {
                trie.piece_at[node as usize] = id as i64;
            }
        }
        trie
    }

    /// Edges (start, end, id) of the lattice of `word`, by start then end; unknown edges use id `unk`.
    pub fn lattice(&self, word: &[u32], unk: u32, out: &mut Vec<(u32, u32, u32)>) {
        out.clear();
        for start in 0..word.len() {
            let mut node = 0u32;
            let mut has_single = false;
            for (k, &c) in word[start..].iter().enumerate() {
                match self.edges.get(&(node, c)) {
                    Some(&child) => node = child,
                    None => break,
                }
                let id = self.piece_at[node as usize];
                if id >= 0 {
                    if k == 0 {
                        has_single = true;
                    }
                    out.push((start as u32, (start + k + 1) as u32, id as u32));
                }
            }
            if !has_single {
                // Keep edges sorted by (start, end): the unknown edge has the smallest end.
                let at = out.iter().rposition(|e| (e.0 as usize) < start).map_or(0, |p| p + 1);
                out.insert(at, (start as u32, start as u32 + 1, unk));
            }
        }
    }
}

fn log_add(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    let (hi, lo) = if a > b { (a, b) } else { (b, a) };
    hi + (lo - hi).exp().ln_1p()
}

pub struct Corpus {
    pub chars: Vec<u32>,
    pub offsets: Vec<usize>,
    pub counts: Vec<u64>,
}

impl Corpus {
    pub fn new(words: &[(Vec<u32>, u64)]) -> Corpus {
        let mut chars = Vec::new();
        let mut offsets = vec![0];
        let mut counts = Vec::with_capacity(words.len());
        for (w, c) in words {
            chars.extend_from_slice(w);
            offsets.push(chars.len());
            counts.push(*c);
        }
        Corpus { chars, offsets, counts }
    }

    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    fn word(&self, i: usize) -> &[u32] {
        &self.chars[self.offsets[i]..self.offsets[i + 1]]
    }

    fn chunks(&self) -> Vec<(usize, usize)> {
        let n = self.len();
        let size = n.div_ceil(CHUNKS).max(1);
        (0..n).step_by(size).map(|s| (s, (s + size).min(n))).collect()
    }

    /// Expected count of every piece (and unknown, last) and the corpus log-likelihood sum(count * log Z).
    pub fn e_step(&self, pieces: &[Vec<u32>], scores: &[f64], unk_score: f64) -> (Vec<f64>, f64) {
        let trie = Trie::new(pieces);
        let unk = pieces.len() as u32;
        let score = |id: u32| if id == unk { unk_score } else { scores[id as usize] };
        let parts: Vec<(Vec<f64>, f64)> = self
            .chunks()
            .into_par_iter()
            .map(|(lo, hi)| {
                let mut expected = vec![0.0f64; pieces.len() + 1];
                let mut loglik = 0.0f64;
                let mut edges = Vec::new();
                let mut alpha = Vec::new();
                let mut beta = Vec::new();
                for w in lo..hi {
                    let word = self.word(w);
                    let n = word.len();
                    if n == 0 {
                        continue;
                    }
                    trie.lattice(word, unk, &mut edges);
                    alpha.clear();
                    alpha.resize(n + 1, f64::NEG_INFINITY);
                    beta.clear();
                    beta.resize(n + 1, f64::NEG_INFINITY);
                    alpha[0] = 0.0;
                    for &(s, e, id) in edges.iter() {
                        alpha[e as usize] = log_add(alpha[e as usize], alpha[s as usize] + score(id));
                    }
                    beta[n] = 0.0;
                    for &(s, e, id) in edges.iter().rev() {
                        beta[s as usize] = log_add(beta[s as usize], score(id) + beta[e as usize]);
                    }
                    let z = alpha[n];
                    let count = self.counts[w] as f64;
                    loglik += count * z;
                    for &(s, e, id) in edges.iter() {
                        let p = (alpha[s as usize] + score(id) + beta[e as usize] - z).exp();
                        expected[id as usize] += count * p;
                    }
                }
                (expected, loglik)
            })
            .collect();
        let mut expected = vec![0.0f64; pieces.len() + 1];
        let mut loglik = 0.0;
        for (part, ll) in parts {
            for (x, y) in expected.iter_mut().zip(part) {
                *x += y;
            }
            loglik += ll;
        }
        (expected, loglik)
    }

    /// How often each piece (and unknown, last) occurs in the corpus's Viterbi segmentation.
    pub fn viterbi_counts(&self, pieces: &[Vec<u32>], scores: &[f64], unk_score: f64) -> Vec<u64> {
        let trie = Trie::new(pieces);
        let unk = pieces.len() as u32;
        let parts: Vec<Vec<u64>> = self
            .chunks()
            .into_par_iter()
            .map(|(lo, hi)| {
                let mut freq = vec![0u64; pieces.len() + 1];
                let mut edges = Vec::new();
                let mut path = Vec::new();
                for w in lo..hi {
                    let word = self.word(w);
                    trie.lattice(word, unk, &mut edges);
                    viterbi(word.len(), &edges, scores, unk, unk_score, None, &mut path);
                    for &id in &path {
                        freq[id as usize] += self.counts[w];
                    }
                }
                freq
            })
            .collect();
        let mut freq = vec![0u64; pieces.len() + 1];
        for part in parts {
            for (x, y) in freq.iter_mut().zip(part) {
                *x += y;
            }
        }
        freq
    }
}

/// Best path over `edges` (sorted by start); ties keep the first edge found. `skip`: an edge (start, end, id)
/// that may not be used. Leaves the path's ids in `path` (empty when no path exists).
pub fn viterbi(
    n: usize,
    edges: &[(u32, u32, u32)],
    scores: &[f64],
    unk: u32,
    unk_score: f64,
    skip: Option<(u32, u32, u32)>,
    path: &mut Vec<u32>,
) {
    let mut best = vec![f64::NEG_INFINITY; n + 1];
    let mut back: Vec<usize> = vec![usize::MAX; n + 1];
    best[0] = 0.0;
    for (k, &(s, e, id)) in edges.iter().enumerate() {
        if Some((s, e, id)) == skip || best[s as usize] == f64::NEG_INFINITY {
            continue;
        }
        let sc = best[s as usize] + if id == unk { unk_score } else { scores[id as usize] };
        if sc > best[e as usize] {
            best[e as usize] = sc;
            back[e as usize] = k;
        }
    }
    path.clear();
    if n == 0 || back[n] == usize::MAX {
        return;
    }
    let mut at = n;
    while at > 0 {
        let (s, _, id) = edges[back[at]];
        path.push(id);
        at = s as usize;
    }
    path.reverse();
}

/// For every piece: 0 = its own best segmentation splits it (it can go), 1 = it has no other segmentation (keep),
/// 2 = it is its own best segmentation and `alternative` is the best one without it.
pub fn alternatives(pieces: &[Vec<u32>], scores: &[f64], unk_score: f64) -> Vec<(u8, Vec<u32>)> {
    let trie = Trie::new(pieces);
    let unk = pieces.len() as u32;
    pieces
        .par_iter()
        .enumerate()
        .map_init(
            || (Vec::new(), Vec::new()),
            |(edges, path), (i, piece)| {
                trie.lattice(piece, unk, edges);
                viterbi(piece.len(), edges, scores, unk, unk_score, None, path);
                if path.len() != 1 {
                    return (0u8, Vec::new());
                }
                let whole = (0u32, piece.len() as u32, i as u32);
                viterbi(piece.len(), edges, scores, unk, unk_score, Some(whole), path);
                if path.is_empty() {
                    (1u8, Vec::new())
                } else {
                    (2u8, path.clone())
                }
            },
        )
        .collect()
}

/// Seed substrings: every substring of 2..=max_len characters of a word lying within a run of `allowed`
/// characters, counted over the words (each weighted by its count); those counted at least twice, top `size` by
/// count x length (ties: smaller string first), as (substring, count).
pub fn seed_substrings(
    words: &[(Vec<u32>, u64)],
    allowed: &[u32],
    max_len: usize,
    size: usize,
) -> Vec<(Vec<u32>, u64)> {
    let allowed: rustc_hash::FxHashSet<u32> = allowed.iter().copied().collect();
    let parts: Vec<FxHashMap<&[u32], u64>> = words
        .par_chunks(words.len().div_ceil(CHUNKS).max(1))
        .map(|chunk| {
            let mut counts: FxHashMap<&[u32], u64> = FxHashMap::default();
            for (w, c) in chunk {
                let n = w.len();
                let mut start = 0;
                while start < n {
                    while start < n && !allowed.contains(&w[start]) {
                        start += 1;
                    }
                    let mut end = start;
                    while end < n && allowed.contains(&w[end]) {
                        end += 1;
                    }
                    for i in start..end {
                        for j in (i + 2)..=end.min(i + max_len) {
                            *counts.entry(&w[i..j]).or_insert(0) += c;
                        }
                    }
                    start = end;
                }
            }
            counts
        })
        .collect();
    let mut iter = parts.into_iter();
    let mut total = iter.next().unwrap_or_default();
    for part in iter {
        for (k, v) in part {
            *total.entry(k).or_insert(0) += v;
        }
    }
    let mut ranked: Vec<(u64, &[u32], u64)> =
        total.into_iter().filter(|&(_, c)| c >= 2).map(|(s, c)| (c * s.len() as u64, s, c)).collect();
    ranked.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    ranked.truncate(size);
    ranked.into_iter().map(|(_, s, c)| (s.to_vec(), c)).collect()
}
