"""The shipped `fast` model gives the recorded outputs (tests/data/fast_outputs.npz) on
several thousand varied texts: the same normalised strings, scores within 1e-6, the same
decided labels, languages and passages, whatever the batch size.

See tests/record_fast_outputs.py for the texts and for when recording again is right."""

from __future__ import annotations

import numpy as np
import pytest

from extremism_nlp import LABELS, Classifier
from extremism_nlp.labels import headline
from record_fast_outputs import RECORD, checked_record, fixture_texts, outputs


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return fixture_texts()


@pytest.fixture(scope="module")
def recorded(texts):
    return checked_record(RECORD, texts)


def _first_differences(texts: list[str], mismatch: np.ndarray) -> str:
    rows = np.flatnonzero(mismatch)
    return f"{len(rows)} of {len(texts)} differ, e.g. {[texts[i][:80] for i in rows[:3]]}"


@pytest.mark.parametrize("batch_size", [1000, 40, 7])
def test_outputs_match_the_recorded_release(texts, recorded, batch_size):
    """Texts that fit the model's window are read whole, exactly as the release read them;
    longer ones are read sentence by sentence since issue 16 (extremism_nlp.documents), so
    their scores, labels and chunks are not the release's (test_documents.py covers them)."""
    now = outputs(texts, batch_size=batch_size)
    mismatch = now["normalized_hash"] != recorded["normalized_hash"]
    assert not mismatch.any(), "normalize: " + _first_differences(texts, mismatch)
    whole = np.array([len(text) <= Classifier.from_pretrained("fast").model.window_chars for text in texts])
    error = np.abs(now["scores"].astype(np.float64) - recorded["scores"]).max(axis=1)
    assert error[whole].max() <= 1e-6, "scores: " + _first_differences(texts, (error > 1e-6) & whole)
    for field in ("decided", "lang", "empty", "chunk", "n_chunks"):
        mismatch = now[field] != recorded[field]
        if field not in ("lang", "empty"):
            mismatch &= whole
        assert not mismatch.any(), f"{field}: " + _first_differences(texts, mismatch)


def test_classify_and_predict_give_the_recorded_scores_and_labels(texts, recorded):
    """`predict`'s labels, `Prediction.scores` and ``label`` as recorded, with no language
    read first (both identify languages only where they can change the labels). Texts
    longer than the window are read sentence by sentence since issue 16: not compared."""
    classifier = Classifier.from_pretrained("fast")
    whole = np.array([len(text) <= classifier.model.window_chars for text in texts])
    decided = classifier.predict(texts) @ (1 << np.arange(len(LABELS)))
    mismatch = (decided != recorded["decided"]) & whole
    assert not mismatch.any(), "predict: " + _first_differences(texts, mismatch)
    predictions = classifier.classify(texts)
    scores = np.array([[p.scores[label] for label in LABELS] for p in predictions])
    error = np.abs(scores - recorded["scores"]).max(axis=1)
    assert error[whole].max() <= 1e-6, "scores: " + _first_differences(texts, (error > 1e-6) & whole)
    expected = [headline([label for k, label in enumerate(LABELS) if code >> k & 1]) for code in recorded["decided"].tolist()]
    mismatch = (np.array([p.label for p in predictions]) != np.array(expected)) & whole
    assert not mismatch.any(), "label: " + _first_differences(texts, mismatch)


def test_recorded_texts_cover_scripts_and_lengths(texts, recorded):
    """The fixture is as varied as it claims: many languages, empty texts, long texts."""
    assert len(set(recorded["lang"].tolist())) >= 25
    assert recorded["empty"].sum() >= 20
    assert (recorded["n_chunks"] > 1).sum() >= 100
    assert max(len(t.encode("utf-8")) for t in texts) >= 9000
    assert (recorded["decided"] > 0).sum() >= 300
