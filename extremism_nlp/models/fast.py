"""The `fast` backend: hashed character and word n-grams, tf-idf, one logistic regression
per label. numpy at inference; scikit-learn only for training. Saved as arrays + JSON."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..labels import LABELS
from ..text import normalize
from .base import Model, ModelInfo
from .features import FeatureConfig, document_frequency, feature_matrix, linear_scores, ngram_occurrences

WEIGHTS_FILE = "weights.npz"


class FastModel(Model):
    """Linear one-vs-rest classifier over hashed n-grams.

    Weights are stored as float16 (about 4 MB for 2^19 features); at load they become one
    float32 matrix with the idf folded in, so scoring a text is one pass over its n-grams.
    """

    model_type = "fast"
    # About the length of the tweets and news passages it was trained on: a threat inside a
    # long text is not diluted by pages of other words.
    window_chars = 500

    def __init__(self, info: ModelInfo, coef: np.ndarray, intercept: np.ndarray, idf: np.ndarray) -> None:
        super().__init__(info)
        self.features = FeatureConfig(**info.backend["features"])
        if coef.shape != (self.features.n_features, len(LABELS)) or idf.shape != (self.features.n_features,):
            raise ValueError(
                f"weights do not match the feature space: coef {coef.shape}, idf {idf.shape}, "
                f"expected ({self.features.n_features}, {len(LABELS)})"
            )
        self.coef = coef
        self.intercept = intercept.astype(np.float64)
        self.idf = idf
        self._weighted_coef = (idf.astype(np.float32)[:, None] * coef.astype(np.float32)).astype(np.float32)

    def decision_function(self, texts: list[str]) -> np.ndarray:
        normalised = [normalize(text) for text in texts]
        return linear_scores(normalised, self.features, self._weighted_coef) + self.intercept

    def save_pretrained(self, path: str | Path) -> None:
        folder = Path(path)
        self._write_info(folder)
        np.savez_compressed(
            folder / WEIGHTS_FILE,
            coef=self.coef.astype(np.float16),
            intercept=self.intercept.astype(np.float32),
            idf=self.idf.astype(np.float16),
        )

    @classmethod
    def from_pretrained(cls, path: Path, info: ModelInfo, **options: object) -> FastModel:
        if options:
            raise ValueError(f"the fast model takes no load options, got {sorted(options)}")
        with np.load(path / WEIGHTS_FILE, allow_pickle=False) as weights:
            return cls(info, weights["coef"], weights["intercept"], weights["idf"])

    @classmethod
    def fit(
        cls,
        texts: list[str],
        targets: np.ndarray,
        info: ModelInfo,
        sample_weight: np.ndarray | None = None,
        c: float = 4.0,
        show_progress: bool = True,
        mask: np.ndarray | None = None,
    ) -> FastModel:
        """Train one class-weighted logistic regression per label on raw texts; each label
        on the rows judged for it (``mask``, default all).

        Calibration and thresholds are left to the caller (validation data), see
        ``extremism_nlp.training``.
        """
        try:
            from sklearn.linear_model import LogisticRegression
        except ImportError:
            raise ImportError('training needs the "train" extra: pip install "extremism-nlp[train]"') from None
        from tqdm.auto import tqdm

        features = FeatureConfig(**info.backend["features"])
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
            classifier = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=200)
            classifier.fit(matrix[rows], y, sample_weight=None if sample_weight is None else sample_weight[rows])
            coef[:, k] = classifier.coef_[0]
            intercept[k] = classifier.intercept_[0]
        # Rounded to the stored precision now, so that a saved and reloaded model gives
        # exactly the probabilities of the one in memory.
        return cls(info, coef.astype(np.float16), intercept, idf.astype(np.float16))
