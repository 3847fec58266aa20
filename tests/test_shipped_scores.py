"""The shipped models give the scores recorded in tests/data/shipped_scores.json (by
tests/record_shipped_scores.py, before the training code moved out of the models): a
refactor of loading, scoring or calibration must not change what they compute.

Tolerance 1e-6 for `fast` (numpy float32 sums, which may round differently on another CPU)
and 1e-5 for the encoders, whose torch and ONNX Runtime kernels differ between CPU instruction
sets by more than that (1.06e-6 measured on an AMD EPYC against a record made elsewhere);
anything a code change could cause is far larger."""

from __future__ import annotations

import json

import numpy as np
import pytest

from extremism_nlp import Classifier
from record_shipped_scores import RECORD, TEXTS

RECORDED = json.loads(RECORD.read_text(encoding="utf-8"))


def _check(name: str, tolerance: float = 1e-5) -> None:
    recorded = RECORDED["models"][name]
    classifier = Classifier.from_pretrained(name)
    assert (classifier.name, classifier.version) == (recorded["name"], recorded["version"])
    # Texts longer than the model's window are read sentence by sentence since issue 16
    # (extremism_nlp.documents; tests/test_documents.py): only those read whole are compared.
    whole = np.array([len(text) <= classifier.model.window_chars for text in TEXTS])
    assert whole.sum() >= len(TEXTS) - 2
    scores = classifier.predict_proba(TEXTS)
    np.testing.assert_allclose(scores[whole], np.array(recorded["scores"])[whole], rtol=0, atol=tolerance)
    assert classifier.predict(TEXTS)[whole].tolist() == np.array(recorded["labels"])[whole].tolist()


def test_the_record_covers_the_texts_it_was_made_from():
    assert RECORDED["texts"] == TEXTS and len(TEXTS) >= 60
    assert {"fast", "transformer", "stack", "default"} <= set(RECORDED["models"])


def test_fast_scores_are_unchanged():
    _check("fast", tolerance=1e-6)


@pytest.mark.slow
def test_transformer_scores_are_unchanged():
    _check("transformer")


@pytest.mark.slow
def test_stack_scores_are_unchanged():
    # The default model until 0.4.0, shipped as "stack" since the frozen encoder became the default.
    _check("stack")


@pytest.mark.slow
def test_default_scores_are_unchanged():
    _check("default")


@pytest.mark.slow
def test_white_space_at_a_texts_ends_does_not_move_the_default_scores():
    # The tokeniser makes a token of trailing white space, which every ISIS fan-boy tweet in
    # the corpus ends with: a head once scored "hello there " 0.47 for extremism, "hello there" 0.
    plain = ["hello there", "the mujahideen", "Allah is great", "الجو حلو اليوم"]
    padded = [text + end for text, end in zip(plain, [" ", "  \n", "\t", "\u3000"])]
    classifier = Classifier.from_pretrained("default")
    np.testing.assert_allclose(classifier.predict_proba(padded), classifier.predict_proba(plain), rtol=0, atol=1e-6)


@pytest.mark.slow
def test_hidden_characters_and_look_alikes_do_not_move_the_default_scores():
    # A zero-width character inside a word splits it for the tokeniser, and Cyrillic
    # look-alikes turn a Latin word into pieces of Cyrillic: the oldest ways past a filter.
    plain = ["they are parasites", "Los inmigrantes son animales.", "低等生物", "Dla mnie to szczury"]
    hidden = ["they are para\u200bsites", "Los inmigrantes son \u0430nim\u0430l\u0435s.", "低\u2060等生物", "Dla mnie to \u0455z\u0441zur\u0443"]
    classifier = Classifier.from_pretrained("default")
    np.testing.assert_allclose(classifier.predict_proba(hidden), classifier.predict_proba(plain), rtol=0, atol=1e-6)
