"""tokenforge's own JSON files (pipeline, multi-word, LiB): common.py names them, read.py loads them, write.py
writes them."""
