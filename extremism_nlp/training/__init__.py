"""Everything that fits a model: the run and `finalize` (calibration, thresholds, test
metrics, model card), sampling, one module per backend with its config dataclass and
``fit``, calibration and threshold rules, and recipes (``configs/*.json``).

Which backend a model type uses is the registry's business (`extremism_nlp.backends`).
Importing this package is light: torch, transformers and datasets load when a run needs them.
"""

from .config import RunConfig, SampledConfig, TrainingConfig, read_recipe, recipe_configs
from .run import (
    REFITTABLE,
    finalize,
    fit_calibration,
    fit_model,
    protocol_corpus,
    protocol_recipe,
    raise_floor,
    refit_thresholds,
    run_refitting_protocol,
    train,
    train_recipe,
)
from .sampling import language_sample, language_weights

__all__ = [
    "REFITTABLE",
    "fit_calibration",
    "fit_model",
    "protocol_corpus",
    "protocol_recipe",
    "RunConfig",
    "SampledConfig",
    "TrainingConfig",
    "finalize",
    "language_sample",
    "language_weights",
    "raise_floor",
    "read_recipe",
    "recipe_configs",
    "refit_thresholds",
    "run_refitting_protocol",
    "train",
    "train_recipe",
]
