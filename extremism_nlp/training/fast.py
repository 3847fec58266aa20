"""Fitting the `fast` backend: one class-weighted logistic regression per label over
hashed, tf-idf weighted n-grams (scikit-learn's liblinear), languages re-weighted."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..extras import require
from ..labels import LABELS
from ..models.base import ModelInfo
from ..models.fast import FastModel
from ..models.features import FeatureConfig, document_frequency, feature_matrix, ngram_occurrences
from ..text import normalize
from .config import SampledConfig, setting
from .sampling import language_weights, sample, split_arrays

if TYPE_CHECKING:
    from .config import TrainingConfig

logger = logging.getLogger(__name__)


@dataclass
class FastConfig(SampledConfig):
    """Settings of the `fast` backend."""

    c: float = setting(4.0, "inverse L2 strength of the logistic regressions")
    n_features_log2: int = setting(19, "log2 of the size of the hashed feature space")


def fit(config: TrainingConfig, corpus: Any) -> FastModel:
    """Fit on (a sample of) the train split; calibration is `finalize`'s."""
    settings: FastConfig = config.backend
    train_split = sample(corpus["train"], settings.max_train_rows, settings.seed)
    texts, targets, langs, _, mask = split_arrays(train_split)
    logger.info("training %s on %d rows", config.name, len(texts))
    info = ModelInfo(
        model_type="fast",
        name=config.name,
        version=config.version,
        backend={"features": FeatureConfig(n_features_log2=settings.n_features_log2).to_dict()},
    )
    model = fit_fast_model(
        texts, targets, info, sample_weight=language_weights(langs, settings.language_balance),
        c=settings.c, show_progress=config.run.show_progress, mask=mask,
    )  # fmt: skip
    info.training["train_used"] = len(texts)
    return model


def fit_fast_model(
    texts: list[str],
    targets: np.ndarray,
    info: ModelInfo,
    sample_weight: np.ndarray | None = None,
    c: float = FastConfig.c,
    show_progress: bool = True,
    mask: np.ndarray | None = None,
) -> FastModel:
    """Train one class-weighted logistic regression per label on raw texts; each label
    on the rows judged for it (``mask``, default all). ``info.backend["features"]`` gives
    the feature space.

    Calibration and thresholds are left to the caller (validation data), see
    `extremism_nlp.training.run.finalize`.
    """
    linear_model = require("sklearn.linear_model", "train", "training")
    from tqdm.auto import tqdm

    features = FeatureConfig(**info.backend["features"])
    logger.info("fast model: n-grams of %d texts, then one logistic regression per label", len(texts))
    normalised = [normalize(text) for text in texts]
    occurrences = ngram_occurrences(normalised, features)  # computed once, used twice
    df = document_frequency(normalised, features, occurrences)
    # Smoothed idf, as scikit-learn's TfidfTransformer: unseen n-grams get the largest weight.
    idf = (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)
    matrix = feature_matrix(normalised, features, idf, occurrences)
    coef = np.zeros((features.n_features, len(LABELS)), dtype=np.float32)
    intercept = np.zeros(len(LABELS), dtype=np.float32)
    for k, label in enumerate(tqdm(LABELS, desc="fast model: labels", disable=not show_progress)):
        rows = np.ones(len(texts), dtype=bool) if mask is None else mask[:, k].astype(bool)
        y = targets[rows, k]
        if len(y) == 0 or y.min() == y.max():
            raise ValueError(f"label {label!r} needs positive and negative training rows")
        classifier = linear_model.LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=200)
        classifier.fit(matrix[rows], y, sample_weight=None if sample_weight is None else sample_weight[rows])
        coef[:, k] = classifier.coef_[0]
        intercept[k] = classifier.intercept_[0]
    # Rounded to the stored precision now, so that a saved and reloaded model gives
    # exactly the probabilities of the one in memory.
    return FastModel(info, coef.astype(np.float16), intercept, idf.astype(np.float16))
