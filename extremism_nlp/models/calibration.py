"""Turning raw label scores into calibrated probabilities and decided labels.

Shared by every backend: Platt scaling per label (a sigmoid of a linear function of the raw
logit) fitted on validation data, then the per-label threshold with the best F1 there.
"""

from __future__ import annotations

import numpy as np

DEFAULT_THRESHOLD = 0.5
MIN_POSITIVES_FOR_THRESHOLD = 5
"""With fewer validation positives a tuned threshold is noise; the default is kept."""


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))


def apply_platt(logits: np.ndarray, platt: np.ndarray) -> np.ndarray:
    """Probabilities from logits (n, k) and Platt parameters (k, 2) = (slope, intercept)."""
    return sigmoid(logits * platt[:, 0] + platt[:, 1])


def fit_platt(logit: np.ndarray, target: np.ndarray, iterations: int = 50) -> tuple[float, float]:
    """Slope and intercept of the sigmoid that best explains binary ``target`` from
    ``logit`` (Newton's method on the log-loss, with Platt's smoothed targets so that a
    separable validation set does not send the slope to infinity)."""
    positives = float(target.sum())
    negatives = float(len(target) - positives)
    if positives == 0 or negatives == 0:
        return 1.0, 0.0
    smoothed = np.where(target > 0, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    a, b = 1.0, 0.0
    for _ in range(iterations):
        p = sigmoid(a * logit + b)
        gradient = np.array([np.dot(p - smoothed, logit), np.sum(p - smoothed)])
        w = p * (1 - p) + 1e-12
        hessian = np.array([[np.dot(w, logit * logit), np.dot(w, logit)], [np.dot(w, logit), np.sum(w)]])
        step = np.linalg.solve(hessian + 1e-9 * np.eye(2), gradient)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-7:
            break
    return float(a), float(b)


def best_f1_threshold(probability: np.ndarray, target: np.ndarray) -> float:
    """Threshold with the highest F1 on (probability, target); the default when there are
    too few positives to choose one."""
    if target.sum() < MIN_POSITIVES_FOR_THRESHOLD:
        return DEFAULT_THRESHOLD
    order = np.argsort(-probability, kind="stable")
    sorted_p, sorted_y = probability[order], target[order]
    true_positives = np.cumsum(sorted_y)
    predicted = np.arange(1, len(sorted_y) + 1)
    f1 = 2 * true_positives / (predicted + target.sum())
    # Only cut between distinct probabilities.
    distinct = np.r_[sorted_p[1:] != sorted_p[:-1], True]
    best = int(np.argmax(np.where(distinct, f1, -1.0)))
    upper = sorted_p[best]
    lower = sorted_p[best + 1] if best + 1 < len(sorted_p) else 0.0
    return float((upper + lower) / 2)


def calibrate(logits: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Platt parameters (k, 2) and thresholds (k,) from validation logits and targets."""
    platt = np.array([fit_platt(logits[:, k], targets[:, k]) for k in range(logits.shape[1])])
    probabilities = apply_platt(logits, platt)
    thresholds = np.array([best_f1_threshold(probabilities[:, k], targets[:, k]) for k in range(logits.shape[1])])
    return platt, thresholds
