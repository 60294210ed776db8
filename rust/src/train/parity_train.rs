//! Parity-aware BPE (Foroutan et al. 2025, "Parity-Aware Byte-Pair Encoding") as a policy on the engine.
//!
//! The engine keeps the global word table and pair counts; this module adds, per language, the pair
//! counts of that language's training words and the token count of its dev text. Dev words live in
//! the engine's word table with a global count of zero: they steer no pair count, but every merge
//! rewrites them, so each language's dev token count is updated from the words a merge touched
//! instead of re-encoding the dev set.
//!
//! Policy per step: while fewer than `global_tokens` new tokens exist, the most frequent pair overall
//! (plain BPE, the hybrid's first phase); after that, the most frequent pair *in the language whose
//! dev text has the most tokens* (the dev set is parallel, so most tokens = worst compression; ties
//! go to the lower language index). A language with no pair left that may be merged yields to the
//! next-worst one. Within a language, ties go to the smaller (left id, right id), as in plain BPE.
//!
//! Moving-window variant (the paper's second one; off unless `window` > 0): a language chosen more than
//! `alpha * window / languages` times in the last `window` parity steps is passed over while another can be served.
//!
//! Per-language counts follow the same lazy-heap argument as the engine's: a merge lowers only the
//! counts of pairs without the new token, and every pair with it is pushed again with its new count.

use super::bpe_train::{pair_key, unpair, Engine, Merge, TrainLimits, WordTable};
use super::pretoken_count::PretokenTable;
use super::{learned_tokens, Learned, Progress};
use rustc_hash::FxHashMap;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// One word's share in one language: occurrences in its training text and in its dev text.
#[derive(Clone, Copy, Debug)]
pub struct LangShare {
    pub lang: u32,
    pub train: u64,
    pub dev: u64,
}

pub struct ParityState {
    n_langs: usize,
    /// Word w's shares are `shares[share_start[w]..share_start[w + 1]]`.
    share_start: Vec<usize>,
    shares: Vec<LangShare>,
    pair_counts: Vec<FxHashMap<u64, u64>>,
    heaps: Vec<BinaryHeap<(u64, Reverse<u64>)>>,
    /// Current dev token count per language (words of one symbol included: they never change).
    dev_tokens: Vec<u64>,
    // The moving-window variant: the languages of the last `window` parity steps, and how often each occurs.
    window: usize,
    alpha: f64,
    recent: VecDeque<u32>,
    recent_count: Vec<usize>,
    // Scratch for one merge: the touched words and their symbols before it.
    epoch: u32,
    seen: Vec<u32>,
    touched: Vec<u32>,
    before: Vec<u32>,
    before_start: Vec<usize>,
}

/// What the policy did at one step: `None` = a global (frequency) merge, `Some(l)` = for language l.
pub type Chooser = Option<u32>;

impl ParityState {
    /// `shares[w]`: word w's per-language counts, for the words of the engine in the same order.
    /// `dev_constant[l]`: dev tokens of language l in words left out of the table (one symbol each).
    pub fn new(engine: &Engine, shares: Vec<Vec<LangShare>>, n_langs: usize, dev_constant: Vec<u64>) -> ParityState {
        let mut share_start = Vec::with_capacity(shares.len() + 1);
        let mut flat = Vec::new();
        share_start.push(0);
        for s in shares {
            flat.extend(s);
            share_start.push(flat.len());
        }
        let mut state = ParityState {
            n_langs,
            share_start,
            shares: flat,
            pair_counts: vec![FxHashMap::default(); n_langs],
            heaps: (0..n_langs).map(|_| BinaryHeap::new()).collect(),
            dev_tokens: dev_constant,
            window: 0,
            alpha: 0.0,
            recent: VecDeque::new(),
            recent_count: vec![0; n_langs],
            epoch: 0,
            seen: Vec::new(),
            touched: Vec::new(),
            before: Vec::new(),
            before_start: Vec::new(),
        };
        let (counts, dev) = state.recount(engine);
        for (l, n) in dev.into_iter().enumerate() {
            state.dev_tokens[l] += n;
        }
        state.heaps = counts.iter().map(|m| m.iter().map(|(&p, &c)| (c, Reverse(p))).collect()).collect();
        state.pair_counts = counts;
        state.seen = vec![u32::MAX; state.share_start.len() - 1];
        state
    }

    fn word_shares(&self, w: usize) -> &[LangShare] {
        &self.shares[self.share_start[w]..self.share_start[w + 1]]
    }

    /// Per-language pair counts and dev tokens (of the table's words) from scratch.
    fn recount(&self, engine: &Engine) -> (Vec<FxHashMap<u64, u64>>, Vec<u64>) {
        let mut counts = vec![FxHashMap::default(); self.n_langs];
        let mut dev = vec![0u64; self.n_langs];
        for w in 0..self.share_start.len() - 1 {
            let symbols = engine.word_symbols(w);
            for s in self.word_shares(w) {
                dev[s.lang as usize] += s.dev * symbols.len() as u64;
                if s.train == 0 {
                    continue;
                }
                let m: &mut FxHashMap<u64, u64> = &mut counts[s.lang as usize];
                for pair in symbols.windows(2) {
                    let e = m.entry(pair_key(pair[0], pair[1])).or_insert(0);
                    *e = e.saturating_add(s.train);
                }
            }
        }
        (counts, dev)
    }

    pub fn dev_tokens(&self) -> &[u64] {
        &self.dev_tokens
    }

    /// Languages from the worst compressed (most dev tokens) to the best; ties to the lower index.
    fn by_need(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.n_langs).collect();
        order.sort_by_key(|&l| (Reverse(self.dev_tokens[l]), l));
        order
    }

    /// Language l's best pair that may be merged, or None. Pairs that can never be merged (too long, or
    /// spelling a forbidden text) are dropped; the chosen entry stays (it goes stale after the merge).
    fn best_for(&mut self, l: usize, engine: &Engine, limits: &TrainLimits) -> Option<(u64, u64)> {
        let heap = &mut self.heaps[l];
        let counts = &self.pair_counts[l];
        while let Some(&(c, Reverse(p))) = heap.peek() {
            let current = counts.get(&p).copied().unwrap_or(0);
            if current != c {
                heap.pop();
                if current > 0 {
                    heap.push((current, Reverse(p)));
                }
                continue;
            }
            if c < limits.min_frequency.max(1) {
                return None;
            }
            let (a, b) = unpair(p);
            let too_long =
                limits.max_token_length.is_some_and(|max| engine.token_len_of(a) + engine.token_len_of(b) > max);
            if too_long || limits.forbidden.contains(&engine.concat(a, b)) {
                heap.pop();
                continue;
            }
            return Some((p, c));
        }
        None
    }

    /// The pair to merge for the worst-compressed language that has one: (pair, its count there, language).
    /// With a window, a language chosen more than `alpha / languages` of the last `window` parity steps is
    /// passed over while another language can be served (if none can, the window is ignored for this step).
    pub fn pick(&mut self, engine: &Engine, limits: &TrainLimits) -> Option<(u64, u64, u32)> {
        let order = self.by_need();
        for use_window in [true, false] {
            if !use_window && self.window == 0 {
                break;
            }
            for &l in &order {
                if use_window && self.window > 0 && self.over_quota(l) {
                    continue;
                }
                if let Some((p, c)) = self.best_for(l, engine, limits) {
                    self.remember(l);
                    return Some((p, c, l as u32));
                }
            }
        }
        None
    }

    /// The moving-window variant (window 0: off). `alpha`: a language may take up to `alpha / languages` of the
    /// last `window` parity steps.
    pub fn set_window(&mut self, window: usize, alpha: f64) {
        self.window = window;
        self.alpha = alpha;
    }

    fn over_quota(&self, l: usize) -> bool {
        self.recent_count[l] as f64 / self.window as f64 > self.alpha / self.n_langs as f64
    }

    fn remember(&mut self, l: usize) {
        if self.window == 0 {
            return;
        }
        self.recent.push_back(l as u32);
        self.recent_count[l] += 1;
        if self.recent.len() > self.window {
            let old = self.recent.pop_front().unwrap_or(0);
            self.recent_count[old as usize] -= 1;
        }
    }

    /// Records the words merging `p` may touch, with their symbols before the merge.
    pub fn before_merge(&mut self, engine: &Engine, p: u64) {
        self.epoch += 1;
        let stamp = self.epoch;
        self.touched.clear();
        self.before.clear();
        self.before_start.clear();
        for &w in engine.words_with_pair(p) {
            if self.seen[w as usize] == stamp {
                continue;
            }
            self.seen[w as usize] = stamp;
            self.touched.push(w);
            self.before_start.push(self.before.len());
            self.before.extend_from_slice(engine.word_symbols(w as usize));
        }
        self.before_start.push(self.before.len());
    }

    /// Updates per-language pair counts and dev tokens by the difference each touched word went through.
    pub fn after_merge(&mut self, engine: &Engine, x: u32) {
        let mut delta: FxHashMap<(u32, u64), i128> = FxHashMap::default();
        let mut diff: Vec<(u64, i64)> = Vec::new();
        for (k, &w) in self.touched.iter().enumerate() {
            let old = &self.before[self.before_start[k]..self.before_start[k + 1]];
            let new = engine.word_symbols(w as usize);
            if old.len() == new.len() {
                continue;
            }
            diff.clear();
            diff.extend(old.windows(2).map(|s| (pair_key(s[0], s[1]), -1)));
            diff.extend(new.windows(2).map(|s| (pair_key(s[0], s[1]), 1)));
            diff.sort_unstable_by_key(|&(q, _)| q);
            let shrunk = (old.len() - new.len()) as u64;
            for s in &self.shares[self.share_start[w as usize]..self.share_start[w as usize + 1]] {
                self.dev_tokens[s.lang as usize] -= s.dev * shrunk;
                if s.train == 0 {
                    continue;
                }
                let mut i = 0;
                while i < diff.len() {
                    let q = diff[i].0;
                    let mut d = 0i64;
                    while i < diff.len() && diff[i].0 == q {
                        d += diff[i].1;
                        i += 1;
                    }
                    if d != 0 {
                        *delta.entry((s.lang, q)).or_insert(0) += d as i128 * s.train as i128;
                    }
                }
            }
        }
        let mut changed: Vec<((u32, u64), i128)> = delta.into_iter().filter(|&(_, d)| d != 0).collect();
        changed.sort_unstable_by_key(|&(k, _)| k);
        for ((l, q), d) in changed {
            let m = &mut self.pair_counts[l as usize];
            let updated = (m.get(&q).copied().unwrap_or(0) as i128 + d).min(u64::MAX as i128);
            if updated <= 0 {
                m.remove(&q);
                continue;
            }
            m.insert(q, updated as u64);
            let (a, b) = unpair(q);
            if a == x || b == x {
                self.heaps[l as usize].push((updated as u64, Reverse(q)));
            }
        }
    }

    /// Recounts every language's pairs and dev tokens and compares with the incremental state.
    pub fn verify(&self, engine: &Engine, dev_constant: &[u64]) -> Result<(), String> {
        let (counts, dev) = self.recount(engine);
        for l in 0..self.n_langs {
            if dev[l] + dev_constant[l] != self.dev_tokens[l] {
                return Err(format!(
                    "language #{l}: incremental dev token count is {}, recount says {}",
                    self.dev_tokens[l],
                    dev[l] + dev_constant[l]
                ));
            }
            let ours = &self.pair_counts[l];
            for (&p, &c) in &counts[l] {
                let have = ours.get(&p).copied().unwrap_or(0);
                if have != c {
                    let (a, b) = unpair(p);
                    return Err(format!(
                        "language #{l}: incremental count of pair ({a}, {b}) is {have}, recount says {c}"
                    ));
                }
            }
            for (&p, &c) in ours {
                if c != 0 && !counts[l].contains_key(&p) {
                    let (a, b) = unpair(p);
                    return Err(format!("language #{l}: pair ({a}, {b}) has incremental count {c} but does not occur"));
                }
            }
        }
        Ok(())
    }
}

/// Learns merges under the parity-aware policy until `limits` says stop. Returns the merges and, for
/// each, which policy chose it (None: global frequency; Some(l): for language l).
pub fn run_parity(
    engine: &mut Engine,
    state: &mut ParityState,
    limits: &TrainLimits,
    global_tokens: usize,
    dev_constant: &[u64],
    progress_every: usize,
    progress: &mut dyn FnMut(usize, usize) -> Result<(), String>,
) -> Result<(Vec<Merge>, Vec<Chooser>), String> {
    let mut merges = Vec::new();
    let mut chosen = Vec::new();
    let mut new_tokens = 0usize;
    let check = |engine: &Engine, state: &ParityState| -> Result<(), String> {
        engine.verify()?;
        state.verify(engine, dev_constant)
    };
    while new_tokens < limits.new_tokens {
        let (p, count, who) = if new_tokens < global_tokens {
            let Some((p, c)) = engine.pop_best(limits) else { break };
            (p, c, None)
        } else {
            let Some((p, c, l)) = state.pick(engine, limits) else { break };
            (p, c, Some(l))
        };
        state.before_merge(engine, p);
        let Some((x, is_new)) = engine.merge_pair(p, limits, merges.len() as u32) else { continue };
        state.after_merge(engine, x);
        new_tokens += is_new as usize;
        let (a, b) = unpair(p);
        merges.push(Merge { left: a, right: b, count, superword: false });
        chosen.push(who);
        if limits.check_every > 0 && merges.len() % limits.check_every == 0 {
            check(engine, state).map_err(|e| format!("after merge #{}: {e}", merges.len()))?;
        }
        if progress_every > 0 && merges.len() % progress_every == 0 {
            progress(merges.len(), new_tokens)?;
        }
    }
    if limits.check_every > 0 {
        check(engine, state).map_err(|e| format!("at the end of training: {e}"))?;
    }
    progress(merges.len(), new_tokens)?;
    Ok((merges, chosen))
}

/// One word table over every language's training and dev pretokens, in byte order of the pretokens
/// (the order plain training uses, so one language, or all-global merges, give plain BPE's merges).
/// Returns the table, each word's per-language shares, and per language the dev tokens of words of
/// a single symbol (left out of the table: no merge can change them).
fn build_words(
    train: &[&PretokenTable],
    dev: &[&PretokenTable],
    byte_id: &[u32; 256],
) -> (WordTable, Vec<Vec<LangShare>>, Vec<u64>) {
    let n_langs = train.len();
    let mut all: Vec<(&[u8], u32, bool, u64)> = Vec::new();
    for (l, t) in train.iter().enumerate() {
        all.extend(t.counts.iter().map(|(k, &c)| (&k[..], l as u32, false, c)));
    }
    for (l, t) in dev.iter().enumerate() {
        all.extend(t.counts.iter().map(|(k, &c)| (&k[..], l as u32, true, c)));
    }
    all.sort_unstable_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
    let mut words = WordTable::new();
    let mut shares_of = Vec::new();
    let mut dev_constant = vec![0u64; n_langs];
    let mut symbols: Vec<u32> = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let piece = all[i].0;
        let mut shares: Vec<LangShare> = Vec::new();
        while i < all.len() && all[i].0 == piece {
            let (_, lang, is_dev, count) = all[i];
            if shares.last().map_or(true, |s| s.lang != lang) {
                shares.push(LangShare { lang, train: 0, dev: 0 });
            }
            let s = shares.last_mut().unwrap();
            if is_dev {
                s.dev = s.dev.saturating_add(count);
            } else {
                s.train = s.train.saturating_add(count);
            }
            i += 1;
        }
        if piece.len() < 2 {
            for s in &shares {
                dev_constant[s.lang as usize] += s.dev * piece.len() as u64;
            }
            continue;
        }
        symbols.clear();
        symbols.extend(piece.iter().map(|&b| byte_id[b as usize]));
        let total = shares.iter().fold(0u64, |acc, s| acc.saturating_add(s.train));
        words.push_uncounted(&symbols, total);
        shares_of.push(shares);
    }
    (words, shares_of, dev_constant)
}

/// The byte alphabet of parity training: each single byte's id, and id -> bytes of every alphabet token. Every
/// one of the 256 bytes needs a token.
pub struct ByteAlphabet {
    pub byte_id: [u32; 256],
    pub tokens: Vec<Option<Box<[u8]>>>,
}

impl ByteAlphabet {
    pub fn new(alphabet: Vec<(Vec<u8>, u32)>) -> Result<ByteAlphabet, String> {
        let mut byte_id = [u32::MAX; 256];
        let mut max_id = 0u32;
        for (t, id) in &alphabet {
            if t.len() == 1 {
                byte_id[t[0] as usize] = *id;
            }
            max_id = max_id.max(*id);
        }
        if let Some(b) = byte_id.iter().position(|&id| id == u32::MAX) {
            return Err(format!("the alphabet lacks the byte 0x{b:02x}"));
        }
        let mut tokens: Vec<Option<Box<[u8]>>> = vec![None; max_id as usize + 1];
        for (t, id) in alphabet {
            tokens[id as usize] = Some(t.into_boxed_slice());
        }
        Ok(ByteAlphabet { byte_id, tokens })
    }
}

/// What parity training returns besides the learned tokens: the language each merge was chosen for (-1:
/// global), and the dev tokens per language before and after training.
pub struct ParityRecord {
    pub chosen: Vec<i64>,
    pub dev_before: Vec<u64>,
    pub dev_after: Vec<u64>,
}

/// Learns byte-level BPE merges with the parity-aware policy from per-language `train` and `dev` tables (one
/// each per language). The first `global_tokens` new tokens are learned by plain frequency, the rest for the
/// worst-compressed language on the dev set; `window` > 0: the moving-window variant with `alpha`.
#[allow(clippy::too_many_arguments)]
pub fn train_parity(
    train: &[&PretokenTable],
    dev: &[&PretokenTable],
    alphabet: ByteAlphabet,
    global_tokens: usize,
    window: usize,
    alpha: f64,
    limits: &TrainLimits,
    progress_every: usize,
    progress: &mut Progress,
) -> Result<(Learned, ParityRecord), String> {
    let ByteAlphabet { byte_id, tokens } = alphabet;
    let token_len: Vec<u32> = tokens.iter().map(|t| t.as_deref().map_or(0, |b| b.len() as u32)).collect();
    let first_new = tokens.len() as u32;
    let n_langs = train.len();
    let (words, shares, dev_constant) = build_words(train, dev, &byte_id);
    let mut engine = Engine::new(words, tokens, token_len);
    let mut state = ParityState::new(&engine, shares, n_langs, dev_constant.clone());
    state.set_window(window, alpha);
    let dev_before = state.dev_tokens().to_vec();
    let (learned, chosen) =
        run_parity(&mut engine, &mut state, limits, global_tokens, &dev_constant, progress_every, progress)?;
    let learned = learned_tokens(&engine, first_new, &learned);
    let chosen: Vec<i64> = chosen.into_iter().map(|c| c.map_or(-1, |l| l as i64)).collect();
    Ok((learned, ParityRecord { chosen, dev_before, dev_after: state.dev_tokens().to_vec() }))
}
