"""A backend defined outside the package, to show what adding one takes: a Model subclass,
a config dataclass, a ``fit`` function, and one registry entry (see test_backends.py).

It scores each label by how much more often the text's words occur in that label's
training positives than in its negatives (a tiny naive Bayes)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from extremism_nlp.labels import LABELS
from extremism_nlp.models.base import Model, ModelInfo
from extremism_nlp.training.config import setting
from extremism_nlp.training.sampling import split_arrays

WEIGHTS_FILE = "words.json"


class WordModel(Model):
    model_type = "words"

    def __init__(self, info: ModelInfo, weights: dict[str, list[float]]) -> None:
        super().__init__(info)
        self.weights = weights

    def decision_function(self, texts: list[str]) -> np.ndarray:
        zero = [0.0] * len(LABELS)
        return np.array([np.sum([self.weights.get(w, zero) for w in t.lower().split()] or [zero], axis=0) for t in texts])

    def save_pretrained(self, path: str | Path) -> None:
        folder = Path(path)
        self._write_info(folder)
        (folder / WEIGHTS_FILE).write_text(json.dumps(self.weights), encoding="utf-8")

    @classmethod
    def from_pretrained(cls, path: Path, info: ModelInfo, **options: Any) -> WordModel:
        return cls(info, json.loads((path / WEIGHTS_FILE).read_text(encoding="utf-8")))


@dataclass
class WordConfig:
    smoothing: float = setting(1.0, "added to every word count")


def fit(config: Any, corpus: Any) -> WordModel:
    texts, targets, _, _, mask = split_arrays(corpus["train"])
    weights: dict[str, list[float]] = {}
    for k in range(len(LABELS)):
        positive, negative = Counter(), Counter()
        for text, y, judged in zip(texts, targets[:, k], mask[:, k]):
            if judged:
                (positive if y else negative).update(text.lower().split())
        n_pos, n_neg = sum(positive.values()), sum(negative.values())
        for word in positive.keys() | negative.keys():
            s = config.backend.smoothing
            ratio = np.log((positive[word] + s) / (n_pos + s)) - np.log((negative[word] + s) / (n_neg + s))
            weights.setdefault(word, [0.0] * len(LABELS))[k] = float(ratio)
    info = ModelInfo(model_type="words", name=config.name, version=config.version)
    return WordModel(info, weights)
