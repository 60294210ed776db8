//! The merge engine against merges derived by hand and against a recount-everything trainer (the Rust twin of
//! `tokenforge.reference.bpe_train` / `reference.wordpiece_train`), under both policies.

use super::bpe_train::{likelihood_score, Engine, Merge, Policy, TrainLimits, WordTable};
use super::pretoken_count::PretokenTable;
use crate::encode::bpe_encode::Bpe;
use crate::encode::rng::SplitMix64;
use crate::pretokenize::Pretokenizer;
use std::collections::{BTreeMap, HashSet};

/// An engine over byte-level words: the alphabet `a`, `b`, ... as ids 0, 1, ...; `corpus`: (word, count).
fn engine(alphabet: &[u8], corpus: &[(&[u8], u64)], policy: Policy) -> Engine {
    let id = |b: u8| alphabet.iter().position(|&x| x == b).unwrap() as u32;
    let mut sorted = corpus.to_vec();
    sorted.sort();
    let mut words = WordTable::new();
    for (w, c) in sorted {
        let ids: Vec<u32> = w.iter().map(|&b| id(b)).collect();
        if ids.len() > 1 {
            words.push(&ids, c);
        }
    }
    let tokens: Vec<Option<Box<[u8]>>> = alphabet.iter().map(|&b| Some(vec![b].into_boxed_slice())).collect();
    let token_len = vec![1; alphabet.len()];
    Engine::with_policy(words, tokens, token_len, policy, None)
}

fn run(engine: &mut Engine, limits: &TrainLimits) -> Vec<Merge> {
    engine.run(limits, 0, &mut |_, _| Ok(())).unwrap()
}

/// Merges as (left bytes, right bytes, count).
fn spelled(engine: &Engine, merges: &[Merge]) -> Vec<(String, String, u64)> {
    let s = |id: u32| String::from_utf8(engine.token(id).unwrap().to_vec()).unwrap();
    merges.iter().map(|m| (s(m.left), s(m.right), m.count)).collect()
}

/// Runs the engine and spells its merges.
fn learn(engine: &mut Engine, limits: &TrainLimits) -> Vec<(String, String, u64)> {
    let merges = run(engine, limits);
    spelled(engine, &merges)
}

fn triple(a: &str, b: &str, c: u64) -> (String, String, u64) {
    (a.to_string(), b.to_string(), c)
}

fn limits(new_tokens: usize) -> TrainLimits {
    TrainLimits { new_tokens, check_every: 1, ..Default::default() }
}

#[test]
fn merges_of_a_tiny_corpus_by_hand() {
    // ab x5, abc x3, bc x2: (a,b) occurs 8 times, (b,c) 5. After a+b: (ab,c) 3, (b,c) 2. After ab+c: (b,c) 2.
    let mut e = engine(b"abc", &[(b"ab", 5), (b"abc", 3), (b"bc", 2)], Policy::Frequency);
    let merges = run(&mut e, &limits(10));
    assert_eq!(spelled(&e, &merges), [triple("a", "b", 8), triple("ab", "c", 3), triple("b", "c", 2)]);
    assert_eq!(
        (e.n_ids(), e.token(3), e.token(4), e.token(5)),
        (6, Some(&b"ab"[..]), Some(&b"abc"[..]), Some(&b"bc"[..]))
    );
    // Every word is one symbol now.
    assert_eq!((e.word_symbols(0), e.word_symbols(1), e.word_symbols(2)), (&[3][..], &[4][..], &[5][..]));
}

#[test]
fn ties_go_to_the_smaller_pair_and_limits_hold() {
    // (c,d) and (a,b) both occur twice; (a,b) has the smaller ids. Overlapping occurrences: "aaa" holds (a,a)
    // twice but only one merge fits, leaving "aa a".
    let mut e = engine(b"abcd", &[(b"cd", 2), (b"ab", 2)], Policy::Frequency);
    assert_eq!(learn(&mut e, &limits(1)), [triple("a", "b", 2)]);

    let mut e = engine(b"a", &[(b"aaa", 1)], Policy::Frequency);
    assert_eq!(learn(&mut e, &limits(5)), [triple("a", "a", 2), triple("aa", "a", 1)]);

    // min_frequency stops at the first pair seen fewer times; forbidden skips a pair for good; max_token_length.
    let corpus: &[(&[u8], u64)] = &[(b"ab", 5), (b"abc", 3), (b"bc", 2)];
    let mut e = engine(b"abc", corpus, Policy::Frequency);
    let l = TrainLimits { min_frequency: 3, ..limits(10) };
    assert_eq!(learn(&mut e, &l), [triple("a", "b", 8), triple("ab", "c", 3)]);
    let mut e = engine(b"abc", corpus, Policy::Frequency);
    let l = TrainLimits { forbidden: [b"abc".to_vec().into_boxed_slice()].into_iter().collect(), ..limits(10) };
    assert_eq!(learn(&mut e, &l), [triple("a", "b", 8), triple("b", "c", 2)]);
    let mut e = engine(b"abc", corpus, Policy::Frequency);
    let l = TrainLimits { max_token_length: Some(2), ..limits(10) };
    assert_eq!(learn(&mut e, &l), [triple("a", "b", 8), triple("b", "c", 2)]);
}

#[test]
fn reserved_ids_are_skipped() {
    let mut e = engine(b"abc", &[(b"ab", 5), (b"abc", 3)], Policy::Frequency);
    let l = TrainLimits { reserved_ids: [3, 4].into_iter().collect(), ..limits(10) };
    run(&mut e, &l);
    assert_eq!((e.token(3), e.token(4), e.token(5), e.token(6)), (None, None, Some(&b"ab"[..]), Some(&b"abc"[..])));
}

#[test]
fn likelihood_policy_by_hand() {
    // Symbol counts: a 4, b 4, c 1, d 1. Pairs: (a,b) 4 -> 4/16 = 0.25; (c,d) 1 -> 1/1 = 1: (c,d) first although
    // rarer, then (a,b).
    let mut e = engine(b"abcd", &[(b"ab", 4), (b"cd", 1)], Policy::Likelihood);
    assert_eq!(learn(&mut e, &limits(5)), [triple("c", "d", 1), triple("a", "b", 4)]);
    assert_eq!(likelihood_score(1, 1, 1), 1.0);
    assert_eq!(likelihood_score(4, 4, 4), 0.25);
}

/// Merges as (left id, right id, count), and id -> bytes.
type NaiveResult = (Vec<(u32, u32, u64)>, Vec<Vec<u8>>);

/// Recount-everything training: before every merge, count every pair (and symbol) over the words and take the
/// best by the policy; ties to the smaller (left id, right id). A pair that is skipped (too long) or merged is
/// never taken again. Returns (merges as (left id, right id, count), id -> bytes).
fn naive_train(
    alphabet: &[u8],
    corpus: &[(&[u8], u64)],
    policy: Policy,
    new_tokens: usize,
    max_len: Option<usize>,
) -> NaiveResult {
    let mut by_id: Vec<Vec<u8>> = alphabet.iter().map(|&b| vec![b]).collect();
    let mut sorted = corpus.to_vec();
    sorted.sort();
    let mut words: Vec<(Vec<u32>, u64)> = sorted
        .iter()
        .map(|(w, c)| (w.iter().map(|&b| alphabet.iter().position(|&x| x == b).unwrap() as u32).collect(), *c))
        .filter(|(w, _): &(Vec<u32>, u64)| w.len() > 1)
        .collect();
    let mut banned: HashSet<(u32, u32)> = HashSet::new();
    let mut merges = Vec::new();
    let mut added = 0;
    while added < new_tokens {
        let mut pairs: BTreeMap<(u32, u32), u64> = BTreeMap::new();
        let mut singles: BTreeMap<u32, u64> = BTreeMap::new();
        for (w, c) in &words {
            for &s in w {
                *singles.entry(s).or_insert(0) += c;
            }
            for p in w.windows(2) {
                *pairs.entry((p[0], p[1])).or_insert(0) += c;
            }
        }
        // Candidates in ascending pair order; `>` keeps the first (smallest) of equal keys.
        let mut best: Option<((u32, u32), u64, f64)> = None;
        for (&p, &c) in &pairs {
            if banned.contains(&p) {
                continue;
            }
            let score = match policy {
                Policy::Frequency => c as f64,
                Policy::Likelihood => likelihood_score(c, singles[&p.0], singles[&p.1]),
            };
            let better = match best {
                None => true,
                Some((_, bc, bs)) => score > bs || (score == bs && policy == Policy::Likelihood && c > bc),
            };
            if better {
                best = Some((p, c, score));
            }
        }
        let Some(((a, b), count, _)) = best else { break };
        banned.insert((a, b));
        let joined = [by_id[a as usize].clone(), by_id[b as usize].clone()].concat();
        if max_len.is_some_and(|m| joined.len() > m) {
            continue;
        }
        let x = match by_id.iter().position(|t| *t == joined) {
            Some(x) => x as u32,
            None => {
                by_id.push(joined);
                added += 1;
                (by_id.len() - 1) as u32
            }
        };
        merges.push((a, b, count));
        for (w, _) in words.iter_mut() {
            let mut out = Vec::with_capacity(w.len());
            let mut i = 0;
            while i < w.len() {
                if i + 1 < w.len() && w[i] == a && w[i + 1] == b {
                    out.push(x);
                    i += 2;
                } else {
                    out.push(w[i]);
                    i += 1;
                }
            }
            *w = out;
        }
    }
    (merges, by_id)
}

/// Random words over a small alphabet (many repeated pairs, overlapping runs such as "aaaa"), random counts.
fn random_corpus(rng: &mut SplitMix64, alphabet: &[u8], n_words: usize) -> Vec<(Vec<u8>, u64)> {
    let mut words: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
    for _ in 0..n_words {
        let len = 1 + rng.below(9);
        let w: Vec<u8> = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
        *words.entry(w).or_insert(0) += 1 + rng.below(20) as u64;
    }
    words.into_iter().collect()
}

#[test]
fn incremental_engine_equals_a_full_recount() {
    let mut rng = SplitMix64::new(42);
    for (round, policy) in [Policy::Frequency, Policy::Likelihood].into_iter().cycle().take(40).enumerate() {
        let alphabet: &[u8] = if round % 4 < 2 { b"ab" } else { b"abcde" };
        let n_words = 30 + rng.below(60);
        let corpus = random_corpus(&mut rng, alphabet, n_words);
        let refs: Vec<(&[u8], u64)> = corpus.iter().map(|(w, c)| (&w[..], *c)).collect();
        let max_len = if round % 3 == 0 { Some(3) } else { None };
        let (want, want_tokens) = naive_train(alphabet, &refs, policy, 25, max_len);
        let mut e = engine(alphabet, &refs, policy);
        // check_every = 1: after every merge the engine also recounts every pair itself and compares.
        let l = TrainLimits { max_token_length: max_len.map(|m| m as u32), ..limits(25) };
        let got: Vec<(u32, u32, u64)> = run(&mut e, &l).iter().map(|m| (m.left, m.right, m.count)).collect();
        assert_eq!(got, want, "round {round} ({policy:?}) on {corpus:?}");
        let got_tokens: Vec<Vec<u8>> = (0..e.n_ids()).map(|id| e.token(id).unwrap().to_vec()).collect();
        assert_eq!(got_tokens, want_tokens);
    }
}

#[test]
fn train_bpe_from_a_pretoken_table() {
    let mut table = PretokenTable::new(Pretokenizer::build("regex", Some(r"\S+"), false).unwrap(), Vec::new());
    table.add_texts(&["ab ab ab abc bc", "ab ab abc abc bc"]).unwrap();
    assert_eq!(table.sorted(), [(&b"ab"[..], 5), (&b"abc"[..], 3), (&b"bc"[..], 2)]);
    assert_eq!(table.total, 10);
    let bpe =
        Bpe::from_merges(vec![(b"a".to_vec(), 0), (b"b".to_vec(), 1), (b"c".to_vec(), 2)], Vec::new(), false).unwrap();
    let mut calls = Vec::new();
    let (vocab, merges) = super::bpe::train_bpe(&mut table, bpe, false, true, &limits(2), 1, &mut |m, t| {
        calls.push((m, t));
        Ok(())
    })
    .unwrap();
    assert_eq!(vocab, [(b"ab".to_vec(), 3), (b"abc".to_vec(), 4)]);
    assert_eq!(merges, [(b"a".to_vec(), b"b".to_vec(), 8), (b"ab".to_vec(), b"c".to_vec(), 3)]);
    // Progress after each merge and once at the end; `consume` emptied the table.
    assert_eq!(calls, [(1, 1), (2, 2), (2, 2)]);
    assert!(table.counts.is_empty());
}

#[test]
fn a_failing_progress_callback_stops_training() {
    let mut e = engine(b"abc", &[(b"ab", 5), (b"abc", 3), (b"bc", 2)], Policy::Frequency);
    let err = e.run(&limits(10), 1, &mut |m, _| if m == 2 { Err("stop".to_string()) } else { Ok(()) }).unwrap_err();
    assert_eq!(err, "stop");
}
