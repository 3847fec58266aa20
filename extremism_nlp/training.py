"""Train a backend from a config: corpus in, model folder with config, weights and card out.

Calibration and thresholds come from the validation split; the metrics in the card come
from the test split, which training never sees.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from . import __version__
from .labels import LABELS

logger = logging.getLogger(__name__)


@dataclass
class TrainingConfig:
    """Everything a training run depends on; stored in the model's config.json.

    Attributes:
        model: backend, ``"fast"``, ``"transformer"`` or ``"ensemble"``.
        name, version: identity of the model written.
        output_dir: folder to write the model into.
        data_dir, sources, languages, commercial_only: passed to ``load_corpus``.
        max_train_rows: cap on training rows (a deterministic sample), for quick runs.
        language_balance: exponent of the per-language sample weight (n_all / n_lang)^x;
            0 weighs every row alike, 1 gives every language the same total weight.
        fast_c: inverse L2 strength of the fast model's logistic regressions.
        fast_features_log2: log2 of the hashed feature space of the fast model.
        base: the transformer's base encoder (name, folder or hub id).
        epochs, batch_size, learning_rate, max_length, patience, seed: transformer training;
            ``patience`` epochs without a better validation macro-F1 stop training.
        max_eval_rows: cap on validation rows evaluated each epoch (transformer).
        checkpoint_dir: where the transformer's resumable checkpoints go.
        init_from: transformer: a trained transformer (built-in name or folder) whose LoRA
            matrices and head training starts from, to continue a model on more data.
        train_languages: transformer: draw the training sample from these languages only;
            validation, calibration and test stay whole. With ``init_from``, a continued run
            spends its steps where the model is weakest.
        members: ensemble: the trained models to stack (built-in names or folders).
        frozen_c: frozen_encoder: inverse L2 strength of the head's logistic regressions.
    """

    model: str = "fast"
    name: str = "fast"
    version: str = __version__
    output_dir: str = "runs/fast"
    data_dir: str | None = None
    sources: list[str] | None = None
    languages: list[str] | None = None
    commercial_only: bool = False
    max_train_rows: int | None = None
    language_balance: float = 0.5
    fast_c: float = 4.0
    fast_features_log2: int = 19
    show_progress: bool = True
    base: str = "multilingual-e5-small"
    epochs: float = 2.0
    batch_size: int = 32
    learning_rate: float = 3e-4
    max_length: int = 128
    patience: int = 1
    seed: int = 13
    max_eval_rows: int | None = 4000
    frozen_c: float = 0.5
    checkpoint_dir: str | None = None
    init_from: str | None = None
    train_languages: list[str] | None = None
    members: list[str] | None = None


def language_weights(langs: list[str], exponent: float) -> np.ndarray:
    """Sample weights (mean 1) that lift rare languages: (n_all / n_lang) ** exponent."""
    values, inverse, counts = np.unique(np.asarray(langs), return_inverse=True, return_counts=True)
    weights = (len(langs) / counts[inverse]) ** exponent
    return weights / weights.mean()


def _split_arrays(split) -> tuple[list[str], np.ndarray, list[str], list[str], np.ndarray]:
    """Texts, labels, languages, sources and label masks of a corpus split."""
    return (
        list(split["text"]),
        np.asarray(split["labels"], dtype=np.int8),
        list(split["lang"]),
        list(split["source"]),
        np.asarray(split["label_mask"], dtype=np.int8),
    )


def _sample(split, max_rows: int | None):
    if max_rows is None or len(split) <= max_rows:
        return split
    return split.shuffle(seed=13).select(range(max_rows))


def language_sample(split, max_rows: int | None, exponent: float, seed: int = 13, by: tuple[str, ...] = ("lang",)):
    """A training sample of at most ``max_rows`` rows and its sample weights (mean 1).

    Rows are grouped by the columns ``by`` (the language, or source and language). Each
    group's target share of the loss is what `language_weights` gives it over the
    whole split (proportional to n_lang ** (1 - exponent)). A capped sample follows that mix as far
    as each language's rows allow (a small language is taken whole and the rest shared out
    again), so that a short run spends its steps where the weights would put them anyway;
    the weights make up for what the rows could not.
    """
    langs = np.asarray(["|".join(key) for key in zip(*(split[column] for column in by))])
    values, inverse, counts = np.unique(langs, return_inverse=True, return_counts=True)
    target = np.bincount(inverse, weights=language_weights(list(langs), exponent))
    target = target / target.sum()
    budget = len(langs) if max_rows is None else min(max_rows, len(langs))
    taken = np.zeros(len(values), dtype=np.int64)
    open_ = np.ones(len(values), dtype=bool)
    while open_.any():  # water-filling: languages that run out are taken whole
        share = (budget - taken[~open_].sum()) * target / target[open_].sum()
        full = open_ & (share >= counts)
        if not full.any():
            taken[open_] = np.floor(share[open_]).astype(np.int64)
            break
        taken[full], open_[full] = counts[full], False
    rest = budget - taken.sum()  # rounding: the largest open languages take one more row
    for k in np.argsort(-(counts - taken))[: max(rest, 0)]:
        taken[k] += 1
    rng = np.random.default_rng(seed)
    rows = np.concatenate([rng.permutation(np.flatnonzero(inverse == k))[: taken[k]] for k in range(len(values))])
    rows = np.sort(rows)
    per_language = np.divide(target, taken / budget, out=np.zeros_like(target), where=taken > 0)
    weights = per_language[inverse[rows]]
    return split.select(rows.tolist()), (weights / weights.mean()).astype(np.float32)


def train(config: TrainingConfig) -> Path:
    """Train, calibrate, evaluate and save a model; return its folder."""
    from .data import load_corpus
    from .models.base import ModelInfo

    if config.model not in ("fast", "transformer", "frozen_encoder", "ensemble"):
        raise ValueError(f"unknown model type {config.model!r}; available: 'fast', 'transformer', 'frozen_encoder', 'ensemble'")
    if config.model != "transformer" and (config.init_from or config.train_languages):
        raise ValueError("init_from and train_languages apply to transformer training only")
    if config.model == "ensemble" and len(config.members or []) < 2:
        raise ValueError("an ensemble stacks at least two trained models: give their names or folders as members")
    started = time.perf_counter()
    corpus = load_corpus(config.data_dir, config.sources, config.languages, config.commercial_only)
    if config.model == "transformer":
        from .transformer_training import train_transformer

        return finalize(train_transformer(config, corpus), corpus, config, started)
    if config.model == "ensemble":
        from .models.ensemble import EnsembleModel

        texts, targets, _, _, mask = _split_arrays(corpus["validation"])
        info = ModelInfo(model_type="ensemble", name=config.name, version=config.version)
        return finalize(EnsembleModel.fit(info, config.members, texts, targets, mask), corpus, config, started)
    return finalize(fit_model(config, corpus["train"]), corpus, config, started)


REFITTABLE = ("fast", "frozen_encoder")
"""Backends that fit in minutes on a CPU, so that a protocol can train them once per fold."""


def fit_model(config: TrainingConfig, train_split):
    """A fast or frozen_encoder model fitted on a train split, not yet calibrated."""
    if config.model == "frozen_encoder":
        from .frozen_training import train_frozen_encoder

        return train_frozen_encoder(config, train_split)
    if config.model != "fast":
        raise ValueError(f"fit_model fits {' and '.join(REFITTABLE)} models, not {config.model!r}")
    from .models.base import ModelInfo
    from .models.fast import FastModel
    from .models.features import FeatureConfig

    train_split = _sample(train_split, config.max_train_rows)
    texts, targets, langs, _, mask = _split_arrays(train_split)
    logger.info("training %s on %d rows", config.name, len(texts))
    info = ModelInfo(
        model_type="fast",
        name=config.name,
        version=config.version,
        backend={"features": FeatureConfig(n_features_log2=config.fast_features_log2).to_dict()},
    )
    model = FastModel.fit(
        texts, targets, info, sample_weight=language_weights(langs, config.language_balance),
        c=config.fast_c, show_progress=config.show_progress, mask=mask,
    )  # fmt: skip
    info.training["train_used"] = len(texts)
    return model


def protocol_recipe(config: TrainingConfig):
    """The recipe of a model for the `loso` and `crosslingual` protocols: fit on a train
    split, calibrate on a validation split, as training does."""
    from .classifier import Classifier

    if config.model not in REFITTABLE:
        raise ValueError(
            f"the loso and crosslingual protocols train the model again for every fold: that takes minutes for "
            f"{' and '.join(REFITTABLE)} models, hours for a {config.model!r} model on a CPU; use --protocol test or neutral"
        )

    def recipe(train_split, validation_split):
        model = fit_model(config, train_split)
        fit_calibration(model, validation_split)
        return Classifier(model)

    return recipe


PLAIN_KINDS = ("everyday", "neutral_group")
"""Kinds of project-written examples that are plain, non-harmful text: the rows whose
scores set the thresholds' floor."""


def plain_rows(split) -> np.ndarray:
    """Rows of a split that are plain everyday or neutral text written for the project."""
    return np.array(
        [source == "project_written" and kind in PLAIN_KINDS for source, kind in zip(split["source"], split["source_label"])],
        dtype=bool,
    )


def fit_calibration(model, validation) -> None:
    """Platt scaling, global and per-language thresholds from the validation split, into
    ``model.info``. Per-language thresholds are shrunk toward the global ones, and no
    threshold is below the floor that plain everyday validation texts support."""
    from .classifier import Classifier
    from .models.calibration import apply_platt, calibrate, language_thresholds, threshold_floor
    from .text import detect_language

    info = model.info
    val_texts, val_targets, _, _, val_mask = _split_arrays(validation)
    # Read validation texts as the Classifier reads any text (long ones in passages), so
    # that calibration sees the scores it will be applied to.
    val_logits = Classifier(model).decision_function(val_texts, batch_size=2000)
    platt, thresholds = calibrate(val_logits, val_targets, val_mask)
    probabilities = apply_platt(val_logits, platt)
    floor = threshold_floor(probabilities[plain_rows(validation)])
    thresholds = np.maximum(thresholds, floor)
    info.platt = platt.round(6).tolist()
    info.thresholds = {label: round(float(t), 6) for label, t in zip(LABELS, thresholds)}
    info.training["threshold_floor"] = {label: round(float(f), 6) for label, f in zip(LABELS, floor)}
    info.training["threshold_floor_rows"] = int(plain_rows(validation).sum())
    # Per-language thresholds key on the language the Classifier will detect at run time.
    val_detected = [detect_language(text) for text in val_texts]
    info.language_thresholds = language_thresholds(probabilities, val_targets, val_detected, LABELS, val_mask, thresholds, floor)


def finalize(model, corpus, config: TrainingConfig, started: float | None = None) -> Path:
    """Calibrate and choose thresholds on validation, measure on test, write the model
    folder with its card. Separate from fitting so that a fitted model can be
    re-calibrated without training again."""
    from .classifier import Classifier
    from .data.registry import SOURCES
    from .evaluation.report import evaluate
    from .model_card import write_model_card

    started = time.perf_counter() if started is None else started
    info = model.info
    fit_calibration(model, corpus["validation"])
    report = evaluate(Classifier(model), corpus["test"], by=("lang", "source"))
    test_metrics = {"by_lang": report.groups["lang"], "by_source": report.groups["source"]}
    used_sources = sorted({s for split in corpus.values() for s in split.unique("source")})
    info.training = {
        **info.training,  # what the backend's fitting recorded (rows used, epoch metrics)
        "date": dt.date.today().isoformat(),
        "library_version": __version__,
        "config": asdict(config),
        "rows": {name: len(split) for name, split in corpus.items()} | {"train_used": info.training.get("train_used")},
        "sources": [
            {"name": s, "licence": SOURCES[s].licence, "commercial": SOURCES[s].commercial, "citation": SOURCES[s].citation}
            for s in used_sources
        ],
        "test_metrics": test_metrics,
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    output = Path(config.output_dir)
    model.save_pretrained(output)
    write_model_card(output, info)
    logger.info("saved %s to %s in %.0f s", info.name, output, time.perf_counter() - started)
    return output
