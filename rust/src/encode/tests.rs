//! The encoders on hand-made models: rank-merge BPE (by hand and against the plain quadratic loop of
//! `tokenforge.reference.bpe`, on short, cached, medium and long pieces) and the lattice methods on a tiny Unigram
//! vocabulary.

use super::bpe_encode::Bpe;
use super::lattice::{parse_method, Lattice, Method};
use super::rng::SplitMix64;
use std::collections::HashMap;

fn vocab(tokens: &[&str]) -> Vec<(Vec<u8>, u32)> {
    tokens.iter().enumerate().map(|(id, t)| (t.as_bytes().to_vec(), id as u32)).collect()
}

fn pairs(merges: &[(&str, &str)]) -> Vec<(Vec<u8>, Vec<u8>)> {
    merges.iter().map(|(a, b)| (a.as_bytes().to_vec(), b.as_bytes().to_vec())).collect()
}

fn encode(bpe: &Bpe, piece: &str) -> Vec<u32> {
    let mut out = Vec::new();
    bpe.encode_piece(piece.as_bytes(), &mut out).unwrap();
    out
}

#[test]
fn bpe_by_hand() {
    // Ranks = ids: a 0, b 1, c 2, ab 3, bc 4, abc 5 (tiktoken semantics; the whole piece is looked up first).
    let ranks = Bpe::from_ranks(vocab(&["a", "b", "c", "ab", "bc", "abc"])).unwrap();
    assert_eq!(encode(&ranks, "abc"), [5]);
    // a b c a b: ab (rank 3) leftmost first -> ab c a b -> ab c ab -> abc (rank 5) ab.
    assert_eq!(encode(&ranks, "abcab"), [5, 3]);
    // b c: bc (rank 4); c b: no merge.
    assert_eq!(encode(&ranks, "bccb"), [4, 2, 1]);

    // A merge list ranks by position: (b, c) before (a, b), so "abc" is a + bc, and (a, bc) is not a merge.
    let v = vocab(&["a", "b", "c", "ab", "bc", "abc"]);
    let merges = Bpe::from_merges(v.clone(), pairs(&[("b", "c"), ("a", "b"), ("ab", "c")]), false).unwrap();
    assert_eq!(encode(&merges, "abc"), [0, 4]);
    assert_eq!(encode(&merges, "abab"), [3, 3]);
    // With the whole piece looked up first (HF's ignore_merges), "abc" is one token.
    let whole = Bpe::from_merges(v, pairs(&[("b", "c"), ("a", "b"), ("ab", "c")]), true).unwrap();
    assert_eq!(encode(&whole, "abc"), [5]);

    // A byte without a token is an error naming it; a bad model is refused.
    let mut out = Vec::new();
    assert_eq!(ranks.encode_piece(b"abd", &mut out).unwrap_err(), "byte 0x64 has no token in the vocabulary");
    assert!(Bpe::from_merges(vocab(&["a", "b"]), pairs(&[("a", "b")]), false).is_err());
    assert!(Bpe::from_ranks(vec![(b"a".to_vec(), 0), (b"a".to_vec(), 1)]).is_err());
}

/// The reference rule, written out: merge the lowest-ranked adjacent pair, leftmost first, until none merges.
fn reference_encode(ranks: &HashMap<(Vec<u8>, Vec<u8>), u32>, ids: &HashMap<Vec<u8>, u32>, piece: &[u8]) -> Vec<u32> {
    let mut parts: Vec<Vec<u8>> = piece.iter().map(|&b| vec![b]).collect();
    loop {
        let mut best: Option<(u32, usize)> = None;
        for i in 0..parts.len().saturating_sub(1) {
            if let Some(&r) = ranks.get(&(parts[i].clone(), parts[i + 1].clone())) {
                if best.is_none_or(|(br, _)| r < br) {
                    best = Some((r, i));
                }
            }
        }
        let Some((_, i)) = best else { break };
        let right = parts.remove(i + 1);
        parts[i].extend(right);
    }
    parts.iter().map(|p| ids[p]).collect()
}

#[test]
fn bpe_equals_the_reference_loop_on_pieces_of_every_length() {
    // A merge list over a, b, c with overlapping merges (runs of one letter, chains, pairs that compete).
    let merges = pairs(&[
        ("a", "a"),
        ("b", "c"),
        ("aa", "a"),
        ("a", "b"),
        ("aa", "aa"),
        ("c", "c"),
        ("ab", "c"),
        ("bc", "bc"),
        ("c", "a"),
        ("aaaa", "aaaa"),
        ("cc", "cc"),
        ("abc", "abc"),
        ("aaa", "b"),
    ]);
    let mut tokens: Vec<Vec<u8>> = vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()];
    let mut ranks = HashMap::new();
    for (rank, (a, b)) in merges.iter().enumerate() {
        let joined = [a.clone(), b.clone()].concat();
        if !tokens.contains(&joined) {
            tokens.push(joined);
        }
        ranks.entry((a.clone(), b.clone())).or_insert(rank as u32);
    }
    let ids: HashMap<Vec<u8>, u32> = tokens.iter().enumerate().map(|(i, t)| (t.clone(), i as u32)).collect();
    let bpe = Bpe::from_merges(ids.iter().map(|(t, &i)| (t.clone(), i)).collect(), merges, false).unwrap();
    let mut rng = SplitMix64::new(3);
    // Short pieces (the cached path), 65..127 bytes (the direct scan), 128+ (sweeps and the rank queue).
    for len in (1..40).chain([63, 64, 65, 100, 127, 128, 129, 300, 1000, 2500]) {
        for round in 0..6 {
            let piece: Vec<u8> = match round {
                0 => vec![b'a'; len],
                1 => (0..len).map(|k| b"abc"[k % 3]).collect(),
                2 => (0..len).map(|k| if k % 7 == 3 { b'c' } else { b'a' }).collect(),
                _ => (0..len).map(|_| b"abc"[rng.below(3)]).collect(),
            };
            let want = reference_encode(&ranks, &ids, &piece);
            let mut got = Vec::new();
            bpe.encode_piece(&piece, &mut got).unwrap();
            assert_eq!(got, want, "piece {:?}", String::from_utf8_lossy(&piece));
            // Again: the second time may come from a cache.
            got.clear();
            bpe.encode_piece(&piece, &mut got).unwrap();
            assert_eq!(got, want);
            let mut via_session = Vec::new();
            bpe.session(|s| s.encode_piece(&piece, &mut via_session)).unwrap();
            assert_eq!(via_session, want);
        }
    }
}

/// A tiny Unigram model: a -1, b -1, ab -1.5, c -1, bc -3 (log probabilities); 5 is the unknown id.
fn unigram(method: Method, ab: f64) -> Lattice {
    let tokens = vocab(&["a", "b", "ab", "c", "bc", "<unk>"]).into_iter().filter(|(_, id)| *id != 5).collect();
    let scores = vec![-1.0, -1.0, ab, -1.0, -3.0, 0.0];
    Lattice::new(tokens, None, Some(scores), None, true, Some(5), true, None, method, None).unwrap()
}

fn segment(lattice: &Lattice, piece: &str) -> (Vec<u32>, Vec<(usize, usize)>) {
    let (mut ids, mut spans) = (Vec::new(), Vec::new());
    lattice.encode_piece(piece.as_bytes(), &mut SplitMix64::new(0), &mut ids, Some(&mut spans)).unwrap();
    (ids, spans)
}

#[test]
fn viterbi_by_hand() {
    // "abc": a b c = -3, ab c = -2.5, a bc = -4: ab c wins.
    let v = unigram(Method::Viterbi, -1.5);
    assert_eq!(segment(&v, "abc"), (vec![2, 3], vec![(0, 2), (2, 3)]));
    // With ab at -2, ab c (-3) ties a b c (-3): the path found first (edges by start, then end) wins, i.e. the
    // one through ab, which reaches offset 2 before a b does.
    let tie = unigram(Method::Viterbi, -2.0);
    assert_eq!(segment(&tie, "abc").0, [2, 3]);
    // A character no token covers is a fallback edge (score: lowest score - 10): the unknown id, and adjacent
    // unknown characters fuse into one unknown token whose span covers them.
    assert_eq!(segment(&v, "abx").0, [2, 5]);
    assert_eq!(segment(&v, "axyb"), (vec![0, 5, 1], vec![(0, 1), (1, 3), (3, 4)]));
    // n-best: every segmentation of "abc" by score, best first.
    let best = v.nbest(b"abc", 5).unwrap();
    assert_eq!(best, [(vec![2, 3], -2.5), (vec![0, 1, 3], -3.0), (vec![0, 4], -4.0)]);
    assert_eq!(v.nbest(b"abc", 1).unwrap(), [(vec![2, 3], -2.5)]);
}

#[test]
fn other_lattice_methods_by_hand() {
    let method = |name: &str| parse_method(name, 1.0, false).unwrap();
    // Longest prefix: ab, then c. Longest suffix: bc (the token ending at 3 with the smallest start), then a.
    assert_eq!(segment(&unigram(method("longest_prefix"), -1.5), "abc").0, [2, 3]);
    assert_eq!(segment(&unigram(method("longest_suffix"), -1.5), "abc").0, [0, 4]);
    // Fewest tokens: ab c and a bc both take two; at each step the longest edge on a shortest path is taken.
    assert_eq!(segment(&unigram(method("fewest"), -1.5), "abc").0, [2, 3]);
    // Longest token: in abcab the longest tokens are ab (at 0 and 3) and bc (at 1): ab at 0 is taken first
    // (leftmost), bc then overlaps it, ab at 3 fits; c fills the gap.
    assert_eq!(segment(&unigram(method("longest_token"), -1.5), "abcab").0, [2, 3, 2]);
    assert!(parse_method("nope", 1.0, false).is_err());
    // Byte fallback instead of the unknown token: x becomes its byte's token.
    let mut byte_ids = vec![u32::MAX; 256];
    byte_ids[b'x' as usize] = 6;
    let tokens = vocab(&["a", "b", "ab", "c", "bc"]);
    let scores = vec![-1.0, -1.0, -1.5, -1.0, -3.0, 0.0, 0.0];
    let l = Lattice::new(tokens, None, Some(scores), Some(byte_ids), true, Some(5), true, None, Method::Viterbi, None)
        .unwrap();
    assert_eq!(segment(&l, "axxb").0, [0, 6, 6, 1]);
}
