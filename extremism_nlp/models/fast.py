"""The `fast` backend: hashed character and word n-grams, tf-idf, one logistic regression
per label. numpy at inference; scikit-learn only for training (`extremism_nlp.training.fast`).
Saved as arrays + JSON."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from ..labels import LABELS
from ..text import normalize_joined, normalize_neighbours
from .base import Model, ModelInfo
from .calibration import apply_platt
from .features import FeatureConfig, joined_linear_scores
from .integrity import build_folder, is_built, safe_name, sha256_file, verify_folder

logger = logging.getLogger(__name__)

WEIGHTS_FILE = "weights.npz"
WEIGHTED_COEF_FILE = "weighted_coef.npy"
INTERCEPT_FILE = "intercept.npy"


class FastModel(Model):
    """Linear one-vs-rest classifier over hashed n-grams.

    Weights are stored as float16 (about 4 MB for 2^19 features); at load they become one
    float32 matrix with the idf folded in, so scoring a text is one pass over its n-grams.
    That matrix is built once per weights file into the user cache (`_cached_scoring_arrays`):
    decompressing the weights and folding them took three quarters of the load time. The
    stored ``coef`` and ``idf`` are then read on first use only (saving, training tools).
    """

    model_type = "fast"
    # About the length of the tweets and news passages it was trained on: a threat inside a
    # long text is not diluted by pages of other words.
    window_chars = 500
    # Every row is summed in the same order whatever the batch (`features.linear_scores`), and
    # a call costs about 0.3 ms beyond its texts.
    min_batch_size = 1000

    def __init__(self, info: ModelInfo, coef: np.ndarray, intercept: np.ndarray, idf: np.ndarray) -> None:
        super().__init__(info)
        self.features = FeatureConfig(**info.backend["features"])
        if coef.shape != (self.features.n_features, len(LABELS)) or idf.shape != (self.features.n_features,):
            raise ValueError(
                f"weights do not match the feature space: coef {coef.shape}, idf {idf.shape}, "
                f"expected ({self.features.n_features}, {len(LABELS)})"
            )
        self._stored: tuple[np.ndarray, np.ndarray] | None = (coef, idf)
        self._weights_path: Path | None = None
        self.intercept = intercept.astype(np.float64)
        self._weighted_coef = _weighted(coef, idf)

    @property
    def coef(self) -> np.ndarray:
        return self._stored_arrays()[0]

    @property
    def idf(self) -> np.ndarray:
        return self._stored_arrays()[1]

    def _stored_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        if self._stored is None:  # loaded with the cached weighted matrix: read them now
            assert self._weights_path is not None
            with np.load(self._weights_path, allow_pickle=False) as weights:
                self._stored = (weights["coef"], weights["idf"])
        return self._stored

    def decision_function(self, texts: list[str]) -> np.ndarray:
        return joined_linear_scores(normalize_joined(texts), len(texts), self.features, self._weighted_coef) + self.intercept

    def score_sentences(
        self, sentences: list[str], pairs: list[tuple[int, str]], raw: bool = False, batch_size: int | None = None
    ) -> np.ndarray:
        """As `Model.score_sentences`, each sentence normalised once for itself and the pairs
        it belongs to (`extremism_nlp.text.normalize_neighbours`): the same scores, bit for
        bit. The Classifier sends about 1,000 pieces at a time, read in one call; a single
        longer document is read in slices of about `SLICE_CHARS`, so that memory does not
        grow with it (2.5 GB for a 10 MB text read in one call)."""
        slices = _slices([len(sentence) for sentence in sentences], SLICE_CHARS)
        if len(slices) == 1:  # a Classifier's group of documents
            logits = self._unit_logits(sentences, pairs)
        else:
            logits = np.zeros((len(sentences) + len(pairs), len(LABELS)), dtype=self._weighted_coef.dtype)
            left = np.array([k for k, _ in pairs], dtype=np.int64)
            for start, end in slices:
                # The sentences start..end - 1, and the pairs that begin among them: the last of
                # those ends in sentence ``end``, read here too (its own scores come from the next slice).
                stop = min(end + 1, len(sentences))
                chosen = np.flatnonzero((left >= start) & (left < end))
                scores = self._unit_logits(sentences[start:stop], [(pairs[i][0] - start, pairs[i][1]) for i in chosen])
                logits[start:end] = scores[: end - start]
                logits[len(sentences) + chosen] = scores[stop - start :]
        logits = logits + self.intercept
        return logits if raw else apply_platt(logits, np.asarray(self.info.platt))

    def _unit_logits(self, sentences: list[str], pairs: list[tuple[int, str]]) -> np.ndarray:
        """Logits less the intercept of the sentences, then the pairs, in one call."""
        normalized, joined = normalize_neighbours(sentences, pairs)
        texts = normalized + joined
        return joined_linear_scores("\n".join(texts), len(texts), self.features, self._weighted_coef)

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
        weights_path = path / WEIGHTS_FILE
        cached = _cached_scoring_arrays(weights_path, info.name)
        if cached is None:
            with np.load(weights_path, allow_pickle=False) as weights:
                return cls(info, weights["coef"], weights["intercept"], weights["idf"])
        weighted_coef, intercept = cached
        features = FeatureConfig(**info.backend["features"])
        if weighted_coef.shape != (features.n_features, len(LABELS)):
            raise ValueError(f"weights do not match the feature space: {weighted_coef.shape}, expected ({features.n_features}, {len(LABELS)})")
        model = cls.__new__(cls)
        Model.__init__(model, info)
        model.features, model.intercept = features, intercept.astype(np.float64)
        model._stored, model._weights_path, model._weighted_coef = None, weights_path, weighted_coef
        return model


SLICE_CHARS = 100_000
"""Characters of sentences read per call, at most about (their pairs read them twice more):
the n-gram arrays take about 250 bytes a character, 25 MB for a slice. Above the 40,000 of a
Classifier's group of documents (`classifier._GROUP_CHARS`), so that only a longer single
document is cut: a second call per group read 1 kB texts 5 % slower."""


def _slices(lengths: list[int], limit: int) -> list[tuple[int, int]]:
    """Consecutive ranges [start, end) of the items whose ``lengths`` add up to about
    ``limit`` (an item longer than that alone); one range when they all fit."""
    slices, start, total = [], 0, 0
    for index, length in enumerate(lengths):
        if total and total + length > limit:
            slices.append((start, index))
            start, total = index, 0
        total += length
    if start < len(lengths) or not slices:
        slices.append((start, len(lengths)))
    return slices


def _weighted(coef: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """The scoring matrix: ``idf[:, None] * coef`` in float32."""
    return (idf.astype(np.float32)[:, None] * coef.astype(np.float32)).astype(np.float32)


def _cached_scoring_arrays(weights_path: Path, name: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The scoring matrix and intercept of a weights file, the matrix memory-mapped from the
    user cache, where both are built on the first load of that file (keyed by the file's
    SHA-256, checked against the checksums recorded at build once per process); None where
    the cache cannot be written."""
    from ..paths import cache_root

    folder = cache_root() / "fast" / f"{safe_name(name)}-{sha256_file(weights_path)[:16]}"
    try:
        if is_built(folder):
            verify_folder(folder)
        else:

            def build(tmp: Path) -> None:
                with np.load(weights_path, allow_pickle=False) as weights:
                    np.save(tmp / WEIGHTED_COEF_FILE, _weighted(weights["coef"], weights["idf"]))
                    np.save(tmp / INTERCEPT_FILE, weights["intercept"])

            logger.info("building the scoring matrix of %s into %s (once)", weights_path, folder)
            build_folder(folder, build)
        weighted_coef = np.asarray(np.load(folder / WEIGHTED_COEF_FILE, mmap_mode="r", allow_pickle=False))
        return weighted_coef, np.load(folder / INTERCEPT_FILE, allow_pickle=False)
    except OSError as error:  # a read-only or full cache: build it in memory, as before
        logger.info("cannot cache the scoring matrix in %s (%s); building it in memory", folder, error)
        return None
