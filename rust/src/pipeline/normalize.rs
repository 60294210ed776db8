//! Normalizer steps, applied in sequence to each segment between special tokens.

use std::borrow::Cow;
use unicode_normalization::{is_nfc_quick, is_nfkc_quick, IsNormalized, UnicodeNormalization};

#[derive(Clone, Debug)]
pub enum NormStep {
    Nfc,
    Nfkc,
    Lowercase,
    /// SentencePiece: precompiled charsmap (longest match) and its whitespace rules.
    Spm(std::sync::Arc<crate::encode::spm::SpmNormalizer>),
}

impl NormStep {
    pub fn from_name(name: &str) -> Result<NormStep, String> {
        match name {
            "nfc" => Ok(NormStep::Nfc),
            "nfkc" => Ok(NormStep::Nfkc),
            "lowercase" => Ok(NormStep::Lowercase),
            other => Err(format!("unknown normalizer step {other:?}")),
        }
    }

    /// Steps by name ("nfc", "nfkc", "lowercase"), in order.
    pub fn from_names(names: &[String]) -> Result<Vec<NormStep>, String> {
        names.iter().map(|n| NormStep::from_name(n)).collect()
    }

    pub fn apply<'a>(&self, text: Cow<'a, str>) -> Cow<'a, str> {
        match self {
            NormStep::Nfc => {
                if is_nfc_quick(text.chars()) == IsNormalized::Yes {
                    text
                } else {
                    Cow::Owned(text.nfc().collect())
                }
            }
            NormStep::Nfkc => {
                if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
                    text
                } else {
                    Cow::Owned(text.nfkc().collect())
                }
            }
            NormStep::Spm(n) => Cow::Owned(n.normalize(&text)),
            NormStep::Lowercase => {
                if text.chars().any(|c| c.to_lowercase().ne(std::iter::once(c))) {
                    Cow::Owned(text.to_lowercase())
                } else {
                    text
                }
            }
        }
    }
}
