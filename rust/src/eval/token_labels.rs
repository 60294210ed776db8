//! Script and character-category labels for every entry of a token table, from labels per character: the
//! evaluation's per-token tables for 100k-200k entries in one pass. Which character has which label (Unicode
//! script, general category) is decided in Python (`metrics/scripts.py`, the twin of these rules); only the
//! per-token combination runs here.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

/// Script codes with a fixed meaning (the rest are scripts Python numbered).
const SCRIPT_COMMON: u8 = 0;
const SCRIPT_PARTIAL: u8 = 1;
const SCRIPT_MIXED: u8 = 2;
const SCRIPT_INHERITED: u8 = 3;
/// Category codes with a fixed meaning.
const CAT_PARTIAL: u8 = 0;
const CAT_MIXED: u8 = 1;
const CAT_EMPTY: u8 = 2;
const CAT_WHITESPACE: u8 = 3;

/// The entries of a token table given as concatenated bytes and n + 1 little-endian u64 offsets.
pub fn tokens<'a>(blob: &'a [u8], offsets: &'a [u8]) -> Result<impl Iterator<Item = &'a [u8]> + 'a, String> {
    if offsets.len() % 8 != 0 || offsets.len() < 8 {
        return Err("offsets must be n + 1 little-endian u64 values".to_string());
    }
    let at = |k: usize| u64::from_le_bytes(offsets[8 * k..8 * k + 8].try_into().expect("8 bytes")) as usize;
    let n = offsets.len() / 8 - 1;
    for k in 0..n {
        if at(k) > at(k + 1) || at(k + 1) > blob.len() {
            return Err("offsets out of order or past the blob".to_string());
        }
    }
    Ok((0..n).map(move |k| &blob[at(k)..at(k + 1)]))
}

/// (script code, category code) of one entry; Err names a character without codes.
fn label_one(t: &[u8], codes: &FxHashMap<char, (u8, u8)>) -> Result<(u8, u8), char> {
    let Ok(text) = std::str::from_utf8(t) else { return Ok((SCRIPT_PARTIAL, CAT_PARTIAL)) };
    let code = |c: char| codes.get(&c).copied().ok_or(c);
    let mut script: Option<u8> = None;
    let mut mixed = false;
    for c in text.chars() {
        let s = code(c)?.0;
        if s == SCRIPT_COMMON || s == SCRIPT_INHERITED {
            continue;
        }
        match script {
            None => script = Some(s),
            Some(x) if x != s => mixed = true,
            _ => {}
        }
    }
    let script = if mixed { SCRIPT_MIXED } else { script.unwrap_or(SCRIPT_COMMON) };
    let is_space = |c: char| codes.get(&c).map(|x| x.1 == CAT_WHITESPACE).unwrap_or(false);
    let rest = text.trim_start_matches(is_space).trim_start_matches('\u{2581}').trim_start_matches(is_space);
    if rest.is_empty() {
        return Ok((script, if text.is_empty() { CAT_EMPTY } else { CAT_WHITESPACE }));
    }
    let mut one: Option<u8> = None;
    for c in rest.chars() {
        let k = code(c)?.1;
        match one {
            None => one = Some(k),
            Some(x) if x != k => return Ok((script, CAT_MIXED)),
            _ => {}
        }
    }
    Ok((script, one.expect("a character is left")))
}

/// The distinct characters of the entries that are valid UTF-8, in code-point order.
pub fn vocab_chars(blob: &[u8], offsets: &[u8]) -> Result<String, String> {
    let mut seen: FxHashSet<char> = FxHashSet::default();
    for t in tokens(blob, offsets)? {
        if let Ok(s) = std::str::from_utf8(t) {
            seen.extend(s.chars());
        }
    }
    let mut chars: Vec<char> = seen.into_iter().collect();
    chars.sort_unstable();
    Ok(chars.into_iter().collect())
}

/// Each character's (script code, category code): `chars[k]` has `scripts[k]` and `categories[k]`; one of each per
/// distinct character.
pub fn char_codes(chars: &str, scripts: &[u8], categories: &[u8]) -> Result<FxHashMap<char, (u8, u8)>, String> {
    let codes: FxHashMap<char, (u8, u8)> =
        chars.chars().zip(scripts.iter().zip(categories)).map(|(c, (&s, &k))| (c, (s, k))).collect();
    if codes.len() != chars.chars().count() || scripts.len() != codes.len() || categories.len() != codes.len() {
        return Err("one script and one category per distinct character".to_string());
    }
    Ok(codes)
}

/// (script codes, category codes) of `entries`, in parallel, from each character's codes: the script is the one
/// script of the entry's characters other than Common and Inherited (Common when none, Mixed when several, Partial
/// when the bytes are not UTF-8); the category is the one category of its characters after leading whitespace, "▁"
/// and whitespace again (Whitespace or Empty when nothing is left, Mixed when several, Partial when not UTF-8).
pub fn label_tokens(entries: &[&[u8]], codes: &FxHashMap<char, (u8, u8)>) -> Result<(Vec<u8>, Vec<u8>), String> {
    let labels = entries
        .par_iter()
        .map(|t| label_one(t, codes))
        .collect::<Result<Vec<(u8, u8)>, char>>()
        .map_err(|c| format!("no label for character U+{:04X}", c as u32))?;
    Ok(labels.into_iter().unzip())
}
