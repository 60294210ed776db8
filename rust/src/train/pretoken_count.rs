//! Counting pretokens over a corpus: the first stage of every trainer.
//!
//! Texts arrive in batches; each batch is normalized, pre-tokenized and counted in parallel with
//! thread-local tables that borrow the text (no allocation per occurrence), then folded into one
//! table that owns its keys. Counts are u64. The table can be pruned by a minimum count, which is
//! how the Python side keeps the number of distinct pretokens under a memory budget.

use crate::pipeline::NormStep;
use crate::pretokenize::Pretokenizer;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// Bytes of text per parallel work unit: large enough that a thread-local table pays off (each local table is
/// folded into the shared one, so a unit per short line would cost more than counting it), small enough to
/// balance across threads.
const CHUNK_BYTES: usize = 256 << 10;

pub struct PretokenTable {
    pub pretok: Pretokenizer,
    pub norm: Vec<NormStep>,
    pub counts: FxHashMap<Box<[u8]>, u64>,
    /// Sum of all counts; u128 so that no corpus can overflow it.
    pub total: u128,
}

impl PretokenTable {
    pub fn new(pretok: Pretokenizer, norm: Vec<NormStep>) -> PretokenTable {
        PretokenTable { pretok, norm, counts: FxHashMap::default(), total: 0 }
    }

    fn normalize<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut t = Cow::Borrowed(text);
        for step in &self.norm {
            t = step.apply(t);
        }
        t
    }

    /// Counts the pieces of one text into a table keyed by owned bytes.
    fn count_one(&self, text: &str, local: &mut FxHashMap<Box<[u8]>, u64>, total: &mut u128) -> Result<(), String> {
        let normalized = self.normalize(text);
        let bytes = normalized.as_bytes();
        self.pretok.for_each_piece(&normalized, |s, e| {
            *total += 1;
            let piece = &bytes[s..e];
            if let Some(c) = local.get_mut(piece) {
                *c += 1;
            } else {
                local.insert(piece.into(), 1);
            }
        })
    }

    /// Pre-tokenizes and counts `texts` on all cores. Deterministic: the result does not depend
    /// on the thread count (counting is a sum).
    pub fn add_texts<S: AsRef<str> + Sync>(&mut self, texts: &[S]) -> Result<(), String> {
        let mut bounds = vec![0usize];
        let mut size = 0usize;
        for (k, t) in texts.iter().enumerate() {
            size += t.as_ref().len() + 16;
            if size >= CHUNK_BYTES {
                bounds.push(k + 1);
                size = 0;
            }
        }
        if *bounds.last().unwrap() != texts.len() {
            bounds.push(texts.len());
        }
        let partials: Result<Vec<(FxHashMap<Box<[u8]>, u64>, u128)>, String> = bounds
            .par_windows(2)
            .map(|w| &texts[w[0]..w[1]])
            .map(|chunk| {
                let mut local = FxHashMap::default();
                let mut total = 0u128;
                for t in chunk {
                    self.count_one(t.as_ref(), &mut local, &mut total)?;
                }
                Ok((local, total))
            })
            .collect();
        for (local, total) in partials? {
            self.total += total;
            self.absorb(local);
        }
        Ok(())
    }

    fn absorb(&mut self, local: FxHashMap<Box<[u8]>, u64>) {
        if self.counts.is_empty() {
            self.counts = local;
            return;
        }
        self.counts.reserve(local.len() / 4);
        for (k, v) in local {
            let c = self.counts.entry(k).or_insert(0);
            *c = c.saturating_add(v);
        }
    }

    /// Adds a ready (pretoken, count) table, e.g. a partial count from another process.
    pub fn add_counts(&mut self, items: Vec<(Vec<u8>, u64)>) {
        for (k, v) in items {
            self.total += v as u128;
            let c = self.counts.entry(k.into_boxed_slice()).or_insert(0);
            *c = c.saturating_add(v);
        }
    }

    /// Drops every pretoken counted fewer than `min_count` times; returns (distinct, occurrences) dropped.
    pub fn prune(&mut self, min_count: u64) -> (u64, u128) {
        let mut distinct = 0u64;
        let mut occurrences = 0u128;
        self.counts.retain(|_, c| {
            if *c < min_count {
                distinct += 1;
                occurrences += *c as u128;
                false
            } else {
                true
            }
        });
        self.total -= occurrences;
        self.shrink_if_sparse();
        (distinct, occurrences)
    }

    fn shrink_if_sparse(&mut self) {
        if self.counts.capacity() > 4 * self.counts.len() + 1024 {
            self.counts.shrink_to_fit();
        }
    }

    /// Occurrences of each character (pretokens decoded as UTF-8, invalid bytes as U+FFFD), by character.
    pub fn char_counts(&self) -> Vec<(char, u64)> {
        let mut m: FxHashMap<char, u64> = Default::default();
        for (k, &c) in &self.counts {
            for ch in String::from_utf8_lossy(k).chars() {
                *m.entry(ch).or_insert(0) += c;
            }
        }
        let mut by_char: Vec<(char, u64)> = m.into_iter().collect();
        by_char.sort_unstable();
        by_char
    }

    /// Forgets every count (frees the table's memory).
    pub fn clear(&mut self) {
        self.counts = Default::default();
        self.total = 0;
    }

    /// The table sorted by bytes: the canonical order every trainer starts from (so results never
    /// depend on hash order).
    pub fn sorted(&self) -> Vec<(&[u8], u64)> {
        let mut v: Vec<(&[u8], u64)> = self.counts.iter().map(|(k, &c)| (&k[..], c)).collect();
        v.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
        v
    }
}
