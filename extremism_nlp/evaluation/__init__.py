"""Evaluation: metrics per language and label, calibration, the functional suite that
separates use from mention, and identity-term bias."""

from .bias import bias_metrics
from .functional import load_suite, run_suite
from .metrics import grouped_metrics, label_metrics, macro_f1
from .report import EvaluationReport, evaluate

__all__ = [
    "EvaluationReport",
    "bias_metrics",
    "evaluate",
    "grouped_metrics",
    "label_metrics",
    "load_suite",
    "macro_f1",
    "run_suite",
]
