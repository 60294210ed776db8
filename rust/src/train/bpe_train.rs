//! The incremental BPE training engine.
//!
//! State: a word table (distinct pretokens as symbol-id sequences, with their counts), u64 pair
//! counts, a pair -> words index, and a max-heap of (count, pair) with lazy refresh. A merge
//! visits only the words its pair occurs in and updates the counts of the pairs around each
//! occurrence; nothing is recounted. Which pair to merge next is the policy: the most frequent,
//! ties broken by the smaller (left id, right id) — HF tokenizers' rule, so with the same alphabet
//! order both learn the same merges.
//!
//! Why lazy refresh is exact: a merge only lowers the counts of pairs that do not contain the new
//! token, and every pair that contains it is pushed again with its new count. So every live pair
//! has a heap entry at least as large as its true count; an entry popped with its true count is
//! the maximum.

use rustc_hash::{FxHashMap, FxHashSet};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

pub use super::boundless::{SuperPairs, SUPER};

#[inline(always)]
pub fn pair_key(a: u32, b: u32) -> u64 {
    ((a as u64) << 32) | b as u64
}

#[inline(always)]
pub fn unpair(p: u64) -> (u32, u32) {
    ((p >> 32) as u32, p as u32)
}

/// Distinct words as symbol sequences in one flat arena. Words only ever shrink (a merge turns two
/// symbols into one), so each keeps its slot and a current length.
pub struct WordTable {
    pub(crate) symbols: Vec<u32>,
    pub(crate) start: Vec<usize>,
    pub(crate) len: Vec<u32>,
    pub(crate) count: Vec<u64>,
}

impl WordTable {
    pub fn new() -> WordTable {
        WordTable { symbols: Vec::new(), start: Vec::new(), len: Vec::new(), count: Vec::new() }
    }

    pub fn push(&mut self, symbols: &[u32], count: u64) {
        if symbols.is_empty() || count == 0 {
            return;
        }
        self.start.push(self.symbols.len());
        self.symbols.extend_from_slice(symbols);
        self.len.push(symbols.len() as u32);
        self.count.push(count);
    }

    /// Like `push`, but keeps a word counted zero times: it takes part in no pair count yet every merge
    /// rewrites it (a policy can follow texts that must not steer the counts, e.g. a dev set).
    pub fn push_uncounted(&mut self, symbols: &[u32], count: u64) {
        if symbols.is_empty() {
            return;
        }
        self.start.push(self.symbols.len());
        self.symbols.extend_from_slice(symbols);
        self.len.push(symbols.len() as u32);
        self.count.push(count);
    }

    pub fn n_words(&self) -> usize {
        self.count.len()
    }

    pub(crate) fn word(&self, w: usize) -> &[u32] {
        let s = self.start[w];
        &self.symbols[s..s + self.len[w] as usize]
    }

    /// Occurrences of each symbol id below `n` (weighted by word counts).
    fn count_symbols(&self, n: usize) -> Vec<u64> {
        let mut counts = vec![0u64; n];
        for w in 0..self.n_words() {
            let c = self.count[w];
            for &s in self.word(w) {
                if counts.len() <= s as usize {
                    counts.resize(s as usize + 1, 0);
                }
                counts[s as usize] = counts[s as usize].saturating_add(c);
            }
        }
        counts
    }

    /// Pair counts from scratch: the ground truth the incremental state must equal.
    fn count_pairs(&self) -> FxHashMap<u64, u64> {
        let mut counts: FxHashMap<u64, u64> = FxHashMap::default();
        for w in 0..self.n_words() {
            let c = self.count[w];
            for pair in self.word(w).windows(2) {
                let entry = counts.entry(pair_key(pair[0], pair[1])).or_insert(0);
                *entry = entry.saturating_add(c);
            }
        }
        counts
    }
}

/// Which pair the engine merges next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// BPE: the most frequent pair.
    Frequency,
    /// WordPiece: the pair maximising count(ab) / (count(a) * count(b)), the gain in corpus
    /// likelihood of a unigram model; ties to the more frequent pair, then the smaller ids.
    Likelihood,
}

#[derive(Default)]
pub struct TrainLimits {
    /// Stop after this many new vocabulary entries (merges that produce an existing token add none).
    pub new_tokens: usize,
    /// Never merge a pair seen fewer times than this (HF's `min_frequency`; at least 1).
    pub min_frequency: u64,
    /// Longest token allowed, in the units of `token_len` (bytes, or characters for char-level).
    pub max_token_length: Option<u32>,
    /// Byte strings no merge may produce (the special tokens' texts: a file format cannot hold a
    /// model token and a special token with the same text).
    pub forbidden: FxHashSet<Box<[u8]>>,
    /// Debug: every this many merges, recount all pairs from scratch and fail on any difference.
    pub check_every: usize,
    /// Ids new tokens must not take (special tokens placed after the model's ids).
    pub reserved_ids: FxHashSet<u32>,
    /// SuperBPE: no token may hold more than this many words (runs of non-whitespace bytes).
    pub max_words: Option<u32>,
    /// SuperBPE: no token may hold one of these bytes followed by whitespace and another word.
    pub sentence_punctuation: Vec<u8>,
    /// No learned token may start with these bytes (WordPiece: a word-initial token spelled
    /// `##...` would read as a continuation token in the vocabulary file).
    pub forbidden_prefix: Option<Box<[u8]>>,
}

/// Whether a token crosses sentence punctuation: one of `punct`, right after it whitespace, then a
/// non-whitespace byte ("end. The"; not "std::io" nor "end.\n").
pub fn crosses_sentence(bytes: &[u8], punct: &[u8]) -> bool {
    let is_ws = |b: u8| b.is_ascii_whitespace() || b == 0x0b;
    let mut state = 0; // 0: nothing, 1: just after punctuation, 2: and whitespace after it
    for &b in bytes {
        state = if is_ws(b) {
            if state >= 1 {
                2
            } else {
                0
            }
        } else if state == 2 {
            return true;
        } else if punct.contains(&b) {
            1
        } else {
            0
        };
    }
    false
}

/// Words in a token: maximal runs of bytes that are not ASCII whitespace (SuperBPE's bound).
pub fn count_words(bytes: &[u8]) -> u32 {
    let mut n = 0;
    let mut inside = false;
    for &b in bytes {
        let word = !b.is_ascii_whitespace() && b != 0x0b;
        if word && !inside {
            n += 1;
        }
        inside = word;
    }
    n
}

pub struct Engine {
    words: WordTable,
    /// id -> bytes for every token the engine knows (existing and new).
    tokens: Vec<Option<Box<[u8]>>>,
    index: FxHashMap<Box<[u8]>, u32>,
    token_len: Vec<u32>,
    pair_counts: FxHashMap<u64, u64>,
    pair_words: FxHashMap<u64, Vec<u32>>,
    /// (primary key, secondary key, pair): (count, 0) under Frequency, (score bits, count) under
    /// Likelihood. Positive f64 bits order as the floats do.
    heap: BinaryHeap<(u64, u64, Reverse<u64>)>,
    visited: Vec<u32>,
    /// BoundlessBPE: supermerge candidates between adjacent complete pretokens (None: plain BPE).
    superwords: Option<SuperPairs>,
    /// Words the last merge reduced to one symbol (complete pretokens), for `superwords`.
    completed: Vec<u32>,
    policy: Policy,
    /// Likelihood only: occurrences of each symbol in the words, and the pairs each symbol was
    /// seen in (may hold dead or repeated pairs; cleaned when walked).
    sym_count: Vec<u64>,
    partners: Vec<Vec<u64>>,
    /// A first byte marking a continuation token (WordPiece's `##`); dropped from the right
    /// token when two tokens are joined.
    continuation_marker: Option<u8>,
    /// Likelihood: pairs seen fewer times are not pushed (they cannot be chosen, and re-pushing them after
    /// every change of their symbols' counts would make each merge cost all of them). A pair's count only
    /// rises through a merge that creates one of its symbols, which pushes it again.
    push_floor: u64,
}

/// One learned merge: `left` + `right`, and how often the pair occurred when it was chosen.
#[derive(Clone, Copy, Debug)]
pub struct Merge {
    pub left: u32,
    pub right: u32,
    pub count: u64,
    /// A supermerge of two complete pretokens (BoundlessBPE), not an ordinary merge.
    pub superword: bool,
}

impl Engine {
    /// `tokens`: id -> bytes of every existing token; `token_len`: each one's length in the unit
    /// `max_token_length` counts.
    pub fn new(words: WordTable, tokens: Vec<Option<Box<[u8]>>>, token_len: Vec<u32>) -> Engine {
        Engine::with_policy(words, tokens, token_len, Policy::Frequency, None)
    }

    /// An engine under `policy`; `continuation_marker`: see the field.
    pub fn with_policy(
        words: WordTable,
        tokens: Vec<Option<Box<[u8]>>>,
        token_len: Vec<u32>,
        policy: Policy,
        continuation_marker: Option<u8>,
    ) -> Engine {
        let mut index = FxHashMap::default();
        for (id, t) in tokens.iter().enumerate() {
            if let Some(t) = t {
                index.insert(t.clone(), id as u32);
            }
        }
        let n_words = words.n_words();
        let mut engine = Engine {
            words,
            tokens,
            index,
            token_len,
            pair_counts: FxHashMap::default(),
            pair_words: FxHashMap::default(),
            heap: BinaryHeap::new(),
            visited: vec![u32::MAX; n_words],
            superwords: None,
            completed: Vec::new(),
            policy,
            sym_count: Vec::new(),
            partners: Vec::new(),
            continuation_marker,
            push_floor: 1,
        };
        engine.init_pairs();
        engine
    }

    fn init_pairs(&mut self) {
        let words = &self.words;
        for w in 0..words.n_words() {
            let c = words.count[w];
            for pair in words.word(w).windows(2) {
                let p = pair_key(pair[0], pair[1]);
                let entry = self.pair_counts.entry(p).or_insert(0);
                *entry = entry.saturating_add(c);
                let list = self.pair_words.entry(p).or_default();
                if list.last() != Some(&(w as u32)) {
                    list.push(w as u32);
                }
            }
        }
        if self.policy == Policy::Likelihood {
            self.sym_count = words.count_symbols(self.tokens.len());
            self.partners = vec![Vec::new(); self.tokens.len()];
            let mut pairs: Vec<u64> = self.pair_counts.keys().copied().collect();
            pairs.sort_unstable();
            for p in pairs {
                self.add_partner(p);
            }
        }
        let heap: Vec<_> = self
            .pair_counts
            .iter()
            .map(|(&p, &c)| {
                let (k1, k2) = self.key(p, c);
                (k1, k2, Reverse(p))
            })
            .collect();
        self.heap = heap.into();
    }

    /// The heap key of pair `p` occurring `c` times, under the policy.
    fn key(&self, p: u64, c: u64) -> (u64, u64) {
        match self.policy {
            Policy::Frequency => (c, 0),
            Policy::Likelihood => {
                let (a, b) = unpair(p);
                let score = likelihood_score(c, self.sym_count[a as usize], self.sym_count[b as usize]);
                (score.to_bits(), c)
            }
        }
    }

    fn add_partner(&mut self, p: u64) {
        let (a, b) = unpair(p);
        for s in [a, b] {
            if self.partners.len() <= s as usize {
                self.partners.resize(s as usize + 1, Vec::new());
            }
        }
        self.partners[a as usize].push(p);
        if a != b {
            self.partners[b as usize].push(p);
        }
    }

    /// Likelihood: pushes every live pair holding symbol `s` with its current key (a symbol whose
    /// count fell raises the score of all its pairs), and drops dead or repeated entries.
    fn refresh_partners(&mut self, s: u32) {
        if self.partners.len() <= s as usize {
            self.partners.resize(s as usize + 1, Vec::new());
        }
        let mut list = std::mem::take(&mut self.partners[s as usize]);
        let mut seen: FxHashSet<u64> = FxHashSet::default();
        let floor = self.push_floor;
        list.retain(|p| self.pair_counts.get(p).is_some_and(|&c| c >= floor) && seen.insert(*p));
        for &p in &list {
            let c = self.pair_counts[&p];
            if c < self.push_floor {
                continue;
            }
            let (k1, k2) = self.key(p, c);
            self.heap.push((k1, k2, Reverse(p)));
        }
        self.partners[s as usize] = list;
    }

    /// The next pair to merge under the frequency policy, or None when no pair qualifies.
    pub fn pop_best(&mut self, limits: &TrainLimits) -> Option<(u64, u64)> {
        while let Some((k1, k2, Reverse(p))) = self.heap.pop() {
            let current = self.pair_counts.get(&p).copied().unwrap_or(0);
            if current == 0 {
                continue;
            }
            let (t1, t2) = self.key(p, current);
            if (t1, t2) != (k1, k2) {
                // Likelihood: every pair whose key changes is pushed with its new key by the merge that
                // changed it, so a mismatching entry is a stale duplicate.
                if self.policy == Policy::Frequency {
                    self.heap.push((t1, t2, Reverse(p)));
                }
                continue;
            }
            let c = current;
            if c < limits.min_frequency.max(1) {
                if self.policy == Policy::Likelihood {
                    // Scores do not order by count: a rarer pair may top the heap; skip it.
                    continue;
                }
                return None;
            }
            let (a, b) = unpair(p);
            let (a, b) = (a & !SUPER, b);
            if let Some(max) = limits.max_token_length {
                if self.token_len[a as usize] + self.token_len[b as usize] > max {
                    continue;
                }
            }
            return Some((p, c));
        }
        None
    }

    pub fn concat(&self, a: u32, b: u32) -> Box<[u8]> {
        let (x, mut y) =
            (self.tokens[a as usize].as_deref().unwrap_or(&[]), self.tokens[b as usize].as_deref().unwrap_or(&[]));
        if let (Some(m), Some(&first)) = (self.continuation_marker, y.first()) {
            if first == m {
                y = &y[1..];
            }
        }
        let mut v = Vec::with_capacity(x.len() + y.len());
        v.extend_from_slice(x);
        v.extend_from_slice(y);
        v.into_boxed_slice()
    }

    /// Replaces every occurrence of (a, b) by `x` in the words that hold it, and updates the pair
    /// counts, the index and the heap by the difference around each occurrence.
    fn apply(&mut self, p: u64, x: u32, stamp: u32) {
        let (a, b) = unpair(p);
        let list = self.pair_words.remove(&p).unwrap_or_default();
        let mut delta: FxHashMap<u64, i128> = FxHashMap::default();
        let mut add = |pair: u64, d: i128| *delta.entry(pair).or_insert(0) += d;
        let mut replaced: u64 = 0;
        for &w in &list {
            let w = w as usize;
            if self.visited[w] == stamp {
                continue;
            }
            self.visited[w] = stamp;
            let c = self.words.count[w] as i128;
            let start = self.words.start[w];
            let n = self.words.len[w] as usize;
            let sym = &mut self.words.symbols[start..start + n];
            let (mut r, mut out) = (0usize, 0usize);
            while r < n {
                if r + 1 < n && sym[r] == a && sym[r + 1] == b {
                    // The left neighbour is already rewritten (it may be `x` from the previous
                    // occurrence); the right one is not yet. The placeholder pairs this creates
                    // between adjacent occurrences cancel out.
                    if out > 0 {
                        let left = sym[out - 1];
                        add(pair_key(left, a), -c);
                        add(pair_key(left, x), c);
                        note(&mut self.pair_words, pair_key(left, x), w as u32);
                    }
                    if r + 2 < n {
                        let right = sym[r + 2];
                        add(pair_key(b, right), -c);
                        add(pair_key(x, right), c);
                        note(&mut self.pair_words, pair_key(x, right), w as u32);
                    }
                    sym[out] = x;
                    replaced = replaced.saturating_add(c as u64);
                    r += 2;
                } else {
                    sym[out] = sym[r];
                    r += 1;
                }
                out += 1;
            }
            self.words.len[w] = out as u32;
            if out == 1 && n > 1 && self.superwords.is_some() {
                self.completed.push(w as u32);
            }
        }
        self.pair_counts.remove(&p);
        if self.policy == Policy::Likelihood {
            if self.sym_count.len() <= x as usize {
                self.sym_count.resize(x as usize + 1, 0);
            }
            self.sym_count[a as usize] -= replaced;
            self.sym_count[b as usize] -= replaced;
            self.sym_count[x as usize] += replaced;
        }
        let mut changed: Vec<(u64, i128)> = delta.into_iter().filter(|&(q, d)| d != 0 && q != p).collect();
        changed.sort_unstable_by_key(|&(q, _)| q);
        for (q, d) in changed {
            let is_new = !self.pair_counts.contains_key(&q);
            let entry = self.pair_counts.entry(q).or_insert(0);
            let updated = (*entry as i128 + d).min(u64::MAX as i128);
            debug_assert!(updated >= 0, "pair count went negative");
            if updated <= 0 {
                self.pair_counts.remove(&q);
                continue;
            }
            *entry = updated as u64;
            if self.policy == Policy::Likelihood {
                // Partner lists hold the pairs that can be chosen (count >= floor); a pair only rises
                // past the floor here, holding the new token.
                let (l, r) = unpair(q);
                let crossed = (*entry >= self.push_floor)
                    && (is_new || ((l == x || r == x) && d > 0 && (*entry as i128 - d) < self.push_floor as i128));
                if crossed {
                    self.add_partner(q);
                }
            }
            let (l, r) = unpair(q);
            if (l == x || r == x) && self.policy == Policy::Frequency {
                self.heap.push((updated as u64, 0, Reverse(q)));
            }
        }
        if self.policy == Policy::Likelihood {
            // Counts of a, b and x changed: every pair holding one of them has a new score.
            self.refresh_partners(x);
            self.refresh_partners(a);
            if b != a {
                self.refresh_partners(b);
            }
            // Stale entries pile up (each refresh leaves the old ones): rebuild when they dominate.
            if self.heap.len() > 4 * self.pair_counts.len() + 1024 {
                let floor = self.push_floor;
                let fresh: Vec<_> = self
                    .pair_counts
                    .iter()
                    .filter(|&(_, &c)| c >= floor)
                    .map(|(&q, &c)| {
                        let (k1, k2) = self.key(q, c);
                        (k1, k2, Reverse(q))
                    })
                    .collect();
                self.heap = fresh.into();
            }
        }
    }

    /// Recounts every pair from the words and compares with the incremental counts.
    pub fn verify(&self) -> Result<(), String> {
        let mut truth = self.words.count_pairs();
        if let Some(sp) = &self.superwords {
            sp.count_into(&self.words, &mut truth);
        }
        for (&p, &c) in &truth {
            let ours = self.pair_counts.get(&p).copied().unwrap_or(0);
            if ours != c {
                let (a, b) = unpair(p);
                return Err(format!("incremental count of pair ({a}, {b}) is {ours}, recount says {c}"));
            }
        }
        for (&p, &c) in &self.pair_counts {
            if c != 0 && !truth.contains_key(&p) {
                let (a, b) = unpair(p);
                return Err(format!("pair ({a}, {b}) has incremental count {c} but does not occur"));
            }
        }
        if self.policy == Policy::Likelihood {
            let symbols = self.words.count_symbols(self.tokens.len());
            for (s, &c) in symbols.iter().enumerate() {
                let ours = self.sym_count.get(s).copied().unwrap_or(0);
                if ours != c {
                    return Err(format!("incremental count of symbol {s} is {ours}, recount says {c}"));
                }
            }
        }
        Ok(())
    }

    /// Learns merges until `limits` says stop. `progress(merges, new_tokens)` is called every
    /// `progress_every` merges; an error from it (e.g. an interrupt) aborts training.
    pub fn run(
        &mut self,
        limits: &TrainLimits,
        progress_every: usize,
        progress: &mut dyn FnMut(usize, usize) -> Result<(), String>,
    ) -> Result<Vec<Merge>, String> {
        let mut merges = Vec::new();
        let mut new_tokens = 0usize;
        if self.policy == Policy::Likelihood {
            self.push_floor = limits.min_frequency.max(1);
            let floor = self.push_floor;
            self.heap.retain(|&(_, c, _)| c >= floor);
            let counts = &self.pair_counts;
            for list in self.partners.iter_mut() {
                list.retain(|p| counts.get(p).is_some_and(|&c| c >= floor));
            }
        }
        while new_tokens < limits.new_tokens {
            let Some((p, count)) = self.pop_best(limits) else { break };
            let (a, b) = unpair(p);
            let superword = a & SUPER != 0;
            let a = a & !SUPER;
            let bytes = self.concat(a, b);
            if limits.forbidden.contains(&bytes)
                || limits.forbidden_prefix.as_deref().is_some_and(|f| !f.is_empty() && bytes.starts_with(f))
            {
                continue;
            }
            if limits.max_words.is_some_and(|max| count_words(&bytes) > max) {
                continue;
            }
            if !limits.sentence_punctuation.is_empty() && crosses_sentence(&bytes, &limits.sentence_punctuation) {
                continue;
            }
            let (x, is_new) = self.intern(a, b, bytes, limits);
            new_tokens += is_new as usize;
            if superword {
                if let Some(sp) = self.superwords.as_mut() {
                    sp.apply(p, &self.words, &mut self.pair_counts);
                }
            } else {
                self.apply(p, x, merges.len() as u32);
                if let Some(sp) = self.superwords.as_mut() {
                    sp.complete(&self.completed, &self.words, &mut self.pair_counts, &mut self.heap);
                    self.completed.clear();
                }
            }
            merges.push(Merge { left: a, right: b, count, superword });
            if limits.check_every > 0 && merges.len() % limits.check_every == 0 {
                self.verify().map_err(|e| format!("after merge #{}: {e}", merges.len()))?;
            }
            if progress_every > 0 && merges.len() % progress_every == 0 {
                progress(merges.len(), new_tokens)?;
            }
        }
        if limits.check_every > 0 {
            self.verify().map_err(|e| format!("at the end of training: {e}"))?;
        }
        progress(merges.len(), new_tokens)?;
        Ok(merges)
    }

    /// Turns on BoundlessBPE's supermerge candidates (before `run`).
    pub fn set_superwords(&mut self, mut sp: SuperPairs) {
        sp.init(&self.words, &mut self.pair_counts, &mut self.heap);
        self.superwords = Some(sp);
    }

    /// Merges the pair `p`, whichever policy chose it: the token it spells (an existing id, or the next free
    /// one) replaces every occurrence. Returns (token id, whether it is new), or None when the pair spells a
    /// forbidden text (nothing changes; the caller drops the pair for good). `stamp`: distinct per merge.
    pub fn merge_pair(&mut self, p: u64, limits: &TrainLimits, stamp: u32) -> Option<(u32, bool)> {
        let (a, b) = unpair(p);
        let bytes = self.concat(a, b);
        if limits.forbidden.contains(&bytes) {
            return None;
        }
        let (x, is_new) = self.intern(a, b, bytes, limits);
        self.apply(p, x, stamp);
        Some((x, is_new))
    }

    /// The id of the token `bytes` (= a·b): an existing one, or the next id not reserved. Returns (id, is new).
    fn intern(&mut self, a: u32, b: u32, bytes: Box<[u8]>, limits: &TrainLimits) -> (u32, bool) {
        if let Some(&id) = self.index.get(&bytes) {
            return (id, false);
        }
        while limits.reserved_ids.contains(&(self.tokens.len() as u32)) {
            self.tokens.push(None);
            self.token_len.push(0);
        }
        let id = self.tokens.len() as u32;
        self.token_len.push(self.token_len[a as usize] + self.token_len[b as usize]);
        self.tokens.push(Some(bytes.clone()));
        self.index.insert(bytes, id);
        (id, true)
    }

    /// The symbols of word `w` now.
    pub fn word_symbols(&self, w: usize) -> &[u32] {
        self.words.word(w)
    }

    /// The words that may hold pair `p` (a superset: entries go stale as merges rewrite words; may repeat).
    pub fn words_with_pair(&self, p: u64) -> &[u32] {
        self.pair_words.get(&p).map_or(&[], |v| v.as_slice())
    }

    /// Length of token `id` in the unit `max_token_length` counts.
    pub fn token_len_of(&self, id: u32) -> u32 {
        self.token_len[id as usize]
    }

    pub fn n_ids(&self) -> u32 {
        self.tokens.len() as u32
    }

    pub fn token(&self, id: u32) -> Option<&[u8]> {
        self.tokens.get(id as usize).and_then(|t| t.as_deref())
    }
}

/// WordPiece's score, in f64 exactly as the reference twin computes it: count(ab) / (count(a) * count(b)).
#[inline]
pub fn likelihood_score(ab: u64, a: u64, b: u64) -> f64 {
    ab as f64 / ((a as f64) * (b as f64)).max(1.0)
}

#[inline(always)]
fn note(index: &mut FxHashMap<u64, Vec<u32>>, pair: u64, w: u32) {
    let list = index.entry(pair).or_default();
    if list.last() != Some(&w) {
        list.push(w);
    }
}
