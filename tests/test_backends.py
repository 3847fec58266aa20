"""The backend registry and what it takes to add a backend."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from extremism_nlp import backends
from extremism_nlp.backends import BACKENDS, Backend, get_backend
from extremism_nlp.extras import require
from extremism_nlp.models import builtin_models, load_model
from extremism_nlp.models.base import CONFIG_FILE, ModelInfo


def test_every_entry_resolves_to_its_parts():
    for model_type, backend in BACKENDS.items():
        assert backend.model_class().model_type == model_type
        assert dataclasses.is_dataclass(backend.config_class())
        assert callable(backend.fit_function())


def test_every_shipped_model_has_a_backend():
    from extremism_nlp.models import BUILTIN_DIR

    types = {ModelInfo.from_file(BUILTIN_DIR / name / CONFIG_FILE).model_type for name in builtin_models()}
    assert types <= set(BACKENDS)


def test_unknown_type_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="'fast', 'transformer', 'frozen_encoder', 'ensemble'"):
        get_backend("svm")


def test_missing_extra_names_the_install_command():
    with pytest.raises(ImportError, match=r'pip install "extremism-nlp\[train\]"'):
        require("no_such_module_for_tests", "train", "this test")
    with pytest.raises(ImportError, match=r"core install: pip install extremism-nlp \(a hint\)"):
        require("no_such_module_for_tests", None, "this test", hint="a hint")
    assert require("json", "train", "this test").dumps([1]) == "[1]"


def test_a_new_backend_is_one_module_and_one_entry(monkeypatch, raw_data_dir, tmp_path, capsys):
    """tests/toy_backend.py holds a model class, its config and its fit; one entry makes it
    trainable from the command line, saved with card and thresholds, and loadable by name."""
    from extremism_nlp import Classifier
    from extremism_nlp.cli import main

    entry = Backend("words", model="toy_backend:WordModel", fit="toy_backend:fit", config="toy_backend:WordConfig")
    monkeypatch.setitem(backends.BACKENDS, "words", entry)
    out = tmp_path / "words"
    argv = ["train", "--model", "words", "--smoothing", "0.5", "--data-dir", str(raw_data_dir), "--output", str(out), "--no-show-progress"]
    assert main(argv) == 0
    assert "model written to" in capsys.readouterr().out
    model = load_model(out)
    assert model.model_type == "words" and model.info.training["config"]["smoothing"] == 0.5
    assert (out / "README.md").read_text().startswith("# Model card: `words`")
    scores = Classifier.from_pretrained(out).predict_proba(["some text", "more words here"])
    assert scores.shape == (2, 4) and np.isfinite(scores).all()
    # The training settings of the other backends are refused for it.
    assert main(["train", "--model", "words", "--epochs", "1", "--data-dir", str(raw_data_dir)]) == 2
    assert "transformer training only" in capsys.readouterr().err
