//! BPE training from a pretoken table: the table's pretokens become the engine's words (byte-level: the existing
//! model's encoding of their bytes; char-level: runs of characters that are tokens), the engine learns merges on
//! top of the existing model. Also the check behind exporting a merge-list model as a tiktoken rank file.

use super::bpe_train::{Engine, TrainLimits, WordTable};
use super::pretoken_count::PretokenTable;
use super::{learned_tokens, Learned, Progress};
use crate::encode::bpe_encode::Bpe;
use rayon::prelude::*;

fn char_len(bytes: &[u8]) -> u32 {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.chars().count() as u32,
        Err(_) => String::from_utf8_lossy(bytes).chars().count() as u32,
    }
}

/// Splits a pretoken into the symbol runs char-level training sees: each character that is a
/// token is a symbol; a character outside the alphabet ends the run (it will be encoded by byte
/// fallback, and byte-fallback tokens never merge).
fn char_level_runs(piece: &[u8], bpe: &Bpe, runs: &mut Vec<Vec<u32>>) {
    let text = String::from_utf8_lossy(piece);
    let mut run = Vec::new();
    let mut buf = [0u8; 4];
    for ch in text.chars() {
        match bpe.lookup(ch.encode_utf8(&mut buf).as_bytes()) {
            Some(id) => run.push(id),
            None => {
                if run.len() > 1 {
                    runs.push(std::mem::take(&mut run));
                }
                run.clear();
            }
        }
    }
    if run.len() > 1 {
        runs.push(run);
    }
}

/// The engine's words from `table`, in the canonical (byte-sorted) order, segmented in parallel and appended in
/// order: byte level, each pretoken as `bpe` encodes it; `char_level`, its runs of token characters (merged by
/// the existing merges). Words of one symbol are left out (no merge can change them).
pub fn words_from_table(table: &PretokenTable, bpe: &Bpe, char_level: bool) -> Result<WordTable, String> {
    let mut words = WordTable::new();
    let sorted = table.sorted();
    for chunk in sorted.chunks(1 << 16) {
        let segmented: Result<Vec<Vec<(Vec<u32>, u64)>>, String> = chunk
            .par_iter()
            .map(|&(piece, count)| {
                if char_level {
                    let mut runs = Vec::new();
                    char_level_runs(piece, bpe, &mut runs);
                    for run in runs.iter_mut() {
                        bpe.merge_ids(run);
                    }
                    runs.retain(|r| r.len() > 1);
                    Ok(runs.into_iter().map(|r| (r, count)).collect())
                } else {
                    let mut ids = Vec::with_capacity(piece.len());
                    bpe.encode_piece(piece, &mut ids)?;
                    Ok(if ids.len() > 1 { vec![(ids, count)] } else { Vec::new() })
                }
            })
            .collect();
        for runs in segmented? {
            for (ids, count) in runs {
                words.push(&ids, count);
            }
        }
    }
    Ok(words)
}

/// Learns BPE merges from `table`'s pretokens on top of the model `bpe` (see `words_from_table`); lengths count
/// characters when `char_level`, else bytes. `consume`: empty the table once its words are built (frees memory).
pub fn train_bpe(
    table: &mut PretokenTable,
    bpe: Bpe,
    char_level: bool,
    consume: bool,
    limits: &TrainLimits,
    progress_every: usize,
    progress: &mut Progress,
) -> Result<Learned, String> {
    let words = words_from_table(table, &bpe, char_level)?;
    if consume {
        table.counts = Default::default();
    }
    let tokens: Vec<Option<Box<[u8]>>> = bpe.tokens.clone();
    let token_len: Vec<u32> = tokens
        .iter()
        .map(|t| t.as_deref().map_or(0, |b| if char_level { char_len(b) } else { b.len() as u32 }))
        .collect();
    drop(bpe);
    let first_new = tokens.len() as u32;
    let mut engine = Engine::new(words, tokens, token_len);
    let learned = engine.run(limits, progress_every, progress)?;
    Ok(learned_tokens(&engine, first_new, &learned))
}

/// The first token (in id order) whose own bytes, encoded as one piece, segment differently under
/// tiktoken's rank rule (rank = id) than under the merge list; None when every token agrees.
pub fn rank_rule_mismatch(
    vocab: Vec<(Vec<u8>, u32)>,
    merges: Vec<(Vec<u8>, Vec<u8>)>,
    whole_piece_first: bool,
) -> Result<Option<Vec<u8>>, String> {
    let by_merges = Bpe::from_merges(vocab.clone(), merges, whole_piece_first)?;
    let by_ranks = Bpe::from_ranks(vocab)?;
    let mut ids: Vec<usize> = (0..by_ranks.tokens.len()).collect();
    ids.retain(|&i| by_ranks.tokens[i].as_ref().is_some_and(|t| t.len() > 1));
    let first = ids.par_iter().find_first(|&&i| {
        let t = by_ranks.tokens[i].as_deref().unwrap_or(&[]);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        by_merges.encode_piece(t, &mut a).is_err() || by_ranks.encode_piece(t, &mut b).is_err() || a != b
    });
    Ok(first.map(|&i| by_ranks.tokens[i].as_deref().unwrap_or(&[]).to_vec()))
}
