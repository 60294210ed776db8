//! SentencePiece's text handling, so imported `.model` files encode exactly as the `sentencepiece` library:
//! the precompiled charsmap (a Darts-clone double-array trie over UTF-8 bytes, whose leaves point at
//! NUL-terminated replacement strings; the longest matching rule wins), SP's whitespace rules (dummy prefix,
//! extra-space removal, `▁` escaping), user-defined symbols passed through unnormalized, and the piece
//! boundaries SP's BPE can never merge across (the model itself runs on the char-level BPE encoder).

use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};

/// U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's visible space.
pub const SPACE_SYMBOL: &str = "\u{2581}";
/// SentencePiece keeps only the first this-many prefix matches of a trie lookup (its stack buffer).
const MAX_TRIE_RESULTS: usize = 32;

/// The rules of a precompiled charsmap: a double array of 32-bit units and the replacement strings.
pub struct Charsmap {
    units: Vec<u32>,
    replacements: Vec<u8>,
}

#[inline(always)]
fn unit_has_leaf(u: u32) -> bool {
    (u >> 8) & 1 == 1
}
#[inline(always)]
fn unit_value(u: u32) -> usize {
    (u & 0x7fff_ffff) as usize
}
#[inline(always)]
fn unit_label(u: u32) -> u32 {
    u & ((1 << 31) | 0xff)
}
#[inline(always)]
fn unit_offset(u: u32) -> usize {
    ((u >> 10) << ((u & (1 << 9)) >> 6)) as usize
}

impl Charsmap {
    /// Layout: a little-endian u32 trie size, the trie (that many bytes of u32 units), the replacements.
    pub fn from_blob(blob: &[u8]) -> Result<Charsmap, String> {
        if blob.len() <= 4 {
            return Err("precompiled charsmap is shorter than its header".into());
        }
        let trie_size = u32::from_le_bytes(blob[..4].try_into().unwrap()) as usize;
        if trie_size == 0 || trie_size % 4 != 0 || 4 + trie_size > blob.len() {
            return Err(format!(
                "precompiled charsmap declares a trie of {trie_size} bytes in a blob of {} bytes",
                blob.len()
            ));
        }
        let units = blob[4..4 + trie_size].chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect();
        Ok(Charsmap { units, replacements: blob[4 + trie_size..].to_vec() })
    }

    /// The longest rule matching a prefix of `text`: (bytes matched, replacement). A rule whose replacement
    /// is not valid UTF-8 or points outside the blob (a corrupt file) counts as no match.
    pub fn longest_match(&self, text: &[u8]) -> Option<(usize, &str)> {
        let units = &self.units;
        let mut node = unit_offset(*units.first()?);
        let mut best: Option<(usize, usize)> = None;
        let mut found = 0usize;
        for (i, &c) in text.iter().enumerate() {
            node ^= c as usize;
            let Some(&unit) = units.get(node) else { break };
            if unit_label(unit) != c as u32 {
                break;
            }
            node ^= unit_offset(unit);
            if unit_has_leaf(unit) {
                let Some(&leaf) = units.get(node) else { break };
                if found < MAX_TRIE_RESULTS {
                    best = Some((i + 1, unit_value(leaf)));
                }
                found += 1;
            }
        }
        let (len, at) = best?;
        let tail = self.replacements.get(at..)?;
        let end = tail.iter().position(|&b| b == 0)?;
        std::str::from_utf8(&tail[..end]).ok().map(|s| (len, s))
    }
}

/// SentencePiece's normalizer: charsmap rules, then its whitespace handling.
pub struct SpmNormalizer {
    pub charsmap: Option<Charsmap>,
    pub add_dummy_prefix: bool,
    pub remove_extra_whitespaces: bool,
    pub escape_whitespaces: bool,
    pub treat_whitespace_as_suffix: bool,
    /// User-defined symbols: copied through unnormalized (anchored, longest first).
    pub user_defined: Option<AhoCorasick>,
}

impl std::fmt::Debug for SpmNormalizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SpmNormalizer")
    }
}

/// Longest user-defined symbol starting exactly at the beginning of `text`, in bytes.
fn user_defined_prefix(matcher: &Option<AhoCorasick>, text: &str) -> Option<usize> {
    let m = matcher.as_ref()?.find(Input::new(text).anchored(Anchored::Yes))?;
    Some(m.end())
}

pub fn user_defined_matcher(symbols: &[String]) -> Result<Option<AhoCorasick>, String> {
    if symbols.is_empty() {
        return Ok(None);
    }
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .start_kind(StartKind::Both)
        .build(symbols)
        .map(Some)
        .map_err(|e| e.to_string())
}

impl SpmNormalizer {
    /// What the next stretch of `text` becomes, and how many bytes of `text` it consumes.
    #[inline]
    fn prefix<'a>(&'a self, text: &'a str) -> (&'a str, usize) {
        if let Some(n) = user_defined_prefix(&self.user_defined, text) {
            return (&text[..n], n);
        }
        if let Some(map) = &self.charsmap {
            if let Some((n, rep)) = map.longest_match(text.as_bytes()) {
                if text.is_char_boundary(n) {
                    return (rep, n);
                }
            }
        }
        let n = text.chars().next().map_or(0, |c| c.len_utf8());
        (&text[..n], n)
    }

    pub fn normalize(&self, text: &str) -> String {
        let mut input = text;
        if self.remove_extra_whitespaces {
            while !input.is_empty() {
                let (rep, n) = self.prefix(input);
                if rep != " " {
                    break;
                }
                input = &input[n..];
            }
        }
        if input.is_empty() {
            return String::new();
        }
        let space = if self.escape_whitespaces { SPACE_SYMBOL } else { " " };
        let mut out = String::with_capacity(input.len() + input.len() / 2 + 4);
        if !self.treat_whitespace_as_suffix && self.add_dummy_prefix {
            out.push_str(space);
        }
        let mut is_prev_space = self.remove_extra_whitespaces;
        while !input.is_empty() {
            let (rep, n) = self.prefix(input);
            let mut piece = rep;
            if is_prev_space {
                piece = piece.trim_start_matches(' ');
            }
            if !piece.is_empty() {
                if self.escape_whitespaces {
                    let mut rest = piece;
                    while let Some(k) = rest.find(' ') {
                        out.push_str(&rest[..k]);
                        out.push_str(SPACE_SYMBOL);
                        rest = &rest[k + 1..];
                    }
                    out.push_str(rest);
                } else {
                    out.push_str(piece);
                }
                is_prev_space = piece.ends_with(' ');
            }
            input = &input[n..];
            if !self.remove_extra_whitespaces {
                is_prev_space = false;
            }
        }
        if self.remove_extra_whitespaces {
            while out.ends_with(space) {
                out.truncate(out.len() - space.len());
            }
        }
        if self.treat_whitespace_as_suffix && self.add_dummy_prefix {
            out.push_str(space);
        }
        out
    }
}

/// Where the normalized text may be cut into pieces without changing SP's BPE result: around each
/// user-defined symbol (SP freezes them), and before a `▁` that follows another character when no
/// vocabulary piece holds that combination (the importer checks the vocabulary and sets the flag).
pub struct SpmSplit {
    pub user_defined: Option<AhoCorasick>,
    pub split_before_space: bool,
}

impl SpmSplit {
    pub fn for_each_piece<F: FnMut(usize, usize)>(&self, text: &str, mut f: F) {
        let region = |s: usize, e: usize, f: &mut F| {
            if !self.split_before_space {
                if e > s {
                    f(s, e);
                }
                return;
            }
            let bytes = text.as_bytes();
            let mut start = s;
            let mut from = s;
            while let Some(k) = text[from..e].find(SPACE_SYMBOL) {
                let p = from + k;
                if p > start && !(p >= 3 && &bytes[p - 3..p] == SPACE_SYMBOL.as_bytes()) {
                    f(start, p);
                    start = p;
                }
                from = p + SPACE_SYMBOL.len();
            }
            if e > start {
                f(start, e);
            }
        };
        match &self.user_defined {
            None => region(0, text.len(), &mut f),
            Some(m) => {
                let mut last = 0;
                for hit in m.find_iter(text) {
                    region(last, hit.start(), &mut f);
                    f(hit.start(), hit.end());
                    last = hit.end();
                }
                region(last, text.len(), &mut f);
            }
        }
    }
}

/// What `CoreTokenizer` needs, beyond a char-level vocabulary, to run a SentencePiece BPE model (the Python side
/// passes it as a dict with these keys; `py::tokenizer::SpmArgs` reads it).
pub struct SpmArgs {
    pub charsmap: Vec<u8>,
    pub add_dummy_prefix: bool,
    pub remove_extra_whitespaces: bool,
    pub escape_whitespaces: bool,
    pub treat_whitespace_as_suffix: bool,
    /// (symbol, id) of each user-defined piece.
    pub user_defined: Vec<(String, u32)>,
    /// (id, rank) of every piece that merges may produce: rank 0 is SP's highest score, equal scores share a rank.
    pub piece_ranks: Vec<(u32, u32)>,
    /// The unknown id, used for characters without a piece when there is no byte fallback.
    pub unk_id: Option<u32>,
    pub split_before_space: bool,
}

impl SpmArgs {
    pub fn normalizer(&self) -> Result<SpmNormalizer, String> {
        let charsmap = if self.charsmap.is_empty() { None } else { Some(Charsmap::from_blob(&self.charsmap)?) };
        Ok(SpmNormalizer {
            charsmap,
            add_dummy_prefix: self.add_dummy_prefix,
            remove_extra_whitespaces: self.remove_extra_whitespaces,
            escape_whitespaces: self.escape_whitespaces,
            treat_whitespace_as_suffix: self.treat_whitespace_as_suffix,
            user_defined: self.user_defined_matcher()?,
        })
    }

    pub fn user_defined_matcher(&self) -> Result<Option<AhoCorasick>, String> {
        let symbols: Vec<String> = self.user_defined.iter().map(|(s, _)| s.clone()).collect();
        user_defined_matcher(&symbols)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_rules() {
        let n = SpmNormalizer {
            charsmap: None,
            add_dummy_prefix: true,
            remove_extra_whitespaces: true,
            escape_whitespaces: true,
            treat_whitespace_as_suffix: false,
            user_defined: None,
        };
        assert_eq!(n.normalize("  a   b  "), "\u{2581}a\u{2581}b");
        assert_eq!(n.normalize("   "), "");
    }

    #[test]
    fn split_before_space() {
        let s = SpmSplit { user_defined: None, split_before_space: true };
        let text = "\u{2581}a\u{2581}\u{2581}b";
        let mut pieces = Vec::new();
        s.for_each_piece(text, |a, b| pieces.push(text[a..b].to_string()));
        assert_eq!(pieces, vec!["\u{2581}a", "\u{2581}\u{2581}b"]);
    }
}
