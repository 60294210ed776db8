"""Tokenizer files. Each format is a folder: `read.py` builds a tokenizer from a file, `write.py` writes one (plus
the parsing both share). `reading.load` detects the format by content; `writing.save` checks what the format can
hold (`check_format_for`) and writes by format name or extension. Writers take any tokenizer object, so the tokenizer
classes can call them; readers build tokenizer objects, so they sit above `tokenizers/`.

`tokenforge.load` and `tokenforge.save` are the public entry points.
"""
