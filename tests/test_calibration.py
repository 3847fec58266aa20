import numpy as np

from extremism_nlp.models.calibration import apply_platt
from extremism_nlp.training.calibration import best_f1_threshold, calibrate, fit_platt


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


def test_language_threshold_is_shrunk_toward_the_global_one():
    from extremism_nlp.training.calibration import SHRINKAGE_POSITIVES, language_thresholds

    rng = np.random.default_rng(2)
    # 40 French positives, perfectly separated at a low cut (0.05): alone, that cut would be chosen.
    positives, negatives = rng.uniform(0.06, 0.2, 40), rng.uniform(0.0, 0.04, 400)
    p = np.concatenate([positives, negatives])[:, None]
    y = np.concatenate([np.ones(40), np.zeros(400)]).astype(int)[:, None]
    langs = ["fr"] * len(p)
    alone = language_thresholds(p, y, langs, ("hate",))["fr"]["hate"]
    shrunk = language_thresholds(p, y, langs, ("hate",), global_thresholds=np.array([0.5]))["fr"]["hate"]
    assert alone < 0.06 < shrunk < 0.5
    weight = 40 / (40 + SHRINKAGE_POSITIVES)
    logit = lambda q: np.log(q / (1 - q))  # noqa: E731
    assert abs(logit(shrunk) - (weight * logit(alone) + (1 - weight) * logit(0.5))) < 1e-3
    floored = language_thresholds(p, y, langs, ("hate",), global_thresholds=np.array([0.5]), floor=np.array([0.6]))
    assert floored["fr"]["hate"] == 0.6


def test_threshold_floor_leaves_the_top_of_plain_texts_above_it():
    from extremism_nlp.training.calibration import threshold_floor

    plain = np.linspace(0, 1, 101)[:, None].repeat(2, axis=1)
    floor = threshold_floor(plain, quantile=0.98)
    assert np.allclose(floor, 0.98) and (plain >= floor).sum(axis=0).tolist() == [3, 3]
    assert threshold_floor(np.zeros((0, 4))).tolist() == [0, 0, 0, 0]


def test_the_floor_interval_brackets_the_floor_and_narrows_with_more_plain_texts():
    from extremism_nlp.training.calibration import threshold_floor, threshold_floor_interval

    rng = np.random.default_rng(1)
    few, many = rng.beta(1, 8, size=(1000, 2)), rng.beta(1, 8, size=(16000, 2))
    low, high = threshold_floor_interval(few, draws=300)
    assert (low <= threshold_floor(few)).all() and (threshold_floor(few) <= high).all() and (low < high).all()
    low_many, high_many = threshold_floor_interval(many, draws=300)
    assert ((high_many - low_many) < (high - low) / 2).all()  # 16 times the texts: about a quarter of the width
    assert [part.tolist() for part in threshold_floor_interval(np.zeros((0, 4)))] == [[0, 0, 0, 0], [0, 0, 0, 0]]
