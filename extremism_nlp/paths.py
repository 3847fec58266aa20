"""Where the library reads and writes on disk: the raw corpora and the user cache.

The one place both the models (the offline base encoder, ONNX exports) and the data layer
(the built corpus) take their locations from, so that neither imports the other for it.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "EXTREMISM_NLP_DATA"
CACHE_DIR_ENV = "EXTREMISM_NLP_CACHE"
RAW_DIR_ENV = "EXTREMISM_NLP_RAW_DIR"


class DataDirectoryError(FileNotFoundError):
    """The data directory or a requested source folder does not exist."""


def repository_root() -> Path:
    """The folder that holds the ``extremism_nlp`` package (the repository in a checkout)."""
    return Path(__file__).resolve().parents[1]


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """The argument, else ``$EXTREMISM_NLP_DATA``, else ``../shared/data`` from the repository root."""
    if data_dir is not None:
        path, how = Path(data_dir), "the data_dir argument"
    elif os.environ.get(DATA_DIR_ENV):
        path, how = Path(os.environ[DATA_DIR_ENV]), f"${DATA_DIR_ENV}"
    else:
        path, how = repository_root().parent / "shared" / "data", "the default (../shared/data next to the repository)"
    path = path.expanduser().resolve()
    if not path.is_dir():
        raise DataDirectoryError(
            f"data directory {path} (from {how}) does not exist. Pass data_dir=..., set "
            f"{DATA_DIR_ENV}=/path/to/corpora, or use --data-dir on the command line."
        )
    return path


def repository_raw_dir() -> Path:
    """``data/raw`` of the repository (or ``$EXTREMISM_NLP_RAW_DIR``): corpora committed
    with the project."""
    if os.environ.get(RAW_DIR_ENV):
        return Path(os.environ[RAW_DIR_ENV]).expanduser()
    return repository_root() / "data" / "raw"


def cache_root() -> Path:
    """``$EXTREMISM_NLP_CACHE`` or the user cache directory."""
    if os.environ.get(CACHE_DIR_ENV):
        return Path(os.environ[CACHE_DIR_ENV]).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("extremism_nlp"))
