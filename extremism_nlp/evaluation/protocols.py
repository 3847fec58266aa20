"""Generalisation protocols: how a recipe does on text unlike what it was trained on.

The in-distribution test split rewards remembering each source's style. These protocols
measure what a user meets instead:

- ``test``: the corpus' own test split (`evaluate`), for reference.
- ``neutral``: plain everyday sentences written for the project in many languages
  (``resources/neutral/<lang>.txt``); none of them may be flagged.
- ``counter_speech``: replies that push back against hate, written for the project and never
  trained on (``resources/counter_speech/<lang>.txt``): they name the group, often restate the
  hateful claim to reject it, or condemn a terrorist group by name; at least 85 % must pass.
- ``loso``: leave one source out: the recipe is trained without a source and tested on that
  source's validation and test rows, for every source and language with at least
  ``MIN_POSITIVES`` positives of a label there.
- ``crosslingual``: the recipe is trained with one language's rows removed (from training
  and from calibration) and tested on that language's test rows. A source written for the
  project in parallel across languages (`PARALLEL_SOURCES`) also loses its rows in the
  languages written together with the held-out one (`WRITTEN_TOGETHER`); its other languages
  stay, so a fold trains the recipe as shipped, less what could carry the held-out
  language's content in translation. Each fold is also scored on its natural rows alone, and
  on those of them labelled text by text (without the sources labelled by the posting
  account, `ACCOUNT_LABELLED_SOURCES`).

``loso`` and ``crosslingual`` train the recipe again for every fold, so they take a recipe
(a function from train and validation splits to a `Classifier`), not a trained model. A
recipe that trains on a sample of the train split is given its own sample with the held-out
rows removed (`training.protocol_corpus`): a fold differs from the shipped model only by
what it leaves out. Such a recipe's figures move with its draw (docs/MODELS.md: `default`'s
Arabic cross-lingual natural rows by 0.07 between seeds of one recipe), so a protocol can be
run once per seed and read by the spread of its headline figures over the draws
(`over_draws`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from ..data.registry import SOURCES
from ..labels import LABELS
from .metrics import label_metrics

if TYPE_CHECKING:
    from ..classifier import Classifier

logger = logging.getLogger(__name__)

PROTOCOLS = ("test", "loso", "crosslingual", "neutral", "counter_speech")
SENTENCE_SETS = ("neutral", "counter_speech")
"""Protocols that score sets of non-harmful sentences shipped in ``resources/<protocol>/``:
the figure is the share flagged, per language."""
MIN_POSITIVES = 50
"""A (source, language, label) is scored in ``loso`` only with this many held-out positives."""
CROSSLINGUAL_LANGUAGES = ("ar", "fr", "de")
PARALLEL_SOURCES = ("project_written",)
"""Sources whose examples are partly written as parallel versions across languages."""
WRITTEN_TOGETHER = (
    ("fr", "de", "nl"), ("es", "it", "pt"), ("en", "pl", "tr", "zh", "ru"),  # first round: parallel versions
    ("fr", "en"), ("nl", "de"),  # second round: localised versions
    ("en", "fr", "ar"), ("de", "es", "it", "nl"), ("pt", "pl", "tr", "ru"),  # third and fourth rounds: one writer each
    ("ar", "ur"), ("es", "it"), ("pt", "pl"), ("tr", "hi"), ("ru", "zh"),  # eighth round: one writer per pair (en/fr, de/nl above)
    ("en", "nl"), ("pl", "ru", "tr"), ("hi", "ur", "zh"),  # ninth round: one writer per group, ar, fr and de alone
)  # fmt: skip
"""Languages whose `PARALLEL_SOURCES` rows were written together (data/DATASHEET.md,
`project_written`): as versions of one text, or by one writer in the same round (the fourth
round, whose writers the datasheet does not name, is taken to share the third's; the sixth
and seventh were written language by language; the few extremist patterns the fifth repeats across
languages are not covered)."""

ACCOUNT_LABELLED_SOURCES = tuple(name for name, source in SOURCES.items() if source.labelled_by_account)
"""Sources whose labels were given by the account that posted each text. The ISIS fan-boy
tweets are all `extremism` by account; judged one at a time, none of 96 French and 10 of 60
Arabic ones are (data/annotation/REPORT.md). A model that reads each text by the guideline
is scored against those labels on the natural rows, and again without them."""

MIN_CROSSLINGUAL_POSITIVES = 10
"""A label counts in a ``crosslingual`` fold's macro-F1 only with this many test positives."""

Recipe = Callable[[Any, Any], "Classifier"]
"""Fits a model on (train split, validation split) and returns it calibrated."""


def written_alongside(lang: str) -> set[str]:
    """The held-out language and every language written together with it: their
    `PARALLEL_SOURCES` rows leave a ``crosslingual`` fold's training with it."""
    return {lang}.union(*(group for group in WRITTEN_TOGETHER if lang in group))


def set_languages(protocol: str) -> list[str]:
    """Languages of a shipped sentence set (`SENTENCE_SETS`)."""
    folder = resources.files("extremism_nlp") / "resources" / protocol
    return sorted(entry.name[: -len(".txt")] for entry in folder.iterdir() if entry.name.endswith(".txt"))


def load_sentences(protocol: str, languages: Sequence[str] | None = None) -> dict[str, list[str]]:
    """The sentences of a shipped set (`SENTENCE_SETS`) per language, one per line in its files."""
    if protocol not in SENTENCE_SETS:
        raise ValueError(f"no sentence set {protocol!r}; available: {', '.join(SENTENCE_SETS)}")
    folder = resources.files("extremism_nlp") / "resources" / protocol
    available = set_languages(protocol)
    chosen = available if languages is None else list(languages)
    unknown = sorted(set(chosen) - set(available))
    if unknown:
        raise ValueError(f"no {protocol} set for {unknown}; available: {', '.join(available)}")
    return {
        lang: [line.strip() for line in (folder / f"{lang}.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
        for lang in chosen
    }


def load_neutral(languages: Sequence[str] | None = None) -> dict[str, list[str]]:
    """The neutral sentences of each language."""
    return load_sentences("neutral", languages)


def run_sentence_set(classifier: Classifier, protocol: str, languages: Sequence[str] | None = None) -> dict[str, Any]:
    """Share of a set's sentences flagged (any label decided), per language and label,
    with the flagged sentences themselves (reading them is the point)."""
    result: dict[str, Any] = {}
    for lang, sentences in load_sentences(protocol, languages).items():
        predictions = classifier.classify(sentences)
        flagged = [(text, p) for text, p in zip(sentences, predictions) if p.labels]
        result[lang] = {
            "sentences": len(sentences),
            "flagged": len(flagged),
            "flagged_rate": len(flagged) / len(sentences),
            "by_label": {label: sum(label in p.labels for p in predictions) for label in LABELS},
            "flagged_examples": [{"text": text, "labels": list(p.labels)} for text, p in flagged],
        }
    return result


def run_neutral(classifier: Classifier, languages: Sequence[str] | None = None) -> dict[str, Any]:
    """Share of neutral sentences flagged, per language (`run_sentence_set`)."""
    return run_sentence_set(classifier, "neutral", languages)


def _arrays(split) -> tuple[list[str], np.ndarray, np.ndarray]:
    return list(split["text"]), np.asarray(split["labels"], dtype=np.int8), np.asarray(split["label_mask"], dtype=np.int8)


def _predicted(classifier: Classifier, split) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Targets, decisions (at the classifier's own thresholds), scores and label mask of a
    labelled split, each (rows, len(LABELS))."""
    texts, targets, mask = _arrays(split)
    predictions = classifier.classify(texts)
    scores = np.array([[p.scores[label] for label in LABELS] for p in predictions])
    decided = np.array([[label in p.labels for label in LABELS] for p in predictions], dtype=np.int8)
    return targets, decided.reshape(len(texts), len(LABELS)), scores.reshape(len(texts), len(LABELS)), mask


def _scored(classifier: Classifier, split) -> dict[str, Any]:
    """Per-label metrics of a classifier on a labelled split, at its own thresholds."""
    return label_metrics(*_predicted(classifier, split))


def _macro(per_label: dict[str, Any], labels: Sequence[str]) -> float | None:
    values = [per_label[label]["f1"] for label in labels]
    return float(np.mean(values)) if values else None


def macro_pr_auc(per_label: dict[str, Any], labels: Sequence[str]) -> float | None:
    """Mean PR-AUC (average precision) over ``labels``: how well the scores put positives
    first, whatever the thresholds (a label's chance level is its share of positives)."""
    values = [per_label[label].get("pr_auc") for label in labels]
    return float(np.mean(values)) if values and None not in values else None


def every_row_flagged_f1(per_label: dict[str, Any], labels: Sequence[str]) -> float | None:
    """Macro-F1 over ``labels`` of flagging every row: per label 2p / (1 + p), p its share of
    positives among the judged rows. On a held-out source whose rows are mostly positive
    (MLMA: 70-87 % `offensive`) it is above every model, so a macro-F1 near it measures how
    much a model flags rather than how well it tells rows apart."""
    shares = [per_label[label]["support"] / per_label[label]["judged"] for label in labels if per_label[label]["judged"]]
    return float(np.mean([2 * p / (1 + p) for p in shares])) if shares else None


def _without(split, column: str, value: str):
    return split.filter(lambda v: v != value, input_columns=column)


def _only(split, column: str, value: str):
    return split.filter(lambda v: v == value, input_columns=column)


def run_loso(recipe: Recipe, corpus, min_positives: int = MIN_POSITIVES, sources: Sequence[str] | None = None) -> dict[str, Any]:
    """Leave one source out (every source, or those in ``sources``). Returns per fold
    (``source/lang``) the per-label metrics on labels with enough held-out positives and their
    macro-F1, and per language the means of `loso_means_by_lang`."""
    from datasets import concatenate_datasets

    held_out_pool = concatenate_datasets([corpus["validation"], corpus["test"]])
    present = sorted(set(held_out_pool["source"]))
    unknown = sorted(set(sources or ()) - set(present))
    if unknown:
        raise ValueError(f"no held-out rows of {unknown}; sources with held-out rows: {', '.join(present)}")
    folds: dict[str, Any] = {}
    for source in present if sources is None else sources:
        held_out = _only(held_out_pool, "source", source)
        scored_labels = {}
        for lang in sorted(set(held_out["lang"])):
            rows = _only(held_out, "lang", lang)
            _, targets, mask = _arrays(rows)
            labels = [label for k, label in enumerate(LABELS) if int((targets[:, k] * mask[:, k]).sum()) >= min_positives]
            if labels:
                scored_labels[lang] = (rows, labels)
        if not scored_labels:
            continue
        logger.info("loso: training without %s", source)
        classifier = recipe(_without(corpus["train"], "source", source), _without(corpus["validation"], "source", source))
        for lang, (rows, labels) in scored_labels.items():
            per_label = _scored(classifier, rows)
            folds[f"{source}/{lang}"] = {
                "source": source, "lang": lang, "rows": len(rows), "labels_scored": labels,
                "macro_f1": _macro(per_label, labels), "labels": {label: per_label[label] for label in labels},
            }  # fmt: skip
    return {"folds": folds, "by_lang": loso_means_by_lang(folds), "min_positives": min_positives}


def run_crosslingual(
    recipe: Recipe, corpus, languages: Sequence[str] = CROSSLINGUAL_LANGUAGES, min_positives: int = MIN_CROSSLINGUAL_POSITIVES
) -> dict[str, Any]:
    """Train without a language (train and validation rows, and the written rows of the
    languages written alongside it), test on its test rows."""
    folds: dict[str, Any] = {}
    for lang in languages:
        rows = _only(corpus["test"], "lang", lang)
        if len(rows) == 0:
            logger.warning("crosslingual: no test rows in %s; skipped", lang)
            continue
        logger.info("crosslingual: training without %s", lang)
        alongside = written_alongside(lang)
        train = corpus["train"].filter(
            lambda row_lang, source, lang=lang, alongside=alongside: (
                row_lang != lang and not (source in PARALLEL_SOURCES and row_lang in alongside)
            ),
            input_columns=["lang", "source"],
        )
        classifier = recipe(train, _without(corpus["validation"], "lang", lang))
        folds[lang] = {"lang": lang, "written_alongside": sorted(alongside), **_fold_scores(classifier, rows, min_positives)}
    return {"folds": folds, "min_positives": min_positives}


def _fold_scores(classifier: Classifier, rows, min_positives: int) -> dict[str, Any]:
    """A fold's metrics on all its held-out rows, on its ``natural`` rows (those not written
    for the project) and on the natural rows labelled text by text (``per_text``: without
    `ACCOUNT_LABELLED_SOURCES`): per label, and the macro-F1 of the labels with at least
    ``min_positives`` positives."""

    def summary(per_label: dict[str, Any], rows: int) -> dict[str, Any]:
        labels = [label for label in LABELS if per_label[label]["support"] >= min_positives]
        return {"rows": rows, "labels_scored": labels, "macro_f1": _macro(per_label, labels), "labels": per_label}

    targets, decided, scores, mask = _predicted(classifier, rows)
    result = summary(label_metrics(targets, decided, scores, mask), len(rows))
    sources = np.asarray(rows["source"])
    natural = ~np.isin(sources, PARALLEL_SOURCES)
    for key, subset in (("natural", natural), ("per_text", natural & ~np.isin(sources, ACCOUNT_LABELLED_SOURCES))):
        if subset.any():
            result[key] = summary(label_metrics(targets[subset], decided[subset], scores[subset], mask[subset]), int(subset.sum()))
    return result


def _subset_measures(fold: dict[str, Any], key: str) -> str:
    """A cross-lingual fold's `_measures` on a subset of its rows, ``natural`` or ``per_text``
    ("–" if it has none)."""
    subset = fold.get(key) or {}
    return "–" if subset.get("macro_f1") is None else f"{_measures(_mean_figures([subset]))} ({subset['rows']} rows)"


def _measures(figures: dict[str, Any]) -> str:
    """Macro-F1, macro PR-AUC and the macro-F1 of flagging every row (`_mean_figures`), as
    `MEASURES_HEADER` names them."""
    return " / ".join(figure_text(figures[measure]) for measure in FIGURE_SUFFIXES)


def loso_means_by_lang(folds: dict[str, Any]) -> dict[str, Any]:
    """Per language, the mean macro-F1 of the ``loso`` folds that hold out a natural source
    (``natural``) and that of the fold holding out the written examples (``written``), each
    with its number of folds. They are kept apart because the written fold reacts to a
    recipe's plain text far more than the natural ones (docs/MODELS.md, probe of 2026-12-06)."""
    scored: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for fold in folds.values():
        if fold["macro_f1"] is not None:
            kind = "written" if fold["source"] in PARALLEL_SOURCES else "natural"
            scored.setdefault(fold["lang"], {}).setdefault(kind, []).append(fold)
    return {
        lang: {kind: {"folds": len(kind_folds), **_mean_figures(kind_folds)} for kind, kind_folds in sorted(kinds.items())}
        for lang, kinds in sorted(scored.items())
    }


def _mean_figures(folds: list[dict[str, Any]]) -> dict[str, float | None]:
    """The mean over ``folds`` of their macro-F1, their macro PR-AUC and the macro-F1 of
    flagging every row (`macro_pr_auc`, `every_row_flagged_f1`)."""
    figures = {
        "macro_f1": [fold["macro_f1"] for fold in folds],
        "pr_auc": [macro_pr_auc(fold["labels"], fold["labels_scored"]) for fold in folds],
        "every_row_flagged": [every_row_flagged_f1(fold["labels"], fold["labels_scored"]) for fold in folds],
    }
    return {name: float(np.mean(values)) if None not in values else None for name, values in figures.items()}


CROSSLINGUAL_SUBSETS = {"all": "all rows", "natural": "natural rows", "per_text": "natural rows labelled text by text"}


FIGURE_SUFFIXES = {"macro_f1": "", "pr_auc": ", PR-AUC", "every_row_flagged": ", every row flagged"}
"""How `headline_figures` names each measure after its rows ("fr, natural rows, PR-AUC"):
macro-F1 at the model's thresholds, macro PR-AUC (`macro_pr_auc`) and the macro-F1 of
flagging every row (`every_row_flagged_f1`), the same for every model."""


def headline_figures(name: str, result: dict[str, Any]) -> dict[str, float | None]:
    """The figures a ``loso`` or ``crosslingual`` result is read by, named: per held-out
    language each of `FIGURE_SUFFIXES` on each `CROSSLINGUAL_SUBSETS`; per language the
    ``loso`` means of `loso_means_by_lang`."""
    figures: dict[str, float | None] = {}
    if name == "crosslingual":
        for lang, fold in result["folds"].items():
            for key, subset in CROSSLINGUAL_SUBSETS.items():
                part = (fold if key == "all" else fold.get(key)) or {}
                measures = _mean_figures([part]) if part.get("macro_f1") is not None else {}
                for measure, suffix in FIGURE_SUFFIXES.items():
                    figures[f"{lang}, {subset}{suffix}"] = measures.get(measure)
    elif name == "loso":
        for lang, kinds in loso_means_by_lang(result["folds"]).items():
            for kind, means in kinds.items():
                for measure, suffix in FIGURE_SUFFIXES.items():
                    figures[f"{lang}, {kind} folds{suffix}"] = means.get(measure)
    else:
        raise ValueError(f"{name!r} is not run once per draw: only loso and crosslingual refit a recipe")
    return figures


def over_draws(name: str, draws: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Results of one refitting protocol from several seeds of a recipe (``draws``: seed ->
    result), with every headline figure's values in seed order and their mean, lowest and
    highest (a figure missing in a draw, a label too rare in its sample, is left out there)."""
    per_draw = {seed: headline_figures(name, result) for seed, result in draws.items()}
    names = list(dict.fromkeys(figure for figures in per_draw.values() for figure in figures))
    spread = {}
    for figure in names:
        values = [per_draw[seed].get(figure) for seed in draws]
        present = [value for value in values if value is not None]
        spread[figure] = {"values": values} | (
            {"mean": float(np.mean(present)), "min": min(present), "max": max(present)} if present else {}
        )
    return {"seeds": list(draws), "draws": {str(seed): result for seed, result in draws.items()}, "figures": spread}


def _draws_markdown(result: dict[str, Any]) -> str:
    seeds = result["seeds"]
    header = "| figure | mean | lowest | highest | " + " | ".join(f"seed {seed}" for seed in seeds) + " |"
    rows = [
        f"| {figure} | {figure_text(spread.get('mean'))} | {figure_text(spread.get('min'))} | {figure_text(spread.get('max'))} | "
        + " | ".join(figure_text(value) for value in spread["values"]) + " |"
        for figure, spread in result["figures"].items()
    ]  # fmt: skip
    return "\n".join([header, "|---|---|---|---|" + "---|" * len(seeds), *rows])


def figure_text(value: float | None) -> str:
    """A figure as the protocol tables print it: three decimals, a dash where none was measured."""
    return "–" if value is None else f"{value:.3f}"


MEASURES_HEADER = "macro-F1 / macro PR-AUC / macro-F1 flagging every row"


def protocol_markdown(name: str, result: dict[str, Any]) -> str:
    """A table of a protocol's result, for reports and RESULTS.md."""
    if name in SENTENCE_SETS:
        rows = [f"| {lang} | {r['sentences']} | {r['flagged']} | {r['flagged_rate']:.1%} |" for lang, r in result.items()]
        return "\n".join(["| lang | sentences | flagged | share |", "|---|---|---|---|", *rows])
    if "draws" in result:
        return _draws_markdown(result)
    if name == "loso":
        rows = [
            f"| {key} | {fold['rows']} | " + ", ".join(f"{label} {fold['labels'][label]['f1']:.3f}" for label in fold["labels_scored"])
            + f" | {_measures(_mean_figures([fold]))} |"
            for key, fold in result["folds"].items()
        ]
        means = [
            f"| **{lang}**, {kind} (mean of {mean['folds']}) | | | {_measures(mean)} |"
            for lang, kinds in loso_means_by_lang(result["folds"]).items()
            for kind, mean in kinds.items()
        ]
        header = f"| held-out source/lang | rows | F1 per label | {MEASURES_HEADER} |"
        return "\n".join([header, "|---|---|---|---|", *rows, *means])
    if name == "crosslingual":
        rows = [
            f"| {lang} | {fold['rows']} | "
            + ", ".join(f"{label} {fold['labels'][label]['f1']:.3f}" for label in fold["labels_scored"])
            + f" | {_measures(_mean_figures([fold]))} | {_subset_measures(fold, 'natural')} | {_subset_measures(fold, 'per_text')} |"
            for lang, fold in result["folds"].items()
            if fold["macro_f1"] is not None
        ]
        header = f"| held-out language | test rows | F1 per label | {MEASURES_HEADER} | natural rows | natural rows labelled text by text |"
        return "\n".join([header, "|---|---|---|---|---|---|", *rows])
    raise ValueError(f"unknown protocol {name!r}; available: {', '.join(PROTOCOLS)}")
