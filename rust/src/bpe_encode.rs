//! Rank-merge BPE over bytes.
//!
//! A merge table maps a pair of adjacent token ids to (rank, merged id). Encoding a piece
//! repeatedly merges the lowest-ranked adjacent pair, leftmost first on ties — the rule of both
//! tiktoken and HF tokenizers. Short pieces use a direct scan (fast for the common case);
//! long pieces use a heap over a linked list, so hostile input like `"a" * 10**6` costs
//! O(n log n) instead of tiktoken's O(n²).

use rustc_hash::FxHashMap;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Pieces at least this long (in bytes) take the heap path.
const LONG_PIECE: usize = 128;
const NO_RANK: u32 = u32::MAX;
const NO_ID: u32 = u32::MAX;

pub struct Bpe {
    /// id -> bytes (None for ids the model does not define).
    pub tokens: Vec<Option<Box<[u8]>>>,
    /// bytes -> id
    pub index: FxHashMap<Box<[u8]>, u32>,
    merges: FxHashMap<u64, (u32, u32)>,
    byte_id: [u32; 256],
    /// Look a whole piece up in the vocabulary before merging (tiktoken always does; HF calls
    /// this `ignore_merges`).
    pub whole_piece_first: bool,
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
        Ok(Bpe { tokens, index, merges: FxHashMap::default(), byte_id, whole_piece_first: false })
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

    #[inline(always)]
    fn merge_of(&self, a: u32, b: u32) -> (u32, u32) {
        match self.merges.get(&pair_key(a, b)) {
            Some(&m) => m,
            None => (NO_RANK, NO_ID),
        }
    }

    /// Appends the ids of one piece to `out`. Errors name a byte the vocabulary lacks.
    pub fn encode_piece(&self, piece: &[u8], out: &mut Vec<u32>) -> Result<(), String> {
        if self.whole_piece_first || piece.len() == 1 {
            if let Some(&id) = self.index.get(piece) {
                out.push(id);
                return Ok(());
            }
        }
        for &b in piece {
            if self.byte_id[b as usize] == NO_ID {
                return Err(format!("byte 0x{b:02x} has no token in the vocabulary"));
            }
        }
        if piece.len() < LONG_PIECE {
            self.merge_short(piece, out);
        } else {
            self.merge_long(piece, out);
        }
        Ok(())
    }

    fn merge_short(&self, piece: &[u8], out: &mut Vec<u32>) {
        // parts[k] = (id, rank of merging with parts[k+1], merged id)
        let mut parts: Vec<(u32, u32, u32)> = Vec::with_capacity(piece.len());
        for &b in piece {
            parts.push((self.byte_id[b as usize], NO_RANK, NO_ID));
        }
        for k in 0..parts.len() - 1 {
            let (r, m) = self.merge_of(parts[k].0, parts[k + 1].0);
            parts[k].1 = r;
            parts[k].2 = m;
        }
        loop {
            let mut best = NO_RANK;
            let mut at = 0;
            for (k, p) in parts.iter().enumerate() {
                if p.1 < best {
                    best = p.1;
                    at = k;
                }
            }
            if best == NO_RANK {
                break;
            }
            parts[at].0 = parts[at].2;
            parts.remove(at + 1);
            if at + 1 < parts.len() {
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
        out.extend(parts.iter().map(|p| p.0));
    }

    fn merge_long(&self, piece: &[u8], out: &mut Vec<u32>) {
        // Nodes are indexed by their starting byte, so a heap key (rank, node) orders ties by
        // position. rank_at[k] is the current rank of the pair starting at node k; a popped key
        // whose rank no longer matches is stale and skipped.
        let n = piece.len();
        let mut id: Vec<u32> = piece.iter().map(|&b| self.byte_id[b as usize]).collect();
        let mut next: Vec<u32> = (1..=n as u32).collect();
        let mut prev: Vec<u32> = (0..n as u32).map(|k| k.wrapping_sub(1)).collect();
        let mut rank_at = vec![NO_RANK; n];
        let mut keys: Vec<Reverse<u64>> = Vec::with_capacity(n);
        for k in 0..n - 1 {
            let (r, _) = self.merge_of(id[k], id[k + 1]);
            rank_at[k] = r;
            if r != NO_RANK {
                keys.push(Reverse(((r as u64) << 32) | k as u64));
            }
        }
        let mut heap = BinaryHeap::from(keys);
        let end = n as u32;
        while let Some(Reverse(key)) = heap.pop() {
            let r = (key >> 32) as u32;
            let k = (key & 0xFFFF_FFFF) as usize;
            if rank_at[k] != r {
                continue;
            }
            let j = next[k] as usize;
            let (_, merged) = self.merge_of(id[k], id[j]);
            id[k] = merged;
            id[j] = NO_ID;
            rank_at[j] = NO_RANK;
            let after = next[j];
            next[k] = after;
            if after != end {
                prev[after as usize] = k as u32;
                let (r2, _) = self.merge_of(id[k], id[after as usize]);
                rank_at[k] = r2;
                if r2 != NO_RANK {
                    heap.push(Reverse(((r2 as u64) << 32) | k as u64));
                }
            } else {
                rank_at[k] = NO_RANK;
            }
            let p = prev[k];
            if p != u32::MAX {
                let (r3, _) = self.merge_of(id[p as usize], id[k]);
                rank_at[p as usize] = r3;
                if r3 != NO_RANK {
                    heap.push(Reverse(((r3 as u64) << 32) | p as u64));
                }
            }
        }
        let mut k = 0u32;
        while k != end {
            out.push(id[k as usize]);
            k = next[k as usize];
        }
    }
}
