//! The whole encode path on a hand-made model: special and always-matched added tokens, byte spans,
//! normalization, decoding.

use super::*;

fn pipeline(norm: Vec<NormStep>) -> Pipeline {
    let vocab: Vec<(Vec<u8>, u32)> = ["a", "b", " ", "ab", " ab", "<", "s", ">", "x"]
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_bytes().to_vec(), i as u32))
        .collect();
    let bpe = Bpe::from_ranks(vocab).unwrap();
    let specials = vec![
        Special { text: "<s>".into(), id: 10, always: false },
        Special { text: "<x>".into(), id: 11, always: true },
    ];
    Pipeline::new(bpe, Pretokenizer::build("r50k", None, false).unwrap(), norm, specials).unwrap()
}

fn encode(p: &Pipeline, text: &str, allowed: &Allowed) -> (Vec<u32>, Vec<(usize, usize)>) {
    let (mut ids, mut spans) = (Vec::new(), Vec::new());
    p.encode(text, allowed, &mut ids, Some(&mut spans)).unwrap();
    (ids, spans)
}

#[test]
fn special_tokens_spans_and_decoding() {
    let p = pipeline(Vec::new());
    let text = "ab ab<s>ab<x>b";
    // "<s>" not allowed: ordinary text (pieces ab, " ab", "<", "s", ">", "ab"); "<x>" is always matched.
    assert_eq!(encode(&p, text, &Allowed::None).0, [3, 4, 5, 6, 7, 3, 11, 1]);
    let (ids, spans) = encode(&p, text, &Allowed::All);
    assert_eq!(ids, [3, 4, 10, 3, 11, 1]);
    assert_eq!(spans, [(0, 2), (2, 5), (5, 8), (8, 10), (10, 13), (13, 14)]);
    assert_eq!(encode(&p, text, &Allowed::Mask(&[true, false])).0, ids);
    assert_eq!(p.find_disallowed(text, &Allowed::None), Some((5, "<s>")));
    assert_eq!(p.find_disallowed(text, &Allowed::All), None);
    let mut out = Vec::new();
    p.decode_bytes(&ids, &mut out).unwrap();
    assert_eq!(out, text.as_bytes());
    assert_eq!(p.decode_bytes(&[3, 9], &mut Vec::new()), Err(9));
    assert_eq!((p.n_ids(), p.token_bytes(10), p.token_bytes(9)), (12, Some(&b"<s>"[..]), None));
    // A byte the model lacks is an encode error.
    assert!(p.encode("abz", &Allowed::None, &mut Vec::new(), None).is_err());
}

#[test]
fn normalization_and_word_decoding() {
    let mut p = pipeline(NormStep::from_names(&["nfc".to_string(), "lowercase".to_string()]).unwrap());
    // A segment that normalization changed gives every token the whole segment's span.
    let (ids, spans) = encode(&p, "AB ab", &Allowed::None);
    assert_eq!(ids, [3, 4]);
    assert_eq!(spans, [(0, 5), (0, 5)]);
    assert_eq!(encode(&p, "ab ab", &Allowed::None).1, [(0, 2), (2, 5)]);
    assert!(NormStep::from_names(&["nope".to_string()]).is_err());
    // WordPiece decoding: a space before each word-initial id but the first.
    p.set_space_before(&[3, 99]);
    let mut out = Vec::new();
    p.decode_bytes(&[3, 1, 3], &mut out).unwrap();
    assert_eq!(out, b"abb ab");
}
