"""Fitting the `ensemble` backend: trained models stacked per label by a logistic
regression over their calibrated log-odds, fitted on the validation split."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..classifier import Classifier
from ..extras import require
from ..labels import LABELS
from ..models import BUILTIN_DIR, CONFIG_FILE, load_model
from ..models.base import ModelInfo
from ..models.ensemble import EnsembleModel, _log_odds
from .config import setting
from .sampling import split_arrays

if TYPE_CHECKING:
    from .config import TrainingConfig


@dataclass
class EnsembleConfig:
    """Settings of the `ensemble` backend."""

    members: list[str] | None = setting(None, "the trained models to stack (built-in names or folders)")

    def __post_init__(self) -> None:
        if len(self.members or []) < 2:
            raise ValueError("an ensemble stacks at least two trained models: give their names or folders as members")


def fit(config: TrainingConfig, corpus: Any) -> EnsembleModel:
    """Stack the members on the validation split (calibration is `finalize`'s, on the same
    split: the stack remembers the members' scores of it)."""
    settings: EnsembleConfig = config.backend
    texts, targets, _, _, mask = split_arrays(corpus["validation"])
    info = ModelInfo(model_type="ensemble", name=config.name, version=config.version)
    return fit_ensemble_model(info, list(settings.members or []), texts, targets, mask)


def fit_ensemble_model(
    info: ModelInfo, refs: list[str], texts: list[str], targets: np.ndarray, mask: np.ndarray, c: float = 1.0
) -> EnsembleModel:
    """Stack the models ``refs`` (built-in names or folders) on labelled texts, in
    practice the validation split, each label on the rows judged for it."""
    linear_model = require("sklearn.linear_model", "train", "stacking models")

    members = [load_model(ref) for ref in refs]
    # Read as the Classifier reads (long texts in passages) and calibrate as each member does.
    log_odds = np.stack(
        [_log_odds(m, Classifier(m).decision_function(texts, batch_size=2000)) for m in members], axis=-1
    )
    stack = np.zeros((len(LABELS), len(members) + 1))
    judged = mask.astype(bool)
    for k in range(len(LABELS)):
        rows, y = judged[:, k], targets[judged[:, k], k]
        if 0 < y.sum() < len(y):
            regression = linear_model.LogisticRegression(C=c).fit(log_odds[rows, k], y)
            stack[k, :-1], stack[k, -1] = regression.coef_[0], regression.intercept_[0]
        else:  # nothing to learn from: the plain mean of the members' log-odds
            stack[k, :-1] = 1.0 / len(members)
    info.backend = {
        "members": [
            {"model": _reference(ref), "name": m.info.name, "version": m.info.version, "type": m.model_type}
            for ref, m in zip(refs, members)
        ],
        "stack": stack.round(6).tolist(),
    }
    # The members trained on overlapping samples of one train split: the largest is what the stack saw.
    info.training["train_used"] = max((m.info.training.get("rows", {}).get("train_used") or 0) for m in members) or None
    model = EnsembleModel(info, members)
    model._fitted_log_odds = dict(zip(texts, log_odds))
    return model


def _reference(ref: str) -> str:
    """How config.json names a member: built-in names as they are, folders as absolute paths
    (an ensemble saved elsewhere still finds them)."""
    if (BUILTIN_DIR / ref / CONFIG_FILE).is_file():
        return ref
    return str(Path(ref).expanduser().resolve())
