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
//! supermerge of lowest rank, leftmost first, each piece at most once (`encode/supermerge.rs`).

use super::bpe_train::{pair_key, Engine, TrainLimits, WordTable};
use super::pretoken_count::PretokenTable;
use super::{learned_tokens, Learned, Progress};
use crate::encode::bpe_encode::Bpe;
use crate::pretokenize::Pretokenizer;
use rayon::prelude::*;
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
    fn count_record(
        &self,
        r: usize,
        words: &WordTable,
        counts: &mut FxHashMap<u64, u64>,
        mut index: Option<&mut FxHashMap<u64, Vec<u32>>>,
    ) {
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
    pub fn init(
        &mut self,
        words: &WordTable,
        pair_counts: &mut FxHashMap<u64, u64>,
        heap: &mut BinaryHeap<(u64, u64, Reverse<u64>)>,
    ) {
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
    pub fn complete(
        &mut self,
        ws: &[u32],
        words: &WordTable,
        pair_counts: &mut FxHashMap<u64, u64>,
        heap: &mut BinaryHeap<(u64, u64, Reverse<u64>)>,
    ) {
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

/// Learns BoundlessBPE merges and supermerges from a table of whole *records*: each distinct record is cut by
/// `pretok`; its pieces are the engine's words (counted over all records) and its piece sequence gives the
/// supermerge candidates. A piece holding a line break never joins a superword. Fresh training from `bpe` (the
/// alphabet), byte level. Returns the learned tokens and, per merge, whether it is a supermerge.
pub fn train_boundless(
    table: &PretokenTable,
    pretok: &Pretokenizer,
    bpe: Bpe,
    limits: &TrainLimits,
    progress_every: usize,
    progress: &mut Progress,
) -> Result<(Learned, Vec<bool>), String> {
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
    let learned = engine.run(limits, progress_every, progress)?;
    let superword: Vec<bool> = learned.iter().map(|m| m.superword).collect();
    Ok((learned_tokens(&engine, first_new, &learned), superword))
}
