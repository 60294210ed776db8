"""Tokenizers: what turns text into ids and back. `Tokenizer` (tokenizer.py) is the pipeline over any model;
`SentencePieceTokenizer`, `MultiWordTokenizer`, `LibTokenizer` and `LzwTokenizer` are the other kinds. compile.py
marshals a model and inference method into the native core's arguments. Saving goes to `formats/` writers."""
