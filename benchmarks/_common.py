"""What every benchmark shares: where the data is, how a figure is timed, which machine it ran on, how a corpus is
read and how the results are written.

The benchmarks run as scripts from the project root (`python benchmarks/bench_x.py`); Python puts a script's own
folder first on `sys.path`, so `from _common import ...` finds this file without anyone editing `sys.path`.

Only light standard modules are imported here at module level (tokenforge and importlib.metadata only inside the
functions that need them): bench_train's children import this module too, and each of them measures the memory of
its own library.
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, NamedTuple

# ---------------------------------------------------------------- paths

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "benchmarks" / "results"


def data_dir() -> Path:
    """The shared data: $TOKENFORGE_SHARED_DATA when set, else `../shared/data` beside the project (as in
    tests/conftest.py)."""
    return Path(os.environ.get("TOKENFORGE_SHARED_DATA") or ROOT.parent / "shared" / "data")


DATA = data_dir()
CORPUS_DIR = DATA / "corpora"
TOKENIZER_DIR = DATA / "tokenizers"
UDHR_DIR = DATA / "parallel" / "udhr"


def corpus_path(name: str) -> Path:
    """`corpora/<name>.txt.gz` in the shared data."""
    return CORPUS_DIR / f"{name}.txt.gz"


def results_path(name: str) -> Path:
    """`benchmarks/results/<name>.json`: where a benchmark keeps its recorded results."""
    return RESULTS_DIR / f"{name}.json"


# ---------------------------------------------------------------- timing

MB = 10**6  # throughput is in MB of UTF-8 per second, 1 MB = 10**6 bytes


class Timing(NamedTuple):
    """The median wall time of the timed runs and every run's time, in seconds."""

    median: float
    runs: list[float]

    def as_dict(self) -> dict:
        """`{"median_s": ..., "runs_s": [...]}`, as the results files record a timing."""
        return {"median_s": self.median, "runs_s": self.runs}


def median_time(fn: Callable[[], object], repeats: int = 5, warmup: int = 1) -> Timing:
    """Calls `fn` `warmup` times untimed, then `repeats` times timed (5 by default: a median needs a few runs to
    shrug off one slow one); returns the median and every run's wall time."""
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, not {repeats}")
    for _ in range(warmup):
        fn()
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return Timing(statistics.median(runs), runs)


def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    """One call of `fn(*args, **kwargs)`: its wall time in seconds and its result (for benchmarks that interleave
    their peers' runs and take the medians themselves)."""
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - start, out


def mb_per_s(n_bytes: int, seconds: float) -> float:
    return n_bytes / MB / seconds


# ---------------------------------------------------------------- machine facts

PACKAGES = ("tokenforge", "tiktoken", "tokenizers", "sentencepiece")
# Thread settings that change the figures; every OPENBLAS_* variable set is recorded too.
ENV_VARS = ("RAYON_NUM_THREADS", "TOKENIZERS_PARALLELISM", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask), else the machine's count."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def loadavg() -> list[float] | None:
    return list(os.getloadavg()) if hasattr(os, "getloadavg") else None


def package_versions(*names: str) -> dict[str, str | None]:
    """Installed version of each distribution (None where it is not installed), read from the package metadata
    without importing anything."""
    import importlib.metadata  # here, not above: it pulls in email, zipfile, csv ... (bench_train's children)

    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _first_field(path: str, key: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip()


def machine_info(*extra_packages: str) -> dict:
    """What the figures depend on: CPU model and counts, memory, platform, Python, the versions of tokenforge and
    its peers (tiktoken, tokenizers, sentencepiece, plus `extra_packages`) where installed, which tokenforge
    (path, git commit, uncommitted changes), the thread environment variables and the load average at the start."""
    import importlib.util

    mem_kib = _first_field("/proc/meminfo", "MemTotal")
    spec = importlib.util.find_spec("tokenforge")
    commit = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain") if commit else None
    env_vars = sorted({*ENV_VARS, *(k for k in os.environ if k.startswith("OPENBLAS"))})
    return {
        "cpu_model": _first_field("/proc/cpuinfo", "model name") or platform.processor() or None,
        "cpu_count": os.cpu_count(),
        "usable_cpus": usable_cpus(),
        "mem_total_gib": int(mem_kib.split()[0]) / (1 << 20) if mem_kib else None,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "loadavg_start": loadavg(),
        "versions": package_versions(*PACKAGES, *extra_packages),
        "tokenforge_path": str(Path(spec.origin).resolve().parent) if spec and spec.origin else None,
        "git_commit": commit,
        "git_dirty": None if status is None else bool(status),
        "env": {k: os.environ.get(k) for k in env_vars},
    }


# ---------------------------------------------------------------- corpus readers
# A source is a corpus name (str: `corpora/<name>.txt.gz` in the shared data) or a Path (.gz or plain UTF-8 text).
# Sizes are decompressed bytes; invalid UTF-8 is replaced (en-gcide holds 3 such bytes; the data README says so).

LINES_PER_DOC = 200


def _open_binary(source: str | Path):
    path = corpus_path(source) if isinstance(source, str) else Path(source)
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def read_corpus(source: str | Path, max_bytes: int | None = None) -> str:
    """The whole text, or its first `max_bytes` decompressed bytes."""
    with _open_binary(source) as f:
        raw = f.read() if max_bytes is None else f.read(max_bytes)
    return raw.decode("utf-8", errors="replace")


def iter_sized_lines(source: str | Path) -> Iterator[tuple[str, int]]:
    """Each line (split at "\\n", which it keeps) with its size in decompressed bytes, streamed."""
    with _open_binary(source) as f:
        for raw in f:
            yield raw.decode("utf-8", errors="replace"), len(raw)


def iter_lines(source: str | Path) -> Iterator[str]:
    """Each line (split at "\\n", which it keeps), streamed."""
    for line, _ in iter_sized_lines(source):
        yield line


def head_lines(source: str | Path, max_bytes: int) -> list[str]:
    """Lines from the start until `max_bytes` decompressed bytes have been read (the line that reaches it included)."""
    out, size = [], 0
    for line, n in iter_sized_lines(source):
        out.append(line)
        size += n
        if size >= max_bytes:
            break
    return out


def tail_text(source: str | Path, max_bytes: int) -> str:
    """The last `max_bytes` decompressed bytes after their first newline (so it starts at a line start)."""
    with _open_binary(source) as f:
        tail = f.read()[-max_bytes:]
    return tail[tail.find(b"\n") + 1 :].decode("utf-8", errors="replace")


def chunk_lines(lines: list[str], lines_per_doc: int = LINES_PER_DOC) -> list[str]:
    """Consecutive lines joined into documents of `lines_per_doc` lines (the last one shorter)."""
    return ["".join(lines[i : i + lines_per_doc]) for i in range(0, len(lines), lines_per_doc)]


def split_docs(text: str, lines_per_doc: int = LINES_PER_DOC) -> list[str]:
    """The text cut into documents of `lines_per_doc` lines (`str.splitlines`, line ends kept)."""
    return chunk_lines(text.splitlines(keepends=True), lines_per_doc)


def iter_docs(source: str | Path, lines_per_doc: int = LINES_PER_DOC) -> Iterator[str]:
    """`split_docs` streamed from a file (lines split at "\\n"), never holding the whole text."""
    buf: list[str] = []
    for line in iter_lines(source):
        buf.append(line)
        if len(buf) == lines_per_doc:
            yield "".join(buf)
            buf = []
    if buf:
        yield "".join(buf)


def udhr_docs(required_articles: Iterable[int] = ()) -> dict[str, dict]:
    """The UDHR translations (`parallel/udhr/<lang>.json`: bcp47, articles by number as strings, ...) by file stem,
    sorted, keeping those that have every one of `required_articles`."""
    needed = [str(i) for i in required_articles]
    docs = {}
    for path in sorted(UDHR_DIR.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if all(k in doc["articles"] for k in needed):
            docs[path.stem] = doc
    return docs


# ---------------------------------------------------------------- results

def write_results(path: str | Path, data: Any, *, indent: int = 1) -> None:
    """Writes `data` as JSON (UTF-8, a final newline) to `path` atomically with tokenforge's writer, so that an
    interrupted run leaves the recorded results as they were; creates the folder if needed."""
    from tokenforge.util.atomic import atomic_write

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as f:
        json.dump(data, f, indent=indent, ensure_ascii=False)
        f.write("\n")


def command_line() -> str:
    """This run's command line, as the results record it."""
    return " ".join([sys.executable, *sys.argv])
