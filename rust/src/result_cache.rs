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

/// One thread's results for one owner at a time (switching owners forgets the other's entries).
pub struct ResultCache<V> {
    owner: u64,
    map: FxHashMap<Box<[u8]>, V>,
}

impl<V> Default for ResultCache<V> {
    fn default() -> Self {
        ResultCache { owner: 0, map: FxHashMap::default() }
    }
}

impl<V> ResultCache<V> {
    /// `owner`'s cached result for `piece`.
    #[inline]
    pub fn get(&mut self, owner: u64, piece: &[u8]) -> Option<&V> {
        if self.owner != owner {
            self.owner = owner;
            self.map.clear();
        }
        self.map.get(piece)
    }

    /// Keeps `owner`'s result for `piece` (dropped if another owner took the cache meanwhile).
    #[inline]
    pub fn insert(&mut self, owner: u64, piece: &[u8], value: V) {
        if self.owner != owner {
            return;
        }
        if self.map.len() >= CACHE_ENTRIES {
            self.map.clear();
        }
        self.map.insert(piece.into(), value);
    }
}
