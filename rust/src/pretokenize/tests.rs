//! Each named scanner against the pattern it emulates, run by fancy-regex (the engine tiktoken uses): the same
//! pieces on hand-picked tricky strings and on random strings over a tricky alphabet.

use super::*;
use crate::encode::rng::SplitMix64;

// The official patterns, as `python/tokenforge/pretokenizers.py` spells them.
const R50K: &str = r"'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s";
const GPT2: &str = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
const CL100K: &str = r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s";
const O200K: &str = concat!(
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    "|",
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    r"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+",
);
const QWEN2: &str =
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// (scanner name, pattern it emulates).
const CASES: [(&str, &str); 5] =
    [("r50k", R50K), ("gpt2", GPT2), ("cl100k", CL100K), ("o200k", O200K), ("qwen2", QWEN2)];

const TRICKY: &[&str] = &[
    "",
    // contractions, in every case and in the long-s fold of (?i:s)
    "I'm can't we'LL they've she'S you're he'd it's DON'T 'tis '",
    "it'ſ ABC'S x'Re 'll'll ''s",
    "rock'n'roll O'Neil's",
    // digits: runs longer than three, other scripts' digits, other numbers
    "12345 1 22 333 4444 1234567",
    "\u{661}\u{662}\u{663}\u{664} \u{bd}\u{bc} x2y22z222 v1.2.3",
    // whitespace runs, tabs, trailing spaces, other Unicode spaces
    "a  b   c\t\td    e",
    "end   ",
    "   start",
    "x\u{a0}\u{a0}y\u{3000}z\u{2009}w",
    // newlines in every position
    "a\n\nb\r\n c \n",
    "  \n  x\n\n\n   \r\n\r\n",
    "line one.\nline two!\r\n\tindented\n",
    "a\u{85}b\u{2028}c",
    // punctuation runs, with and without a space before, before newlines and slashes
    "hello!!! ...?? (x) [y] {z} \"q\" -- --> <=",
    "foo/bar//baz\n /path/to/file.rs\n",
    " !!!\n\n ? 123",
    // letters with marks, other scripts, case classes
    "na\u{ef}ve caf\u{e9} \u{dc}n\u{ef}c\u{f6}d\u{e9}",
    "e\u{301}t\u{301}e\u{301} E\u{301}TE\u{301}",
    "\u{391}\u{392}\u{393} \u{3b1}\u{3b2}\u{3b3} \u{41f}\u{440}\u{438}\u{432}\u{435}\u{442} \u{43c}\u{438}\u{440}",
    "\u{65e5}\u{672c}\u{8a9e}\u{306e}\u{30c6}\u{30ad}\u{30b9}\u{30c8} \u{d55c}\u{ad6d}\u{c5b4}",
    "\u{1c5}ungla \u{2b0}ello \u{1d2c}BC",
    "HelloWorld CamelCase iPhone XMLHttpRequest ABCdef'S DONT'd",
    "\u{1f44d}\u{1f3fd} ok \u{1f600}\u{1f600}x",
    "\u{5e9}\u{5dc}\u{5d5}\u{5dd} \u{645}\u{631}\u{62d}\u{628}\u{627}",
    " \u{301}x \u{301}\u{301}",
];

fn pieces(p: &Pretokenizer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    p.for_each_piece(text, |s, e| out.push(text[s..e].to_string())).unwrap();
    out
}

/// Each named scanner with the regex of its pattern, compiled once.
fn compiled() -> Vec<(&'static str, Pretokenizer, Pretokenizer)> {
    CASES
        .iter()
        .map(|&(name, pattern)| {
            let scanner = Pretokenizer::build(name, None, false).unwrap();
            assert!(matches!(scanner, Pretokenizer::Named(_)));
            (name, scanner, Pretokenizer::regex(pattern, false).unwrap())
        })
        .collect()
}

fn check(cases: &[(&str, Pretokenizer, Pretokenizer)], text: &str) {
    for (name, scanner, regex) in cases {
        assert_eq!(pieces(scanner, text), pieces(regex, text), "scanner {name} on {text:?}");
    }
}

#[test]
fn scanners_equal_their_patterns_on_tricky_strings() {
    let cases = compiled();
    for text in TRICKY {
        check(&cases, text);
    }
}

#[test]
fn scanners_equal_their_patterns_on_random_strings() {
    // Characters where the patterns' alternatives meet: letters of every case class, marks, digits,
    // apostrophes and contraction letters, punctuation, slashes, every kind of whitespace and line end.
    let alphabet: Vec<char> = "aAsStTdDlLvVrReEmMzZ\u{17f}\u{e9}\u{c9}\u{1c5}\u{2b0}\u{3b1}\u{4e2d}\u{301}\u{5d0}\
         0159\u{661}\u{bd}'''.,!?/-_\"  \t\n\n\r\u{a0}\u{3000}\u{85}\u{1f600}"
        .chars()
        .collect();
    let cases = compiled();
    let mut rng = SplitMix64::new(7);
    for _ in 0..20000 {
        let len = rng.below(32);
        let text: String = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
        check(&cases, &text);
    }
}

#[test]
fn named_scanners_cut_by_hand() {
    let r50k = Pretokenizer::build("r50k", None, false).unwrap();
    assert_eq!(pieces(&r50k, "I'm  here 12345!"), ["I", "'m", " ", " here", " 12345", "!"]);
    let cl100k = Pretokenizer::build("cl100k", None, false).unwrap();
    assert_eq!(pieces(&cl100k, "I'M  here 12345!\n\n"), ["I", "'M", " ", " here", " ", "123", "45", "!\n\n"]);
    let o200k = Pretokenizer::build("o200k", None, false).unwrap();
    assert_eq!(pieces(&o200k, "HelloWorld's a/b"), ["Hello", "World's", " a", "/b"]);
    let qwen2 = Pretokenizer::build("qwen2", None, false).unwrap();
    assert_eq!(pieces(&qwen2, "x 123"), ["x", " ", "1", "2", "3"]);
}

#[test]
fn regex_gaps_whole_and_errors() {
    let words = Pretokenizer::build("regex", Some(r"\w+"), false).unwrap();
    assert_eq!(pieces(&words, "ab, cd!"), ["ab", "cd"]);
    let with_gaps = Pretokenizer::build("regex", Some(r"\w+"), true).unwrap();
    assert_eq!(pieces(&with_gaps, "ab, cd!"), ["ab", ", ", "cd", "!"]);
    let whole = Pretokenizer::build("whole", None, false).unwrap();
    assert_eq!(pieces(&whole, "ab, cd!"), ["ab, cd!"]);
    assert!(pieces(&whole, "").is_empty());
    assert!(Pretokenizer::build("regex", None, false).is_err());
    assert!(Pretokenizer::build("regex", Some("("), false).is_err());
    assert!(Pretokenizer::build("nope", None, false).is_err());
}
