"""The interface every backend implements, and the metadata every model folder carries."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..labels import LABELS
from .calibration import apply_platt

CONFIG_FILE = "config.json"
CARD_FILE = "README.md"


@dataclass
class ModelInfo:
    """What config.json says about any model: identity, taxonomy, calibration, thresholds
    and training metadata. Backends add their own section under ``backend``."""

    model_type: str
    name: str
    version: str
    labels: list[str] = field(default_factory=lambda: list(LABELS))
    platt: list[list[float]] = field(default_factory=lambda: [[1.0, 0.0] for _ in LABELS])
    thresholds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(LABELS, 0.5))
    language_thresholds: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per-language overrides of ``thresholds`` (ISO 639-1 code -> label -> threshold)."""
    backend: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_file(cls, path: Path) -> ModelInfo:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("labels") != list(LABELS):
            raise ValueError(f"{path} was made for labels {data.get('labels')}, this library uses {list(LABELS)}")
        return cls(**data)


class Model(ABC):
    """A backend: raw label logits from texts, plus the calibration stored with it.

    ``predict_proba`` is the contract shared by every backend: an array (n, len(LABELS))
    of calibrated probabilities in ``LABELS`` order.
    """

    model_type: ClassVar[str]
    load_options: ClassVar[tuple[str, ...]] = ()
    """Names of the keyword options `from_pretrained` takes."""
    min_batch_size: ClassVar[int] = 1
    """Texts scored at a time at least, whatever ``batch_size`` the caller asks for: a backend
    whose scores do not depend on the batch and that reads a batch at once (the fast
    model) only loses by small calls."""
    window_chars: int = 2000
    """Texts longer than this are split into passages by the Classifier and scored per
    passage (the highest score per label wins)."""

    def __init__(self, info: ModelInfo) -> None:
        self.info = info
        self.classes_ = np.array(LABELS)

    @property
    def thresholds(self) -> np.ndarray:
        """Global thresholds in ``LABELS`` order."""
        return np.array([self.info.thresholds[label] for label in LABELS])

    def threshold_table(self) -> tuple[dict[str, int], np.ndarray]:
        """Every row of thresholds a text can get, (1 + languages, len(LABELS)): row 0 the
        global thresholds, then one row per language with thresholds of its own, with the
        global threshold for labels the language does not override; and each such
        language's row number."""
        default = [self.info.thresholds[label] for label in LABELS]
        rows = [default] + [[overrides.get(label, default[k]) for k, label in enumerate(LABELS)] for overrides in self.info.language_thresholds.values()]
        return {lang: row for row, lang in enumerate(self.info.language_thresholds, 1)}, np.array(rows, dtype=np.float64)

    def thresholds_for(self, langs: list[str]) -> np.ndarray:
        """Thresholds (n, len(LABELS)) for texts in these languages: the language's own
        where it has one, else the global one."""
        row_of, rows = self.threshold_table()
        return rows[np.array([row_of.get(lang, 0) for lang in langs], dtype=np.int64)]

    @abstractmethod
    def decision_function(self, texts: list[str]) -> np.ndarray:
        """Raw logits (n, len(LABELS)) of already validated texts."""

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return apply_platt(self.decision_function(texts), np.asarray(self.info.platt))

    def score_sentences(
        self, sentences: list[str], pairs: list[tuple[int, str]], raw: bool = False, batch_size: int | None = None
    ) -> np.ndarray:
        """Scores (probabilities, or logits with ``raw``) of each sentence of long texts read
        alone, then of each pair ``(k, text)``: sentences k and k + 1 read together, ``text``
        being the two with what lies between them in their document. Rows in that order;
        ``batch_size`` texts per call at most. A backend that can share work between a
        sentence and the pairs it belongs to (the fast model normalises each sentence once)
        does it here."""
        texts = sentences + [text for _, text in pairs]
        score = self.decision_function if raw else self.predict_proba
        step = batch_size or max(len(texts), 1)
        return np.concatenate([score(texts[start : start + step]) for start in range(0, len(texts), step)] or [np.zeros((0, len(LABELS)))])

    @abstractmethod
    def save_pretrained(self, path: str | Path) -> None:
        """Write config.json and the weights into the folder ``path``."""

    @classmethod
    @abstractmethod
    def from_pretrained(cls, path: Path, info: ModelInfo, **options: Any) -> Model:
        """Load from a folder whose config.json was already read into ``info``; ``options``
        are backend-specific load settings."""

    def _write_info(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / CONFIG_FILE).write_text(self.info.to_json(), encoding="utf-8")
