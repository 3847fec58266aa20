"""Metrics per label and per group (language, source), in plain numpy.

Macro-F1 averages the F1 of the labels that have at least one positive among the rows
scored: a label a language's test data never shows (French violence, say) cannot be
measured there and is left out rather than counted as 0 or 1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..labels import LABELS


def binary_counts(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[int, int, int]:
    """True positives, false positives and false negatives."""
    y_true, y_pred = y_true.astype(bool), y_pred.astype(bool)
    return int((y_true & y_pred).sum()), int((~y_true & y_pred).sum()), int((y_true & ~y_pred).sum())


def f1_from_counts(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def roc_auc(y_true: np.ndarray, score: np.ndarray) -> float | None:
    """Area under the ROC curve (ties count half); None without both classes."""
    y_true = y_true.astype(bool)
    n_pos, n_neg = int(y_true.sum()), int((~y_true).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    order = np.argsort(score, kind="mergesort")
    ranks = np.empty(len(score))
    sorted_scores = score[order]
    # average ranks of ties
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    average = first + (counts + 1) / 2.0
    ranks[order] = np.repeat(average, counts)
    return float((ranks[y_true].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def average_precision(y_true: np.ndarray, score: np.ndarray) -> float | None:
    """Area under the precision-recall curve (average precision); None without positives."""
    y_true = y_true.astype(bool)
    n_pos = int(y_true.sum())
    if n_pos == 0:
        return None
    order = np.argsort(-score, kind="mergesort")
    hits = y_true[order]
    precision_at = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision_at[hits].sum() / n_pos)


def f1_at_each_cut(y_true: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scores sorted from high to low, and the F1 of calling positive every row down to each
    one; -1 where the next row has the same score (tied rows are decided together, so no
    cut falls between them)."""
    y_true = y_true.astype(bool)
    order = np.argsort(-score, kind="stable")
    sorted_score = score[order]
    f1 = 2 * np.cumsum(y_true[order]) / (np.arange(1, len(score) + 1) + y_true.sum())
    distinct = np.r_[sorted_score[1:] != sorted_score[:-1], True]
    return sorted_score, np.where(distinct, f1, -1.0)


def best_threshold_f1(y_true: np.ndarray, score: np.ndarray) -> float | None:
    """The highest F1 any single cut of ``score`` gives on these very rows: an upper bound
    on what choosing a threshold can do, not a result. Far above the F1 at the model's own
    threshold, the threshold is at fault; close to it, only a better ranking helps. None
    without positives."""
    if not y_true.any():
        return None
    return float(f1_at_each_cut(y_true, score)[1].max())


def label_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, y_score: np.ndarray | None = None, mask: np.ndarray | None = None
) -> dict[str, dict[str, Any]]:
    """Precision, recall, F1, support (and ROC-AUC, PR-AUC given scores) per label, over
    the rows whose ``mask`` is 1 for that label (all rows without a mask)."""
    result = {}
    for k, label in enumerate(LABELS):
        judged = np.ones(len(y_true), dtype=bool) if mask is None else mask[:, k].astype(bool)
        if not judged.all():
            keep = judged
            y_true_k, y_pred_k = y_true[keep, k], y_pred[keep, k]
            y_score_k = None if y_score is None else y_score[keep, k]
        else:
            y_true_k, y_pred_k = y_true[:, k], y_pred[:, k]
            y_score_k = None if y_score is None else y_score[:, k]
        tp, fp, fn = binary_counts(y_true_k, y_pred_k)
        precision, recall, f1 = f1_from_counts(tp, fp, fn)
        entry: dict[str, Any] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": int(y_true_k.sum()),
            "predicted": int(y_pred_k.sum()),
            "judged": int(len(y_true_k)),
        }
        if y_score_k is not None:
            entry["roc_auc"] = roc_auc(y_true_k, y_score_k)
            entry["pr_auc"] = average_precision(y_true_k, y_score_k)
            entry["best_threshold_f1"] = best_threshold_f1(y_true_k, y_score_k)
        result[label] = entry
    return result


def macro_f1(per_label: dict[str, dict[str, Any]], labels: Sequence[str] = LABELS) -> float | None:
    """Mean F1 over the given labels that have positives; None if none has."""
    values = [per_label[label]["f1"] for label in labels if per_label[label]["support"] > 0]
    return float(np.mean(values)) if values else None


def grouped_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, y_score: np.ndarray | None, groups: Sequence[str], mask: np.ndarray | None = None
) -> dict[str, dict[str, Any]]:
    """``{"all": ..., group: ...}``, each with rows, per-label metrics and macro-F1."""
    groups_arr = np.asarray(groups)
    result = {}
    for group in ["all", *sorted(set(groups_arr.tolist()))]:
        rows = np.ones(len(groups_arr), dtype=bool) if group == "all" else groups_arr == group
        per_label = label_metrics(
            y_true[rows], y_pred[rows], None if y_score is None else y_score[rows], None if mask is None else mask[rows]
        )
        result[group] = {"rows": int(rows.sum()), "macro_f1": macro_f1(per_label), "labels": per_label}
    return result


def cohen_kappa(first: Sequence, second: Sequence) -> float | None:
    """Cohen's kappa of two codings of the same items (any hashable categories): observed
    agreement corrected for the agreement their marginals give by chance. ``None`` when
    there are no items or chance agreement is total (a single category throughout)."""
    if len(first) != len(second):
        raise ValueError(f"codings of different lengths: {len(first)} and {len(second)}")
    n = len(first)
    if n == 0:
        return None
    observed = sum(a == b for a, b in zip(first, second)) / n
    first_counts, second_counts = Counter(first), Counter(second)
    chance = sum(first_counts[c] * second_counts[c] for c in first_counts) / (n * n)
    if chance >= 1.0:
        return None
    return (observed - chance) / (1.0 - chance)
