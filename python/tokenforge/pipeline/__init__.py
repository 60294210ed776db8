"""The components a tokenizer is built from, in pipeline order: normalizers, pre-tokenizers, the special-token
policy and the byte-level alphabet; and where running text may be cut without changing its tokens (safe_splits).
"""
