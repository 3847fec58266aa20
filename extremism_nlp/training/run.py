"""A training run: corpus in, model folder with config, weights and card out.

The backend's ``fit`` (named by the backend registry) fits on the train split;
`finalize` then calibrates and chooses thresholds on the validation split and measures on
the test split, which training never sees.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..backends import get_backend
from ..classifier import Classifier
from ..data import load_corpus
from ..data.registry import SOURCES
from ..evaluation import protocols
from ..evaluation.functional import run_suite
from ..evaluation.report import evaluate
from ..labels import LABELS
from ..model_card import write_model_card
from ..models.base import Model, ModelInfo
from ..models.calibration import apply_platt
from ..text import detect_language
from .calibration import (
    FLOOR_QUANTILE,
    THRESHOLD_RULES,
    ThresholdRule,
    calibrate,
    global_thresholds,
    threshold_floor,
    threshold_floor_interval,
)
from .config import RunConfig, TrainingConfig
from .sampling import SAMPLE_WEIGHT, split_arrays, written_rows

logger = logging.getLogger(__name__)


def train(config: TrainingConfig) -> Path:
    """Train, calibrate, evaluate and save a model; return its folder."""
    fit = get_backend(config.model).fit_function()
    threshold_rule(config.run.threshold_rule)  # an unknown rule fails now, not after hours of training
    started = time.perf_counter()
    run = config.run
    logger.info("loading the corpus")
    corpus = load_corpus(run.data_dir, run.sources, run.languages, run.commercial_only)
    logger.info("corpus ready in %.0f s: %s rows", time.perf_counter() - started, {name: len(split) for name, split in corpus.items()})
    plain_texts = read_plain_calibration(run.plain_calibration)  # a missing folder fails now, not after training
    return finalize(fit(config, corpus), corpus, config, started, plain_texts)


def threshold_rule(name: str) -> ThresholdRule:
    """The per-language threshold rule called ``name`` (`THRESHOLD_RULES`)."""
    if name not in THRESHOLD_RULES:
        raise ValueError(f"unknown threshold rule {name!r}; available: {', '.join(map(repr, THRESHOLD_RULES))}")
    return THRESHOLD_RULES[name]


REFITTABLE = ("fast", "frozen_encoder")
"""Backends that fit in minutes on a CPU, so that a protocol can train them once per fold."""


def fit_model(config: TrainingConfig, train_split: Any) -> Model:
    """A fast or frozen_encoder model fitted on a train split, not yet calibrated."""
    if config.model not in REFITTABLE:
        raise ValueError(f"fit_model fits {' and '.join(REFITTABLE)} models, not {config.model!r}")
    model: Model = get_backend(config.model).fit_function()(config, {"train": train_split})
    return model


def protocol_recipe(config: TrainingConfig) -> Callable[[Any, Any], Classifier]:
    """The recipe of a model for the `loso` and `crosslingual` protocols: fit on a train
    split, calibrate on a validation split, as training does."""
    if config.model not in REFITTABLE:
        raise ValueError(
            f"the loso and crosslingual protocols train the model again for every fold: that takes minutes for "
            f"{' and '.join(REFITTABLE)} models, hours for a {config.model!r} model on a CPU; use --protocol test or neutral"
        )

    plain_texts = read_plain_calibration(config.run.plain_calibration)

    def recipe(train_split: Any, validation_split: Any) -> Classifier:
        model = fit_model(config, train_split)
        fit_calibration(model, _recipe_rows(config, validation_split), config.run.threshold_rule, plain_texts=plain_texts)
        return Classifier(model)

    return recipe


def protocol_corpus(config: TrainingConfig, corpus: Any) -> Any:
    """The corpus a recipe's `loso` and `crosslingual` folds start from.

    Its train split holds the recipe's own rows: only the sources the config trains on, and
    for a `frozen_encoder` recipe the sample it draws from the whole split, each row's weight
    carried in a `SAMPLE_WEIGHT` column. A fold removes the held-out rows from that sample, so
    it trains on exactly the rows (and weights) the shipped model saw from every other source
    or language, and their embeddings are in the cache: a fold costs a head fit, not an hour
    of embedding new rows. Validation and test stay whole: they hold the folds' held-out rows
    (a recipe calibrates on its own sources' validation rows, see `protocol_recipe`).
    """
    train_split = _recipe_rows(config, corpus["train"])
    if config.model == "frozen_encoder":
        from .frozen_encoder import training_sample

        drawn, weights = training_sample(train_split, config.backend)
        train_split = drawn.add_column(SAMPLE_WEIGHT, weights.tolist())
    return {**corpus, "train": train_split}


def run_refitting_protocol(
    protocol: str,
    config: TrainingConfig,
    corpus: Any,
    seeds: Sequence[int] = (),
    languages: Sequence[str] | None = None,
    held_out_sources: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The ``loso`` or ``crosslingual`` protocol for the recipe ``config`` describes: once
    with its own seed, or, given several ``seeds``, once per seed (each drawing its own
    training sample and fitting its own head) with the spread of the headline figures over
    the draws (`protocols.over_draws`). ``languages``: the crosslingual folds (default
    `protocols.CROSSLINGUAL_LANGUAGES`); ``held_out_sources``: the loso folds (default: every
    source)."""
    if protocol not in ("loso", "crosslingual"):
        raise ValueError(f"{protocol!r} does not refit a recipe: only loso and crosslingual do")

    def one_draw(seed: int) -> dict[str, Any]:
        seeded = config.with_settings(seed=seed)
        recipe, folds_corpus = protocol_recipe(seeded), protocol_corpus(seeded, corpus)
        if protocol == "loso":
            return protocols.run_loso(recipe, folds_corpus, sources=held_out_sources)
        return protocols.run_crosslingual(recipe, folds_corpus, languages or protocols.CROSSLINGUAL_LANGUAGES)

    chosen = list(dict.fromkeys(seeds)) or [config.backend.seed]
    if len(chosen) == 1:
        return one_draw(chosen[0])
    return protocols.over_draws(protocol, {seed: one_draw(seed) for seed in chosen})


def _recipe_rows(config: TrainingConfig, split: Any) -> Any:
    """The rows of a split from the sources the config trains on."""
    sources = config.run.sources
    return split if not sources else split.filter(lambda source: source in sources, input_columns="source")


PLAIN_KINDS = ("everyday", "neutral_group")
"""Kinds of project-written examples that are plain, non-harmful text: the rows whose
scores set the thresholds' floor."""


def plain_rows(split: Any) -> np.ndarray:
    """Rows of a split that are plain everyday or neutral text written for the project."""
    return written_rows(split, PLAIN_KINDS)


def read_plain_calibration(folder: str | Path | None) -> list[str]:
    """The sentences of a text file, or of every ``<lang>.txt`` in a folder (one a line;
    other files, such as SOURCE.txt, are not read): plain everyday text whose scores set the
    thresholds' floor (`RunConfig.plain_calibration`, `raise_floor`). None: no sentences.
    Blank lines are skipped. A line that is also a sentence of the neutral or counter-speech
    sets is dropped, and the drop logged: those sets measure what the floor does, so they
    must not set it."""
    if folder is None:
        return []
    path = Path(folder)
    files = [path] if path.is_file() else sorted(p for p in path.glob("*.txt") if re.fullmatch("[a-z]{2,3}", p.stem)) if path.is_dir() else []
    if not files:
        raise ValueError(f"{folder} is neither a text file nor a folder of <lang>.txt files (one sentence a line)")
    lines = [line.strip() for file in files for line in _read_utf8(file).splitlines() if line.strip()]
    measured = {sentence for name in ("neutral", "counter_speech") for sentences in protocols.load_sentences(name).values() for sentence in sentences}
    kept = [line for line in lines if line not in measured]
    if len(kept) < len(lines):
        logger.warning("dropped %d of %d lines of %s: they are sentences of the neutral or counter-speech sets", len(lines) - len(kept), len(lines), folder)
    return kept


def _read_utf8(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not UTF-8 text (byte {error.start}): save it as UTF-8") from None


def fit_calibration(
    model: Model, validation: Any, rule: str = RunConfig.threshold_rule, thresholds_only: bool = False, plain_texts: Sequence[str] = ()
) -> None:
    """Platt scaling, global and per-language thresholds from the validation split, into
    ``model.info``. Per-language thresholds follow the config's threshold rule (by default
    shrunk toward the global ones), and no threshold is below the floor that plain everyday
    texts support: the plain validation texts, with ``plain_texts`` pooled in
    (`read_plain_calibration`).

    With ``thresholds_only`` the model's Platt scaling is kept as it is, so its scores do
    not change, and only the thresholds are chosen again (`refit_thresholds`)."""
    info = model.info
    val_texts, val_targets, _, _, val_mask = split_arrays(validation)
    # Read validation texts as the Classifier reads any text (long ones in passages), so
    # that calibration sees the scores it will be applied to.
    logger.info("%s on %d validation texts", "choosing thresholds" if thresholds_only else "calibrating", len(val_texts))
    classifier = Classifier(model)
    val_logits = classifier.decision_function(val_texts, batch_size=2000)
    if thresholds_only:
        platt = np.asarray(info.platt, dtype=np.float64)
        probabilities = apply_platt(val_logits, platt)
        thresholds = global_thresholds(probabilities, val_targets, val_mask)
    else:
        platt, thresholds = calibrate(val_logits, val_targets, val_mask)
        probabilities = apply_platt(val_logits, platt)
    plain = probabilities[plain_rows(validation)]
    if plain_texts:
        extra = apply_platt(classifier.decision_function(list(plain_texts), batch_size=2000), platt)
        plain = np.concatenate([plain, extra])
    floor = threshold_floor(plain)
    thresholds = np.maximum(thresholds, floor)
    if not thresholds_only:
        info.platt = platt.round(6).tolist()
    info.thresholds = {label: round(float(t), 6) for label, t in zip(LABELS, thresholds)}
    info.training["threshold_floor"] = {label: round(float(f), 6) for label, f in zip(LABELS, floor)}
    info.training["threshold_floor_rows"] = len(plain) - len(plain_texts)
    if plain_texts:
        info.training["threshold_floor_extra_rows"] = len(plain_texts)
    low, high = threshold_floor_interval(plain)
    info.training["threshold_floor_interval"] = {label: [round(float(a), 6), round(float(b), 6)] for label, a, b in zip(LABELS, low, high)}
    # Per-language thresholds key on the language the Classifier will detect at run time.
    val_detected = [detect_language(text) for text in val_texts]
    info.language_thresholds = threshold_rule(rule)(probabilities, val_targets, val_detected, val_mask, thresholds, floor)


def generalisation_summary(classifier: Classifier) -> dict[str, Any]:
    """What the model card shows of the cheap protocols: the functional suite's pass rates
    and the share of the sentence sets flagged (neutral everyday sentences, counter-speech),
    per language (the refitting protocols, loso and crosslingual, are in
    benchmarks/RESULTS.md)."""
    suite = run_suite(classifier)["summary"]
    sets = {name: protocols.run_sentence_set(classifier, name) for name in protocols.SENTENCE_SETS}
    return {
        "functional": {lang: {kind: cell["pass_rate"] for kind, cell in kinds.items()} for lang, kinds in suite.items()},
        **{name: {lang: {"flagged": r["flagged"], "sentences": r["sentences"]} for lang, r in result.items()} for name, result in sets.items()},
    }


def measure_test_split(model: Model, test: Any) -> dict[str, Any]:
    """Metrics per language and per source on the test split (what the model card shows)."""
    logger.info("evaluating on %d test texts", len(test))
    report = evaluate(Classifier(model), test, by=("lang", "source"))
    return {"by_lang": report.groups["lang"], "by_source": report.groups["source"]}


def finalize(model: Model, corpus: Any, config: TrainingConfig, started: float | None = None, plain_texts: Sequence[str] = ()) -> Path:
    """Calibrate and choose thresholds on validation (the floor also on ``plain_texts``),
    measure on test, write the model folder with its card. Separate from fitting so that a
    fitted model can be re-calibrated without training again."""
    started = time.perf_counter() if started is None else started
    info = model.info
    fit_calibration(model, corpus["validation"], config.run.threshold_rule, plain_texts=plain_texts)
    test_metrics = measure_test_split(model, corpus["test"])
    info.training["protocols"] = generalisation_summary(Classifier(model))
    used_sources = sorted({s for split in corpus.values() for s in split.unique("source")})
    info.training = {
        **info.training,  # what the backend's fitting recorded (rows used, epoch metrics)
        "date": dt.date.today().isoformat(),
        "library_version": __version__,
        "config": config.model_settings(),
        "rows": {name: len(split) for name, split in corpus.items()} | {"train_used": info.training.get("train_used")},
        "sources": [
            {"name": s, "licence": SOURCES[s].licence, "commercial": SOURCES[s].commercial, "citation": SOURCES[s].citation}
            for s in used_sources
        ],
        "test_metrics": test_metrics,
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    output = config.output_dir
    model.save_pretrained(output)
    write_model_card(output, info)
    logger.info("saved %s to %s in %.0f s", info.name, output, time.perf_counter() - started)
    return output


def train_recipe(configs: list[TrainingConfig]) -> list[Path]:
    """Train the steps of a recipe in order (a later step may read an earlier one's folder)."""
    folders = []
    for step, config in enumerate(configs, start=1):
        if len(configs) > 1:
            logger.info("recipe step %d of %d: %s %s into %s", step, len(configs), config.model, config.name, config.output_dir)
        folders.append(train(config))
    return folders


def _output_folder(output: str | Path) -> Path:
    output = Path(output)
    if output.exists() and not output.is_dir():
        raise ValueError(f"--output {output} is a file; give a folder to write the model into")
    return output


def _previous_thresholds(info: ModelInfo) -> dict[str, Any]:
    """What a model's thresholds were before they are chosen again, for the note that keeps them."""
    return {"version": info.version, "thresholds": dict(info.thresholds), "language_thresholds": info.language_thresholds}


def _write_copy(source: Path, output: Path, info: ModelInfo) -> None:
    """The model folder ``source`` copied to ``output`` (weight files byte for byte, never
    re-saved), with config.json and the card written from ``info``."""
    if output.resolve() != source.resolve():
        shutil.copytree(source, output, dirs_exist_ok=True)
    write_model_card(output, info)


def refit_thresholds(
    model: str | Path, output: str | Path, version: str, rule: str = RunConfig.threshold_rule, data_dir: str | None = None
) -> Path:
    """Choose a trained model's thresholds again on the validation split, keeping its weights
    and Platt scaling: its scores stay bit-identical, only its decisions change.

    Global and per-language thresholds are fitted as training fits them (`fit_calibration`:
    best F1 per label, per-language thresholds by ``rule``, none below the floor of plain
    written validation texts and the recipe's ``plain_calibration`` sentences), on the
    corpus as it is now, read as the model's recipe read it (its recorded ``sources``,
    ``languages`` and ``commercial_only``): a source the recipe left out, such as the
    account-labelled ISIS tweets `default` does not train on, must not choose its thresholds
    either; and, as for training, every source it names must be in the data directory. The
    model folder is copied to ``output`` (which may be the model's own folder) with
    config.json and the card rewritten:
    new thresholds, ``version``, the test-split metrics and protocol figures measured with
    them, and a ``thresholds_refit`` note in ``training`` that keeps the previous version's
    thresholds. Weight files are copied byte for byte, never re-saved."""
    from ..models import load_model, resolve_model_path

    threshold_rule(rule)  # an unknown rule fails before the corpus is read
    source, output = resolve_model_path(model), _output_folder(output)
    loaded = load_model(source)
    info = loaded.info
    previous = _previous_thresholds(info)
    recipe = info.training.get("config", {})
    corpus = load_corpus(data_dir, recipe.get("sources"), recipe.get("languages"), bool(recipe.get("commercial_only", False)))
    fit_calibration(loaded, corpus["validation"], rule, thresholds_only=True, plain_texts=read_plain_calibration(recipe.get("plain_calibration")))
    info.version = version
    info.training["test_metrics"] = measure_test_split(loaded, corpus["test"])
    info.training["protocols"] = generalisation_summary(Classifier(loaded))
    info.training["rows"] = {**info.training.get("rows", {}), "validation": len(corpus["validation"]), "test": len(corpus["test"])}
    info.training["thresholds_refit"] = {
        "date": dt.date.today().isoformat(),
        "library_version": __version__,
        "threshold_rule": rule,
        "note": (
            f"thresholds chosen again on the validation split ({len(corpus['validation'])} rows); weights and Platt "
            f"scaling are those of {info.name} {previous['version']}, so scores are unchanged. Test metrics and "
            "protocol figures are measured with the new thresholds; train_seconds, date and the training config are "
            "the original training's."
        ),
        "previous": previous,
    }
    _write_copy(source, output, info)
    logger.info("wrote %s %s with refitted thresholds to %s", info.name, version, output)
    return output


def raise_floor(model: str | Path, texts: str | Path, output: str | Path, version: str, quantile: float = FLOOR_QUANTILE) -> Path:
    """Raise a trained model's thresholds to the floor set by plain texts of your own: per
    label, the ``quantile`` of the model's scores on them (`threshold_floor`; by default the
    99.5th percentile, so that about 0.5 % of such texts are flagged at most). ``texts``: a
    text file, one text a line, or a folder of ``<lang>.txt`` files (`read_plain_calibration`).

    Why: every threshold already has a floor from the project's plain validation texts, but
    how much plain text a platform sees flagged depends on its own traffic, and a higher floor
    costs hate caught (docs/MODELS.md, "Probe: the pooled plain-text floor through the
    refitting protocols"). This moves that trade to the platform's side without the corpora:
    no threshold is lowered, weights and Platt scaling are kept (scores stay bit-identical),
    the protocol figures are measured again with the new thresholds, and a ``floor_raised``
    note keeps the previous version and thresholds (the test-split metrics stay the previous
    version's). The model folder is copied to ``output`` with config.json and card rewritten."""
    from ..models import load_model, resolve_model_path

    if not 0.5 <= quantile < 1:
        raise ValueError(f"quantile must be at least 0.5 and below 1, not {quantile}")
    source, output = resolve_model_path(model), _output_folder(output)
    plain = read_plain_calibration(texts)
    needed = int(np.ceil(1 / (1 - quantile)))
    if len(plain) < needed:
        raise ValueError(f"{texts}: {len(plain)} texts; the {quantile:g} quantile needs at least {needed} to rest on more than the top one")
    loaded = load_model(source)
    info = loaded.info
    classifier = Classifier(loaded)
    floor = threshold_floor(classifier.predict_proba(plain), quantile)
    previous = _previous_thresholds(info)

    def raised(thresholds: dict[str, float]) -> dict[str, float]:
        return {label: round(max(value, float(floor[LABELS.index(label)])), 6) for label, value in thresholds.items()}

    info.thresholds = raised(info.thresholds)
    info.language_thresholds = {lang: raised(thresholds) for lang, thresholds in info.language_thresholds.items()}
    info.version = version
    info.training["protocols"] = generalisation_summary(classifier)
    info.training["floor_raised"] = {
        "date": dt.date.today().isoformat(),
        "library_version": __version__,
        "texts": len(plain),
        "quantile": quantile,
        "floor": {label: round(float(value), 6) for label, value in zip(LABELS, floor)},
        "previous": previous,
    }
    _write_copy(source, output, info)
    logger.info("wrote %s %s with thresholds raised to the floor of %d texts to %s", info.name, version, len(plain), output)
    return output
