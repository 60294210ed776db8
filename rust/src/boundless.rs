//! BoundlessBPE: supermerges of two complete adjacent pretokens into a superword.
//!
//! Training: the engine's words are the distinct pretokens, as in plain BPE; this module adds the
//! corpus records as sequences of pretokens ("units"). A pretoken is *complete* once the engine has
//! merged it into one token. Each adjacent pair of complete units in a record is a supermerge
//! candidate, counted in the engine's own pair counts and heap under the key `(left | SUPER, right)`
//! so that one policy (most frequent; ties to the smaller key, i.e. ordinary pairs first) picks
//! among both kinds. A superword spans exactly two pretokens and joins nothing further.
//!
//! Encoding: after ordinary BPE, adjacent pieces that are each one token are joined by the
//! supermerge of lowest rank, leftmost first, each piece at most once (`SuperMerges::apply`).

use crate::bpe_train::{pair_key, WordTable};
use rustc_hash::FxHashMap;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Marks a supermerge key's left id (ids stay below 2^24).
pub const SUPER: u32 = 1 << 31;
/// Unit codes: `w` is a pretoken still in the word table; `FIXED | t` a pretoken that was the
/// single token `t` from the start; `BLOCKED` a pretoken that never joins a superword (it holds a
/// line break) or one already inside a superword.
pub const FIXED: u32 = 1 << 31;
pub const BLOCKED: u32 = u32::MAX;

pub struct SuperPairs {
    units: Vec<u32>,
    start: Vec<usize>,
    len: Vec<u32>,
    count: Vec<u64>,
    /// Occurrences (record, position) of each word, grouped by word (CSR).
    occ_start: Vec<usize>,
    occ: Vec<(u32, u32)>,
    /// Supermerge key -> records where it has (or had) a live occurrence.
    records_of: FxHashMap<u64, Vec<u32>>,
    visited: Vec<u32>,
    stamp: u32,
    /// Words completed by the merge being processed.
    fresh: Vec<bool>,
}

#[inline(always)]
fn token_of(unit: u32, words: &WordTable) -> Option<u32> {
    if unit == BLOCKED {
        None
    } else if unit & FIXED != 0 {
        Some(unit & !FIXED)
    } else {
        let w = unit as usize;
        (words.len[w] == 1).then(|| words.symbols[words.start[w]])
    }
}

fn note(index: &mut FxHashMap<u64, Vec<u32>>, key: u64, r: u32) {
    let list = index.entry(key).or_default();
    if list.last() != Some(&r) {
        list.push(r);
    }
}

impl SuperPairs {
    /// `records`: each distinct record as unit codes, with its count; `n_words`: the word table size.
    pub fn new(records: Vec<(Vec<u32>, u64)>, n_words: usize) -> SuperPairs {
        let mut sp = SuperPairs {
            units: Vec::new(),
            start: Vec::with_capacity(records.len()),
            len: Vec::with_capacity(records.len()),
            count: Vec::with_capacity(records.len()),
            occ_start: vec![0; n_words + 1],
            occ: Vec::new(),
            records_of: FxHashMap::default(),
            visited: vec![u32::MAX; records.len()],
            stamp: 0,
            fresh: vec![false; n_words],
        };
        for (units, c) in records {
            sp.start.push(sp.units.len());
            sp.len.push(units.len() as u32);
            sp.count.push(c);
            for &u in &units {
                if u & FIXED == 0 {
                    sp.occ_start[u as usize + 1] += 1;
                }
            }
            sp.units.extend_from_slice(&units);
        }
        for w in 0..n_words {
            sp.occ_start[w + 1] += sp.occ_start[w];
        }
        let mut fill = sp.occ_start.clone();
        sp.occ = vec![(0, 0); sp.occ_start[n_words]];
        for r in 0..sp.count.len() {
            let s = sp.start[r];
            for i in 0..sp.len[r] as usize {
                let u = sp.units[s + i];
                if u & FIXED == 0 {
                    sp.occ[fill[u as usize]] = (r as u32, i as u32);
                    fill[u as usize] += 1;
                }
            }
        }
        sp
    }

    /// Adds every supermerge candidate of `r` to `counts`; with `index`, notes where each occurs.
    fn count_record(&self, r: usize, words: &WordTable, counts: &mut FxHashMap<u64, u64>, mut index: Option<&mut FxHashMap<u64, Vec<u32>>>) {
        let s = self.start[r];
        let n = self.len[r] as usize;
        let c = self.count[r];
        for i in 1..n {
            if let (Some(u), Some(v)) = (token_of(self.units[s + i - 1], words), token_of(self.units[s + i], words)) {
                let key = pair_key(u | SUPER, v);
                let e = counts.entry(key).or_insert(0);
                *e = e.saturating_add(c);
                if let Some(ix) = index.as_deref_mut() {
                    note(ix, key, r as u32);
                }
            }
        }
    }

    /// Counts the candidates among the pretokens complete from the start.
    pub fn init(&mut self, words: &WordTable, pair_counts: &mut FxHashMap<u64, u64>, heap: &mut BinaryHeap<(u64, u64, Reverse<u64>)>) {
        let mut counts = FxHashMap::default();
        let mut index = std::mem::take(&mut self.records_of);
        for r in 0..self.count.len() {
            self.count_record(r, words, &mut counts, Some(&mut index));
        }
        self.records_of = index;
        for (k, c) in counts {
            pair_counts.insert(k, c);
            heap.push((c, 0, Reverse(k)));
        }
    }

    /// Supermerge candidates recounted from scratch (the engine's debug self-check).
    pub fn count_into(&self, words: &WordTable, truth: &mut FxHashMap<u64, u64>) {
        for r in 0..self.count.len() {
            self.count_record(r, words, truth, None);
        }
    }

    /// Words `ws` have just become one token each (by the same merge): their pairs with complete
    /// neighbours become candidates. A pair of two such words is counted once, from its left one.
    pub fn complete(&mut self, ws: &[u32], words: &WordTable, pair_counts: &mut FxHashMap<u64, u64>, heap: &mut BinaryHeap<(u64, u64, Reverse<u64>)>) {
        if self.fresh.len() < words.n_words() {
            self.fresh.resize(words.n_words(), false);
        }
        for &w in ws {
            self.fresh[w as usize] = true;
        }
        let is_fresh = |fresh: &Vec<bool>, unit: u32| unit & FIXED == 0 && fresh[unit as usize];
        let mut touched: Vec<u64> = Vec::new();
        for &w in ws {
            let Some(t) = token_of(w, words) else { continue };
            let (a, b) = (self.occ_start[w as usize], self.occ_start[w as usize + 1]);
            for k in a..b {
                let (r, i) = self.occ[k];
                let (s, n, c) = (self.start[r as usize], self.len[r as usize] as usize, self.count[r as usize]);
                let i = i as usize;
                let mut bump = |key: u64, pc: &mut FxHashMap<u64, u64>, ix: &mut FxHashMap<u64, Vec<u32>>| {
                    let e = pc.entry(key).or_insert(0);
                    *e = e.saturating_add(c);
                    note(ix, key, r);
                    touched.push(key);
                };
                if i > 0 && !is_fresh(&self.fresh, self.units[s + i - 1]) {
                    if let Some(u) = token_of(self.units[s + i - 1], words) {
                        bump(pair_key(u | SUPER, t), pair_counts, &mut self.records_of);
                    }
                }
                if i + 1 < n {
                    if let Some(v) = token_of(self.units[s + i + 1], words) {
                        bump(pair_key(t | SUPER, v), pair_counts, &mut self.records_of);
                    }
                }
            }
        }
        for &w in ws {
            self.fresh[w as usize] = false;
        }
        touched.sort_unstable();
        touched.dedup();
        for key in touched {
            heap.push((pair_counts[&key], 0, Reverse(key)));
        }
    }

    /// Applies the supermerge `key` in every record: occurrences left to right, non-overlapping;
    /// the two units become one superword (BLOCKED) and their other candidates lose the count.
    pub fn apply(&mut self, key: u64, words: &WordTable, pair_counts: &mut FxHashMap<u64, u64>) {
        let u = ((key >> 32) as u32) & !SUPER;
        let v = key as u32;
        self.stamp = self.stamp.wrapping_add(1);
        let list = self.records_of.remove(&key).unwrap_or_default();
        let dec = |k: u64, c: u64, pc: &mut FxHashMap<u64, u64>| {
            if let Some(e) = pc.get_mut(&k) {
                *e = e.saturating_sub(c);
                if *e == 0 {
                    pc.remove(&k);
                }
            }
        };
        for r in list {
            let r = r as usize;
            if self.visited[r] == self.stamp {
                continue;
            }
            self.visited[r] = self.stamp;
            let (s, n, c) = (self.start[r], self.len[r] as usize, self.count[r]);
            let mut i = 0;
            while i + 1 < n {
                if token_of(self.units[s + i], words) == Some(u) && token_of(self.units[s + i + 1], words) == Some(v) {
                    if i > 0 {
                        if let Some(l) = token_of(self.units[s + i - 1], words) {
                            dec(pair_key(l | SUPER, u), c, pair_counts);
                        }
                    }
                    if i + 2 < n {
                        if let Some(rt) = token_of(self.units[s + i + 2], words) {
                            dec(pair_key(v | SUPER, rt), c, pair_counts);
                        }
                    }
                    self.units[s + i] = BLOCKED;
                    self.units[s + i + 1] = BLOCKED;
                    i += 2;
                } else {
                    i += 1;
                }
            }
        }
        pair_counts.remove(&key);
    }
}

/// The encoder's supermerge table: (left id, right id) -> (rank, superword id).
pub struct SuperMerges {
    pub table: FxHashMap<(u32, u32), (u32, u32)>,
}

impl SuperMerges {
    /// Joins pieces of `out[first..]`: `bounds` holds where each piece starts in `out` (ascending,
    /// all >= `first`). Candidates are adjacent single-token pieces with a supermerge; the lowest
    /// rank goes first, then the leftmost; a piece joins at most one superword. `spans`, when
    /// given, runs parallel to `out` and is joined the same way.
    pub fn apply(&self, out: &mut Vec<u32>, first: usize, bounds: &[usize], mut spans: Option<&mut Vec<(usize, usize)>>) {
        let end = out.len();
        let single = |k: usize| -> bool {
            let next = if k + 1 < bounds.len() { bounds[k + 1] } else { end };
            next == bounds[k] + 1
        };
        let mut cands: Vec<(u32, usize, u32)> = Vec::new();
        for k in 0..bounds.len().saturating_sub(1) {
            if single(k) && single(k + 1) {
                if let Some(&(rank, x)) = self.table.get(&(out[bounds[k]], out[bounds[k + 1]])) {
                    cands.push((rank, k, x));
                }
            }
        }
        if cands.is_empty() {
            return;
        }
        cands.sort_unstable();
        let mut taken = vec![false; bounds.len()];
        // Position in `out` of a piece's first token -> the superword that starts there.
        let mut joined: FxHashMap<usize, u32> = FxHashMap::default();
        for (_, k, x) in cands {
            if !taken[k] && !taken[k + 1] {
                taken[k] = true;
                taken[k + 1] = true;
                joined.insert(bounds[k], x);
            }
        }
        let mut w = first;
        let mut r = first;
        while r < end {
            if let Some(&x) = joined.get(&r) {
                out[w] = x;
                if let Some(sp) = spans.as_deref_mut() {
                    sp[w] = (sp[r].0, sp[r + 1].1);
                }
                r += 2;
            } else {
                out[w] = out[r];
                if let Some(sp) = spans.as_deref_mut() {
                    sp[w] = sp[r];
                }
                r += 1;
            }
            w += 1;
        }
        out.truncate(w);
        if let Some(sp) = spans {
            sp.truncate(w + (sp.len() - end));
        }
    }
}
