"""Finding and loading model folders: built-in names, folders, and the backend class a
folder's config names (from the backend registry, `extremism_nlp.backends`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..backends import BACKENDS
from .base import CONFIG_FILE, Model, ModelInfo

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "resources" / "models"
DEFAULT_MODEL = "default"
"""What `classify()` uses when no model is named: the best model that ships."""


def builtin_models() -> list[str]:
    """Names of the models shipped inside the package."""
    if not BUILTIN_DIR.is_dir():
        return []
    return sorted(p.name for p in BUILTIN_DIR.iterdir() if (p / CONFIG_FILE).is_file())


def resolve_model_path(name_or_path: str | Path) -> Path:
    """Folder of a built-in model name (``"default"`` included) or of a model path."""
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise TypeError(f"model must be a built-in name, a model folder or a Classifier, got {type(name_or_path).__name__}")
    if isinstance(name_or_path, str) and name_or_path == "default":
        name_or_path = DEFAULT_MODEL
    if isinstance(name_or_path, str) and (BUILTIN_DIR / name_or_path / CONFIG_FILE).is_file():
        return BUILTIN_DIR / name_or_path
    path = Path(name_or_path).expanduser()
    if (path / CONFIG_FILE).is_file():
        return path.resolve()
    raise ValueError(
        f"no model {str(name_or_path)!r}: not a built-in name ({', '.join(sorted({'default', *builtin_models()}))}) "
        f"and not a folder with a {CONFIG_FILE}"
    )


def load_model(name_or_path: str | Path, **options: Any) -> Model:
    """Load a backend model from a built-in name or a model folder. ``options`` go to the
    backend (the transformer takes ``runtime="torch"`` or ``"onnx"``)."""
    path = resolve_model_path(name_or_path)
    info = ModelInfo.from_file(path / CONFIG_FILE)
    return backend_for(info, path).from_pretrained(path, info, **options)


def backend_for(info: ModelInfo, path: Path) -> type[Model]:
    """The backend class of a model folder's config (``path`` names it in the error).
    Imports that backend's module only (the transformer's imports torch only when a model
    is loaded)."""
    if info.model_type not in BACKENDS:
        raise ValueError(f"{path} holds a {info.model_type!r} model; known types: {', '.join(BACKENDS)}")
    return BACKENDS[info.model_type].model_class()
