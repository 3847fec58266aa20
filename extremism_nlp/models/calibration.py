"""Applying calibration: raw label scores to calibrated probabilities with the Platt
parameters stored in a model's config. Fitting them is training's job
(`extremism_nlp.training.calibration`)."""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))


def platt_log_odds(logits: np.ndarray, platt: np.ndarray) -> np.ndarray:
    """Calibrated log-odds from logits (n, k) and Platt parameters (k, 2) = (slope, intercept)."""
    return logits * platt[:, 0] + platt[:, 1]


def apply_platt(logits: np.ndarray, platt: np.ndarray) -> np.ndarray:
    """Probabilities from logits (n, k) and Platt parameters (k, 2) = (slope, intercept)."""
    return sigmoid(platt_log_odds(logits, platt))
