//! Rank-merge BPE over bytes.
//!
//! A merge table maps a pair of adjacent token ids to (rank, merged id). Encoding a piece
//! repeatedly merges the lowest-ranked adjacent pair, leftmost first on ties — the rule of both
//! tiktoken and HF tokenizers. Short pieces use a direct scan (fast for the common case);
//! long pieces use a heap over a linked list, so hostile input like `"a" * 10**6` costs
//! O(n log n) instead of tiktoken's O(n²).

use super::result_cache::{new_owner, ResultCache, CACHE_PIECE_MAX};
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

thread_local! {
    /// Merged results of pieces up to `CACHE_PIECE_MAX` bytes, per thread (see result_cache.rs).
    static MERGE_CACHE: RefCell<ResultCache<Box<[u32]>>> = RefCell::new(ResultCache::default());
}

/// Per-thread, direct-mapped cache of whole results for short pieces (at most `SHORT_MAX` bytes, at most
/// `SLOT_IDS` ids), keyed by the packed piece bytes. Text repeats a small set of pieces over and over, so nearly
/// every piece is answered by one probe of a table that stays in L2 cache, instead of a vocabulary lookup in a
/// table of 100k-200k entries (and, for pieces that are not tokens, a second lookup in the merge cache).
const PIECE_SLOTS_LOG2: u32 = 16;
const SLOT_IDS: usize = 3;

#[derive(Clone, Copy, Default)]
#[repr(C, align(32))]
struct PieceSlot {
    /// The packed piece; all zero for an empty slot (no real key is zero: it holds the length).
    key: [u64; 2],
    ids: [u32; SLOT_IDS],
    n: u32,
}

/// A thread's slot tables for its most recently used models (most recent first; `PIECE_TABLES` at most), so work
/// that alternates between a few models keeps each one's table warm.
struct PieceCache {
    tables: Vec<(u64, Box<[PieceSlot]>)>,
}

const PIECE_TABLES: usize = 4;

impl PieceCache {
    /// `model_id`'s table, made the most recent (a new model takes the least recently used table, emptied).
    fn table(&mut self, model_id: u64) -> &mut [PieceSlot] {
        if self.tables.first().map(|t| t.0) != Some(model_id) {
            match self.tables.iter().position(|t| t.0 == model_id) {
                Some(k) => self.tables[..=k].rotate_right(1),
                None => {
                    let slots = if self.tables.len() >= PIECE_TABLES {
                        let (_, mut slots) = self.tables.pop().expect("full");
                        slots.fill(PieceSlot::default());
                        slots
                    } else {
                        vec![PieceSlot::default(); 1 << PIECE_SLOTS_LOG2].into_boxed_slice()
                    };
                    self.tables.insert(0, (model_id, slots));
                }
            }
        }
        &mut self.tables[0].1
    }
}

thread_local! {
    static PIECE_CACHE: RefCell<PieceCache> = RefCell::new(PieceCache { tables: Vec::new() });
}

#[inline(always)]
fn piece_slot(key: u128) -> usize {
    let folded = (key as u64) ^ ((key >> 64) as u64).rotate_left(31);
    (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - PIECE_SLOTS_LOG2)) as usize
}

/// Encodes the pieces of one call with this thread's piece cache (see `Bpe::session`).
pub struct Session<'a> {
    bpe: &'a Bpe,
    /// None when the thread's cache is already in use (a nested call) or gone (thread teardown).
    slots: Option<&'a mut [PieceSlot]>,
}

impl Session<'_> {
    /// Appends the ids of one piece to `out`; the same result as `Bpe::encode_piece`.
    #[inline(always)]
    pub fn encode_piece(&mut self, piece: &[u8], out: &mut Vec<u32>) -> Result<(), String> {
        let Some(slots) = self.slots.as_deref_mut() else {
            return self.bpe.encode_piece(piece, out);
        };
        if piece.len() > SHORT_MAX {
            return self.bpe.encode_piece(piece, out);
        }
        let key = short_key(piece);
        let key = [key as u64, (key >> 64) as u64];
        let slot = &mut slots[piece_slot(((key[1] as u128) << 64) | key[0] as u128)];
        if slot.key == key {
            out.extend_from_slice(&slot.ids[..slot.n as usize]);
            return Ok(());
        }
        let start = out.len();
        self.bpe.encode_piece(piece, out)?;
        let ids = &out[start..];
        if ids.len() <= SLOT_IDS {
            slot.key = key;
            slot.n = ids.len() as u32;
            slot.ids[..ids.len()].copy_from_slice(ids);
        }
        Ok(())
    }
}

/// Pieces at least this long (in bytes) take the bucket-queue path.
const LONG_PIECE: usize = 128;
pub(crate) const NO_RANK: u32 = u32::MAX;
pub(crate) const NO_ID: u32 = u32::MAX;

pub struct Bpe {
    /// id -> bytes (None for ids the model does not define).
    pub tokens: Vec<Option<Box<[u8]>>>,
    /// bytes -> id
    pub index: FxHashMap<Box<[u8]>, u32>,
    /// The same for tokens of at most 15 bytes, with the bytes packed into the key itself, so a lookup touches
    /// one hash-table slot instead of also chasing a pointer to the key (the hot path: one lookup per piece).
    short_index: FxHashMap<u128, u32>,
    /// A read-only direct-mapped front for `short_index`, sized to stay in L2 cache, holding the lowest ids
    /// (BPE ids are roughly in frequency order, so these are the tokens most pieces are).
    hot: Box<[HotSlot]>,
    merges: FxHashMap<u64, (u32, u32)>,
    pub(crate) byte_id: [u32; 256],
    /// Look a whole piece up in the vocabulary before merging (tiktoken always does; HF calls
    /// this `ignore_merges`).
    pub whole_piece_first: bool,
    /// Pieces start as characters (bytes only for characters that are not tokens): char-level BPE.
    pub char_level: bool,
    /// Char-level: the id a character without a token becomes instead of its bytes (NO_ID: bytes).
    pub unk_id: u32,
    /// Char-level: pieces emitted whole, never split or merged (SentencePiece's user-defined symbols).
    pub frozen: FxHashMap<Box<[u8]>, u32>,
    model_id: u64,
}

/// Bytes (at most 15) packed with their length into one integer key: byte k of the little-endian key is
/// `bytes[k]`, byte 15 the length, the rest zero. Built from (overlapping) word loads rather than a copy
/// through a stack buffer, which would stall on store forwarding when the key is read back.
#[inline(always)]
fn short_key(bytes: &[u8]) -> u128 {
    let n = bytes.len();
    debug_assert!(n <= SHORT_MAX);
    let (lo, hi) = if n >= 8 {
        let lo = u64::from_le_bytes(bytes[..8].try_into().unwrap());
        // bytes[8..n] are the top n - 8 bytes of the word ending at n
        let hi = if n > 8 { u64::from_le_bytes(bytes[n - 8..n].try_into().unwrap()) >> (8 * (16 - n)) } else { 0 };
        (lo, hi)
    } else if n >= 4 {
        let a = u32::from_le_bytes(bytes[..4].try_into().unwrap()) as u64;
        let b = u32::from_le_bytes(bytes[n - 4..n].try_into().unwrap()) as u64;
        (a | (b << (8 * (n - 4))), 0)
    } else if n > 0 {
        let m = n / 2;
        let lo = bytes[0] as u64 | ((bytes[m] as u64) << (8 * m)) | ((bytes[n - 1] as u64) << (8 * (n - 1)));
        (lo, 0)
    } else {
        (0, 0)
    };
    (lo as u128) | (((hi | ((n as u64) << 56)) as u128) << 64)
}

const SHORT_MAX: usize = 15;
const HOT_SLOTS: usize = 1 << 14;

#[derive(Clone, Copy)]
struct HotSlot {
    key: [u64; 2],
    id: u32,
}

#[inline(always)]
fn hot_slot(key: u128) -> usize {
    let folded = (key as u64) ^ ((key >> 64) as u64).rotate_left(29);
    (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - 14)) as usize
}

#[inline(always)]
fn pair_key(a: u32, b: u32) -> u64 {
    ((a as u64) << 32) | b as u64
}

impl Bpe {
    fn with_vocab(vocab: Vec<(Vec<u8>, u32)>) -> Result<Bpe, String> {
        let max_id = vocab.iter().map(|(_, id)| *id).max().unwrap_or(0) as usize;
        if max_id >= (1 << 31) {
            return Err(format!("token id {max_id} is out of range"));
        }
        let mut tokens: Vec<Option<Box<[u8]>>> = vec![None; if vocab.is_empty() { 0 } else { max_id + 1 }];
        let mut index = FxHashMap::default();
        index.reserve(vocab.len());
        for (bytes, id) in vocab {
            let bytes: Box<[u8]> = bytes.into_boxed_slice();
            if tokens[id as usize].is_some() {
                return Err(format!("id {id} is assigned to more than one token"));
            }
            if let Some(prev) = index.insert(bytes.clone(), id) {
                return Err(format!("token {:?} has two ids ({prev} and {id})", String::from_utf8_lossy(&bytes)));
            }
            tokens[id as usize] = Some(bytes);
        }
        let mut byte_id = [NO_ID; 256];
        for b in 0..256usize {
            if let Some(&id) = index.get(&[b as u8][..]) {
                byte_id[b] = id;
            }
        }
        let mut short_index = FxHashMap::default();
        for (bytes, &id) in index.iter() {
            if bytes.len() <= SHORT_MAX {
                short_index.insert(short_key(bytes), id);
            }
        }
        let empty = HotSlot { key: [u64::MAX, u64::MAX], id: NO_ID };
        let mut hot = vec![empty; HOT_SLOTS].into_boxed_slice();
        for (id, tok) in tokens.iter().enumerate() {
            if let Some(t) = tok {
                if t.len() <= SHORT_MAX {
                    let key = short_key(t);
                    let slot = &mut hot[hot_slot(key)];
                    if slot.id == NO_ID {
                        *slot = HotSlot { key: [key as u64, (key >> 64) as u64], id: id as u32 };
                    }
                }
            }
        }
        Ok(Bpe {
            tokens,
            index,
            short_index,
            hot,
            merges: FxHashMap::default(),
            byte_id,
            whole_piece_first: false,
            char_level: false,
            unk_id: NO_ID,
            frozen: FxHashMap::default(),
            model_id: new_owner(),
        })
    }

    /// tiktoken semantics: a token's rank is its id, and two adjacent parts merge when their
    /// concatenation is a token. The pair table lists every split of every token into two tokens.
    pub fn from_ranks(vocab: Vec<(Vec<u8>, u32)>) -> Result<Bpe, String> {
        let mut bpe = Bpe::with_vocab(vocab)?;
        let mut merges = FxHashMap::default();
        for (id, tok) in bpe.tokens.iter().enumerate() {
            let Some(tok) = tok else { continue };
            for split in 1..tok.len() {
                if let (Some(&a), Some(&b)) = (bpe.index.get(&tok[..split]), bpe.index.get(&tok[split..])) {
                    merges.insert(pair_key(a, b), (id as u32, id as u32));
                }
            }
        }
        bpe.merges = merges;
        bpe.whole_piece_first = true;
        Ok(bpe)
    }

    /// SentencePiece semantics: two adjacent parts merge when their concatenation is a token that has a
    /// rank (`ranks`: id -> rank, lower first; equal ranks tie, leftmost first). Splits are taken at
    /// character boundaries only, as SP's symbols are characters.
    pub fn from_piece_ranks(vocab: Vec<(Vec<u8>, u32)>, ranks: &[(u32, u32)]) -> Result<Bpe, String> {
        let mut bpe = Bpe::with_vocab(vocab)?;
        let mut merges = FxHashMap::default();
        for &(id, rank) in ranks {
            let Some(Some(tok)) = bpe.tokens.get(id as usize) else {
                return Err(format!("ranked id {id} is not in the vocabulary"));
            };
            let Ok(text) = std::str::from_utf8(tok) else {
                return Err(format!("token {id} is not valid UTF-8"));
            };
            for (split, _) in text.char_indices().skip(1) {
                if let (Some(&a), Some(&b)) = (bpe.index.get(&tok[..split]), bpe.index.get(&tok[split..])) {
                    merges.insert(pair_key(a, b), (rank, id));
                }
            }
        }
        bpe.merges = merges;
        bpe.whole_piece_first = false;
        bpe.char_level = true;
        Ok(bpe)
    }

    /// HF semantics: the rank of a merge is its position in the merge list.
    pub fn from_merges(
        vocab: Vec<(Vec<u8>, u32)>,
        merges: Vec<(Vec<u8>, Vec<u8>)>,
        whole_piece_first: bool,
    ) -> Result<Bpe, String> {
        let mut bpe = Bpe::with_vocab(vocab)?;
        let mut table = FxHashMap::default();
        table.reserve(merges.len());
        for (rank, (a, b)) in merges.into_iter().enumerate() {
            let lookup = |t: &[u8]| {
                bpe.index.get(t).copied().ok_or_else(|| {
                    format!("merge {} refers to {:?}, which is not in the vocabulary", rank, String::from_utf8_lossy(t))
                })
            };
            let ia = lookup(&a)?;
            let ib = lookup(&b)?;
            let mut joined = a;
            joined.extend_from_slice(&b);
            let inew = lookup(&joined)?;
            table.entry(pair_key(ia, ib)).or_insert((rank as u32, inew));
        }
        bpe.merges = table;
        bpe.whole_piece_first = whole_piece_first;
        Ok(bpe)
    }

    /// Id of the token whose bytes are exactly `piece`.
    #[inline(always)]
    pub fn lookup(&self, piece: &[u8]) -> Option<u32> {
        if piece.len() <= SHORT_MAX {
            let key = short_key(piece);
            let slot = &self.hot[hot_slot(key)];
            if slot.key == [key as u64, (key >> 64) as u64] {
                return Some(slot.id);
            }
            self.short_index.get(&key).copied()
        } else {
            self.index.get(piece).copied()
        }
    }

    #[inline(always)]
    pub(crate) fn merge_of(&self, a: u32, b: u32) -> (u32, u32) {
        match self.merges.get(&pair_key(a, b)) {
            Some(&m) => m,
            None => (NO_RANK, NO_ID),
        }
    }

    /// Runs `f` with a session that encodes pieces through this thread's piece cache.
    pub fn session<R>(&self, f: impl FnOnce(&mut Session<'_>) -> R) -> R {
        let mut f = Some(f);
        let done = PIECE_CACHE.try_with(|cell| {
            let Ok(mut cache) = cell.try_borrow_mut() else { return None };
            let slots = cache.table(self.model_id);
            let f = f.take().expect("called once");
            Some(f(&mut Session { bpe: self, slots: Some(slots) }))
        });
        match done {
            Ok(Some(r)) => r,
            _ => (f.take().expect("not called yet"))(&mut Session { bpe: self, slots: None }),
        }
    }

    /// Appends the ids of one piece to `out`. Errors name a byte the vocabulary lacks.
    pub fn encode_piece(&self, piece: &[u8], out: &mut Vec<u32>) -> Result<(), String> {
        if self.char_level {
            if piece.len() > CACHE_PIECE_MAX {
                return self.encode_piece_chars(piece, out);
            }
            return MERGE_CACHE.with(|cell| {
                let mut cache = cell.borrow_mut();
                if let Some(ids) = cache.get(self.model_id, piece) {
                    out.extend_from_slice(ids);
                    return Ok(());
                }
                let start = out.len();
                self.encode_piece_chars(piece, out)?;
                cache.insert(self.model_id, piece, out[start..].into());
                Ok(())
            });
        }
        if self.whole_piece_first || piece.len() == 1 {
            if let Some(id) = self.lookup(piece) {
                out.push(id);
                return Ok(());
            }
        }
        for &b in piece {
            if self.byte_id[b as usize] == NO_ID {
                return Err(format!("byte 0x{b:02x} has no token in the vocabulary"));
            }
        }
        if piece.len() > CACHE_PIECE_MAX {
            if piece.len() < LONG_PIECE {
                self.merge_short(piece, out);
            } else {
                self.merge_long(piece, out);
            }
            return Ok(());
        }
        MERGE_CACHE.with(|cell| {
            let mut cache = cell.borrow_mut();
            if let Some(ids) = cache.get(self.model_id, piece) {
                out.extend_from_slice(ids);
                return;
            }
            let start = out.len();
            self.merge_short(piece, out);
            cache.insert(self.model_id, piece, out[start..].into());
        });
        Ok(())
    }

    fn merge_short(&self, piece: &[u8], out: &mut Vec<u32>) {
        // parts[k] = (id, rank of merging with parts[k+1], merged id); a stack buffer, no allocation.
        let mut parts = [(0u32, NO_RANK, NO_ID); LONG_PIECE];
        let mut n = piece.len();
        for (k, &b) in piece.iter().enumerate() {
            parts[k].0 = self.byte_id[b as usize];
        }
        for k in 0..n - 1 {
            let (r, m) = self.merge_of(parts[k].0, parts[k + 1].0);
            parts[k].1 = r;
            parts[k].2 = m;
        }
        parts[n - 1].1 = NO_RANK;
        loop {
            let mut best = NO_RANK;
            let mut at = 0;
            for (k, p) in parts[..n - 1].iter().enumerate() {
                if p.1 < best {
                    best = p.1;
                    at = k;
                }
            }
            if best == NO_RANK {
                break;
            }
            parts[at].0 = parts[at].2;
            parts.copy_within(at + 2..n, at + 1);
            n -= 1;
            if at + 1 < n {
                let (r, m) = self.merge_of(parts[at].0, parts[at + 1].0);
                parts[at].1 = r;
                parts[at].2 = m;
            } else {
                parts[at].1 = NO_RANK;
            }
            if at > 0 {
                let (r, m) = self.merge_of(parts[at - 1].0, parts[at].0);
                parts[at - 1].1 = r;
                parts[at - 1].2 = m;
            }
        }
        out.extend(parts[..n].iter().map(|p| p.0));
    }

    /// Long pieces: threshold sweeps while they pay off, then the rank queue.
    ///
    /// A sweep at threshold `r`, the lowest rank of any pair, does every merge of rank at most `r` in one
    /// left-to-right pass, in the order of the plain rule (lowest rank first, leftmost first on ties). The
    /// tokens already passed form a stack whose inner pairs all rank above `r`; untouched tokens ahead rank at
    /// least `r`. So at the boundary only two pairs can be due, (below top, top) and (top, next): the lower
    /// ranked one, the left one on a tie, is the one the plain rule merges next if its rank is at most `r`
    /// (it is then the global minimum, or the leftmost pair of rank `r`); otherwise nothing due lies left
    /// of the next pair due ahead, and the sweep moves on. Runs of one repeated character (`" " * 10**6`)
    /// need a handful of sweeps over a shrinking array, sequential memory access and no queue. A sweep that
    /// merges less than a sixteenth of the tokens hands over to the queue, which bounds the sweeps' total
    /// work by a constant times the piece length.
    fn merge_long(&self, piece: &[u8], out: &mut Vec<u32>) {
        let mut cache = [(u64::MAX, NO_RANK, NO_ID); 1024];
        let mut merge_of = |a: u32, b: u32| -> (u32, u32) {
            let key = pair_key(a, b);
            let slot = &mut cache[(key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize];
            if slot.0 != key {
                let (r, m) = self.merge_of(a, b);
                *slot = (key, r, m);
            }
            (slot.1, slot.2)
        };
        // (id, rank of the pair with the next token; NO_RANK for the last)
        let mut a: Vec<(u32, u32)> = piece.iter().map(|&b| (self.byte_id[b as usize], NO_RANK)).collect();
        for k in 0..a.len() - 1 {
            a[k].1 = merge_of(a[k].0, a[k + 1].0).0;
        }
        loop {
            let r = a.iter().map(|t| t.1).min().unwrap_or(NO_RANK);
            if r == NO_RANK {
                out.extend(a.iter().map(|t| t.0));
                return;
            }
            let before = a.len();
            let len = a.len();
            // stack a[..w], input a[i..]; a[w - 1].1 is the rank of (top, a[i])
            let (mut w, mut i) = (1usize, 1usize);
            loop {
                let rr = a[w - 1].1;
                let lr = if w >= 2 { a[w - 2].1 } else { NO_RANK };
                if lr <= r && lr <= rr {
                    let merged = merge_of(a[w - 2].0, a[w - 1].0).1;
                    w -= 1;
                    a[w - 1].0 = merged;
                } else if rr <= r {
                    let merged = merge_of(a[w - 1].0, a[i].0).1;
                    a[w - 1].0 = merged;
                    i += 1;
                } else {
                    if i == len {
                        break;
                    }
                    a[w] = a[i];
                    w += 1;
                    i += 1;
                    continue;
                }
                let top = a[w - 1].0;
                a[w - 1].1 = if i < len { merge_of(top, a[i].0).0 } else { NO_RANK };
                if w >= 2 {
                    a[w - 2].1 = merge_of(a[w - 2].0, top).0;
                }
            }
            a.truncate(w);
            if (before - w) * 16 < before {
                break;
            }
        }
        self.merge_queue(&a, out);
    }

    /// The rank-queue merge of a long token sequence (`a`: ids, in order, and the rank with the next).
    fn merge_queue(&self, a: &[(u32, u32)], out: &mut Vec<u32>) {
        // Nodes are indexed by their starting position; `rank` is the current rank of the pair starting at
        // the node, so a queued (rank, k) whose rank no longer matches is stale and skipped. A node's
        // state is one 16-byte struct, so each step touches one cache line rather than four arrays.
        // Pending pairs sit in one bucket per rank (see `RankQueue`).
        #[derive(Clone, Copy)]
        struct Node {
            id: u32,
            next: u32,
            prev: u32,
            rank: u32,
        }
        let n = a.len();
        let end = n as u32;
        let mut nodes: Vec<Node> = a
            .iter()
            .enumerate()
            .map(|(k, &(id, _))| Node { id, next: k as u32 + 1, prev: (k as u32).wrapping_sub(1), rank: NO_RANK })
            .collect();
        let mut queue = RankQueue::default();
        // Long pieces repeat the same few pairs: a small direct-mapped cache in front of the merge table, which
        // also remembers the queue bucket of the pair's rank, so a push needs no lookup.
        #[derive(Clone, Copy)]
        struct PairSlot {
            key: u64,
            rank: u32,
            merged: u32,
            bucket: u32,
        }
        let mut cache = [PairSlot { key: u64::MAX, rank: NO_RANK, merged: NO_ID, bucket: 0 }; 1024];
        let mut merge_of = |queue: &mut RankQueue, a: u32, b: u32| -> PairSlot {
            let key = pair_key(a, b);
            let slot = &mut cache[(key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize];
            if slot.key != key {
                let (rank, merged) = self.merge_of(a, b);
                let bucket = if rank != NO_RANK { queue.bucket_of(rank) } else { 0 };
                *slot = PairSlot { key, rank, merged, bucket };
            }
            *slot
        };
        for k in 0..n - 1 {
            let m = merge_of(&mut queue, nodes[k].id, nodes[k + 1].id);
            nodes[k].rank = m.rank;
            if m.rank != NO_RANK {
                queue.push(m.bucket, m.rank, k as u32);
            }
        }
        while let Some((r, k)) = queue.pop() {
            let k = k as usize;
            if nodes[k].rank != r {
                continue;
            }
            let j = nodes[k].next as usize;
            let merged = merge_of(&mut queue, nodes[k].id, nodes[j].id).merged;
            let after = nodes[j].next;
            nodes[j].rank = NO_RANK;
            nodes[k].id = merged;
            nodes[k].next = after;
            nodes[k].rank = NO_RANK;
            if after != end {
                nodes[after as usize].prev = k as u32;
                let m = merge_of(&mut queue, merged, nodes[after as usize].id);
                nodes[k].rank = m.rank;
                if m.rank != NO_RANK {
                    queue.push(m.bucket, m.rank, k as u32);
                }
            }
            let p = nodes[k].prev;
            if p != u32::MAX {
                let m = merge_of(&mut queue, nodes[p as usize].id, merged);
                nodes[p as usize].rank = m.rank;
                if m.rank != NO_RANK {
                    queue.push(m.bucket, m.rank, p);
                }
            }
        }
        let mut k = 0u32;
        while k != end {
            out.push(nodes[k as usize].id);
            k = nodes[k as usize].next;
        }
    }
}

/// Pending pairs of one rank, leftmost first, as a few sorted runs. Entries mostly arrive in increasing
/// position, but one pass over the piece at another rank produces a second increasing sequence behind the
/// unconsumed first one; each such sequence becomes a run, and a pop takes the smallest run head. Should
/// runs pile up, they are merged into one.
#[derive(Default)]
struct Bucket {
    runs: Vec<(Vec<u32>, usize)>,
}

const MAX_RUNS: usize = 8;

impl Bucket {
    fn push(&mut self, pos: u32) {
        for (run, _) in self.runs.iter_mut().rev() {
            if *run.last().unwrap() <= pos {
                run.push(pos);
                return;
            }
        }
        if self.runs.len() == MAX_RUNS {
            let mut all: Vec<u32> =
                self.runs.drain(..).flat_map(|(run, cursor)| run.into_iter().skip(cursor)).collect();
            all.sort_unstable();
            self.runs.push((all, 0));
            return self.push(pos);
        }
        self.runs.push((vec![pos], 0));
    }

    fn pop(&mut self) -> Option<u32> {
        let mut best: Option<(u32, usize)> = None;
        for (r, (run, cursor)) in self.runs.iter().enumerate() {
            let head = run[*cursor];
            if best.map_or(true, |(b, _)| head < b) {
                best = Some((head, r));
            }
        }
        let (pos, r) = best?;
        let (run, cursor) = &mut self.runs[r];
        *cursor += 1;
        if *cursor == run.len() {
            self.runs.swap_remove(r);
        }
        Some(pos)
    }
}

/// A priority queue of (rank, position), lowest rank first and leftmost first within a rank.
/// Every operation is O(log) in the number of distinct ranks (small in practice) plus a scan of a bucket's runs.
/// Each rank gets one bucket for the whole piece (`bucket_of`, looked up once per distinct pair by the caller's
/// pair cache); a bucket is in the rank heap exactly while it is marked `queued`.
#[derive(Default)]
struct RankQueue {
    /// (rank, bucket index) of every queued bucket, lowest rank on top.
    ranks: BinaryHeap<Reverse<(u32, u32)>>,
    buckets: Vec<(Bucket, bool)>,
    by_rank: FxHashMap<u32, u32>,
}

impl RankQueue {
    /// The bucket for `rank`, made on first use.
    fn bucket_of(&mut self, rank: u32) -> u32 {
        let buckets = &mut self.buckets;
        *self.by_rank.entry(rank).or_insert_with(|| {
            buckets.push((Bucket::default(), false));
            buckets.len() as u32 - 1
        })
    }

    /// Queues `pos` at `rank`, whose bucket is `bucket` (from `bucket_of`).
    #[inline]
    fn push(&mut self, bucket: u32, rank: u32, pos: u32) {
        let (b, queued) = &mut self.buckets[bucket as usize];
        if !*queued {
            *queued = true;
            self.ranks.push(Reverse((rank, bucket)));
        }
        b.push(pos);
    }

    #[inline]
    fn pop(&mut self) -> Option<(u32, u32)> {
        loop {
            let &Reverse((rank, b)) = self.ranks.peek()?;
            let (bucket, queued) = &mut self.buckets[b as usize];
            if let Some(pos) = bucket.pop() {
                return Some((rank, pos));
            }
            *queued = false;
            self.ranks.pop();
        }
    }
}
