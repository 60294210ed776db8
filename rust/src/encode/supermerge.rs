//! BoundlessBPE's encoder step: after ordinary BPE, adjacent pieces that are each one token are joined by the
//! supermerge of lowest rank, leftmost first, each piece at most once. Training is `train/boundless.rs`.

use super::bpe_encode::Bpe;
use rustc_hash::FxHashMap;

/// The encoder's supermerge table: (left id, right id) -> (rank, superword id).
pub struct SuperMerges {
    pub table: FxHashMap<(u32, u32), (u32, u32)>,
}

impl SuperMerges {
    /// The encoder's supermerge table from (left bytes, right bytes) in rank order; the first rank of a
    /// pair wins if it is listed twice.
    pub fn from_merges(bpe: &Bpe, merges: Vec<(Vec<u8>, Vec<u8>)>) -> Result<SuperMerges, String> {
        let mut table = FxHashMap::default();
        for (rank, (a, b)) in merges.into_iter().enumerate() {
            let joined: Vec<u8> = a.iter().chain(b.iter()).copied().collect();
            let look = |t: &[u8]| {
                bpe.lookup(t).ok_or_else(|| {
                    format!("supermerge #{rank} needs {:?}, which is not in the vocabulary", String::from_utf8_lossy(t))
                })
            };
            let (l, r, x) = (look(&a)?, look(&b)?, look(&joined)?);
            table.entry((l, r)).or_insert((rank as u32, x));
        }
        Ok(SuperMerges { table })
    }

    /// Joins pieces of `out[first..]`: `bounds` holds where each piece starts in `out` (ascending,
    /// all >= `first`). Candidates are adjacent single-token pieces with a supermerge; the lowest
    /// rank goes first, then the leftmost; a piece joins at most one superword. `spans`, when
    /// given, runs parallel to `out` and is joined the same way.
    pub fn apply(
        &self,
        out: &mut Vec<u32>,
        first: usize,
        bounds: &[usize],
        mut spans: Option<&mut Vec<(usize, usize)>>,
    ) {
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
