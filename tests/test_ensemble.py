"""The ensemble backend: stacking saved models, saving by reference, loading with checks."""

import json
import shutil

import numpy as np
import pytest

from conftest import TINY_TRAINING
from extremism_nlp import Classifier
from extremism_nlp.labels import LABELS
from extremism_nlp.models import load_model
from extremism_nlp.models.base import ModelInfo
from extremism_nlp.models.features import FeatureConfig
from extremism_nlp.training.ensemble import fit_ensemble_model
from extremism_nlp.training.fast import fit_fast_model

pytest.importorskip("sklearn")

TEXTS = [text for text, _ in TINY_TRAINING] * 3
TARGETS = np.array([[int(label in names) for label in LABELS] for _, names in TINY_TRAINING] * 3)


@pytest.fixture(scope="module")
def members(tmp_path_factory, tiny_model_dir):
    """The shared tiny fast model and a second one over another feature space."""
    info = ModelInfo(model_type="fast", name="tiny-words", version="0.0.2", backend={"features": FeatureConfig(n_features_log2=12).to_dict()})
    folder = tmp_path_factory.mktemp("members") / "tiny-words"
    fit_fast_model(TEXTS, TARGETS, info, c=0.5, show_progress=False).save_pretrained(folder)
    return [str(tiny_model_dir), str(folder)]


@pytest.fixture(scope="module")
def stacked(members, tmp_path_factory):
    info = ModelInfo(model_type="ensemble", name="tiny-stack", version="0.0.3")
    model = fit_ensemble_model(info, members, TEXTS, TARGETS, np.ones_like(TARGETS))
    folder = tmp_path_factory.mktemp("stack") / "tiny-stack"
    model.save_pretrained(folder)
    return model, folder


def test_logits_are_the_stack_of_member_log_odds(stacked):
    model, _ = stacked
    texts = ["we will kill them", "the weather is nice"]
    members = [load_model(spec["model"]) for spec in model.info.backend["members"]]
    log_odds = [m.decision_function(texts) * np.asarray(m.info.platt)[:, 0] + np.asarray(m.info.platt)[:, 1] for m in members]
    stack = np.asarray(model.info.backend["stack"])
    expected = sum(stack[:, i] * log_odds[i] for i in range(len(members))) + stack[:, -1]
    assert np.allclose(model.decision_function(texts), expected)


def test_saved_ensemble_loads_with_identical_scores(stacked):
    model, folder = stacked
    texts = ["we will kill them", "vermin", "", "مرحبا", *TEXTS[:3]]  # the fitted model remembers TEXTS' scores
    config = json.loads((folder / "config.json").read_text())
    assert config["model_type"] == "ensemble" and len(config["backend"]["members"]) == 2
    assert list(folder.iterdir()) == [folder / "config.json"]  # members stay where they are
    assert np.array_equal(Classifier(model).predict_proba(texts), Classifier.from_pretrained(folder).predict_proba(texts))


def test_stack_learns_the_training_texts(stacked):
    model, _ = stacked
    assert Classifier(model).classify("we will kill them all").scores["violence"] > Classifier(model).classify("the weather is nice today").scores["violence"]


def test_changed_member_is_refused(stacked, tmp_path):
    _, folder = stacked
    config = json.loads((folder / "config.json").read_text())
    config["backend"]["members"][0]["version"] = "9.9.9"
    shutil.copytree(folder, tmp_path / "stale")
    (tmp_path / "stale" / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="fit the ensemble again"):
        load_model(tmp_path / "stale")


def test_load_option_no_member_takes_is_refused(stacked):
    _, folder = stacked
    with pytest.raises(ValueError, match="runtime"):
        load_model(folder, runtime="onnx")


def test_fewer_than_two_members_is_refused(tmp_path):
    from extremism_nlp.training import TrainingConfig, train

    with pytest.raises(ValueError, match="at least two"):
        train(TrainingConfig(model="ensemble", members=["fast"], output_dir=str(tmp_path)))


def test_an_ensemble_that_lists_itself_is_refused(stacked, tmp_path):
    _, folder = stacked
    config = json.loads((folder / "config.json").read_text())
    looped = tmp_path / "looped"
    looped.mkdir()
    config["backend"]["members"][1] = {"model": str(looped), "name": config["name"], "version": config["version"], "type": "ensemble"}
    (looped / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="lists itself"):
        load_model(looped)
    # Through another ensemble: a -> b -> a.
    outer = tmp_path / "outer"
    shutil.copytree(looped, outer)
    config["backend"]["members"][1] = {"model": str(outer), "name": config["name"], "version": config["version"], "type": "ensemble"}
    (looped / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="lists itself"):
        load_model(outer)
