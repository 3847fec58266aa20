"""Fitting calibration and thresholds on validation data, shared by every backend: Platt
scaling per label (a sigmoid of a linear function of the raw logit), then the per-label
threshold with the best F1 there, and per-language thresholds by a named rule.

The model applies what is fitted here (`extremism_nlp.models.calibration`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..evaluation.metrics import f1_at_each_cut
from ..labels import LABELS
from ..models.calibration import apply_platt, sigmoid

DEFAULT_THRESHOLD = 0.5
MIN_POSITIVES_FOR_THRESHOLD = 5
"""With fewer validation positives a tuned threshold is noise; the default is kept."""
MIN_POSITIVES_PER_LANGUAGE = 30
"""A language gets its own threshold for a label only with this many validation positives
(and as many negatives); otherwise the label's global threshold applies."""
SHRINKAGE_POSITIVES = 100
"""A language's own threshold is pulled toward the global one, on the log-odds scale, with
weight n / (n + SHRINKAGE_POSITIVES) for its own (n: its validation positives): with 30
positives it moves less than a quarter of the way from the global threshold, with 900 nine
tenths. A threshold chosen on few positives is mostly noise (French `hate` once fell to 0.04)."""
FLOOR_QUANTILE = 0.995
"""No threshold is lower than this quantile of the scores of plain, non-harmful validation
texts (`threshold_floor`), so that everyday sentences stay unflagged whatever the
positives of a language suggest."""


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))


def fit_platt(logit: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    """Slope and intercept of the sigmoid that best explains binary ``target`` from
    ``logit``: the log-loss minimised with L-BFGS, against Platt's smoothed targets so that
    a separable validation set cannot send the slope to infinity."""
    from scipy.optimize import minimize

    logit = np.asarray(logit, dtype=np.float64)
    positives = float(target.sum())
    negatives = float(len(target) - positives)
    if positives == 0 or negatives == 0:
        return 1.0, 0.0
    smoothed = np.where(target > 0, (positives + 1) / (positives + 2), 1 / (negatives + 2))

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        z = params[0] * logit + params[1]
        # log(1 + e^z) - y z, written to stay finite for large |z|
        value = np.sum(np.logaddexp(0.0, z) - smoothed * z)
        residual = sigmoid(z) - smoothed
        return float(value), np.array([np.dot(residual, logit), residual.sum()])

    result = minimize(loss, x0=np.array([1.0, 0.0]), jac=True, method="L-BFGS-B")
    a, b = (float(v) for v in result.x)
    return a, b


def best_f1_threshold(probability: np.ndarray, target: np.ndarray) -> float:
    """Threshold with the highest F1 on (probability, target); the default when there are
    too few positives to choose one."""
    if target.sum() < MIN_POSITIVES_FOR_THRESHOLD:
        return DEFAULT_THRESHOLD
    sorted_p, f1 = f1_at_each_cut(target, probability)
    best = int(np.argmax(f1))
    upper = sorted_p[best]
    lower = sorted_p[best + 1] if best + 1 < len(sorted_p) else 0.0
    return float((upper + lower) / 2)


def calibrate(logits: np.ndarray, targets: np.ndarray, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Platt parameters (k, 2) and thresholds (k,) from validation logits and targets,
    each label on the rows judged for it (``mask``)."""
    mask = np.ones_like(targets, dtype=bool) if mask is None else mask.astype(bool)
    platt = np.array([fit_platt(logits[mask[:, k], k], targets[mask[:, k], k]) for k in range(logits.shape[1])])
    return platt, global_thresholds(apply_platt(logits, platt), targets, mask)


def global_thresholds(probabilities: np.ndarray, targets: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Each label's best-F1 threshold (k,) on calibrated validation probabilities, on the
    rows judged for it (``mask``)."""
    mask = np.ones_like(targets, dtype=bool) if mask is None else mask.astype(bool)
    return np.array(
        [best_f1_threshold(probabilities[mask[:, k], k], targets[mask[:, k], k]) for k in range(probabilities.shape[1])]
    )


def language_thresholds(
    probabilities: np.ndarray,
    targets: np.ndarray,
    langs: list[str],
    labels: tuple[str, ...],
    mask: np.ndarray | None = None,
    global_thresholds: np.ndarray | None = None,
    floor: np.ndarray | None = None,
) -> dict[str, dict[str, float]]:
    """Per-language thresholds where a language has enough validation data for a label.

    Languages differ in base rates and in how confidently the model scores them (German
    offensive tweets score lower than English ones); one global cut favours the language
    with the most validation rows. Given the ``global_thresholds``, each language's own is
    shrunk toward the global one (`SHRINKAGE_POSITIVES`); given a ``floor`` (per label),
    none is lower than it.
    """
    langs_arr = np.asarray(langs)
    judged = np.ones_like(targets, dtype=bool) if mask is None else mask.astype(bool)
    result: dict[str, dict[str, float]] = {}
    for lang in sorted(set(langs)):
        in_lang = langs_arr == lang
        for k, label in enumerate(labels):
            rows = in_lang & judged[:, k]
            y = targets[rows, k]
            positives = int(y.sum())
            if positives >= MIN_POSITIVES_PER_LANGUAGE and (len(y) - positives) >= MIN_POSITIVES_PER_LANGUAGE:
                threshold = best_f1_threshold(probabilities[rows, k], y)
                if global_thresholds is not None:
                    own = positives / (positives + SHRINKAGE_POSITIVES)
                    z = own * _logit(threshold) + (1 - own) * _logit(float(global_thresholds[k]))
                    threshold = float(1 / (1 + np.exp(-z)))
                if floor is not None:
                    threshold = max(threshold, float(floor[k]))
                result.setdefault(lang, {})[label] = round(threshold, 6)
    return result


def threshold_floor(probabilities: np.ndarray, quantile: float = FLOOR_QUANTILE) -> np.ndarray:
    """Per label, the ``quantile`` of the scores of plain, non-harmful texts (n, k): the
    lowest threshold that leaves all but the top (1 - quantile) of them unflagged. Zero
    without such texts."""
    if len(probabilities) == 0:
        return np.zeros(probabilities.shape[1] if probabilities.ndim == 2 else 0)
    return np.quantile(probabilities, quantile, axis=0)


def threshold_floor_interval(
    probabilities: np.ndarray, quantile: float = FLOOR_QUANTILE, draws: int = 1000, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Per label, the 5th and 95th percentiles of `threshold_floor` over ``draws`` bootstrap
    resamples of the plain texts' scores (n, k). Why: the floor is one of the top few
    scores of about a thousand texts, and a refit moves it by as much as this interval
    (0.44 to 0.54 for `offensive` over four fits of one recipe); the neutral and
    counter-speech counts follow it (docs/MODELS.md, "Probe: a draw per network, and what the
    plain-text floor decides")."""
    if len(probabilities) == 0:
        empty = np.zeros(probabilities.shape[1] if probabilities.ndim == 2 else 0)
        return empty, empty
    rng = np.random.default_rng(seed)
    floors = np.array([threshold_floor(probabilities[rng.integers(0, len(probabilities), len(probabilities))], quantile) for _ in range(draws)])
    return np.quantile(floors, 0.05, axis=0), np.quantile(floors, 0.95, axis=0)


ThresholdRule = Callable[..., dict[str, dict[str, float]]]
"""``rule(probabilities, targets, langs, mask, global_thresholds, floor)`` -> language ->
label -> threshold, the overrides of the global thresholds a model stores
(``language_thresholds`` in its config). Arguments: calibrated validation probabilities
(n, len(LABELS)), targets and judged-label mask of the same shape, the language the
Classifier detects for each row, the global thresholds (len(LABELS),) already chosen, and
the per-label floor no threshold may go below (`threshold_floor`)."""


def shrunk_per_language(
    probabilities: np.ndarray, targets: np.ndarray, langs: list[str], mask: np.ndarray, global_thresholds: np.ndarray, floor: np.ndarray
) -> dict[str, dict[str, float]]:
    """Each language's best-F1 threshold where it has enough positives and negatives,
    shrunk toward the global one by its number of positives, and not below the floor."""
    return language_thresholds(probabilities, targets, langs, LABELS, mask, global_thresholds, floor)


def own_per_language(
    probabilities: np.ndarray, targets: np.ndarray, langs: list[str], mask: np.ndarray, global_thresholds: np.ndarray, floor: np.ndarray
) -> dict[str, dict[str, float]]:
    """Each language's own best-F1 threshold, not shrunk (the rule of models up to 0.4.0),
    and not below the floor."""
    return language_thresholds(probabilities, targets, langs, LABELS, mask, None, floor)


THRESHOLD_RULES: dict[str, ThresholdRule] = {"shrunk": shrunk_per_language, "own": own_per_language}
"""Rules for per-language thresholds, chosen by the ``threshold_rule`` training setting."""
