"""tokenforge's own file: every part of the pipeline plus how it was trained, versioned, in readable JSON.

HF tokenizer.json cannot say that a model is char-level with byte fallback *and* keep the training record, and a
tiktoken file has no merge list; this format keeps everything a tokenizer is, so nothing is lost in a round trip.
Tokens are written as text where they are UTF-8 and as `{"hex": ...}` where they are not.

Two more tokenizers only this family of files can hold have their own "format" name: multi-word tokenizers
("tokenforge-multiword": the base as tokenizer.json plus the n-grams; tokenizer.json cannot express pretoken-level
n-grams, as HF added tokens also match inside words) and LiB ("tokenforge-lib": a greedy longest match over whole
text, spaces included, has no tokenizer.json equivalent). read.py loads all three, write.py writes them; this
module holds their names, versions and the token spelling.
"""

from __future__ import annotations

from typing import Any

from ...errors import FormatError

FORMAT_NAME = "tokenforge"
FORMAT_VERSION = 1
MULTIWORD_FORMAT = "tokenforge-multiword"
MULTIWORD_VERSION = 1
LIB_FORMAT = "tokenforge-lib"
LIB_VERSION = 1


def token_out(token: bytes) -> Any:
    try:
        return token.decode("utf-8")
    except UnicodeDecodeError:
        return {"hex": token.hex()}


def token_in(value: Any, path: object) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, dict) and isinstance(value.get("hex"), str):
        try:
            return bytes.fromhex(value["hex"])
        except ValueError:
            raise FormatError(path, f"token {value!r} is not valid hex") from None
    raise FormatError(path, f"token {value!r} must be a string or {{'hex': ...}}")


def is_tokenforge_json(obj: Any) -> bool:
    return isinstance(obj, dict) and obj.get("format") == FORMAT_NAME
