//! The hand-written scanners of the named patterns (see the module above for the contract).

use super::unicode_class::{table, ClassTable, LETTER, LOWERISH, NEWLINE, NUMBER, SPACE, UPPERISH};
use super::Flavor;

/// Flag returned past the end of the text: in no class.
const END: u8 = 128;

pub(super) struct Scanner<'a> {
    b: &'a [u8],
    t: &'static ClassTable,
}

#[inline(always)]
fn is_other(f: u8) -> bool {
    // [^\s\p{L}\p{N}], and not past the end
    f & (SPACE | LETTER | NUMBER | END) == 0
}

#[inline(always)]
fn is_prefix(f: u8) -> bool {
    // [^\r\n\p{L}\p{N}], and not past the end
    f & (NEWLINE | LETTER | NUMBER | END) == 0
}

impl<'a> Scanner<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Scanner { b: text.as_bytes(), t: table() }
    }

    /// Class flags and UTF-8 length of the character starting at `i` (`END`, 0 past the end).
    #[inline(always)]
    fn at(&self, i: usize) -> (u8, usize) {
        let b = self.b;
        if i >= b.len() {
            return (END, 0);
        }
        let x = b[i];
        if x < 0x80 {
            return (self.t.get(x as char), 1);
        }
        let (cp, len) = if x < 0xE0 {
            (((x as u32 & 0x1F) << 6) | (b[i + 1] as u32 & 0x3F), 2)
        } else if x < 0xF0 {
            (((x as u32 & 0x0F) << 12) | ((b[i + 1] as u32 & 0x3F) << 6) | (b[i + 2] as u32 & 0x3F), 3)
        } else {
            (
                ((x as u32 & 0x07) << 18)
                    | ((b[i + 1] as u32 & 0x3F) << 12)
                    | ((b[i + 2] as u32 & 0x3F) << 6)
                    | (b[i + 3] as u32 & 0x3F),
                4,
            )
        };
        // SAFETY: decoded from a valid &str.
        (self.t.get(unsafe { char::from_u32_unchecked(cp) }), len)
    }

    /// End of the maximal run, from `i`, of characters having any flag in `mask`.
    #[inline(always)]
    fn run(&self, mut i: usize, mask: u8) -> usize {
        loop {
            let (f, len) = self.at(i);
            if f & mask == 0 || len == 0 {
                return i;
            }
            i += len;
        }
    }

    /// End of the maximal run of `[^\s\p{L}\p{N}]` from `i`.
    #[inline(always)]
    fn run_other(&self, mut i: usize) -> usize {
        loop {
            let (f, len) = self.at(i);
            if !is_other(f) {
                return i;
            }
            i += len;
        }
    }

    /// End of a run of `\r`, `\n` (and `/` when `slash`) bytes from `i`.
    #[inline(always)]
    fn run_newlines(&self, mut i: usize, slash: bool) -> usize {
        while i < self.b.len() && (self.b[i] == b'\r' || self.b[i] == b'\n' || (slash && self.b[i] == b'/')) {
            i += 1;
        }
        i
    }

    #[inline(always)]
    fn prev_char_start(&self, mut i: usize) -> usize {
        i -= 1;
        while self.b[i] & 0xC0 == 0x80 {
            i -= 1;
        }
        i
    }

    /// Position just after the last `\r` or `\n` in `[start, end)`, if any.
    #[inline(always)]
    fn after_last_newline(&self, start: usize, end: usize) -> Option<usize> {
        (start..end).rev().find(|&k| self.b[k] == b'\r' || self.b[k] == b'\n').map(|k| k + 1)
    }

    /// The contraction after an apostrophe at `i - 1`: `[sdmt]|ll|ve|re`, optionally
    /// case-insensitive (Unicode simple case folding, so `s` also matches U+017F).
    #[inline(always)]
    fn contraction(&self, i: usize, fold: bool) -> Option<usize> {
        let b = self.b;
        let lower = |k: usize| -> Option<(u8, usize)> {
            if k >= b.len() {
                return None;
            }
            let x = b[k];
            if fold {
                if x == 0xC5 && k + 1 < b.len() && b[k + 1] == 0xBF {
                    return Some((b's', 2)); // U+017F LATIN SMALL LETTER LONG S
                }
                Some((x.to_ascii_lowercase(), 1))
            } else {
                Some((x, 1))
            }
        };
        let (c1, l1) = lower(i)?;
        match c1 {
            b's' | b'd' | b'm' | b't' => Some(i + l1),
            b'l' | b'v' | b'r' => {
                let want = if c1 == b'l' { b'l' } else { b'e' };
                let (c2, l2) = lower(i + l1)?;
                if c2 == want {
                    Some(i + l1 + l2)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    #[inline(always)]
    fn apostrophe_contraction(&self, i: usize, fold: bool) -> Option<usize> {
        if self.b.get(i) == Some(&b'\'') {
            self.contraction(i + 1, fold)
        } else {
            None
        }
    }

    /// Whitespace tail shared by every pattern: `\s+(?!\S)` then a single `\s` / `\s+`.
    /// `r` is the end of the whitespace run starting at `i`.
    #[inline(always)]
    fn space_not_before_nonspace(&self, i: usize, r: usize) -> usize {
        if r == self.b.len() {
            return r;
        }
        let last = self.prev_char_start(r);
        if last > i {
            last
        } else {
            r
        }
    }

    #[inline(always)]
    pub(super) fn next_end(&self, flavor: Flavor, i: usize) -> usize {
        match flavor {
            Flavor::R50k => self.next_r50k(i),
            Flavor::Cl100k => self.next_cl100k(i, true),
            Flavor::Qwen2 => self.next_cl100k(i, false),
            Flavor::O200k => self.next_o200k(i),
        }
    }

    fn next_r50k(&self, i: usize) -> usize {
        // '(?:[sdmt]|ll|ve|re)
        if let Some(e) = self.apostrophe_contraction(i, false) {
            return e;
        }
        // ` ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++`
        let j = if self.b[i] == b' ' { i + 1 } else { i };
        let (fj, _) = self.at(j);
        if fj & LETTER != 0 {
            return self.run(j, LETTER);
        }
        if fj & NUMBER != 0 {
            return self.run(j, NUMBER);
        }
        if is_other(fj) {
            return self.run_other(j);
        }
        // `\s++$|\s+(?!\S)|\s`
        let r = self.run(i, SPACE);
        self.space_not_before_nonspace(i, r)
    }

    /// cl100k, and (with `cl100k == false`) the Qwen2 pattern, which differs only in taking one
    /// digit at a time and in having no `\s++$` ahead of the newline rule.
    fn next_cl100k(&self, i: usize, cl100k: bool) -> usize {
        // '(?i:[sdmt]|ll|ve|re)
        if let Some(e) = self.apostrophe_contraction(i, true) {
            return e;
        }
        let (f0, l0) = self.at(i);
        // [^\r\n\p{L}\p{N}]?+\p{L}++
        if f0 & LETTER != 0 {
            return self.run(i, LETTER);
        }
        if is_prefix(f0) && self.at(i + l0).0 & LETTER != 0 {
            return self.run(i + l0, LETTER);
        }
        // \p{N}{1,3}+  (Qwen2: \p{N})
        if f0 & NUMBER != 0 {
            let mut e = i + l0;
            if cl100k {
                for _ in 0..2 {
                    let (f, l) = self.at(e);
                    if f & NUMBER == 0 {
                        break;
                    }
                    e += l;
                }
            }
            return e;
        }
        // ` ?[^\s\p{L}\p{N}]++[\r\n]*+`
        let j = if self.b[i] == b' ' && is_other(self.at(i + 1).0) { i + 1 } else { i };
        if is_other(self.at(j).0) {
            let e = self.run_other(j);
            return self.run_newlines(e, false);
        }
        // whitespace
        let r = self.run(i, SPACE);
        // \s++$
        if cl100k && r == self.b.len() {
            return r;
        }
        // \s*[\r\n]  (Qwen2: \s*[\r\n]+, the same end)
        if let Some(e) = self.after_last_newline(i, r) {
            return e;
        }
        // \s+(?!\S)|\s
        self.space_not_before_nonspace(i, r)
    }

    /// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+` from `q`, with the star's
    /// backtracking: the star gives characters back until the plus can start.
    fn upper_star_lower_plus(&self, q: usize) -> Option<usize> {
        let r = self.run(q, UPPERISH);
        if self.at(r).0 & LOWERISH != 0 {
            return Some(self.run(r, LOWERISH));
        }
        let mut j = r;
        while j > q {
            j = self.prev_char_start(j);
            let (f, l) = self.at(j);
            if f & LOWERISH != 0 {
                // chars after j inside the run are not lower-ish, so the plus takes one char
                return Some(j + l);
            }
        }
        None
    }

    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
    #[inline(always)]
    fn contraction_suffix(&self, e: usize) -> usize {
        self.apostrophe_contraction(e, true).unwrap_or(e)
    }

    /// `next_o200k` for the common all-ASCII cases, or None where the general path must decide.
    ///
    /// Letters: an optional ASCII prefix, then `[A-Z]*[a-z]*` ended by an ASCII byte (or the end). ASCII
    /// upper-case letters are upper-ish only and lower-case ones lower-ish only, so both letter alternatives
    /// end where the lower-case run ends (`[A-Z]*[a-z]+` when it is not empty, else `[A-Z]+[a-z]*`), and the
    /// prefix is kept whenever the character after it is a letter. Any non-ASCII character where a run stops
    /// could extend it (marks, other letters), so that case goes to the general path.
    /// Punctuation: an ASCII `[^\s\p{L}\p{N}]` (or a space and one) not followed by a letter; no letter
    /// alternative can match there.
    #[inline(always)]
    fn next_o200k_ascii(&self, i: usize) -> Option<usize> {
        let b = self.b;
        let n = b.len();
        let x = b[i];
        if x >= 0x80 {
            return None;
        }
        let fx = self.t.get(x as char);
        let y = if i + 1 < n { b[i + 1] } else { 0 };
        if y >= 0x80 {
            return None;
        }
        let start = if fx & LETTER != 0 {
            i
        } else if y.is_ascii_alphabetic() && is_prefix(fx) {
            i + 1
        } else {
            // neither x nor the next character is a letter
            if is_other(fx) {
                return Some(self.run_newlines(self.run_other(i), true));
            }
            if x == b' ' && i + 1 < n && is_other(self.t.get(y as char)) {
                return Some(self.run_newlines(self.run_other(i + 1), true));
            }
            return None;
        };
        let mut r = start;
        while r < n && b[r].is_ascii_uppercase() {
            r += 1;
        }
        while r < n && b[r].is_ascii_lowercase() {
            r += 1;
        }
        if r < n && b[r] >= 0x80 {
            return None;
        }
        Some(self.contraction_suffix(r))
    }

    fn next_o200k(&self, i: usize) -> usize {
        if let Some(e) = self.next_o200k_ascii(i) {
            return e;
        }
        let (f0, l0) = self.at(i);
        let prefixed = is_prefix(f0);
        // [^\r\n\p{L}\p{N}]?[Upper]*[Lower]+(contraction)?
        if prefixed {
            if let Some(e) = self.upper_star_lower_plus(i + l0) {
                return self.contraction_suffix(e);
            }
        }
        if let Some(e) = self.upper_star_lower_plus(i) {
            return self.contraction_suffix(e);
        }
        // [^\r\n\p{L}\p{N}]?[Upper]+[Lower]*(contraction)?
        if prefixed {
            let e = self.run(i + l0, UPPERISH);
            if e > i + l0 {
                return self.contraction_suffix(self.run(e, LOWERISH));
            }
        }
        let e = self.run(i, UPPERISH);
        if e > i {
            return self.contraction_suffix(self.run(e, LOWERISH));
        }
        // \p{N}{1,3}
        if f0 & NUMBER != 0 {
            let mut e = i + l0;
            for _ in 0..2 {
                let (f, l) = self.at(e);
                if f & NUMBER == 0 {
                    break;
                }
                e += l;
            }
            return e;
        }
        // ` ?[^\s\p{L}\p{N}]+[\r\n/]*`
        let j = if self.b[i] == b' ' && is_other(self.at(i + 1).0) { i + 1 } else { i };
        if is_other(self.at(j).0) {
            let e = self.run_other(j);
            return self.run_newlines(e, true);
        }
        // \s*[\r\n]+
        let r = self.run(i, SPACE);
        if let Some(e) = self.after_last_newline(i, r) {
            return e;
        }
        // \s+(?!\S)|\s+
        self.space_not_before_nonspace(i, r)
    }
}
