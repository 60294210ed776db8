//! BPE-dropout (Provilkov et al., 2020): while merging, each applicable merge is skipped with probability `p`.
//!
//! Step by step, the candidate merges are visited best first (lowest rank, then leftmost); each is dropped with
//! probability `p`, the first one kept is applied, and merging ends when every candidate of a step was dropped.
//! (HF's skip-and-requeue loop is the same process.) With `p = 0` this is exactly the ordinary merge rule.
//! A heap over a linked list keeps it O(n log n); the twin `tokenforge.reference.bpe_dropout` recomputes the
//! candidates at every step and draws the same numbers from the same generator.

use super::bpe_encode::{Bpe, NO_ID};
use super::rng::SplitMix64;

impl Bpe {
    /// The starting symbols of a piece: its bytes, or for char-level models its characters (bytes for a character
    /// that is not a token).
    fn initial_symbols(&self, piece: &[u8]) -> Result<Vec<u32>, String> {
        let mut ids = Vec::with_capacity(piece.len());
        let byte = |b: u8| {
            let id = self.byte_id[b as usize];
            if id == NO_ID {
                Err(format!("byte 0x{b:02x} has no token in the vocabulary"))
            } else {
                Ok(id)
            }
        };
        if self.char_level {
            let text = std::str::from_utf8(piece).map_err(|_| "char-level BPE needs valid UTF-8 text".to_string())?;
            let mut buf = [0u8; 4];
            for ch in text.chars() {
                let bytes = ch.encode_utf8(&mut buf).as_bytes();
                match self.lookup(bytes) {
                    Some(id) => ids.push(id),
                    None => {
                        for &b in bytes {
                            ids.push(byte(b)?);
                        }
                    }
                }
            }
        } else {
            for &b in piece {
                ids.push(byte(b)?);
            }
        }
        Ok(ids)
    }

    /// Appends the ids of one piece merged with dropout `p`. With `p = 0` a piece that is a token stays whole where
    /// the model says so (as ordinary encoding does); with `p > 0` every piece goes through the merges, so whole
    /// tokens can be split too.
    pub(crate) fn encode_piece_dropout(
        &self,
        piece: &[u8],
        p: f64,
        rng: &mut SplitMix64,
        out: &mut Vec<u32>,
    ) -> Result<(), String> {
        if p <= 0.0 && (self.whole_piece_first || piece.len() == 1) {
            if let Some(id) = self.lookup(piece) {
                out.push(id);
                return Ok(());
            }
        }
        let mut ids = self.initial_symbols(piece)?;
        self.merge_ids_dropout(&mut ids, p, rng);
        out.extend_from_slice(&ids);
        Ok(())
    }

    fn merge_ids_dropout(&self, ids: &mut Vec<u32>, p: f64, rng: &mut SplitMix64) {
        self.merge_ids_skipping(ids, || rng.uniform() < p);
    }
}
