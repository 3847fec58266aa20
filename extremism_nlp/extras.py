"""Importing what an optional extra installs, with an error that says what to install."""

from __future__ import annotations

import importlib
from types import ModuleType


def require(module: str, extra: str | None, purpose: str, hint: str = "") -> ModuleType:
    """Import ``module`` or raise an ImportError naming the install command.

    ``extra`` is the pyproject extra that provides it (``pip install "extremism-nlp[extra]"``);
    None for a module of the core install. ``purpose`` says what needed it; ``hint`` adds
    advice (a platform-specific build, say).
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        root = module.split(".")[0]
        if extra is None:
            how = f"{root}, part of the core install: pip install extremism-nlp"
        else:
            how = f'{root}, part of the "{extra}" extra: pip install "extremism-nlp[{extra}]"'
        raise ImportError(f"{purpose} needs {how}" + (f" ({hint})" if hint else "")) from None
