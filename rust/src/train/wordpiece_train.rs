//! WordPiece training: the BPE engine under the likelihood policy.
//!
//! Words start as characters: the first one as itself, the others as continuation symbols
//! (BERT's `##`). Internally a continuation token is its text after the byte 0xFF, which no UTF-8
//! text contains, so a word-initial `##x` and the continuation `x` stay two tokens; the Python
//! side turns 0xFF into the `##` prefix. A word holding a character outside the alphabet is left
//! out (WordPiece encodes it as the unknown token).

use super::bpe_train::{Engine, Policy, TrainLimits, WordTable};
use super::pretoken_count::PretokenTable;
use super::{learned_tokens, Learned, Progress};
use rustc_hash::{FxHashMap, FxHashSet};

pub const CONTINUATION: u8 = 0xFF;

/// The starting vocabulary of WordPiece training: id -> internal bytes, each character's word-initial and
/// continuation ids, and each token's length in characters (the continuation mark excluded).
pub struct WordPieceStart {
    tokens: Vec<Option<Box<[u8]>>>,
    /// char -> initial id
    initial: FxHashMap<char, u32>,
    /// char -> continuation id
    continuation: FxHashMap<char, u32>,
    token_len: Vec<u32>,
}

impl WordPieceStart {
    /// `vocab`: the starting tokens as (internal bytes, id): special tokens and the alphabet, each character
    /// word-initial and as a continuation (0xFF + its UTF-8). No token or id may repeat.
    pub fn new(vocab: &[(Vec<u8>, u32)]) -> Result<WordPieceStart, String> {
        let n_ids = vocab.iter().map(|&(_, id)| id as usize + 1).max().unwrap_or(0);
        let mut tokens: Vec<Option<Box<[u8]>>> = vec![None; n_ids];
        let mut seen: FxHashSet<&[u8]> = FxHashSet::default();
        for (t, id) in vocab {
            if !seen.insert(t.as_slice()) || tokens[*id as usize].is_some() {
                return Err(format!("starting vocabulary repeats token {t:?} or id {id}"));
            }
            tokens[*id as usize] = Some(t.clone().into_boxed_slice());
        }
        let mut initial: FxHashMap<char, u32> = FxHashMap::default();
        let mut continuation: FxHashMap<char, u32> = FxHashMap::default();
        for (t, id) in vocab {
            let (map, text) = match t.first() {
                Some(&CONTINUATION) => (&mut continuation, &t[1..]),
                _ => (&mut initial, &t[..]),
            };
            if let Ok(s) = std::str::from_utf8(text) {
                let mut chars = s.chars();
                if let (Some(c), None) = (chars.next(), chars.next()) {
                    map.insert(c, *id);
                }
            }
        }
        let token_len: Vec<u32> = tokens
            .iter()
            .map(|t| match t.as_deref() {
                Some([CONTINUATION, rest @ ..]) => String::from_utf8_lossy(rest).chars().count() as u32,
                Some(b) => String::from_utf8_lossy(b).chars().count() as u32,
                None => 0,
            })
            .collect();
        Ok(WordPieceStart { tokens, initial, continuation, token_len })
    }
}

/// Learns WordPiece tokens from `table`'s pretokens, starting from `start`. Returns the new tokens as
/// (internal bytes, id) and the merges as (left, right, count).
pub fn train_wordpiece(
    table: &PretokenTable,
    start: WordPieceStart,
    limits: &TrainLimits,
    progress_every: usize,
    progress: &mut Progress,
) -> Result<Learned, String> {
    let WordPieceStart { tokens, initial, continuation, token_len } = start;
    let mut words = WordTable::new();
    let mut ids: Vec<u32> = Vec::new();
    'pieces: for (piece, count) in table.sorted() {
        ids.clear();
        for (k, ch) in String::from_utf8_lossy(piece).chars().enumerate() {
            let map = if k == 0 { &initial } else { &continuation };
            match map.get(&ch) {
                Some(&id) => ids.push(id),
                None => continue 'pieces,
            }
        }
        words.push(&ids, count);
    }
    let first_new = tokens.len() as u32;
    let mut engine = Engine::with_policy(words, tokens, token_len, Policy::Likelihood, Some(CONTINUATION));
    let learned = engine.run(limits, progress_every, progress)?;
    Ok(learned_tokens(&engine, first_new, &learned))
}
