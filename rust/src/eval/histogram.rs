//! What the evaluation scan asks of a compiled tokenizer beyond its ids: id histograms over a corpus, token
//! counts of many words, and per-id facts of the vocabulary, each computed in parallel without id lists.

use crate::pipeline::{Allowed, Pipeline};
use rayon::prelude::*;

/// Occurrences of each id over all `records` (index = id; at least `p.n_ids()` entries).
pub fn histogram(p: &Pipeline, records: &[&str], allowed: &Allowed) -> Result<Vec<u64>, String> {
    let n = p.n_ids();
    // A few contiguous parts per thread (even when text differs in density), each with one dense u32
    // counter (overflow is an error, not a wrap), summed into u64 totals at the end.
    let part = records.len().div_ceil(rayon::current_num_threads() * 4).max(1);
    let parts = records
        .par_chunks(part)
        .map(|chunk| {
            let mut counts = vec![0u32; n];
            let mut out = Vec::new();
            for t in chunk {
                out.clear();
                p.encode(t, allowed, &mut out, None)?;
                for &id in &out {
                    let i = id as usize;
                    if i >= counts.len() {
                        counts.resize(i + 1, 0);
                    }
                    counts[i] = counts[i].checked_add(1).ok_or(
                        "an id occurs over 4 billion times in one part of a histogram call: pass the \
                         text in smaller batches",
                    )?;
                }
            }
            Ok::<_, String>(counts)
        })
        .collect::<Result<Vec<Vec<u32>>, String>>()?;
    // The parts summed id range by id range, in parallel.
    let mut totals = vec![0u64; parts.iter().map(|p| p.len()).max().unwrap_or(n).max(n)];
    totals.par_chunks_mut(1 << 14).enumerate().for_each(|(k, range)| {
        let start = k << 14;
        for p in &parts {
            for (x, &y) in range.iter_mut().zip(p.get(start..).unwrap_or(&[])) {
                *x += y as u64;
            }
        }
    });
    Ok(totals)
}

/// The token count of `prefix + word` for each of `words`, in order.
pub fn word_token_counts(
    p: &Pipeline,
    words: &[(&str, u64)],
    prefix: &str,
    allowed: &Allowed,
) -> Result<Vec<u64>, String> {
    words
        .par_iter()
        .map_init(
            || (String::new(), Vec::new()),
            |(text, out), (word, _)| {
                text.clear();
                text.push_str(prefix);
                text.push_str(word);
                out.clear();
                p.encode(text, allowed, out, None).map(|_| out.len() as u64)
            },
        )
        .collect()
}

/// Flags of `vocab_facts`.
pub const HAS_BYTES: u8 = 1;
pub const UTF8: u8 = 2;
pub const ASCII: u8 = 4;
pub const ASCII_LETTER: u8 = 8;
pub const REACHABLE: u8 = 16;

/// Per-id facts of the evaluation's token table: (concatenated token bytes, n+1 offsets as little-endian u64, one
/// flag byte per id). Flags: `HAS_BYTES`, `UTF8` (valid UTF-8), `ASCII`, `ASCII_LETTER` (contains one),
/// `REACHABLE` (encoding its text gives back exactly this id; checked in parallel).
pub fn vocab_facts(p: &Pipeline, allowed: &Allowed) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let n = p.n_ids();
    let mut blob = Vec::new();
    let mut offsets = Vec::with_capacity((n + 1) * 8);
    offsets.extend_from_slice(&0u64.to_le_bytes());
    for id in 0..n as u32 {
        if let Some(b) = p.token_bytes(id) {
            blob.extend_from_slice(b);
        }
        offsets.extend_from_slice(&(blob.len() as u64).to_le_bytes());
    }
    let flags: Vec<u8> = (0..n as u32)
        .into_par_iter()
        .map_init(Vec::new, |out, id| {
            let Some(b) = p.token_bytes(id) else { return 0u8 };
            let mut f = HAS_BYTES;
            if b.is_ascii() {
                f |= ASCII;
            }
            if b.iter().any(|c| c.is_ascii_alphabetic()) {
                f |= ASCII_LETTER;
            }
            if let Ok(text) = std::str::from_utf8(b) {
                f |= UTF8;
                out.clear();
                if p.encode(text, allowed, out, None).is_ok() && out.len() == 1 && out[0] == id {
                    f |= REACHABLE;
                }
            }
            f
        })
        .collect();
    (blob, offsets, flags)
}
