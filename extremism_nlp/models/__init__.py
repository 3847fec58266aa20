"""Backends behind one interface (load, score, save, apply calibration), and the model
names that ship with the package. Fitting them is `extremism_nlp.training`'s job; this
package imports nothing from training, evaluation or data."""

from __future__ import annotations

from .base import CONFIG_FILE, Model, ModelInfo
from .loading import BUILTIN_DIR, DEFAULT_MODEL, backend_for, builtin_models, load_model, resolve_model_path

__all__ = [
    "BUILTIN_DIR",
    "CONFIG_FILE",
    "DEFAULT_MODEL",
    "Model",
    "ModelInfo",
    "backend_for",
    "builtin_models",
    "load_model",
    "resolve_model_path",
]
