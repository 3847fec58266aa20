"""`refit_thresholds` (extremism_nlp.training.run) and `extremism-nlp refit-thresholds`: a
trained model's thresholds chosen again on validation, its weights and scores untouched."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from extremism_nlp import LABELS, Classifier
from extremism_nlp.cli import main
from extremism_nlp.models.base import ModelInfo
from extremism_nlp.training import refit_thresholds

TEXTS = ["we will kill them all tonight", "the weather is nice today", "shut up you stupid idiot", "les musulmans sont des animaux", ""]


@pytest.fixture
def old_model(tiny_model_dir, tmp_path):
    """The tiny model with thresholds no validation data would choose (as if by an old rule)."""
    folder = tmp_path / "old"
    shutil.copytree(tiny_model_dir, folder)
    info = ModelInfo.from_file(folder / "config.json")
    info.thresholds = dict.fromkeys(LABELS, 0.011)
    info.language_thresholds = {"fr": {"hate": 0.001}}
    (folder / "config.json").write_text(info.to_json(), encoding="utf-8")
    return folder


def test_refit_changes_the_thresholds_and_nothing_that_scores(old_model, raw_data_dir, tmp_path):
    before = ModelInfo.from_file(old_model / "config.json")
    folder = refit_thresholds(old_model, tmp_path / "refit", "0.0.2", data_dir=raw_data_dir)
    after = ModelInfo.from_file(folder / "config.json")
    assert (folder / "weights.npz").read_bytes() == (old_model / "weights.npz").read_bytes()
    assert (after.version, after.platt, after.backend) == ("0.0.2", before.platt, before.backend)
    assert after.thresholds != before.thresholds and after.language_thresholds.get("fr") != {"hate": 0.001}
    floor = after.training["threshold_floor"]
    for thresholds in [after.thresholds, *after.language_thresholds.values()]:
        assert all(value >= floor[label] for label, value in thresholds.items())
    note = after.training["thresholds_refit"]
    assert note["previous"] == {"version": before.version, "thresholds": before.thresholds, "language_thresholds": before.language_thresholds}
    assert note["threshold_rule"] == "shrunk"
    assert np.array_equal(Classifier.from_pretrained(old_model).predict_proba(TEXTS), Classifier.from_pretrained(folder).predict_proba(TEXTS))
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert card.startswith("# Model card: `tiny` 0.0.2") and f"are those of version {before.version}" in card


def test_the_command_refits_a_folder_in_place(old_model, raw_data_dir, capsys):
    weights = (old_model / "weights.npz").read_bytes()
    code = main(["refit-thresholds", "--model", str(old_model), "--output", str(old_model), "--version", "0.0.3", "--data-dir", str(raw_data_dir)])
    assert code == 0 and "model written to" in capsys.readouterr().out
    assert (old_model / "weights.npz").read_bytes() == weights
    assert ModelInfo.from_file(old_model / "config.json").version == "0.0.3"


def test_an_unknown_rule_is_refused_before_the_corpus_is_read(old_model, tmp_path):
    with pytest.raises(ValueError, match="unknown threshold rule 'best'"):
        refit_thresholds(old_model, tmp_path / "out", "0.0.2", rule="best", data_dir=str(tmp_path / "no-such-folder"))


def test_the_refit_reads_only_the_sources_and_languages_the_recipe_trained_on(old_model, raw_data_dir, tmp_path):
    from extremism_nlp.data import load_corpus

    info = ModelInfo.from_file(old_model / "config.json")
    info.training["config"] = {"sources": ["davidson_hsol", "germeval2018"], "languages": ["de"], "commercial_only": False}
    (old_model / "config.json").write_text(info.to_json(), encoding="utf-8")
    whole, recipe = load_corpus(raw_data_dir), load_corpus(raw_data_dir, ["davidson_hsol", "germeval2018"], ["de"])
    assert 0 < len(recipe["validation"]) < len(load_corpus(raw_data_dir, ["davidson_hsol", "germeval2018"])["validation"])
    assert len(recipe["validation"]) < len(whole["validation"])

    rows = ModelInfo.from_file(refit_thresholds(old_model, tmp_path / "refit", "0.0.2", data_dir=raw_data_dir) / "config.json").training["rows"]
    assert (rows["validation"], rows["test"]) == (len(recipe["validation"]), len(recipe["test"]))


def test_plain_calibration_sentences_join_the_floor(old_model, raw_data_dir, tmp_path):
    # A plain calibration set that the tiny model scores high (a third of its lines) must lift
    # the floor, and every threshold with it, to at least that score.
    loud = "we will kill them all tonight"
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "en.txt").write_text("\n".join([loud] * 20 + [f"the bus {n} was late again" for n in range(40)]), encoding="utf-8")
    (folder / "SOURCE.txt").write_text("about this folder: " + loud, encoding="utf-8")
    info = ModelInfo.from_file(old_model / "config.json")
    info.training["config"] = {**info.training.get("config", {}), "plain_calibration": str(folder)}
    (old_model / "config.json").write_text(info.to_json(), encoding="utf-8")

    after = ModelInfo.from_file(refit_thresholds(old_model, tmp_path / "refit", "0.0.2", data_dir=raw_data_dir) / "config.json")
    assert after.training["threshold_floor_extra_rows"] == 60  # SOURCE.txt is not read
    loud_scores = Classifier.from_pretrained(old_model).predict_proba([loud])[0]
    for k, label in enumerate(LABELS):
        assert after.training["threshold_floor"][label] >= loud_scores[k] - 1e-6
        assert after.thresholds[label] >= after.training["threshold_floor"][label]
    assert "plain calibration sentences, setting `plain_calibration`" in (tmp_path / "refit" / "README.md").read_text(encoding="utf-8")


def test_plain_calibration_drops_measured_sentences_and_refuses_a_folder_without_language_files(tmp_path, caplog):
    from extremism_nlp.evaluation.protocols import load_sentences
    from extremism_nlp.training.run import read_plain_calibration

    neutral = load_sentences("neutral", ["fr"])["fr"][0]
    (tmp_path / "fr.txt").write_text(f"Il pleut encore ce matin.\n\n{neutral}\n", encoding="utf-8")
    assert read_plain_calibration(tmp_path) == ["Il pleut encore ce matin."]
    assert "dropped 1 of 2 lines" in caplog.text
    assert read_plain_calibration(None) == []
    (tmp_path / "latin1.txt").write_bytes("Il fait très beau.".encode("latin-1"))
    with pytest.raises(ValueError, match="latin1.txt is not UTF-8 text"):
        read_plain_calibration(tmp_path / "latin1.txt")
    (tmp_path / "latin1.txt").unlink()
    (tmp_path / "fr.txt").unlink()
    with pytest.raises(ValueError, match="neither a text file nor a folder of <lang>.txt files"):
        read_plain_calibration(tmp_path)
    with pytest.raises(ValueError, match="neither a text file nor a folder of <lang>.txt files"):
        read_plain_calibration(tmp_path / "missing")


def test_raise_floor_lifts_thresholds_to_the_users_plain_texts_and_lowers_none(old_model, tmp_path):
    from extremism_nlp.training import raise_floor

    loud = "we will kill them all tonight"
    texts = tmp_path / "traffic.txt"
    texts.write_text("\n".join([loud] * 5 + [f"the bus {n} was late again" for n in range(195)] + ["", "  "]), encoding="utf-8")
    before = ModelInfo.from_file(old_model / "config.json")
    folder = raise_floor(old_model, texts, tmp_path / "raised", "0.0.2")
    after = ModelInfo.from_file(folder / "config.json")
    assert (folder / "weights.npz").read_bytes() == (old_model / "weights.npz").read_bytes()
    assert np.array_equal(Classifier.from_pretrained(old_model).predict_proba(TEXTS), Classifier.from_pretrained(folder).predict_proba(TEXTS))
    note = after.training["floor_raised"]
    assert note["texts"] == 200 and note["quantile"] == 0.995 and note["previous"]["thresholds"] == before.thresholds
    lines = [line for line in texts.read_text(encoding="utf-8").splitlines() if line.strip()]
    scores = Classifier.from_pretrained(old_model).predict_proba(lines)
    for k, label in enumerate(LABELS):
        assert note["floor"][label] == pytest.approx(np.quantile(scores[:, k], 0.995), abs=1e-5)
        assert after.thresholds[label] == pytest.approx(max(before.thresholds[label], note["floor"][label]), abs=1e-5)
        assert (scores[:, k] >= after.thresholds[label]).sum() <= 5  # the loud lines at most
    assert after.language_thresholds["fr"]["hate"] == pytest.approx(max(0.001, note["floor"]["hate"]), abs=1e-5)
    assert "plain texts its user supplied" in (folder / "README.md").read_text(encoding="utf-8")


def test_raise_floor_refuses_too_few_texts_and_a_quantile_out_of_range(old_model, tmp_path):
    from extremism_nlp.training import raise_floor

    texts = tmp_path / "few.txt"
    texts.write_text("the bus was late\nit rains again\n", encoding="utf-8")
    with pytest.raises(ValueError, match="2 texts; the 0.995 quantile needs at least 200"):
        raise_floor(old_model, texts, tmp_path / "out", "0.0.2")
    with pytest.raises(ValueError, match="quantile must be at least 0.5 and below 1"):
        raise_floor(old_model, texts, tmp_path / "out", "0.0.2", quantile=1.0)
    assert not (tmp_path / "out").exists()


def test_the_raise_floor_command_writes_the_model(old_model, tmp_path, capsys):
    texts = tmp_path / "traffic.txt"
    texts.write_text("\n".join(f"the bus {n} was late again" for n in range(20)), encoding="utf-8")
    code = main(["raise-floor", "--model", str(old_model), "--texts", str(texts), "--output", str(tmp_path / "raised"), "--version", "0.0.3", "--quantile", "0.9"])
    assert code == 0 and "model written to" in capsys.readouterr().out
    assert ModelInfo.from_file(tmp_path / "raised" / "config.json").training["floor_raised"]["texts"] == 20
