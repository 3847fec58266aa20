"""extremism_nlp: multilingual detection of extremist, violent, hateful and offensive text
that tells use from mention."""

__version__ = "0.1.0"

from .labels import LABELS

__all__ = ["LABELS", "__version__"]
