//! Whitespace words of a batch of texts, counted in parallel: the evaluation scan's corpus-side pass (word table
//! for fertility, word / character / byte totals), which in Python cost as much as encoding the corpus.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// Python's `str.isspace` (what `str.split()` splits at): Rust's whitespace plus the four information separators.
#[inline]
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// `str.isspace` of the ASCII characters: \t \n \v \f \r, the information separators \x1c-\x1f, and space.
const ASCII_SPACE: [bool; 128] = {
    let mut t = [false; 128];
    let mut c = 0x09;
    while c <= 0x0d {
        t[c] = true;
        c += 1;
    }
    let mut c = 0x1c;
    while c <= 0x20 {
        t[c] = true;
        c += 1;
    }
    t
};

struct Tally<'a> {
    words: FxHashMap<&'a str, u64>,
    n_words: u64,
    chars: u64,
    bytes: u64,
    newlines: u64,
}

impl<'a> Tally<'a> {
    fn with_capacity(n: usize) -> Self {
        Tally {
            words: FxHashMap::with_capacity_and_hasher(n, Default::default()),
            n_words: 0,
            chars: 0,
            bytes: 0,
            newlines: 0,
        }
    }

    /// Counts the words of `text`, scanning bytes: ASCII is classified directly, other characters decoded.
    fn add(mut self, text: &'a str) -> Self {
        let b = text.as_bytes();
        self.bytes += b.len() as u64;
        self.chars += count_leads(b) as u64; // all but continuation bytes
        self.newlines += count_bytes(b, b'\n') as u64;
        let mut start: Option<usize> = None;
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            let (space, len) = if c < 0x80 {
                (ASCII_SPACE[c as usize], 1)
            } else {
                let ch = text[i..].chars().next().expect("a character starts here");
                (is_py_space(ch), ch.len_utf8())
            };
            if space {
                if let Some(s) = start.take() {
                    *self.words.entry(&text[s..i]).or_insert(0) += 1;
                    self.n_words += 1;
                }
            } else if start.is_none() {
                start = Some(i);
            }
            i += len;
        }
        if let Some(s) = start {
            *self.words.entry(&text[s..]).or_insert(0) += 1;
            self.n_words += 1;
        }
        self
    }
}

/// `texts` cut into pieces of about `PIECE_BYTES` at line ends (or whole), for parallel word counting: words
/// never span a whitespace character, so the counts do not depend on the cuts.
fn word_pieces<S: AsRef<str>>(texts: &[S]) -> Vec<&str> {
    const PIECE_BYTES: usize = 1 << 18;
    let mut out = Vec::new();
    for t in texts {
        let mut rest = t.as_ref();
        while rest.len() > PIECE_BYTES {
            match rest.as_bytes()[PIECE_BYTES..].iter().position(|&c| c == b'\n') {
                Some(k) => {
                    let (head, tail) = rest.split_at(PIECE_BYTES + k + 1);
                    out.push(head);
                    rest = tail;
                }
                None => break,
            }
        }
        out.push(rest);
    }
    out
}

/// What a batch's texts are cut into before encoding.
pub enum Units {
    /// Each text as it is.
    Records,
    /// Each "\n"-terminated line of each text (a block of line records handed over as one string).
    Lines,
    /// Each text as running text, in pieces of about this many characters cut at line ends.
    Running(usize),
}

impl Units {
    pub fn parse(name: &str, piece_chars: usize) -> Result<Units, String> {
        match name {
            "records" => Ok(Units::Records),
            "lines" => Ok(Units::Lines),
            "running" if piece_chars > 0 => Ok(Units::Running(piece_chars)),
            "running" => Err("piece_chars must be positive".into()),
            other => Err(format!("units must be 'records', 'lines' or 'running', not {other:?}")),
        }
    }

    pub fn split<'a, S: AsRef<str>>(&self, texts: &'a [S]) -> Vec<&'a str> {
        match self {
            Units::Records => texts.iter().map(|t| t.as_ref()).collect(),
            Units::Lines => texts.iter().flat_map(|t| t.as_ref().split_inclusive('\n')).collect(),
            Units::Running(size) => texts.iter().flat_map(|t| running_pieces(t.as_ref(), *size)).collect(),
        }
    }
}

/// `text` cut into pieces at line ends: from each piece's start, `size` characters on, then to the end of that
/// line (the twin of `evaluation.scan.running_pieces`).
pub fn running_pieces(text: &str, size: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let Some(at) = char_offset(rest, size) else {
            out.push(rest);
            break;
        };
        let end = rest[at..].find('\n').map_or(rest.len(), |k| at + k + 1);
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

/// Lead bytes (character starts) in `b`: counted in short stretches with a byte-wide sum, which vectorises.
fn count_leads(b: &[u8]) -> usize {
    b.chunks(128).map(|chunk| chunk.iter().fold(0u8, |n, &c| n + ((c as i8) >= -0x40) as u8) as usize).sum()
}

/// Occurrences of `byte` in `b` (the same vectorised shape as `count_leads`).
fn count_bytes(b: &[u8], byte: u8) -> usize {
    b.chunks(128).map(|chunk| chunk.iter().fold(0u8, |n, &c| n + (c == byte) as u8) as usize).sum()
}

/// Byte offset of character `n` (0-based) of `s`, or None when `s` has no more than `n` characters: lead bytes
/// are counted a stretch at a time (a vectorised count, not a walk through the characters).
fn char_offset(s: &str, n: usize) -> Option<usize> {
    let b = s.as_bytes();
    let is_lead = |c: &u8| (*c as i8) >= -0x40;
    let (mut pos, mut need) = (0, n);
    while need > 0 {
        let end = (pos + need).min(b.len());
        if end == pos {
            return None;
        }
        need -= count_leads(&b[pos..end]);
        pos = end;
    }
    pos += b[pos..].iter().take_while(|c| !is_lead(c)).count();
    (pos < b.len()).then_some(pos)
}

/// Whitespace words, words, characters and UTF-8 bytes of a corpus, accumulated batch by batch (in parallel).
/// Bounded: when it holds more than `max_distinct` words, the words seen once so far are dropped (the totals
/// stay exact). The table is split into shards by hash, so that each batch's words are merged into it in parallel.
pub struct WordTally {
    shards: Vec<FxHashMap<Box<str>, u64>>,
    pub words: u64,
    pub chars: u64,
    pub bytes: u64,
    /// "\n" characters seen (the line records of blocks of lines).
    pub newlines: u64,
    pub pruned: bool,
    max_distinct: usize,
}

const SHARDS: usize = 16;

fn shard_of(word: &str) -> usize {
    let mut h = rustc_hash::FxHasher::default();
    std::hash::Hash::hash(word, &mut h);
    (std::hash::Hasher::finish(&h) >> 60) as usize % SHARDS
}

fn most_common_first(a: &(&str, u64), b: &(&str, u64)) -> std::cmp::Ordering {
    b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0))
}

impl WordTally {
    pub fn new(max_distinct: usize) -> Self {
        let shards = (0..SHARDS).map(|_| FxHashMap::default()).collect();
        WordTally { shards, words: 0, chars: 0, bytes: 0, newlines: 0, pruned: false, max_distinct }
    }

    /// Counts `texts` (records or blocks of lines alike: words never span a line end).
    pub fn add<S: AsRef<str> + Sync>(&mut self, texts: &[S]) {
        let shards = &mut self.shards;
        let pieces = word_pieces(texts);
        // Four parts per thread: text differs in density.
        let part = pieces.len().div_ceil(rayon::current_num_threads() * 4).max(1);
        let parts: Vec<Tally> = pieces
            .par_chunks(part)
            .map(|chunk| chunk.iter().fold(Tally::with_capacity(1 << 14), |t, s| t.add(s)))
            .collect();
        // Each part's words sorted into shards, then every shard merged into the table, both in parallel.
        let buckets: Vec<Vec<Vec<(&str, u64)>>> = parts
            .par_iter()
            .map(|t| {
                let mut b = vec![Vec::new(); SHARDS];
                for (w, c) in &t.words {
                    b[shard_of(w)].push((*w, *c));
                }
                b
            })
            .collect();
        shards.par_iter_mut().enumerate().for_each(|(k, table)| {
            for b in &buckets {
                for &(w, c) in &b[k] {
                    match table.get_mut(w) {
                        Some(n) => *n += c,
                        None => {
                            table.insert(w.into(), c);
                        }
                    }
                }
            }
        });
        let tally = parts
            .iter()
            .fold((0, 0, 0, 0), |(a, b, c, d), t| (a + t.n_words, b + t.chars, c + t.bytes, d + t.newlines));
        self.words += tally.0;
        self.chars += tally.1;
        self.bytes += tally.2;
        self.newlines += tally.3;
        if self.len() > self.max_distinct {
            for table in &mut self.shards {
                table.retain(|_, c| *c > 1);
            }
            self.pruned = true;
        }
    }

    /// The `n` most frequent words, most frequent first; equal counts in code-point order of the word.
    pub fn most_common(&self, n: usize) -> Vec<(&str, u64)> {
        let mut top = self.top(n);
        top.sort_unstable_by(most_common_first);
        top
    }

    /// Occurrences of `word` (0 when unseen or pruned).
    pub fn get(&self, word: &str) -> u64 {
        self.shards[shard_of(word)].get(word).copied().unwrap_or(0)
    }

    /// Distinct words held.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|t| t.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The words `most_common(n)` gives, in no particular order.
    pub fn top(&self, n: usize) -> Vec<(&str, u64)> {
        let mut all: Vec<(&str, u64)> = self.shards.iter().flat_map(|t| t.iter().map(|(w, c)| (&**w, *c))).collect();
        if n < all.len() {
            all.select_nth_unstable_by(n, most_common_first);
            all.truncate(n);
        }
        all
    }
}
