//! Pre-tokenization: hand-written scanners for the named GPT-family patterns (`scanner.rs`, over the
//! character classes of `unicode_class.rs`), and a regex fallback for any other pattern.
//!
//! Each scanner returns, for a start position, the end of the match the reference regex would
//! find there (leftmost-first, backtracking semantics). Every alternative of the pattern is
//! written out in its priority order; the comments quote the alternative being emulated.
//! The named patterns cover every character, so the pieces tile the text with no gaps.
//!
//! A new pre-tokenizer is one more `Pretokenizer` variant here (its name in `Pretokenizer::build`) and its cutting
//! rule in `for_each_piece`; a new named scanner is one more `Flavor` and its `next_end` in `scanner.rs`.

mod scanner;
#[cfg(test)]
mod tests;
pub mod unicode_class;

use scanner::Scanner;

/// The named patterns with a hand-written scanner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// GPT-2 / r50k / p50k:
    /// `'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s`
    R50k,
    /// cl100k: `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+|
    /// ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`
    Cl100k,
    /// o200k: letters split by case classes, contractions as suffixes, `[\r\n/]*` after punctuation.
    O200k,
    /// Qwen2 / Qwen3: `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|
    /// ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    Qwen2,
}

impl Flavor {
    pub fn from_name(name: &str) -> Option<Flavor> {
        match name {
            "r50k" | "gpt2" | "p50k" => Some(Flavor::R50k),
            "cl100k" => Some(Flavor::Cl100k),
            "o200k" => Some(Flavor::O200k),
            "qwen2" => Some(Flavor::Qwen2),
            _ => None,
        }
    }
}

pub enum Pretokenizer {
    Named(Flavor),
    /// Any other pattern. `emit_gaps`: text between matches is emitted as pieces too (HF's
    /// `Split` with `Isolated` behaviour) rather than dropped (tiktoken's `findall`).
    Regex {
        regex: fancy_regex::Regex,
        emit_gaps: bool,
    },
    /// The whole text is one piece.
    Whole,
    /// SentencePiece: cut only where SP's BPE cannot merge across (see `spm.rs`).
    Spm(Box<crate::encode::spm::SpmSplit>),
}

impl Pretokenizer {
    /// A pre-tokenizer by kind: "whole", "regex" (with `pattern`; `emit_gaps`: see `Regex`) or a named scanner
    /// ("r50k"/"gpt2"/"p50k", "cl100k", "o200k", "qwen2").
    pub fn build(kind: &str, pattern: Option<&str>, emit_gaps: bool) -> Result<Pretokenizer, String> {
        match kind {
            "whole" => Ok(Pretokenizer::Whole),
            "regex" => Pretokenizer::regex(pattern.ok_or("a regex pre-tokenizer needs a pattern")?, emit_gaps),
            name => Flavor::from_name(name)
                .map(Pretokenizer::Named)
                .ok_or_else(|| format!("unknown pre-tokenizer {name:?}")),
        }
    }

    pub fn regex(pattern: &str, emit_gaps: bool) -> Result<Pretokenizer, String> {
        let regex = fancy_regex::RegexBuilder::new(pattern)
            .backtrack_limit(10_000_000)
            .build()
            .map_err(|e| format!("invalid pre-tokenizer pattern {pattern:?}: {e}"))?;
        Ok(Pretokenizer::Regex { regex, emit_gaps })
    }

    /// Calls `f` with the byte range of each piece, in order.
    pub fn for_each_piece<F: FnMut(usize, usize)>(&self, text: &str, mut f: F) -> Result<(), String> {
        match self {
            Pretokenizer::Named(flavor) => {
                let scanner = Scanner::new(text);
                let mut i = 0;
                while i < text.len() {
                    let end = scanner.next_end(*flavor, i);
                    debug_assert!(end > i);
                    f(i, end);
                    i = end;
                }
                Ok(())
            }
            Pretokenizer::Regex { regex, emit_gaps } => {
                let mut last = 0;
                for m in regex.find_iter(text) {
                    let m = m.map_err(|e| format!("pre-tokenizer regex failed: {e}"))?;
                    if m.start() == m.end() {
                        continue;
                    }
                    if *emit_gaps && m.start() > last {
                        f(last, m.start());
                    }
                    f(m.start(), m.end());
                    last = m.end();
                }
                if *emit_gaps && last < text.len() {
                    f(last, text.len());
                }
                Ok(())
            }
            Pretokenizer::Spm(split) => {
                split.for_each_piece(text, f);
                Ok(())
            }
            Pretokenizer::Whole => {
                if !text.is_empty() {
                    f(0, text.len());
                }
                Ok(())
            }
        }
    }
}
