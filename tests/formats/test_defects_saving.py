"""Regression tests for issue 13's saving defects.

1. A tiktoken save wrote its sidecar as NAME.json, destroying a tokenizer.json of the same stem; an output could
   be an input (`train c.txt -o c.txt`). Sidecars are now NAME.tiktoken.json (NAME.json still read), an existing
   non-sidecar file is never overwritten, and the CLI refuses an output that is one of its inputs.
2. The rank file and its sidecar are two renames: the sidecar now records the rank file's SHA-256 and load refuses
   a pair that disagrees; temp files of killed writers are removed by the next write of the same path.
8. `tokenforge train` found an impossible output format only after training; it is now refused up front, by the
   same rule table `save` applies (`formats.check_format_for`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
import warnings

import pytest

import tokenforge
from tokenforge import cli
from tokenforge.corpus import Texts
from tokenforge.errors import ConfigError, FormatError, TokenforgeError, UnsupportedFeatureError, WriteError
from tokenforge.formats.writing import check_format_for
from tokenforge.util.output_paths import check_output_not_input

from conftest import ROOT, TOKENIZERS, needs_shared

EXAMPLES = ROOT / "examples"
UDHR_EN = EXAMPLES / "udhr-en.txt"


def run(capsys, argv):
    """cli.main(argv); returns (status, stdout, stderr)."""
    try:
        status = cli.main([str(a) for a in argv])
    except SystemExit as exc:
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def small():
    """A byte-level BPE trained here, savable in every format."""
    return tokenforge.train(Texts([UDHR_EN.read_text(encoding="utf-8")]), vocab_size=300, progress=False)


@pytest.fixture()
def hf_json(tmp_path, small):
    """An HF tokenizer.json at tmp/m.json, and its bytes."""
    path = tmp_path / "m.json"
    small.save(path)
    return path, path.read_bytes()


# -- 1. the sidecar never overwrites a file of the same stem ---------------------------------------------------------


def test_python_save_tiktoken_keeps_the_tokenizer_json_of_the_same_stem(tmp_path, hf_json):
    path, before = hf_json
    tok = tokenforge.load(path)
    tok.save(tmp_path / "m.tiktoken")
    assert path.read_bytes() == before  # was overwritten by the sidecar
    sidecar = json.loads((tmp_path / "m.tiktoken.json").read_text(encoding="utf-8"))
    assert sidecar["pat_str"] == tok.pretokenizer.pattern
    again = tokenforge.load(tmp_path / "m.tiktoken")
    assert again.encode("Everyone has the right to life.") == tok.encode("Everyone has the right to life.")
    assert tokenforge.load(path).vocab_size == tok.vocab_size  # m.json is still the HF tokenizer


def test_cli_convert_keeps_the_input_json_of_the_same_stem(capsys, tmp_path, hf_json):
    path, before = hf_json
    status, _, err = run(capsys, ["convert", path, tmp_path / "m.tiktoken"])
    assert status == 0, err
    assert path.read_bytes() == before
    assert (tmp_path / "m.tiktoken.json").exists()


def test_cli_train_tiktoken_keeps_an_existing_json_of_the_same_stem(capsys, tmp_path, hf_json):
    path, before = hf_json
    status, _, err = run(capsys, ["train", UDHR_EN, "--vocab-size", 280, "-q", "-o", tmp_path / "m.tiktoken"])
    assert status == 0, err
    assert path.read_bytes() == before
    assert tokenforge.load(tmp_path / "m.tiktoken").vocab_size == 280


def test_old_sidecar_layout_still_loads(tmp_path):
    """The bundled example keeps the old NAME.json layout."""
    shutil.copy(EXAMPLES / "gpt2-small.tiktoken", tmp_path / "old.tiktoken")
    shutil.copy(EXAMPLES / "gpt2-small.json", tmp_path / "old.json")
    assert tokenforge.load(tmp_path / "old.tiktoken").special_tokens == {"<|endoftext|>": 4096}


@needs_shared
def test_metas_sidecar_layout_loads():
    hub = TOKENIZERS / "hub"
    if not (hub / "llama3-tiktoken.json").exists():
        pytest.skip("no llama3-tiktoken in the shared data")
    tok = tokenforge.load(hub / "llama3-tiktoken.tiktoken")
    assert "<|begin_of_text|>" in tok.special_tokens


def test_new_sidecar_wins_over_the_old_one(tmp_path, small):
    small.save(tmp_path / "m.tiktoken")
    (tmp_path / "m.json").write_text(json.dumps({"pat_str": r"\S+", "special_tokens": {"<old>": 9999}}))
    assert "<old>" not in tokenforge.load(tmp_path / "m.tiktoken").special_tokens


def test_an_old_name_holding_a_tokenizer_json_is_not_taken_for_a_sidecar(tmp_path, hf_json):
    """`convert cl100k_base.tiktoken cl100k_base.json` leaves such a pair; the rank file must still load."""
    path, _ = hf_json
    shutil.copy(EXAMPLES / "gpt2-small.tiktoken", tmp_path / "m.tiktoken")
    with pytest.raises(FormatError, match=r"m\.tiktoken\.json"):  # not a known encoding: asks for a sidecar
        tokenforge.load(tmp_path / "m.tiktoken")
    tok = tokenforge.load(tmp_path / "m.tiktoken", pattern=r"\S+")
    assert tok.vocab_size == 4096


def test_save_refuses_to_overwrite_a_non_sidecar_at_the_sidecar_path(tmp_path, small):
    other = tmp_path / "m.tiktoken.json"
    other.write_text('{"model": {"type": "BPE"}}')
    with pytest.raises(WriteError, match=r"refusing to overwrite .*m\.tiktoken\.json"):
        small.save(tmp_path / "m.tiktoken")
    assert other.read_text() == '{"model": {"type": "BPE"}}'
    assert not (tmp_path / "m.tiktoken").exists()


def test_cli_train_refuses_a_non_sidecar_at_the_sidecar_path_before_training(capsys, tmp_path, monkeypatch):
    other = tmp_path / "m.tiktoken.json"
    other.write_text("my notes")
    monkeypatch.setattr("tokenforge.training.train", _no_training)
    status, _, err = run(capsys, ["train", UDHR_EN, "--vocab-size", 300, "-o", tmp_path / "m.tiktoken"])
    assert status == 2 and "m.tiktoken.json" in err and "not a tiktoken sidecar" in err
    assert other.read_text() == "my notes"


def _no_training(*args, **kwargs):
    raise AssertionError("training started before the output was checked")


# -- 1. an output is never an input ---------------------------------------------------------------------------------


def test_cli_train_refuses_to_write_over_its_corpus(capsys, tmp_path, monkeypatch):
    corpus = tmp_path / "c.txt"
    shutil.copy(UDHR_EN, corpus)
    monkeypatch.setattr("tokenforge.training.train", _no_training)
    status, _, err = run(capsys, ["train", corpus, "--vocab-size", 300, "-o", corpus])
    assert status == 2 and "would overwrite the input" in err and str(corpus) in err
    assert corpus.read_bytes() == UDHR_EN.read_bytes()


@pytest.mark.parametrize("how", ["directory", "glob", "symlink"])
def test_cli_train_compares_resolved_corpus_files(capsys, tmp_path, monkeypatch, how):
    data = tmp_path / "data"
    data.mkdir()
    corpus = data / "c.txt"
    shutil.copy(UDHR_EN, corpus)
    output = corpus
    given = {"directory": data, "glob": data / "*.txt", "symlink": corpus}[how]
    if how == "symlink":
        output = tmp_path / "link.txt"
        output.symlink_to(corpus)
    monkeypatch.setattr("tokenforge.training.train", _no_training)
    status, _, err = run(capsys, ["train", given, "--vocab-size", 300, "-o", output])
    assert status == 2 and "would overwrite the input" in err, err
    assert corpus.read_bytes() == UDHR_EN.read_bytes()


def test_cli_train_refuses_a_tiktoken_sidecar_over_the_corpus(capsys, tmp_path, monkeypatch):
    corpus = tmp_path / "c.tiktoken.json"  # a JSON-named file read as plain text
    corpus.write_text(UDHR_EN.read_text(encoding="utf-8"))
    monkeypatch.setattr("tokenforge.training.train", _no_training)
    status, _, err = run(capsys, ["train", corpus, "--vocab-size", 300, "-o", tmp_path / "c.tiktoken"])
    assert status == 2 and "sidecar" in err and "would overwrite the input" in err


def test_cli_train_refuses_to_write_over_its_base_or_parity_inputs(capsys, tmp_path, monkeypatch, small):
    base = tmp_path / "base.json"
    small.save(base)
    monkeypatch.setattr("tokenforge.training.train", _no_training)
    status, _, err = run(capsys, ["train", UDHR_EN, "--base", base, "--vocab-size", 400, "-o", base])
    assert status == 2 and "would overwrite the input" in err
    dev = tmp_path / "en.dev.txt"
    shutil.copy(UDHR_EN, dev)
    status, _, err = run(capsys, ["train", "--model", "parity", "--lang-corpus", f"en={UDHR_EN}", "--dev",
                                  f"en={dev}", "--vocab-size", 300, "-o", dev])
    assert status == 2 and "would overwrite the input" in err and str(dev) in err
    assert dev.read_bytes() == UDHR_EN.read_bytes()


def test_cli_convert_refuses_input_as_output(capsys, tmp_path, hf_json, small):
    path, before = hf_json
    status, _, err = run(capsys, ["convert", path, path])
    assert status == 2 and "would overwrite the input" in err
    assert path.read_bytes() == before
    small.save(tmp_path / "r.tiktoken")
    sidecar = (tmp_path / "r.tiktoken.json").read_bytes()
    status, _, err = run(capsys, ["convert", tmp_path / "r.tiktoken", tmp_path / "r.tiktoken.json"])
    assert status == 2 and "would overwrite the input" in err  # the input's own sidecar
    assert (tmp_path / "r.tiktoken.json").read_bytes() == sidecar


def test_check_output_not_input(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("x")
    check_output_not_input(b, [a])
    with pytest.raises(ConfigError, match="would overwrite the input"):
        check_output_not_input(tmp_path / "." / "a.txt", [a])
    with pytest.raises(ConfigError, match="sidecar"):
        check_output_not_input(tmp_path / "a", [a], sidecar=a)
    os.link(a, tmp_path / "hard.txt")
    with pytest.raises(ConfigError):
        check_output_not_input(tmp_path / "hard.txt", [a])


# -- 2. the rank file and its sidecar are a detectable pair ---------------------------------------------------------


def test_sidecar_records_the_rank_files_sha256(tmp_path, small):
    small.save(tmp_path / "m.tiktoken")
    meta = json.loads((tmp_path / "m.tiktoken.json").read_text(encoding="utf-8"))
    assert meta["rank_file_sha256"] == hashlib.sha256((tmp_path / "m.tiktoken").read_bytes()).hexdigest()


def test_a_sidecar_of_another_rank_file_is_refused(tmp_path, small):
    small.save(tmp_path / "m.tiktoken")
    other = tokenforge.train(Texts(["another corpus entirely, another corpus"] * 50), vocab_size=270,
                             special_tokens=["<|other|>"], progress=False)
    other.save(tmp_path / "n.tiktoken")
    shutil.copy(tmp_path / "n.tiktoken.json", tmp_path / "m.tiktoken.json")  # new sidecar beside old ranks
    with pytest.raises(FormatError) as info:
        tokenforge.load(tmp_path / "m.tiktoken")
    message = str(info.value)
    assert str(tmp_path / "m.tiktoken") in message and str(tmp_path / "m.tiktoken.json") in message
    assert "does not belong to this rank file" in message and "interrupted save" in message


KILLED_SAVE = textwrap.dedent("""
    import os, signal, sys
    import tokenforge
    from tokenforge.util import atomic
    real = os.replace

    def replace(src, dst):
        if dst.endswith(".tiktoken"):  # the sidecar is in place; die before the rank file is
            os.kill(os.getpid(), signal.SIGKILL)
        real(src, dst)

    atomic.os.replace = replace
    tokenforge.load(sys.argv[1]).save(sys.argv[2])
""")


def test_save_killed_between_the_two_files_is_detected_and_its_temp_file_cleaned(tmp_path, small):
    target = tmp_path / "m.tiktoken"
    small.save(target)
    old_ranks = target.read_bytes()
    child = subprocess.run([sys.executable, "-c", KILLED_SAVE, str(EXAMPLES / "gpt2-small.tiktoken"), str(target)],
                           capture_output=True)
    assert child.returncode == -9, child.stderr.decode()
    assert target.read_bytes() == old_ranks  # old ranks, new sidecar
    with pytest.raises(FormatError, match="interrupted save"):
        tokenforge.load(target)
    litter = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(litter) == 1 and litter[0].startswith(".m.tiktoken.") and ".tiktoken.json." not in litter[0]
    small.save(target)  # the next save of the same path removes the dead writer's temp file
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert tokenforge.load(target).vocab_size == small.vocab_size


def test_old_sidecars_without_the_digest_still_load(tmp_path, small):
    small.save(tmp_path / "m.tiktoken")
    meta = json.loads((tmp_path / "m.tiktoken.json").read_text(encoding="utf-8"))
    del meta["rank_file_sha256"]
    (tmp_path / "m.tiktoken.json").write_text(json.dumps(meta), encoding="utf-8")
    assert tokenforge.load(tmp_path / "m.tiktoken").vocab_size == small.vocab_size


@pytest.mark.parametrize("had_sidecar", [True, False])
def test_failed_rank_write_puts_the_sidecar_back(tmp_path, small, monkeypatch, had_sidecar):
    target = tmp_path / "m.tiktoken"
    if had_sidecar:
        small.save(target)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    from tokenforge.util import atomic

    real = atomic.os.replace

    def replace(src, dst):
        if dst.endswith(".tiktoken"):
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    other = tokenforge.train(Texts(["something else " * 20]), vocab_size=266, progress=False)
    with pytest.raises(OSError, match="No space left"):
        other.save(target)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_temp_files_of_dead_writers_are_removed_on_the_next_write(tmp_path, small):
    target = tmp_path / "m.json"
    dead = tmp_path / f".m.json.{_dead_pid()}.abc_1234.tmp"
    live = tmp_path / f".m.json.{os.getppid()}.abcd1234.tmp"  # our parent is alive: its write may be in progress
    old_style_old = tmp_path / ".m.json.zz9_ab12.tmp"
    old_style_new = tmp_path / ".m.json.yy8_cd34.tmp"
    not_ours = tmp_path / f".m.json.bak.{_dead_pid()}.abcd1234.tmp"  # a temp file of m.json.bak
    for p in (dead, live, old_style_old, old_style_new, not_ours):
        p.write_text("half a tokenizer")
    hour_ago = time.time() - 2 * 3600
    os.utime(old_style_old, (hour_ago, hour_ago))
    small.save(target)
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp"))
    assert left == sorted(p.name for p in (live, old_style_new, not_ours))


def test_temp_file_names_carry_the_writers_pid(tmp_path, monkeypatch):
    from tokenforge.util import atomic

    seen = []
    real = atomic.os.replace
    monkeypatch.setattr(atomic.os, "replace", lambda src, dst: (seen.append(os.path.basename(src)), real(src, dst)))
    with atomic.atomic_write(tmp_path / "f.txt") as f:
        f.write("x")
    assert len(seen) == 1 and seen[0].startswith(f".f.txt.{os.getpid()}.") and seen[0].endswith(".tmp")


# -- 8. the output format is checked before training ---------------------------------------------------------------


@pytest.mark.parametrize("argv, fragment", [
    (["--model", "boundless", "-o", "x.json"], "save as .tokenforge.json"),
    (["--model", "boundless", "--format", "tiktoken", "-o", "x.bin"], "save as .tokenforge.json"),
    (["--char-level", "-o", "x.tiktoken"], "save a char-level model as tokenizer.json"),
    (["--normalizer", "nfc", "-o", "x.tiktoken"], "tiktoken has no normalizer; save as tokenizer.json"),
    (["--pattern", "none", "-o", "x.tiktoken"], "tiktoken needs a pre-tokenizer pattern"),
    (["--model", "unigram", "-o", "x.tiktoken"], "save it as .tokenforge.json"),
    (["--model", "wordpiece", "-o", "x.tiktoken"], "save it as .tokenforge.json"),
    (["--model", "pathpiece", "-o", "x.json"], "(.tokenforge.json) instead"),
    (["--model", "pathpiece", "-o", "x.tiktoken"], "save it as .tokenforge.json"),
    (["--model", "lib", "--format", "tiktoken", "-o", "x.tiktoken"], "saves only as tokenforge JSON"),
    (["--model", "mwt", "--format", "hf", "-o", "x.json"], "saves only as tokenforge JSON"),
])
def test_cli_train_refuses_an_impossible_output_before_training(capsys, tmp_path, monkeypatch, argv, fragment):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("tokenforge.training.train", _no_training)
    start = time.perf_counter()
    status, _, err = run(capsys, ["train", UDHR_EN, "--vocab-size", 300, *argv])
    assert status == 2, err
    assert fragment in err, err
    assert time.perf_counter() - start < 5
    assert list(tmp_path.iterdir()) == []


def _trained(model):
    text = UDHR_EN.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    half = len(lines) // 2
    kw = {"mwt": {"mwt_k": 20}, "parity": {"dev": {"en": Texts(lines[:10]), "fr": Texts(lines[half:half + 10])}},
          "lib": {"max_sentences": 200}}.get(model, {})
    corpus = {"en": Texts(lines[:half]), "fr": Texts(lines[half:])} if model == "parity" else Texts(lines)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tokenforge.train(corpus, model=model, vocab_size=400, progress=False, **kw)


@pytest.mark.parametrize("model", ["bpe", "superbpe", "boundless", "parity", "unigram", "pathpiece", "wordpiece",
                                   "mwt", "supertokens", "lib"])
def test_the_pre_check_agrees_with_save(tmp_path, model):
    """The CLI asks `check_format_for(model, ...)` before training; what it says must be what save then does."""
    tok = _trained(model)
    for name, fmt in [("a.json", None), ("b.tiktoken", None), ("c.tokenforge.json", None), ("d.json", "hf"),
                      ("e.tiktoken", "tiktoken"), ("f.json", "tokenforge")]:
        path = tmp_path / name
        try:
            check_format_for(model, path, fmt)
            predicted = None
        except TokenforgeError as exc:
            predicted = str(exc)
        try:
            tok.save(path, fmt)
            actual = None
        except TokenforgeError as exc:
            actual = str(exc)
        assert predicted == actual, (model, name, fmt)
        assert (predicted is None) == path.exists()


def test_check_format_for_options():
    assert check_format_for("bpe", "x.tiktoken") == "tiktoken"
    assert check_format_for("bpe", "x.bin", "tiktoken") == "tiktoken"
    assert check_format_for("boundless", "x.tokenforge.json") == "tokenforge"
    with pytest.raises(UnsupportedFeatureError, match="char-level"):
        check_format_for("superbpe", "x.tiktoken", char_level=True)
    with pytest.raises(ConfigError, match="unknown format"):
        check_format_for("bpe", "x.json", "yaml")
