"""Evaluation: metrics per language and label."""

from .metrics import grouped_metrics, label_metrics, macro_f1

__all__ = ["grouped_metrics", "label_metrics", "macro_f1"]
