import numpy as np
import pytest

from extremism_nlp.evaluation.metrics import (
    average_precision,
    best_threshold_f1,
    binary_counts,
    f1_from_counts,
    grouped_metrics,
    label_metrics,
    macro_f1,
    roc_auc,
)


def test_roc_auc_known_values():
    assert roc_auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])) == pytest.approx(0.75)
    assert roc_auc(np.array([0, 1]), np.array([0.5, 0.5])) == pytest.approx(0.5)
    assert roc_auc(np.array([1, 1]), np.array([0.5, 0.6])) is None


def test_average_precision_known_value():
    assert average_precision(np.array([1, 0, 1]), np.array([0.9, 0.8, 0.7])) == pytest.approx((1 + 2 / 3) / 2)


def test_best_threshold_f1_is_the_best_cut_and_keeps_ties_together():
    y = np.array([1, 0, 1, 0, 0])
    # Cuts: top 1 -> F1 2/3; top 3 -> 2*2/(3+2) = 0.8; every other cut is lower.
    assert best_threshold_f1(y, np.array([0.9, 0.8, 0.7, 0.2, 0.1])) == pytest.approx(0.8)
    # The negative tied with the top positive cannot be left out: top 2 -> 2/4, top 3 -> 0.8.
    assert best_threshold_f1(y, np.array([0.9, 0.9, 0.7, 0.2, 0.1])) == pytest.approx(0.8)
    assert best_threshold_f1(np.array([1, 0]), np.array([0.5, 0.5])) == pytest.approx(2 / 3)
    assert best_threshold_f1(np.array([0, 0]), np.array([0.5, 0.6])) is None
    # The F1 at any threshold is at most the bound.
    rng = np.random.default_rng(0)
    y, score = rng.integers(0, 2, 200), rng.random(200)
    for threshold in (0.2, 0.5, 0.8):
        assert f1_from_counts(*binary_counts(y, score >= threshold))[2] <= best_threshold_f1(y, score)


def test_macro_f1_skips_labels_without_positives():
    y_true = np.array([[0, 0, 1, 1], [0, 0, 0, 1]])
    y_pred = np.array([[0, 1, 1, 0], [0, 0, 0, 1]])
    per_label = label_metrics(y_true, y_pred)
    assert per_label["hate"]["f1"] == 1.0
    assert per_label["offensive"]["f1"] == pytest.approx(2 / 3)
    assert macro_f1(per_label) == pytest.approx((1.0 + 2 / 3) / 2)


def test_grouped_metrics_has_all_and_each_group():
    y = np.array([[0, 0, 1, 1], [0, 0, 0, 0], [1, 0, 0, 0]])
    result = grouped_metrics(y, y, y.astype(float), ["en", "fr", "en"])
    assert set(result) == {"all", "en", "fr"}
    assert result["en"]["rows"] == 2 and result["en"]["macro_f1"] == 1.0
    assert result["fr"]["macro_f1"] is None


def test_metrics_skip_rows_not_judged_for_a_label():
    y_true = np.array([[0, 0, 0, 1], [0, 0, 0, 0]])
    y_pred = np.array([[0, 0, 0, 1], [0, 0, 0, 1]])
    mask = np.array([[1, 1, 1, 1], [1, 1, 1, 0]])  # row 2 was never judged for offensive
    per_label = label_metrics(y_true, y_pred, mask=mask)
    assert per_label["offensive"]["f1"] == 1.0 and per_label["offensive"]["judged"] == 1
