"""Every `python` block of the README runs as a doctest, in a fresh folder holding `examples/` and OpenAI's
`cl100k_base.tiktoken` (from the shared data), so the README cannot drift from what the code does."""

from __future__ import annotations

import doctest
import os
import re
import shutil
import subprocess
import sys

import pytest

import tokenforge

from conftest import ROOT, TOKENIZERS


def readme_python_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_readme_has_python_examples():
    blocks = readme_python_blocks()
    assert blocks and all(">>> " in b for b in blocks), "README python blocks are written as doctests"


@pytest.mark.parametrize("index", range(len(readme_python_blocks())))
def test_readme_python_block_runs(index, tmp_path, monkeypatch):
    rank_file = TOKENIZERS / "cl100k_base.tiktoken"
    if not rank_file.exists():
        pytest.skip(f"{rank_file} not found")
    shutil.copy(rank_file, tmp_path / "cl100k_base.tiktoken")  # recognised by its hash: no sidecar needed
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    block = readme_python_blocks()[index]
    test = doctest.DocTestParser().get_doctest(block, {}, f"README.md python block {index + 1}", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    out: list[str] = []
    runner.run(test, out=out.append)
    assert runner.failures == 0, "".join(out)


def readme_bash_blocks() -> list[str]:
    """The `bash` blocks after the first (the first is the set-up pair, run by test_readme_main_job)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)[1:]


def test_readme_cli_block_runs(tmp_path):
    blocks = readme_bash_blocks()
    assert blocks, "the README shows the CLI in a bash block"
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    here = os.path.dirname(os.path.dirname(tokenforge.__file__))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([here, os.environ.get("PYTHONPATH", "")]))
    # `tokenforge` as the entry point of this very interpreter, whatever is on PATH.
    shim = tmp_path / "bin" / "tokenforge"
    shim.parent.mkdir()
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} -m tokenforge.cli \"$@\"\n")
    shim.chmod(0o755)
    env["PATH"] = f"{shim.parent}{os.pathsep}{env['PATH']}"
    for block in blocks:
        for line in (ln for ln in block.splitlines() if ln.strip()):
            done = subprocess.run(["bash", "-o", "pipefail", "-c", line], cwd=tmp_path, env=env, capture_output=True,
                                  text=True, timeout=300)
            assert done.returncode == 0, (line, done.stderr)
            assert "error" not in done.stderr.lower(), (line, done.stderr)
    assert (tmp_path / "udhr-bpe.tiktoken.json").exists() and (tmp_path / "report" / "report.html").exists()
