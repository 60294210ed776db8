//! The per-thread cache of whole-piece results that the encoders share: text repeats a small set of pieces, so a
//! hash probe answers most of them instead of a merge loop or a lattice pass.

use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Results are cached for pieces up to this many bytes.
pub const CACHE_PIECE_MAX: usize = 64;
/// A cache holding this many pieces is emptied before the next insert, which bounds its memory.
const CACHE_ENTRIES: usize = 1 << 16;

static NEXT_OWNER: AtomicU64 = AtomicU64::new(1);

/// A fresh owner id: each model takes one, so a thread's cache never serves one model's result for another.
pub fn new_owner() -> u64 {
    NEXT_OWNER.fetch_add(1, Ordering::Relaxed)
}

/// A thread keeps the results of this many owners (most recently used first): work that alternates between a
/// few models, such as an evaluation encoding each corpus block with every tokenizer it compares, stays warm.
const CACHE_OWNERS: usize = 4;

/// One thread's results for its most recent owners; the least recently used is forgotten when a new one comes.
pub struct ResultCache<V> {
    owners: Vec<(u64, FxHashMap<Box<[u8]>, V>)>,
}

impl<V> Default for ResultCache<V> {
    fn default() -> Self {
        ResultCache { owners: Vec::new() }
    }
}

impl<V> ResultCache<V> {
    /// `owner`'s cached result for `piece` (`owner` becomes the most recent).
    #[inline]
    pub fn get(&mut self, owner: u64, piece: &[u8]) -> Option<&V> {
        if self.owners.first().map(|o| o.0) != Some(owner) {
            self.bring_front(owner);
        }
        self.owners[0].1.get(piece)
    }

    fn bring_front(&mut self, owner: u64) {
        match self.owners.iter().position(|o| o.0 == owner) {
            Some(k) => self.owners[..=k].rotate_right(1),
            None => {
                if self.owners.len() >= CACHE_OWNERS {
                    self.owners.pop();
                }
                self.owners.insert(0, (owner, FxHashMap::default()));
            }
        }
    }

    /// Keeps `owner`'s result for `piece` (dropped if `owner` has been forgotten meanwhile).
    #[inline]
    pub fn insert(&mut self, owner: u64, piece: &[u8], value: V) {
        let Some((_, map)) = self.owners.iter_mut().find(|o| o.0 == owner) else { return };
        if map.len() >= CACHE_ENTRIES {
            map.clear();
        }
        map.insert(piece.into(), value);
    }
}
