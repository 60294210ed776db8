//! The encode path of a tokenizer, all native: split out special / added tokens, normalize each
//! remaining segment (`normalize.rs`), pre-tokenize it (`crate::pretokenize`), encode each piece with the model
//! (`crate::encode`: BPE merges, or a lattice method, BPE-dropout, supermerges); and decoding.

mod normalize;
#[cfg(test)]
mod tests;

pub use normalize::NormStep;

use crate::encode::bpe_encode::Bpe;
use crate::encode::lattice::Lattice;
use crate::encode::rng::SplitMix64;
use crate::encode::spm::{SpmArgs, SpmSplit};
use crate::encode::supermerge::SuperMerges;
use crate::pretokenize::Pretokenizer;
use aho_corasick::{AhoCorasick, MatchKind};
use std::borrow::Cow;
use std::sync::Arc;

/// An f64 ordered by `total_cmp` (n-best scores are finite sums).
#[derive(PartialEq)]
struct OrdF64(f64);

impl Eq for OrdF64 {}

impl PartialOrd for OrdF64 {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OrdF64 {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Replaces each run of `unk` in `out[first..]` by one `unk` whose span covers the run.
fn collapse_runs(unk: u32, first: usize, out: &mut Vec<u32>, mut spans: Option<&mut Vec<(usize, usize)>>) {
    let mut w = first;
    for r in first..out.len() {
        if out[r] == unk && w > first && out[w - 1] == unk {
            if let Some(sp) = spans.as_deref_mut() {
                sp[w - 1].1 = sp[r].1;
            }
            continue;
        }
        out[w] = out[r];
        if let Some(sp) = spans.as_deref_mut() {
            sp[w] = sp[r];
        }
        w += 1;
    }
    out.truncate(w);
    if let Some(sp) = spans {
        sp.truncate(w);
    }
}

pub struct Special {
    pub text: String,
    pub id: u32,
    /// Matched in any text, whatever the caller allows (HF's non-special added tokens).
    pub always: bool,
}

/// Which optional special tokens a call lets through (indexed like `Pipeline::specials`).
pub enum Allowed<'a> {
    None,
    All,
    Mask(&'a [bool]),
}

impl Allowed<'_> {
    fn allows(&self, k: usize) -> bool {
        match self {
            Allowed::None => false,
            Allowed::All => true,
            Allowed::Mask(m) => m.get(k).copied().unwrap_or(false),
        }
    }
}

pub struct Pipeline {
    pub bpe: Bpe,
    pub pretok: Pretokenizer,
    pub norm: Vec<NormStep>,
    pub specials: Vec<Special>,
    split_matcher: Option<AhoCorasick>,
    any_matcher: Option<AhoCorasick>,
    /// Some special token is recognised whatever the call allows (an "always" added token).
    any_always: bool,
    /// id -> bytes, model tokens and special tokens together.
    decode_table: Vec<Option<Box<[u8]>>>,
    /// Another inference method than BPE merges (see lattice.rs); `bpe` then only indexes the vocabulary.
    pub lattice: Option<Arc<Lattice>>,
    /// BPE-dropout probability (merge method only).
    pub dropout: Option<f64>,
    /// Seed of the random methods: each encoded text draws from a generator seeded with it.
    pub seed: u64,
    /// WordPiece decoding: ids that start a word get a space before them (except the first id).
    pub space_before: Vec<bool>,
    /// BoundlessBPE's supermerges across adjacent pieces (None for every other model).
    pub supermerges: Option<SuperMerges>,
    /// SentencePiece without byte fallback: a run of unknown ids becomes one (as SP reports it).
    pub collapse_unk: Option<u32>,
}

impl Pipeline {
    pub fn new(
        bpe: Bpe,
        pretok: Pretokenizer,
        norm: Vec<NormStep>,
        specials: Vec<Special>,
    ) -> Result<Pipeline, String> {
        let mut decode_table = bpe.tokens.clone();
        for s in &specials {
            let i = s.id as usize;
            if i >= (1 << 31) {
                return Err(format!("special token {:?} has out-of-range id {}", s.text, s.id));
            }
            if decode_table.len() <= i {
                decode_table.resize(i + 1, None);
            }
            match &decode_table[i] {
                Some(existing) if existing.as_ref() != s.text.as_bytes() => {
                    return Err(format!(
                        "special token {:?} reuses id {} of token {:?}",
                        s.text,
                        s.id,
                        String::from_utf8_lossy(existing)
                    ))
                }
                _ => decode_table[i] = Some(s.text.as_bytes().into()),
            }
            if s.text.is_empty() {
                return Err(format!("special token with id {} is empty", s.id));
            }
        }
        let (split_matcher, any_matcher) = if specials.is_empty() {
            (None, None)
        } else {
            let texts: Vec<&str> = specials.iter().map(|s| s.text.as_str()).collect();
            let split = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&texts)
                .map_err(|e| e.to_string())?;
            let any = AhoCorasick::new(&texts).map_err(|e| e.to_string())?;
            (Some(split), Some(any))
        };
        let any_always = specials.iter().any(|s| s.always);
        Ok(Pipeline {
            bpe,
            pretok,
            norm,
            specials,
            split_matcher,
            any_matcher,
            any_always,
            decode_table,
            lattice: None,
            dropout: None,
            seed: 0,
            space_before: Vec::new(),
            supermerges: None,
            collapse_unk: None,
        })
    }

    /// Replaces what model ids decode to (e.g. `<0x41>` -> the byte 0x41, `##ing` -> `ing`).
    pub fn override_decode(&mut self, entries: Vec<(u32, Vec<u8>)>) {
        for (id, bytes) in entries {
            let i = id as usize;
            if self.decode_table.len() <= i {
                self.decode_table.resize(i + 1, None);
            }
            self.decode_table[i] = Some(bytes.into_boxed_slice());
        }
    }

    /// A SentencePiece model: BPE (`lattice` None: SP's merge order on the char-level encoder, cut where no
    /// merge can cross) or Unigram (`lattice` with SP's scoring: Viterbi over the whole normalized text).
    pub fn spm(
        vocab: Vec<(Vec<u8>, u32)>,
        specials: Vec<Special>,
        args: &SpmArgs,
        lattice: Option<Arc<Lattice>>,
        seed: u64,
    ) -> Result<Pipeline, String> {
        let normalizer = args.normalizer()?;
        let unigram = lattice.is_some();
        let split = if unigram {
            // SP scores the whole normalized text in one f32 Viterbi pass: no cut is exact under rounding.
            SpmSplit { user_defined: None, split_before_space: false }
        } else {
            SpmSplit { user_defined: args.user_defined_matcher()?, split_before_space: args.split_before_space }
        };
        let mut bpe = if unigram { Bpe::from_ranks(vocab) } else { Bpe::from_piece_ranks(vocab, &args.piece_ranks) }?;
        if !unigram {
            if let Some(unk) = args.unk_id {
                bpe.unk_id = unk;
            }
            bpe.frozen = args.user_defined.iter().map(|(s, id)| (s.as_bytes().into(), *id)).collect();
        }
        let norm = vec![NormStep::Spm(Arc::new(normalizer))];
        let mut p = Pipeline::new(bpe, Pretokenizer::Spm(Box::new(split)), norm, specials)?;
        if unigram {
            p.lattice = lattice;
            p.seed = seed;
        } else {
            p.collapse_unk = args.unk_id;
        }
        Ok(p)
    }

    /// WordPiece decoding: `ids` start a word (ids past the table are ignored).
    pub fn set_space_before(&mut self, ids: &[u32]) {
        let mut flags = vec![false; self.n_ids()];
        for &id in ids {
            if let Some(f) = flags.get_mut(id as usize) {
                *f = true;
            }
        }
        self.space_before = flags;
    }

    /// Appends the byte span of each of `ids`, laid end to end from `start` (BPE tokens are their bytes).
    fn token_spans(&self, ids: &[u32], start: usize, sp: &mut Vec<(usize, usize)>) {
        let mut pos = start;
        for &id in ids {
            let len = self.bpe.tokens[id as usize].as_ref().map_or(0, |t| t.len());
            sp.push((pos, pos + len));
            pos += len;
        }
    }

    /// Plain BPE merges: the cached session path (no lattice method, no dropout).
    fn merges_only(&self) -> bool {
        self.lattice.is_none() && self.dropout.is_none()
    }

    /// `encode_segment` for lattice methods and BPE-dropout: a generator threaded through, no BPE session (the
    /// lattice caches deterministic methods' pieces itself).
    fn encode_segment_lattice(
        &self,
        text: &str,
        out: &mut Vec<u32>,
        mut spans: Option<&mut Vec<(usize, usize)>>,
        base: usize,
        rng: &mut SplitMix64,
    ) -> Result<(), String> {
        let normalized = self.normalize(text);
        let changed = matches!(normalized, Cow::Owned(ref s) if s != text);
        let mut err = None;
        let mut piece_spans = Vec::new();
        self.pretok.for_each_piece(&normalized, |s, e| {
            if err.is_some() {
                return;
            }
            let piece = &normalized.as_bytes()[s..e];
            let before = out.len();
            piece_spans.clear();
            let result = match (&self.lattice, self.dropout) {
                (Some(lattice), _) => lattice.encode_piece(piece, rng, out, Some(&mut piece_spans)),
                (None, Some(p)) => self
                    .bpe
                    .encode_piece_dropout(piece, p, rng, out)
                    .map(|_| self.token_spans(&out[before..], 0, &mut piece_spans)),
                (None, None) => unreachable!("only called for lattice or dropout pipelines"),
            };
            if let Err(msg) = result {
                err = Some(msg);
                return;
            }
            if let Some(sp) = spans.as_deref_mut() {
                if changed {
                    sp.extend(std::iter::repeat((base, base + text.len())).take(out.len() - before));
                } else {
                    sp.extend(piece_spans.iter().map(|&(a, b)| (base + s + a, base + s + b)));
                }
            }
        })?;
        match err {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// `k` best segmentations of `text` by Unigram score (no special tokens recognised), best first.
    pub fn nbest(&self, text: &str, k: usize) -> Result<Vec<(Vec<u32>, f64)>, String> {
        let lattice = self.lattice.as_ref().ok_or("n-best needs a Unigram vocabulary")?;
        let normalized = self.normalize(text);
        let mut pieces = Vec::new();
        self.pretok.for_each_piece(&normalized, |s, e| pieces.push((s, e)))?;
        // Best-first merge of sorted lists: the k best sums of (path so far, option of this piece), ties to the
        // smaller ranks (path first). Paths are kept as back-pointers, so each step costs O(k log k).
        struct Node {
            piece: usize,
            option: usize,
            parent: usize,
        }
        let mut arena: Vec<Node> = vec![Node { piece: usize::MAX, option: 0, parent: usize::MAX }];
        let mut acc: Vec<(f64, usize)> = vec![(0.0, 0)];
        let mut all_options: Vec<Vec<(Vec<u32>, f64)>> = Vec::with_capacity(pieces.len());
        for (p, (s, e)) in pieces.into_iter().enumerate() {
            let options = lattice.nbest(&normalized.as_bytes()[s..e], k)?;
            let key =
                |i: usize, j: usize| (OrdF64(acc[i].0 + options[j].1), std::cmp::Reverse(i), std::cmp::Reverse(j));
            let mut heap = std::collections::BinaryHeap::new();
            let mut seen = rustc_hash::FxHashSet::default();
            let mut next_acc = Vec::with_capacity(k);
            if !options.is_empty() {
                heap.push(key(0, 0));
                seen.insert((0usize, 0usize));
            }
            while next_acc.len() < k {
                let Some((OrdF64(score), std::cmp::Reverse(i), std::cmp::Reverse(j))) = heap.pop() else { break };
                arena.push(Node { piece: p, option: j, parent: acc[i].1 });
                next_acc.push((score, arena.len() - 1));
                for (a, b) in [(i + 1, j), (i, j + 1)] {
                    if a < acc.len() && b < options.len() && seen.insert((a, b)) {
                        heap.push(key(a, b));
                    }
                }
            }
            acc = next_acc;
            all_options.push(options);
        }
        Ok(acc
            .into_iter()
            .map(|(score, mut node)| {
                let mut parts = Vec::new();
                while arena[node].parent != usize::MAX {
                    parts.push(&all_options[arena[node].piece][arena[node].option].0);
                    node = arena[node].parent;
                }
                (parts.into_iter().rev().flatten().copied().collect(), score)
            })
            .collect())
    }

    pub fn normalize<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut t = Cow::Borrowed(text);
        for step in &self.norm {
            t = step.apply(t);
        }
        t
    }

    /// Encodes text in which no special token is recognised. With `spans`, also records each
    /// token's byte span in `text` (offset by `base`); inside a segment that normalization
    /// changed, every token gets the whole segment's span. `rng`: the random methods' generator.
    fn encode_segment(
        &self,
        text: &str,
        out: &mut Vec<u32>,
        spans: Option<&mut Vec<(usize, usize)>>,
        base: usize,
        rng: &mut SplitMix64,
    ) -> Result<(), String> {
        if !self.merges_only() {
            return self.encode_segment_lattice(text, out, spans, base, rng);
        }
        let mut spans = spans;
        let normalized = self.normalize(text);
        let changed = matches!(normalized, Cow::Owned(ref s) if s != text);
        let first = out.len();
        let mut err = None;
        let mut bounds: Vec<usize> = Vec::new();
        self.bpe.session(|session| {
            self.pretok.for_each_piece(&normalized, |s, e| {
                if err.is_some() {
                    return;
                }
                let before = out.len();
                if self.supermerges.is_some() {
                    bounds.push(before);
                }
                if let Err(msg) = session.encode_piece(&normalized.as_bytes()[s..e], out) {
                    err = Some(msg);
                    return;
                }
                if let Some(sp) = spans.as_deref_mut() {
                    if changed {
                        sp.extend(std::iter::repeat((base, base + text.len())).take(out.len() - before));
                    } else {
                        self.token_spans(&out[before..], base + s, sp);
                    }
                }
            })
        })?;
        if let Some(e) = err {
            return Err(e);
        }
        if let Some(sm) = &self.supermerges {
            sm.apply(out, first, &bounds, spans.as_deref_mut());
        }
        if let Some(unk) = self.collapse_unk {
            collapse_runs(unk, first, out, spans);
        }
        Ok(())
    }

    /// Encodes text, recognising the special tokens `allowed` lets through and every
    /// always-matched added token.
    pub fn encode(
        &self,
        text: &str,
        allowed: &Allowed,
        out: &mut Vec<u32>,
        mut spans: Option<&mut Vec<(usize, usize)>>,
    ) -> Result<(), String> {
        let mut rng = SplitMix64::new(self.seed);
        let Some(matcher) = &self.split_matcher else {
            return self.encode_segment(text, out, spans, 0, &mut rng);
        };
        if matches!(allowed, Allowed::None) && !self.any_always {
            // No special token can split the text (encode_ordinary): skip the matcher's pass over it.
            return self.encode_segment(text, out, spans, 0, &mut rng);
        }
        let mut last = 0;
        for m in matcher.find_iter(text) {
            let k = m.pattern().as_usize();
            let special = &self.specials[k];
            if !(special.always || allowed.allows(k)) {
                continue;
            }
            self.encode_segment(&text[last..m.start()], out, spans.as_deref_mut(), last, &mut rng)?;
            out.push(special.id);
            if let Some(sp) = spans.as_deref_mut() {
                sp.push((m.start(), m.end()));
            }
            last = m.end();
        }
        self.encode_segment(&text[last..], out, spans, last, &mut rng)
    }

    /// The first occurrence in `text` of a special token the call does not allow (tiktoken's
    /// `disallowed_special` check).
    pub fn find_disallowed(&self, text: &str, allowed: &Allowed) -> Option<(usize, &str)> {
        let matcher = self.any_matcher.as_ref()?;
        matcher
            .find_overlapping_iter(text)
            .filter(|m| {
                let k = m.pattern().as_usize();
                !self.specials[k].always && !allowed.allows(k)
            })
            .min_by_key(|m| (m.start(), std::cmp::Reverse(m.end())))
            .map(|m| (m.start(), self.specials[m.pattern().as_usize()].text.as_str()))
    }

    pub fn decode_bytes(&self, ids: &[u32], out: &mut Vec<u8>) -> Result<(), u32> {
        for (k, &id) in ids.iter().enumerate() {
            match self.decode_table.get(id as usize) {
                Some(Some(t)) => {
                    if k > 0 && self.space_before.get(id as usize).copied().unwrap_or(false) {
                        out.push(b' ');
                    }
                    out.extend_from_slice(t)
                }
                _ => return Err(id),
            }
        }
        Ok(())
    }

    pub fn token_bytes(&self, id: u32) -> Option<&[u8]> {
        self.decode_table.get(id as usize).and_then(|t| t.as_deref())
    }

    pub fn n_ids(&self) -> usize {
        self.decode_table.len()
    }
}
