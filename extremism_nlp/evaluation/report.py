"""`evaluate()`: a model on a labelled dataset, per group, with calibration and plots."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..extras import require
from ..labels import LABELS
from .metrics import binary_counts, grouped_metrics

N_BINS = 10


def calibration(probability: np.ndarray, target: np.ndarray, n_bins: int = N_BINS) -> dict[str, Any]:
    """Expected calibration error and the reliability table (equal-width bins)."""
    bins = np.minimum((probability * n_bins).astype(int), n_bins - 1)
    table = []
    ece = 0.0
    for b in range(n_bins):
        in_bin = bins == b
        if not in_bin.any():
            continue
        mean_p, rate = float(probability[in_bin].mean()), float(target[in_bin].mean())
        ece += in_bin.mean() * abs(mean_p - rate)
        table.append({"bin": b, "count": int(in_bin.sum()), "mean_probability": mean_p, "positive_rate": rate})
    return {"ece": float(ece), "bins": table}


@dataclass
class EvaluationReport:
    """Metrics of one model on one dataset. ``groups[by][group]`` holds per-label
    precision, recall, F1, ROC-AUC, PR-AUC and macro-F1; ``calibration[label]`` the ECE and
    reliability bins; ``confusion[label]`` the counts at the model's thresholds."""

    model: str
    version: str
    rows: int
    groups: dict[str, dict[str, Any]]
    calibration: dict[str, dict[str, Any]]
    confusion: dict[str, dict[str, int]]
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self, path: str | Path | None = None) -> str:
        text = json.dumps(self.__dict__, indent=1, ensure_ascii=False, default=float)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    def to_markdown(self) -> str:
        from ..model_card import metrics_table

        parts = [f"# {self.model} {self.version}: {self.rows} rows", ""]
        for by, groups in self.groups.items():
            shown = [g for g in groups if g == "all" or groups[g]["rows"] >= 50]
            parts += [f"## By {by}", "", metrics_table(groups, shown), ""]
        parts += ["## Calibration and confusion at the thresholds", "", "| label | ECE | TP | FP | FN | TN |", "|---|---|---|---|---|---|"]
        for label in LABELS:
            c = self.confusion[label]
            parts.append(f"| {label} | {self.calibration[label]['ece']:.3f} | {c['tp']} | {c['fp']} | {c['fn']} | {c['tn']} |")
        return "\n".join(parts) + "\n"

    def save_plots(self, folder: str | Path) -> list[Path]:
        """Reliability diagram and macro-F1 per group as PNG files; returns their paths."""
        matplotlib = require("matplotlib", "eval", "plots")
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        fig, ax = plt.subplots(figsize=(5, 5))
        ax.plot([0, 1], [0, 1], "k--", linewidth=1, label="perfect")
        for label in LABELS:
            bins = self.calibration[label]["bins"]
            ax.plot([b["mean_probability"] for b in bins], [b["positive_rate"] for b in bins], marker="o",
                    label=f"{label} (ECE {self.calibration[label]['ece']:.3f})")  # fmt: skip
        ax.set(xlabel="predicted probability", ylabel="observed positive rate", title=f"Reliability: {self.model}")
        ax.legend(fontsize=8)
        paths.append(folder / f"reliability_{self.model}.png")
        fig.savefig(paths[-1], dpi=100, bbox_inches="tight")
        plt.close(fig)
        for by, groups in self.groups.items():
            names = [g for g in groups if g != "all" and groups[g]["macro_f1"] is not None and groups[g]["rows"] >= 50]
            fig, ax = plt.subplots(figsize=(max(4, len(names) * 0.6), 3.5))
            ax.bar(names, [groups[g]["macro_f1"] for g in names])
            ax.set(ylim=(0, 1), ylabel="macro-F1", title=f"{self.model}: macro-F1 by {by}")
            ax.tick_params(axis="x", rotation=45)
            paths.append(folder / f"macro_f1_by_{by}_{self.model}.png")
            fig.savefig(paths[-1], dpi=100, bbox_inches="tight")
            plt.close(fig)
        return paths


def evaluate(classifier, dataset, by: Sequence[str] = ("lang", "source")) -> EvaluationReport:
    """Evaluate a `Classifier` (or model name) on a ``datasets.Dataset`` or a dict of
    columns with ``text`` and ``labels`` (and optionally ``label_mask`` and the ``by``
    columns). Decisions are made as `classify()` makes them."""
    from ..classifier import Classifier

    if not isinstance(classifier, Classifier):
        classifier = Classifier.from_pretrained(classifier)
    texts = list(dataset["text"])
    targets = np.asarray(dataset["labels"], dtype=np.int8)
    columns = dataset.column_names if hasattr(dataset, "column_names") else list(dataset)
    mask = np.asarray(dataset["label_mask"], dtype=np.int8) if "label_mask" in columns else np.ones_like(targets)
    missing = [column for column in by if column not in columns]
    if missing:
        raise ValueError(f"dataset has no column(s) {missing} to group by; columns: {columns}")
    probabilities = classifier.predict_proba(texts)
    predicted = classifier.decide(probabilities, classifier.languages(texts))
    groups = {column: grouped_metrics(targets, predicted, probabilities, list(dataset[column]), mask) for column in by}
    calib, confusion = {}, {}
    for k, label in enumerate(LABELS):
        judged = mask[:, k].astype(bool)
        calib[label] = calibration(probabilities[judged, k], targets[judged, k])
        tp, fp, fn = binary_counts(targets[judged, k], predicted[judged, k])
        confusion[label] = {"tp": tp, "fp": fp, "fn": fn, "tn": int(judged.sum()) - tp - fp - fn}
    return EvaluationReport(classifier.name, classifier.version, len(texts), groups, calib, confusion)
