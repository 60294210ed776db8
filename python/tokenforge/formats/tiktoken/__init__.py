"""tiktoken rank files: rank_file.py parses them and names their sidecar, read.py builds a tokenizer from one,
write.py writes one; known_encodings.py recognises OpenAI's own files by SHA-256."""
