import numpy as np

from extremism_nlp.models.calibration import apply_platt, best_f1_threshold, calibrate, fit_platt


def test_platt_recovers_a_known_sigmoid():
    rng = np.random.default_rng(0)
    z = rng.normal(size=20000)
    y = (rng.random(20000) < 1 / (1 + np.exp(-(2.0 * z - 1.0)))).astype(int)
    a, b = fit_platt(z, y)
    assert abs(a - 2.0) < 0.15 and abs(b + 1.0) < 0.15


def test_platt_without_both_classes_is_identity():
    assert fit_platt(np.array([0.1, 0.2]), np.array([0, 0])) == (1.0, 0.0)


def test_best_f1_threshold_separates_perfectly_separable_scores():
    p = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9, 0.95, 0.99])
    y = np.array([0, 0, 0, 1, 1, 1, 1, 1])
    threshold = best_f1_threshold(p, y)
    assert 0.3 < threshold <= 0.7


def test_best_f1_threshold_keeps_default_with_few_positives():
    assert best_f1_threshold(np.array([0.9, 0.1, 0.2]), np.array([1, 0, 0])) == 0.5


def test_calibrate_shapes():
    logits = np.random.default_rng(1).normal(size=(100, 4))
    targets = (logits > 0.5).astype(int)
    platt, thresholds = calibrate(logits, targets)
    assert platt.shape == (4, 2) and thresholds.shape == (4,)
    assert apply_platt(logits, platt).shape == (100, 4)
