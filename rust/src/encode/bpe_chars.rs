//! Char-level BPE encoding: a piece starts as its characters (a character that is not a token
//! falls back to its bytes), then the merge list applies as usual. Merges run over a linked list
//! with a heap of candidate pairs, O(n log n) in the piece length.

use super::bpe_encode::{Bpe, NO_ID, NO_RANK};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

impl Bpe {
    pub(crate) fn encode_piece_chars(&self, piece: &[u8], out: &mut Vec<u32>) -> Result<(), String> {
        if !self.frozen.is_empty() {
            if let Some(&id) = self.frozen.get(piece) {
                out.push(id);
                return Ok(());
            }
        }
        if self.whole_piece_first {
            if let Some(id) = self.lookup(piece) {
                out.push(id);
                return Ok(());
            }
        }
        let mut ids: Vec<u32> = Vec::with_capacity(piece.len());
        let text = String::from_utf8_lossy(piece);
        if matches!(text, std::borrow::Cow::Owned(_)) {
            return Err("char-level BPE needs valid UTF-8 text".to_string());
        }
        let mut buf = [0u8; 4];
        for ch in text.chars() {
            let bytes = ch.encode_utf8(&mut buf).as_bytes();
            match self.lookup(bytes) {
                Some(id) => ids.push(id),
                None if self.unk_id != NO_ID => ids.push(self.unk_id),
                None => {
                    for &b in bytes {
                        let id = self.byte_id[b as usize];
                        if id == NO_ID {
                            return Err(format!("byte 0x{b:02x} has no token in the vocabulary"));
                        }
                        ids.push(id);
                    }
                }
            }
        }
        self.merge_ids(&mut ids);
        out.extend_from_slice(&ids);
        Ok(())
    }

    /// Applies merges to a symbol sequence: lowest rank first, leftmost on ties.
    pub(crate) fn merge_ids(&self, ids: &mut Vec<u32>) {
        self.merge_ids_skipping(ids, || false);
    }

    /// `merge_ids`, except that each applicable merge is skipped when `skip()` says so; a skipped merge comes
    /// back as a candidate after the next merge that is applied (BPE-dropout's rule).
    pub(crate) fn merge_ids_skipping(&self, ids: &mut Vec<u32>, mut skip: impl FnMut() -> bool) {
        let n = ids.len();
        if n < 2 {
            return;
        }
        let mut next: Vec<usize> = (1..=n).collect();
        let mut prev: Vec<usize> = (0..n).map(|k| k.wrapping_sub(1)).collect();
        let mut alive = vec![true; n];
        let mut heap: BinaryHeap<Reverse<(u32, usize, u32, u32)>> = BinaryHeap::new();
        for k in 0..n - 1 {
            let (r, _) = self.merge_of(ids[k], ids[k + 1]);
            if r != NO_RANK {
                heap.push(Reverse((r, k, ids[k], ids[k + 1])));
            }
        }
        let mut dropped = Vec::new();
        while let Some(Reverse(entry)) = heap.pop() {
            let (r, k, a, b) = entry;
            let j = next[k];
            if !alive[k] || j >= n || !alive[j] || ids[k] != a || ids[j] != b {
                continue;
            }
            let (rank, merged) = self.merge_of(a, b);
            if rank != r {
                continue;
            }
            if skip() {
                dropped.push(Reverse(entry));
                continue;
            }
            heap.extend(dropped.drain(..));
            ids[k] = merged;
            alive[j] = false;
            next[k] = next[j];
            if next[k] < n {
                prev[next[k]] = k;
                let (r2, _) = self.merge_of(ids[k], ids[next[k]]);
                if r2 != NO_RANK {
                    heap.push(Reverse((r2, k, ids[k], ids[next[k]])));
                }
            }
            let q = prev[k];
            if q < n {
                let (r0, _) = self.merge_of(ids[q], ids[k]);
                if r0 != NO_RANK {
                    heap.push(Reverse((r0, q, ids[q], ids[k])));
                }
            }
        }
        let mut w = 0;
        for k in 0..n {
            if alive[k] {
                ids[w] = ids[k];
                w += 1;
            }
        }
        ids.truncate(w);
    }
}
