"""extremism_nlp: multilingual detection of extremist, violent, hateful and offensive text
that tells use from mention.

>>> import extremism_nlp
>>> extremism_nlp.classify("The summit on countering online terrorism opened today").label
'none'
"""

__version__ = "0.12.0"

from .classifier import Classifier, Prediction, classify
from .labels import LABELS

__all__ = ["LABELS", "Classifier", "Prediction", "__version__", "classify"]
