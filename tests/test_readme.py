"""Every `python` block of the README runs as a doctest, in a fresh folder holding `examples/` and OpenAI's
`cl100k_base.tiktoken` (from the shared data), so the README cannot drift from what the code does."""

from __future__ import annotations

import doctest
import re
import shutil

import pytest

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
