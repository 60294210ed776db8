"""HF `tokenizer.json`: read.py builds a tokenizer from one, write.py writes one; common.py holds what both share,
floats.py the number spellings `tokenizers` reads exactly."""
