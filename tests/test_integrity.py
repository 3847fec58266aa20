"""Cached builds (base encoder, ONNX exports): atomic, recorded by SHA-256 and checked on
first use; ONNX cache keys that follow every change to the network; cache paths that a
model's configured name cannot lead out of the cache; ONNX scores independent of batch mates."""

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from extremism_nlp import Classifier
from extremism_nlp.models import load_model
from extremism_nlp.models.integrity import (
    CHECKSUMS_FILE,
    CacheIntegrityError,
    build_folder,
    forget_verified,
    is_built,
    safe_name,
    verify_folder,
)
from tiny_models import make_tiny_transformer, write_config

TEXTS = [
    "we will kill them all tonight", "the weather is nice today", "those people are vermin and rats " * 3,
    "les dirigeants ont condamné l'attentat", "عقدت القمة الدولية لمكافحة الإرهاب", "x", "join the caliphate brothers",
    "shut up you stupid idiot", "muslims celebrated eid with their families and friends in the park today",
]  # fmt: skip


def _write_two(folder):
    (folder / "a.bin").write_bytes(b"\x01" * 1000)
    (folder / "b.txt").write_text("hello")


def test_build_records_checksums_and_verify_finds_changes(tmp_path):
    folder = build_folder(tmp_path / "built", _write_two)
    assert is_built(folder) and sorted(p.name for p in folder.iterdir()) == [CHECKSUMS_FILE, "a.bin", "b.txt"]
    assert not list(tmp_path.glob("*.tmp*"))
    forget_verified()
    verify_folder(folder)
    (folder / "a.bin").write_bytes(b"\x00" * 1000)  # zeroed, same size
    verify_folder(folder)  # checked once per process: no new read
    forget_verified()
    with pytest.raises(CacheIntegrityError, match=r"a\.bin does not match the SHA-256.*delete the folder"):
        verify_folder(folder)
    (folder / "a.bin").unlink()
    with pytest.raises(CacheIntegrityError, match="is missing"):
        verify_folder(folder)


def test_interrupted_build_leaves_no_folder(tmp_path):
    def torn(folder):
        (folder / "model.onnx").write_bytes(b"half a file")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_folder(tmp_path / "export", torn)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["../../..", "/etc/passwd", "a/../../b", "..", "", "名前 with spaces"])
def test_safe_name_stays_one_folder(name, tmp_path):
    cleaned = safe_name(name)
    assert cleaned and "/" not in cleaned and "\\" not in cleaned and not cleaned.startswith(".")
    assert (tmp_path / cleaned).resolve().parent == tmp_path.resolve()


@pytest.fixture
def onnx_model(tiny_transformer_dir, tmp_path):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    folder = tmp_path / "model"
    shutil.copytree(tiny_transformer_dir, folder)
    return folder


def _exports():
    root = Path(os.environ["EXTREMISM_NLP_CACHE"]) / "onnx"
    return sorted(p for p in root.iterdir()) if root.is_dir() else []


@pytest.mark.parametrize("runtime", ["torch", "onnx", "onnx-fp32"])
def test_scores_do_not_depend_on_batch_mates(onnx_model, runtime):
    model = load_model(onnx_model, runtime=runtime)
    alone = np.array([model.decision_function([text])[0] for text in TEXTS])
    rng = np.random.default_rng(0)
    for _ in range(5):
        order = rng.permutation(len(TEXTS))
        mixed = model.decision_function([TEXTS[i] for i in order] + ["padding " * 40])[:-1]
        assert np.abs(mixed - alone[order]).max() <= 1e-4


def test_onnx_export_is_verified_and_a_damaged_one_named(onnx_model):
    Classifier.from_pretrained(onnx_model, runtime="onnx")
    [export] = _exports()
    assert is_built(export)
    onnx_file = export / "model.int8.onnx"
    onnx_file.write_bytes(b"\x00" * onnx_file.stat().st_size)
    forget_verified()
    with pytest.raises(CacheIntegrityError, match="model.int8.onnx does not match") as error:
        load_model(onnx_model, runtime="onnx")
    assert str(export) in str(error.value)
    shutil.rmtree(export)  # what the message says to do
    assert load_model(onnx_model, runtime="onnx").decision_function(TEXTS[:2]).shape == (2, 4)


def test_interrupted_export_is_not_taken_for_a_finished_one(onnx_model, monkeypatch):
    from extremism_nlp.models.transformer import TransformerModel

    export = TransformerModel.export_onnx

    def interrupted(self, folder, quantize=True):
        (Path(folder) / "model.int8.onnx").write_bytes(b"torn")
        raise KeyboardInterrupt

    monkeypatch.setattr(TransformerModel, "export_onnx", interrupted)
    with pytest.raises(KeyboardInterrupt):
        load_model(onnx_model, runtime="onnx")
    assert _exports() == []
    monkeypatch.setattr(TransformerModel, "export_onnx", export)
    assert load_model(onnx_model, runtime="onnx").decision_function(TEXTS[:2]).shape == (2, 4)


def test_onnx_cache_key_follows_the_config(onnx_model):
    first = load_model(onnx_model, runtime="onnx").onnx_cache_key()
    write_config(onnx_model, lora={"r": 4, "alpha": 16, "dropout": 0.0, "target_modules": ["query", "value"]})
    second = load_model(onnx_model, runtime="onnx").onnx_cache_key()
    make_tiny_transformer(onnx_model, load_model(onnx_model).base, seed=1)  # another head
    third = load_model(onnx_model, runtime="onnx").onnx_cache_key()
    assert len({first, second, third}) == 3 and len(_exports()) == 3


def test_int8_and_fp32_exports_are_cached_apart(onnx_model):
    int8 = load_model(onnx_model, runtime="onnx")
    fp32 = load_model(onnx_model, runtime="onnx-fp32")
    assert int8.onnx_cache_key() != fp32.onnx_cache_key() == int8.onnx_cache_key("onnx-fp32")
    files = {frozenset(p.name for p in folder.iterdir()) for folder in _exports()}
    assert files == {frozenset({CHECKSUMS_FILE, "model.int8.onnx"}), frozenset({CHECKSUMS_FILE, "model.onnx"})}


def test_a_name_with_dot_dot_exports_inside_the_cache(onnx_model, tmp_path):
    write_config(onnx_model, name="../../../../" + tmp_path.name + "/escaped")
    load_model(onnx_model, runtime="onnx")
    [export] = _exports()
    assert export.parent == Path(os.environ["EXTREMISM_NLP_CACHE"]) / "onnx"
    assert not list(tmp_path.rglob("escaped*"))
