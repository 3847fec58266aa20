"""The `fast` backend: hashed character and word n-grams, tf-idf, one logistic regression
per label. numpy at inference; scikit-learn only for training (`extremism_nlp.training.fast`).
Saved as arrays + JSON."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..labels import LABELS
from ..text import normalize_batch
from .base import Model, ModelInfo
from .features import FeatureConfig, linear_scores

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
        return linear_scores(normalize_batch(texts), self.features, self._weighted_coef) + self.intercept

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
