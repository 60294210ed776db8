//! Multi-word tokens at the pre-token level: a trie of pretoken sequences, matched greedily
//! (leftmost, longest) over a pretoken stream before subword encoding. Used by MWT: a matched
//! n-gram becomes one token; the pretokens between matches go to the base model.

use rustc_hash::FxHashMap;

pub struct NgramMatcher {
    /// Per node: pretoken -> child node; node 0 is the root.
    children: Vec<FxHashMap<Box<str>, u32>>,
    /// The token id ending at each node, if one does.
    ends: Vec<Option<u32>>,
}

impl NgramMatcher {
    /// `ngrams`: (pretokens, id) for each multi-word token; none may be empty or repeated.
    pub fn new(ngrams: Vec<(Vec<String>, u32)>) -> Result<Self, String> {
        let mut m = NgramMatcher { children: vec![FxHashMap::default()], ends: vec![None] };
        for (pieces, id) in ngrams {
            if pieces.is_empty() || pieces.iter().any(|p| p.is_empty()) {
                return Err(format!("multi-word token {id} has an empty part"));
            }
            let mut node = 0u32;
            for p in pieces.iter() {
                let next = m.ends.len() as u32;
                let child = *m.children[node as usize].entry(p.as_str().into()).or_insert(next);
                if child == next {
                    m.ends.push(None);
                    m.children.push(FxHashMap::default());
                }
                node = child;
            }
            if m.ends[node as usize].is_some() {
                return Err(format!("multi-word token {pieces:?} is listed twice"));
            }
            m.ends[node as usize] = Some(id);
        }
        Ok(m)
    }

    /// Greedy leftmost-longest matches in `pieces`: (first piece, number of pieces, id), in order.
    pub fn find<S: AsRef<str>>(&self, pieces: &[S]) -> Vec<(usize, usize, u32)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < pieces.len() {
            let (mut node, mut best) = (0u32, None);
            let mut j = i;
            while j < pieces.len() {
                match self.children[node as usize].get(pieces[j].as_ref()) {
                    Some(&child) => {
                        node = child;
                        j += 1;
                        if let Some(id) = self.ends[node as usize] {
                            best = Some((j - i, id));
                        }
                    }
                    None => break,
                }
            }
            match best {
                Some((n, id)) => {
                    out.push((i, n, id));
                    i += n;
                }
                None => i += 1,
            }
        }
        out
    }

    /// Number of multi-word tokens.
    pub fn len(&self) -> usize {
        self.ends.iter().filter(|e| e.is_some()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
