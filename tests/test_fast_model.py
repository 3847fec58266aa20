import json
import tracemalloc
import zipfile

import numpy as np
import pytest

from extremism_nlp import Classifier
from extremism_nlp.models import fast, load_model
from extremism_nlp.models.fast import WEIGHTS_FILE

TEXTS = ["we will kill them", "the weather is nice", "vermin immigrants", "", "مرحبا بكم"]


def test_save_and_load_give_identical_probabilities(tiny_model_dir, tmp_path):
    model = load_model(tiny_model_dir)
    before = model.predict_proba(TEXTS)
    model.save_pretrained(tmp_path / "copy")
    after = load_model(tmp_path / "copy").predict_proba(TEXTS)
    assert np.array_equal(before, after)
    assert before.shape == (len(TEXTS), 4)
    assert ((before >= 0) & (before <= 1)).all()


def test_weights_are_arrays_and_json_never_pickle(tiny_model_dir):
    with zipfile.ZipFile(tiny_model_dir / WEIGHTS_FILE) as archive:
        assert sorted(archive.namelist()) == ["coef.npy", "idf.npy", "intercept.npy"]
    config = json.loads((tiny_model_dir / "config.json").read_text())
    assert config["model_type"] == "fast" and config["labels"] == ["extremism", "violence", "hate", "offensive"]
    with np.load(tiny_model_dir / WEIGHTS_FILE, allow_pickle=False) as weights:
        assert weights["coef"].dtype == np.float16


def test_model_learns_its_training_data(tiny_model_dir):
    model = load_model(tiny_model_dir)
    p = model.predict_proba(["we will kill them all tonight", "the weather is nice today"])
    assert p[0, 1] > p[1, 1]


def test_config_with_other_labels_is_refused(tiny_model_dir, tmp_path):
    import shutil

    copy = tmp_path / "other"
    shutil.copytree(tiny_model_dir, copy)
    config = json.loads((copy / "config.json").read_text())
    config["labels"] = ["toxic"]
    (copy / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="labels"):
        load_model(copy)


def test_unknown_model_names_the_choices():
    with pytest.raises(ValueError, match="not a built-in name"):
        load_model("no-such-model")


def test_the_scoring_matrix_is_built_once_into_the_cache_and_checked(tiny_model_dir, tmp_path, monkeypatch):
    from extremism_nlp.models import fast, integrity
    from extremism_nlp.paths import cache_root

    builds = []
    real = fast._weighted
    monkeypatch.setattr(fast, "_weighted", lambda coef, idf: builds.append(1) or real(coef, idf))
    built = load_model(tiny_model_dir)  # builds the cache folder
    folders = list((cache_root() / "fast").iterdir())
    assert len(folders) == 1 and (folders[0] / fast.WEIGHTED_COEF_FILE).is_file()
    again = load_model(tiny_model_dir)
    assert len(builds) == 1, "built once"
    assert again._stored is None, "a load reads only the cached matrix and intercept"
    assert np.array_equal(again.predict_proba(TEXTS), built.predict_proba(TEXTS))
    assert np.array_equal(again.coef, built.coef) and np.array_equal(again.idf, built.idf)  # read on first use
    again.save_pretrained(tmp_path / "copy")
    assert np.array_equal(load_model(tmp_path / "copy").predict_proba(TEXTS), built.predict_proba(TEXTS))
    # a damaged cached file is an error naming the folder to delete
    matrix = folders[0] / fast.WEIGHTED_COEF_FILE
    matrix.write_bytes(matrix.read_bytes()[:-4] + b"\x00\x00\x80\x7f")
    integrity.forget_verified()
    with pytest.raises(integrity.CacheIntegrityError, match="delete the folder"):
        load_model(tiny_model_dir)


def test_a_cache_that_cannot_be_written_builds_the_matrix_in_memory(tiny_model_dir, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("EXTREMISM_NLP_CACHE", str(blocker))
    model = load_model(tiny_model_dir)
    assert model._stored is not None
    assert model.predict_proba(TEXTS).shape == (len(TEXTS), 4)


def test_memory_of_one_long_document_does_not_grow_with_it(monkeypatch):
    """A document is read in slices: the n-gram arrays of a 2.4 MB text read in one call
    took about 250 bytes a character (600 MB); the slices' scores are the one call's."""
    classifier = Classifier.from_pretrained("fast")
    text = "The weather was fine in Leeds and the match ended in a draw. We will kill them all tonight. " * 26_000
    classifier.classify(text[:5000])  # what loads on first use is not the document's
    tracemalloc.start()
    try:
        assert classifier.classify(text).label == "violence"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * len(text), f"{peak / 2**20:.0f} MB for {len(text) / 2**20:.1f} MB of text"
    sentences, pairs = [text[:61], text[61:92], text[92:153]], [(0, text[:92]), (1, text[61:153])]
    whole = classifier.model.score_sentences(sentences, pairs)
    monkeypatch.setattr(fast, "SLICE_CHARS", 40)  # every sentence a slice of its own
    assert np.array_equal(classifier.model.score_sentences(sentences, pairs), whole)
