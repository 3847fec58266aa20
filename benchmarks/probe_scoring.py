"""What the recipe probes share (probe_language_centring.py, probe_top_layer_lora.py): the
recipe's MLP head fitted over features, calibrated as `fit_calibration` calibrates it, and
scored on the cross-lingual folds, the test split, the neutral sets and the functional suite.

The probes differ only in the features they hand over; the head, the thresholds and the
figures are computed here, so their entries in benchmarks/results/ compare like with like."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from sklearn.metrics import f1_score, roc_auc_score

from extremism_nlp.evaluation.functional import case_passes
from extremism_nlp.evaluation.protocols import MIN_CROSSLINGUAL_POSITIVES
from extremism_nlp.labels import LABELS
from extremism_nlp.models.calibration import apply_platt
from extremism_nlp.training.calibration import FLOOR_QUANTILE, calibrate, shrunk_per_language, threshold_floor
from extremism_nlp.training.frozen_encoder import balanced_within, fit_mlp_head

TEST_LANGUAGES = ["ar", "en", "fr", "de", "es", "it", "nl", "pl", "hi", "tr", "ur", "zh", "pt", "ru"]


def fit_recipe_head(settings: Any, X: np.ndarray, y: np.ndarray, m: np.ndarray, w: np.ndarray, langs: np.ndarray) -> dict[str, np.ndarray]:
    """The recipe's head (``settings``: its backend config) over features ``X``, weighted as
    training weighs it: balanced within each language."""
    weights = balanced_within(w / w.mean(), y, m, list(langs))
    head = fit_mlp_head(X, y, m, weights, settings.head_hidden, settings.head_networks, settings.head_epochs, settings.seed, settings.head_weight_decay)
    return {k: v.detach().numpy().astype(np.float64) for k, v in head.items()}


def mlp_logits(head: dict[str, np.ndarray], X: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        hidden = torch.nn.functional.gelu(torch.from_numpy(X @ head["head.0.weight"].T + head["head.0.bias"]))
    return hidden.numpy() @ head["head.2.weight"].T + head["head.2.bias"]


@dataclass
class Calibration:
    """Platt scaling and thresholds as training fits them, with what led to them (the
    validation probabilities, best-F1 thresholds and the floor), for probes that vary the rule."""

    platt: Any
    probabilities: np.ndarray
    best: np.ndarray
    floor: np.ndarray
    thresholds: np.ndarray
    per_language: dict[str, dict[str, float]]


def calibrated(val_logits: np.ndarray, y: np.ndarray, m: np.ndarray, langs: np.ndarray, plain: np.ndarray, offensive_floor: float = FLOOR_QUANTILE) -> Calibration:
    """Best-F1 global thresholds floored by the plain validation rows (``plain``; under
    `offensive` at the ``offensive_floor`` quantile), shrunk per language."""
    platt, best = calibrate(val_logits, y, m)
    probabilities = apply_platt(val_logits, platt)
    floor = threshold_floor(probabilities[plain])
    offensive = LABELS.index("offensive")
    floor[offensive] = np.quantile(probabilities[plain, offensive], offensive_floor)
    thresholds = np.maximum(best, floor)
    per_language = shrunk_per_language(probabilities, y, list(langs), m, thresholds, floor)
    return Calibration(platt, probabilities, best, floor, thresholds, per_language)


def decide(probabilities: np.ndarray, langs, thresholds: np.ndarray, per_language: dict[str, dict[str, float]]) -> np.ndarray:
    table = np.array([[per_language.get(lang, {}).get(label, thresholds[k]) for k, label in enumerate(LABELS)] for lang in langs])
    return probabilities >= table


def scored(y: np.ndarray, m: np.ndarray, probabilities: np.ndarray, decided: np.ndarray) -> dict[str, Any]:
    """Macro-F1 over the labels with enough positives (as the cross-lingual protocol counts
    them) and each one's F1 and ROC-AUC."""
    per = {}
    for k, label in enumerate(LABELS):
        judged = m[:, k].astype(bool)
        truth = y[judged, k]
        if truth.sum() >= MIN_CROSSLINGUAL_POSITIVES:
            auc = roc_auc_score(truth, probabilities[judged, k]) if 0 < truth.sum() < len(truth) else None
            per[label] = (f1_score(truth, decided[judged, k], zero_division=0), auc)
    return {"macro_f1": float(np.mean([f for f, _ in per.values()])) if per else float("nan"), "labels": per}


def functional_rates(cases: list, decided: np.ndarray) -> dict[str, str]:
    """Per language, "harmful passed % / non-harmful passed %" of the functional suite."""
    rates = {}
    for lang in sorted({case.lang for case in cases}):
        cells = {True: [0, 0], False: [0, 0]}
        for case, row in zip(cases, decided):
            if case.lang == lang:
                cells[case.harmful][0] += 1
                cells[case.harmful][1] += case_passes(case, {label for label, d in zip(LABELS, row) if d})
        rates[str(lang)] = f"{100 * cells[True][1] / cells[True][0]:.0f}/{100 * cells[False][1] / cells[False][0]:.0f}"
    return rates
