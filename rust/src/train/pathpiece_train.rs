//! PathPiece training hot loop: the corpus token count under fewest-tokens segmentation and, for every token,
//! how much that count grows if the token alone were removed. Twin: `tokenforge.reference.pathpiece`.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

const INF: u32 = u32::MAX;

/// Fewest tokens for `word` (ties: longest token first, from the left), never using token `banned`.
/// `edges[i]`: (length, token id) of the tokens starting at i, longest first. Fills `path` with token ids.
fn fewest(
    n: usize,
    edges: &[Vec<(usize, u32)>],
    banned: Option<u32>,
    cost: &mut Vec<u32>,
    pick: &mut Vec<(usize, u32)>,
    path: &mut Vec<u32>,
) -> u32 {
    cost.clear();
    cost.resize(n + 1, INF);
    pick.clear();
    pick.resize(n + 1, (0, 0));
    cost[n] = 0;
    for i in (0..n).rev() {
        for &(k, id) in &edges[i] {
            if Some(id) == banned || cost[i + k] == INF {
                continue;
            }
            if cost[i + k] + 1 < cost[i] {
                cost[i] = cost[i + k] + 1;
                pick[i] = (k, id);
            }
        }
    }
    path.clear();
    if cost[0] == INF {
        return INF;
    }
    let mut i = 0;
    while i < n {
        path.push(pick[i].1);
        i += pick[i].0;
    }
    cost[0]
}

/// (cost of removing each token, corpus token count). Tokens of one byte are never removed: their cost is 0.
pub fn removal_costs(words: &[(Vec<u8>, u64)], tokens: &[Vec<u8>]) -> Result<(Vec<u64>, u64), String> {
    let index: FxHashMap<&[u8], u32> = tokens.iter().enumerate().map(|(i, t)| (t.as_slice(), i as u32)).collect();
    let max_len = tokens.iter().map(|t| t.len()).max().unwrap_or(1);
    let chunk = words.len().div_ceil(64).max(1);
    let parts: Vec<Result<(Vec<u64>, u64), String>> = words
        .par_chunks(chunk)
        .map(|part| {
            let mut costs = vec![0u64; tokens.len()];
            let mut total = 0u64;
            let (mut cost, mut pick, mut path, mut other) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for (word, count) in part {
                let n = word.len();
                let edges: Vec<Vec<(usize, u32)>> = (0..n)
                    .map(|i| {
                        (1..=max_len.min(n - i))
                            .rev()
                            .filter_map(|k| index.get(&word[i..i + k]).map(|&id| (k, id)))
                            .collect()
                    })
                    .collect();
                let best = fewest(n, &edges, None, &mut cost, &mut pick, &mut path);
                if best == INF {
                    return Err(format!(
                        "the word {:?} cannot be spelled with the vocabulary",
                        String::from_utf8_lossy(word)
                    ));
                }
                total += best as u64 * count;
                let mut used = path.clone();
                used.sort_unstable();
                used.dedup();
                for &t in &used {
                    if tokens[t as usize].len() == 1 {
                        continue;
                    }
                    let without = fewest(n, &edges, Some(t), &mut cost, &mut pick, &mut other);
                    if without == INF {
                        return Err(format!(
                            "the word {:?} needs token {:?}",
                            String::from_utf8_lossy(word),
                            String::from_utf8_lossy(&tokens[t as usize])
                        ));
                    }
                    costs[t as usize] += (without - best) as u64 * count;
                }
            }
            Ok((costs, total))
        })
        .collect();
    let mut costs = vec![0u64; tokens.len()];
    let mut total = 0;
    for part in parts {
        let (c, t) = part?;
        for (x, y) in costs.iter_mut().zip(c) {
            *x += y;
        }
        total += t;
    }
    Ok((costs, total))
}
