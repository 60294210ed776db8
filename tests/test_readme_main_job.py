"""The README's first command is the product in one line (train, then evaluate against the bundled reference and
write the report). Run it as written — everything after `pip install .` — in a fresh folder that only has the
repository's `examples/`."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import tokenforge
from tokenforge.reports import read_json

from conftest import ROOT


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, flags=re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_two_commands_at_the_top():
    first, second = readme_commands()
    assert first.startswith("pip install . && ")
    assert second == 'pip install -e ".[test]" && python -m pytest -q'


def test_main_job_writes_the_report(tmp_path):
    first = readme_commands()[0]
    steps = first.split(" && ")
    assert steps[0] == "pip install ."
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    here = os.path.dirname(os.path.dirname(tokenforge.__file__))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([here, os.environ.get("PYTHONPATH", "")]))
    for step in steps[1:]:
        argv = shlex.split(step)
        assert argv[0] == "tokenforge"
        done = subprocess.run([sys.executable, "-m", "tokenforge.cli", *argv[1:]], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, (step, done.stderr)
    report = read_json(tmp_path / "report" / "report.json")
    assert [t["name"] for t in report["tokenizers"]] == ["udhr-bpe", "gpt2-small"]
    assert report["parity"] is not None and "eng" in report["parity"]["languages"]
    page = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert "<svg" in page and "Tokenizer evaluation" in page
