"""The one table of model types: for each, the class that loads, scores and saves it
(``models/``), the function that fits it and the dataclass of its training settings
(``training/``).

Entries name their targets as ``"module:attribute"`` and import them on first use: loading a
model imports only its class, never the training code (``models/`` must not depend on
``training/``), and importing this table imports nothing. A new backend is a Model subclass,
a training module with its config dataclass and ``fit``, and one entry below.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models.base import Model


def _attribute(reference: str) -> Any:
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class Backend:
    """A model type and where its parts live."""

    model_type: str
    model: str
    """``module:Class`` of its `Model` subclass."""
    fit: str
    """``module:function`` that fits it: ``fit(config: TrainingConfig, corpus) -> Model``
    (not calibrated: ``training.run.finalize`` does that)."""
    config: str
    """``module:Class`` of the dataclass of its training settings."""
    description: str = ""

    def model_class(self) -> type[Model]:
        cls: type[Model] = _attribute(self.model)
        return cls

    def fit_function(self) -> Any:
        return _attribute(self.fit)

    def config_class(self) -> type:
        cls: type = _attribute(self.config)
        return cls


BACKENDS: dict[str, Backend] = {
    backend.model_type: backend
    for backend in (
        Backend(
            "fast",
            model="extremism_nlp.models.fast:FastModel",
            fit="extremism_nlp.training.fast:fit",
            config="extremism_nlp.training.fast:FastConfig",
            description="hashed n-grams, tf-idf, one logistic regression per label",
        ),
        Backend(
            "transformer",
            model="extremism_nlp.models.transformer:TransformerModel",
            fit="extremism_nlp.training.transformer:fit",
            config="extremism_nlp.training.transformer:TransformerConfig",
            description="a multilingual encoder fine-tuned with a LoRA adapter and a multi-label head",
        ),
        Backend(
            "frozen_encoder",
            model="extremism_nlp.models.frozen_encoder:FrozenEncoderModel",
            fit="extremism_nlp.training.frozen_encoder:fit",
            config="extremism_nlp.training.frozen_encoder:FrozenEncoderConfig",
            description="a frozen multilingual encoder with a logistic-regression head per label",
        ),
        Backend(
            "ensemble",
            model="extremism_nlp.models.ensemble:EnsembleModel",
            fit="extremism_nlp.training.ensemble:fit",
            config="extremism_nlp.training.ensemble:EnsembleConfig",
            description="trained models stacked per label on the validation split",
        ),
    )
}


def get_backend(model_type: str) -> Backend:
    """The registry entry of ``model_type``, or a ValueError listing the known types."""
    if model_type not in BACKENDS:
        raise ValueError(f"unknown model type {model_type!r}; available: {', '.join(map(repr, BACKENDS))}")
    return BACKENDS[model_type]
