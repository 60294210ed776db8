"""SentencePiece `.model` import, held to the `sentencepiece` library itself.

Ids must be identical to `sentencepiece`'s on every shared corpus and all 53 UDHR languages, for the shared Mistral
model (BPE, identity normalizer, byte fallback) and for BPE models trained here with `sentencepiece` (the default
nmt_nfkc charsmap; byte fallback; user-defined symbols with nfkc_cf and kept whitespace; whitespace as suffix).
Decoding must equal SP's decode of the same ids. The native path is also held to its pure-Python twins
(`reference.spm_normalize`, `reference.spm_bpe`), and our protobuf reader to the protobuf library's parse.
"""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tokenforge
from tokenforge import FormatError, TokenforgeError, UnsupportedFeatureError
from tokenforge.formats.sentencepiece.model import parse_model
from tokenforge.reference import spm_bpe

from conftest import CORPORA, TOKENIZERS, needs_shared, read_corpus, udhr_texts

spm = pytest.importorskip("sentencepiece")

MISTRAL = TOKENIZERS / "mistral-v1.sentencepiece.model"

# name -> options for SentencePieceTrainer (all BPE; trained on the UDHR in every language + some Rust docs)
TRAINED = {
    "bpe-nmt-nfkc": dict(model_type="bpe", vocab_size=3000),
    "bpe-byte-fallback": dict(model_type="bpe", vocab_size=3000, byte_fallback=True),
    "bpe-user-symbols": dict(model_type="bpe", vocab_size=3000, user_defined_symbols=["<sep>", "fn ", "::"],
                             normalization_rule_name="nfkc_cf", remove_extra_whitespaces=False),
    "bpe-suffix": dict(model_type="bpe", vocab_size=3000, treat_whitespace_as_suffix=True, byte_fallback=True),
}

EDGES = [
    " ", "  ", "\t", "\n", "\r\n", "\x00", "\xa0", "\u3000", "\u200b", "\u200d", "\ufeff", "\u2581", "\u2581\u2581",
    "e\u0301", "\uff21\uff22", "\u2460", "\ufb01", "\u00bd", "\u1e9b\u0323", "\U0001f469\u200d\U0001f469\u200d\U0001f467",
    "\u05e9\u05dc\u05d5\u05dd", "\u0627\u0644\u0633\u0644\u0627\u0645", "<s>", "</s>", "<unk>", "<sep>", "fn ", "::",
    "<0x41>", "123456", "\u0663\u0664", "\U0010ffff", "\ufffd", "\u2047", "ǅ", "ß", "İ",
]
edge_text = st.lists(
    st.one_of(st.sampled_from(EDGES), st.characters(exclude_categories=("Cs",)), st.text(max_size=4)),
    max_size=30,
).map("".join)



@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """name -> path of a .model trained here by `sentencepiece` (small vocab, on a slice of the shared data)."""
    udhr = udhr_texts()
    rust = read_corpus(CORPORA / "en-rustdocs.txt.gz")[:300_000]
    lines = "\n".join([*udhr.values(), rust]).split("\n")
    folder = tmp_path_factory.mktemp("spm")
    paths = {}
    for name, options in TRAINED.items():
        buf = io.BytesIO()
        spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=buf, character_coverage=0.995,
                                       num_threads=1, minloglevel=2, **options)
        paths[name] = folder / f"{name}.model"
        paths[name].write_bytes(buf.getvalue())
    return paths


@pytest.fixture(scope="module")
def models(trained):
    """name -> (ours, theirs)."""
    out = {}
    for name, path in {"mistral": MISTRAL, **trained}.items():
        out[name] = (tokenforge.load(path), spm.SentencePieceProcessor(model_file=str(path)))
    return out


ALL = ["mistral", *TRAINED]

pytestmark = needs_shared


def first_difference(a: list[int], b: list[int]) -> str:
    k = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"first difference at id #{k}: ours {a[k:k + 6]} vs sentencepiece {b[k:k + 6]}"


# -- ids identical to sentencepiece's ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_udhr_all_languages(models, name):
    ours, theirs = models[name]
    texts = udhr_texts()
    assert len(texts) == 53
    for lang, text in texts.items():
        ids = ours.encode(text)
        expected = theirs.encode(text)
        assert ids == expected, f"{name} / {lang}: {first_difference(ids, expected)}"
        assert ours.decode(ids) == theirs.decode(expected), f"{name} / {lang}: decode differs"


def corpus_blocks(text: str, size: int = 1 << 16) -> list[str]:
    """Blocks of about `size` characters cut after a newline: big enough to exercise long inputs, small enough
    for sentencepiece to encode quickly."""
    blocks, i = [], 0
    while i < len(text):
        j = text.find("\n", i + size)
        j = len(text) if j < 0 else j + 1
        blocks.append(text[i:j])
        i = j
    return blocks


@pytest.mark.parametrize("name", ["mistral", "bpe-nmt-nfkc", "bpe-byte-fallback"])
@pytest.mark.parametrize("corpus", ["en-gcide", "en-rustdocs"])
def test_whole_corpora(models, name, corpus):
    """Every block of both corpora for the Mistral model, every fourth block for the trained ones: sentencepiece
    itself takes most of the time here (a full pass for all three models is 40-90 s on two busy cores)."""
    ours, theirs = models[name]
    blocks = corpus_blocks(read_corpus(CORPORA / f"{corpus}.txt.gz"))
    if name != "mistral":
        blocks = blocks[::4]
    got = ours.encode_batch(blocks)
    expected = theirs.encode(blocks, num_threads=2)
    for k, (a, b) in enumerate(zip(got, expected)):
        assert a == b, f"{name} / {corpus} block {k}: {first_difference(a, b)}"
    assert len(got) == len(expected)


@pytest.mark.parametrize("name", ALL)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=edge_text)
def test_generated_text_matches_sentencepiece(models, name, text):
    ours, theirs = models[name]
    ids = ours.encode(text)
    assert ids == theirs.encode(text)
    assert ours.decode(ids) == theirs.decode(ids)
    assert ours.count(text) == len(ids)


@pytest.mark.parametrize("name", ALL)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ids=st.lists(st.integers(0, 2999), max_size=40))
def test_decode_of_any_ids_matches_sentencepiece(models, name, ids):
    """Arbitrary id sequences, including control, unknown and byte pieces that do not form UTF-8."""
    ours, theirs = models[name]
    assert ours.decode(ids) == theirs.decode(ids)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=edge_text)
def test_mistral_round_trip_is_lossless(models, text):
    """An identity normalizer with byte fallback and no whitespace removal loses nothing, except that a literal
    U+2581 in the text comes back as a space (SentencePiece's own decoder does the same)."""
    ours, theirs = models["mistral"]
    assert ours.decode(ours.encode(text)) == text.replace("\u2581", " ")
    assert theirs.decode(theirs.encode(text)) == text.replace("\u2581", " ")


def test_control_pieces_are_text_unless_allowed(models):
    ours, theirs = models["mistral"]
    text = "<s>hello</s>"
    assert ours.encode(text) == theirs.encode(text)
    assert ours.encode("<s>", allowed_special={"<s>"}) == [1]
    assert ours.special_tokens == {"<s>": 1, "</s>": 2}


def test_lone_surrogate_becomes_replacement_character(models):
    ours, theirs = models["mistral"]
    assert ours.encode("a\ud800b") == theirs.encode("a\ufffdb")


# -- twins ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=edge_text)
def test_native_equals_python_twin(models, name, text):
    ours, _ = models[name]
    assert ours.normalize(text) == spm_bpe.sp_normalize(ours.spm, text)
    assert ours.encode(text) == spm_bpe.encode(ours.spm, text)


@pytest.mark.parametrize("name", ALL)
def test_native_equals_python_twin_on_real_text(models, name):
    ours, _ = models[name]
    texts = udhr_texts()
    for lang in ("eng", "deu", "jpn", "arb", "hin", "vie", "rus", "zho"):
        text = texts.get(lang)
        if text is None:
            continue
        text = text[:3000]
        assert ours.normalize(text) == spm_bpe.sp_normalize(ours.spm, text), lang
        assert ours.encode(text) == spm_bpe.encode(ours.spm, text), lang


# -- the file format --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_parse_equals_protobuf_library(trained, name):
    """Our wire-format reader against the protobuf classes shipped with sentencepiece."""
    from sentencepiece import sentencepiece_model_pb2 as pb

    path = MISTRAL if name == "mistral" else trained[name]
    data = path.read_bytes()
    ref = pb.ModelProto()
    ref.ParseFromString(data)
    got = parse_model(str(path), data)
    assert [(p.piece, p.score, p.type) for p in got.pieces] == [(p.piece, p.score, p.type) for p in ref.pieces]
    ts, rts = got.trainer_spec, ref.trainer_spec
    assert ts.model_type == pb.TrainerSpec.ModelType.Name(rts.model_type).lower()
    for attr in ("vocab_size", "byte_fallback", "unk_id", "bos_id", "eos_id", "pad_id", "unk_piece", "bos_piece",
                 "eos_piece", "pad_piece", "unk_surface", "split_by_whitespace", "split_digits",
                 "treat_whitespace_as_suffix", "allow_whitespace_only_pieces", "max_sentencepiece_length"):
        assert getattr(ts, attr) == getattr(rts, attr), attr
    assert ts.user_defined_symbols == list(rts.user_defined_symbols)
    assert ts.control_symbols == list(rts.control_symbols)
    ns, rns = got.normalizer_spec, ref.normalizer_spec
    for attr in ("name", "precompiled_charsmap", "add_dummy_prefix", "remove_extra_whitespaces", "escape_whitespaces"):
        assert getattr(ns, attr) == getattr(rns, attr), attr


def test_truncated_model_names_file_and_offset(tmp_path):
    data = MISTRAL.read_bytes()
    for cut in (3, 50, 1001, len(data) // 2, len(data) - 10):
        path = tmp_path / f"cut{cut}.model"
        path.write_bytes(data[:cut])
        with pytest.raises(FormatError) as info:
            tokenforge.load(path)
        message = str(info.value)
        assert str(path) in message and "offset" in message, message


def test_corrupt_models_raise_format_error(tmp_path):
    data = bytearray(MISTRAL.read_bytes())
    cases = {
        "bad-wire-type": data[:2] + b"\x0b" + data[3:],  # field 1 of the first piece with wire type 3 (a group)
        "bad-utf8": data.replace("▁t".encode(), b"\xff\xfet", 1),
        "long-varint": b"\x0a\x05\x0a" + b"\xff" * 12,
    }
    for name, content in cases.items():
        path = tmp_path / f"{name}.model"
        path.write_bytes(bytes(content))
        with pytest.raises(FormatError) as info:
            tokenforge.load(path)
        assert str(path) in str(info.value), name


@settings(max_examples=200, deadline=None)
@given(tail=st.binary(max_size=200))
def test_garbage_after_a_model_header_is_a_format_error(tmp_path_factory, tail):
    path = tmp_path_factory.mktemp("garbage") / "x.model"
    path.write_bytes(b"\x0a\x05\x0a" + tail)
    try:
        tok = tokenforge.load(path)
    except FormatError:
        return
    tok.decode(tok.encode("any text at all"))  # a file that happens to be a valid model must also work


def test_corrupt_charsmap_never_crashes(trained, tmp_path):
    """Bytes flipped inside the precompiled charsmap's trie: the lookup is bounds-checked, so the model either
    refuses to load or encodes (differently); it never crashes or hangs."""
    data = bytearray(trained["bpe-nmt-nfkc"].read_bytes())
    model = parse_model("x", bytes(data))
    blob = model.normalizer_spec.precompiled_charsmap
    at = bytes(data).find(blob)
    assert at > 0
    for k in range(8, min(len(blob), 40_000), 997):
        mutated = bytearray(data)
        mutated[at + k] ^= 0xA5
        path = tmp_path / "m.model"
        path.write_bytes(bytes(mutated))
        try:
            tok = tokenforge.load(path)
        except FormatError:
            continue
        tok.encode("Ｈｅｌｌｏ ① ﬁ wörld  \u3000 text")


def test_save_is_refused(models, tmp_path):
    ours, _ = models["mistral"]
    with pytest.raises(UnsupportedFeatureError, match="SentencePiece"):
        ours.save(tmp_path / "out.json")


def test_vocabulary_accessors(models):
    ours, theirs = models["mistral"]
    assert ours.vocab_size == theirs.get_piece_size()
    for i in (0, 1, 2, 3, 100, 259, 1000, 31999):
        assert ours.id_to_token(i) == theirs.id_to_piece(i)
        assert ours.token_to_id(theirs.id_to_piece(i)) == i


# -- CLI --------------------------------------------------------------------------------------------------------------


def run_cli(capsys, argv, stdin=b""):
    import sys

    from tokenforge import cli

    old = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        code = cli.main(argv)
    finally:
        sys.stdin = old
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_encode_count_inspect(models, capsys, tmp_path):
    _, theirs = models["mistral"]
    text = udhr_texts()["eng"]
    src = tmp_path / "in.txt"
    src.write_text(text, encoding="utf-8")
    code, out, err = run_cli(capsys, ["encode", "-t", str(MISTRAL), "--keep-final-newline", str(src)])
    assert code == 0, err
    assert [int(x) for x in out.split()] == theirs.encode(text)
    code, out, err = run_cli(capsys, ["count", "-t", str(MISTRAL), "--json", str(src)])
    assert code == 0, err
    assert json.loads(out)[str(src)]["tokens"] == len(theirs.encode(text))
    code, out, err = run_cli(capsys, ["encode", "-t", str(MISTRAL), "--tokens", str(src)])
    assert code == 0, err
    first_line = [json.loads(t) for t in out.split("\n")[0].split(" ")]
    assert first_line == theirs.encode(text.rstrip("\n"), out_type=str)
    code, out, err = run_cli(capsys, ["inspect", "-t" if False else str(MISTRAL), "--json"])
    assert code == 0, err
    info = json.loads(out)
    assert info["vocab_size"] == 32000
    assert info["model"].startswith("SentencePiece BPE")
    assert info["piece_types"] == {"UNKNOWN": 1, "CONTROL": 2, "BYTE": 256, "NORMAL": 31741}


def test_cli_error_on_corrupt_model(capsys, tmp_path):
    path = tmp_path / "bad.model"
    path.write_bytes(MISTRAL.read_bytes()[:777])
    code, _, err = run_cli(capsys, ["count", "-t", str(path), str(path)])
    assert code == 2
    assert str(path) in err and "offset" in err


def test_errors_are_typed(models):
    ours, _ = models["mistral"]
    with pytest.raises(TokenforgeError):
        ours.decode([32000])
    with pytest.raises(TokenforgeError):
        ours.decode([-1])


@pytest.mark.parametrize("text", ["a" * 20_000, " " * 20_000, "\u65e5" * 20_000, "ab " * 7_000, "\U0001f600" * 10_000])
def test_long_runs(models, text):
    """One long piece (no `▁` to cut at) and long runs of spaces (Mistral's `▁▁` pieces score -1e9)."""
    for name in ("mistral", "bpe-byte-fallback"):
        ours, theirs = models[name]
        assert ours.encode(text) == theirs.encode(text), name


@pytest.mark.parametrize("name", ["bpe-nmt-nfkc", "bpe-user-symbols"])
def test_every_code_point_normalizes_as_sentencepiece(models, name):
    """The charsmap on every code point of planes 0-2 (each followed by "a", so rules apply one at a time, and
    joined, so multi-character rules meet too): native == sentencepiece's own normalize == the Python twin."""
    ours, theirs = models[name]
    chars = [chr(c) for c in range(0x30000) if not 0xD800 <= c < 0xE000]
    for text in ("".join(c + "a" for c in chars), "".join(chars[:5000])):
        native = ours.normalize(text)
        assert native == theirs.normalize(text)
        assert native == spm_bpe.sp_normalize(ours.spm, text)


def test_cli_convert_refuses_clearly(capsys, tmp_path):
    out = tmp_path / "out.json"
    code, _, err = run_cli(capsys, ["convert", str(MISTRAL), str(out)])
    assert code == 2
    assert str(out) in err and "SentencePiece" in err
    assert not out.exists()
