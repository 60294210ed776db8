"""Typed errors: every failure a user can cause raises a subclass of `TokenforgeError` naming the fault."""

from __future__ import annotations


class TokenforgeError(Exception):
    """Base class of every error tokenforge raises on purpose."""


class FormatError(TokenforgeError, ValueError):
    """A tokenizer file is corrupt, truncated, hostile or of an unknown format.

    `path` names the file and the message names the fault (and the line where there is one).
    """

    def __init__(self, path: object, fault: str):
        self.path = str(path)
        self.fault = fault
        super().__init__(f"{self.path}: {fault}")


class UnsupportedFeatureError(FormatError):
    """A well-formed file uses a feature tokenforge does not implement (yet); refusing beats guessing."""


class ConfigError(TokenforgeError, ValueError):
    """Arguments that cannot describe a tokenizer (unknown pattern name, bad normalizer, ...)."""


class ModelError(TokenforgeError, ValueError):
    """The vocabulary / merges / special tokens are inconsistent with each other."""


class EncodeError(TokenforgeError, ValueError):
    """Text could not be encoded (e.g. a byte the vocabulary has no token for)."""


class DisallowedSpecialTokenError(EncodeError):
    """The text contains a special token the call did not allow (tiktoken's policy)."""

    def __init__(self, token: str, position: int | None = None):
        self.token = token
        self.position = position
        where = f" at character {position}" if position is not None else ""
        super().__init__(
            f"text contains the special token {token!r}{where}, which is disallowed. "
            f"Pass allowed_special={{{token!r}}} (or 'all') to encode it as a special token, "
            f"or disallowed_special=() to encode it as ordinary text."
        )


class DecodeError(TokenforgeError, ValueError):
    """Ids that are not in the vocabulary, or bytes that are not UTF-8 under errors='strict'."""


class TrainingError(TokenforgeError, ValueError):
    """Training cannot proceed (an impossible vocabulary size, an inconsistent base model, a failed self-check)."""


class TrainingWarning(UserWarning):
    """Training finished but not as asked (e.g. the corpus ran out of pairs before the vocabulary size)."""


class WriteError(TokenforgeError, OSError):
    """A file could not be written (missing directory, no permission, disk full); `path` names the file the
    caller asked for, never a temp file. Also an `OSError`, so code catching OS errors keeps working."""

    def __init__(self, path: object, fault: str):
        self.path = str(path)
        self.fault = fault
        OSError.__init__(self, f"{self.path}: {fault}")
        self.filename = self.path

    def __str__(self) -> str:
        return f"{self.path}: {self.fault}"


class CorpusError(TokenforgeError, ValueError):
    """Training text could not be read: a missing file, bad UTF-8 under errors='strict', a bad JSON line, ...

    `path`, `line` (1-based) and `offset` (byte offset in the decompressed stream) locate the fault when known;
    the message names them too, so a CLI can print it as one line.
    """

    def __init__(self, fault: str, path: object = None, line: "int | None" = None, offset: "int | None" = None):
        self.fault = fault
        self.path = None if path is None else str(path)
        self.line = line
        self.offset = offset
        where = []
        if line is not None:
            where.append(f"line {line}")
        if offset is not None:
            where.append(f"byte offset {offset}")
        prefix = "" if self.path is None else f"{self.path}: "
        if where:
            prefix += ", ".join(where) + ": "
        super().__init__(prefix + fault)

    def __reduce__(self):  # keep the fields when the error crosses a process boundary (Ray, multiprocessing)
        return (type(self), (self.fault, self.path, self.line, self.offset))


class CorpusWarning(UserWarning):
    """Input that was repaired or skipped by policy (errors="replace"/"skip"); one warning per file."""


class MissingDependencyError(TokenforgeError, ImportError):
    """An optional feature needs a package that is not installed; the message names it and the extra to install."""
