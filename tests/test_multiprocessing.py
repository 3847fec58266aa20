"""Models loaded and used before a fork (multiprocessing's default start method on Linux)
keep working in the forked workers: torch's thread pool, which does not survive a fork, is
set to one thread in the child."""

import multiprocessing

import numpy as np
import pytest

from extremism_nlp import Classifier

TEXTS = ["we will kill them all tonight " * 4, "the weather is nice today", "les dirigeants ont condamné", "x"] * 3
_loaded: dict[str, Classifier] = {}


def _scores(args):
    key, text = args
    return _loaded[key].predict_proba([text])[0]


def _forked_scores(key, classifier):
    _loaded[key] = classifier
    with multiprocessing.get_context("fork").Pool(2) as pool:
        return np.array(pool.map_async(_scores, [(key, text) for text in TEXTS]).get(timeout=60))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork on this platform")
def test_fast_model_works_in_forked_workers(tiny_model_dir):
    classifier = Classifier.from_pretrained(tiny_model_dir)
    serial = np.array([classifier.predict_proba([text])[0] for text in TEXTS])
    assert np.allclose(_forked_scores("fast", classifier), serial)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork on this platform")
def test_transformer_works_in_forked_workers(tiny_transformer_dir):
    import torch

    classifier = Classifier.from_pretrained(tiny_transformer_dir)
    serial = np.array([classifier.predict_proba([text])[0] for text in TEXTS])
    torch.ones(512, 512) @ torch.ones(512, 512)  # the parent's thread pool has run, as in any real use
    assert np.allclose(_forked_scores("transformer", classifier), serial, atol=1e-5)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork on this platform")
def test_onnx_float32_runtime_works_in_forked_workers(tiny_transformer_dir):
    pytest.importorskip("onnxruntime")
    classifier = Classifier.from_pretrained(tiny_transformer_dir, runtime="onnx-fp32")
    serial = np.array([classifier.predict_proba([text])[0] for text in TEXTS])
    classifier.predict_proba(TEXTS * 4, batch_size=4)  # the parent's run threads exist, as in any real use
    assert np.allclose(_forked_scores("onnx-fp32", classifier), serial, atol=1e-5)
