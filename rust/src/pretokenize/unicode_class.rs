//! Character classes the named pre-tokenizer patterns need, as one byte of flags per code point.
//!
//! The tables are built once from `regex-syntax`'s own Unicode data, so a hand-written scanner
//! classifies every code point exactly as the regex engine (the one tiktoken uses) does.

use regex_syntax::hir::{Class, HirKind};
use std::sync::OnceLock;

/// `\p{L}`
pub const LETTER: u8 = 1;
/// `\p{N}`
pub const NUMBER: u8 = 2;
/// `\s` (Unicode White_Space)
pub const SPACE: u8 = 4;
/// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]` (o200k's "upper-ish")
pub const UPPERISH: u8 = 8;
/// `[\p{Ll}\p{Lm}\p{Lo}\p{M}]` (o200k's "lower-ish")
pub const LOWERISH: u8 = 16;
/// `\r` or `\n`
pub const NEWLINE: u8 = 32;

const BLOCK: usize = 256;

pub struct ClassTable {
    block_of: Vec<u16>,
    blocks: Vec<[u8; BLOCK]>,
    ascii: [u8; 128],
}

impl ClassTable {
    #[inline(always)]
    pub fn get(&self, c: char) -> u8 {
        let cp = c as usize;
        if cp < 128 {
            return self.ascii[cp];
        }
        self.blocks[self.block_of[cp / BLOCK] as usize][cp % BLOCK]
    }
}

fn class_ranges(pattern: &str) -> Vec<(u32, u32)> {
    let hir = regex_syntax::Parser::new().parse(pattern).expect("built-in class pattern parses");
    match hir.kind() {
        HirKind::Class(Class::Unicode(cls)) => {
            cls.ranges().iter().map(|r| (r.start() as u32, r.end() as u32)).collect()
        }
        other => panic!("built-in class pattern {pattern} gave {other:?}"),
    }
}

fn build() -> ClassTable {
    let mut flags = vec![0u8; 0x110000];
    let sets: [(&str, u8); 6] = [
        (r"\p{L}", LETTER),
        (r"\p{N}", NUMBER),
        (r"\s", SPACE),
        (r"[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]", UPPERISH),
        (r"[\p{Ll}\p{Lm}\p{Lo}\p{M}]", LOWERISH),
        (r"[\r\n]", NEWLINE),
    ];
    for (pattern, bit) in sets {
        for (lo, hi) in class_ranges(pattern) {
            for cp in lo..=hi {
                flags[cp as usize] |= bit;
            }
        }
    }
    let mut blocks: Vec<[u8; BLOCK]> = Vec::new();
    let mut block_of = Vec::with_capacity(0x110000 / BLOCK);
    let mut seen = std::collections::HashMap::new();
    for chunk in flags.chunks(BLOCK) {
        let mut block = [0u8; BLOCK];
        block.copy_from_slice(chunk);
        let idx = *seen.entry(block).or_insert_with(|| {
            blocks.push(block);
            blocks.len() - 1
        });
        block_of.push(idx as u16);
    }
    let mut ascii = [0u8; 128];
    ascii.copy_from_slice(&flags[..128]);
    ClassTable { block_of, blocks, ascii }
}

pub fn table() -> &'static ClassTable {
    static TABLE: OnceLock<ClassTable> = OnceLock::new();
    TABLE.get_or_init(build)
}
