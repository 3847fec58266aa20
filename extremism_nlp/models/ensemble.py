"""The `ensemble` backend: saved models stacked per label.

Each member's calibrated log-odds for a label go into a logistic regression fitted on the
validation split. The fine-tuned transformer reads meaning across languages and scripts;
the n-gram model knows the corpus' surface cues (dialect spellings, hashtags, names). Their
errors differ, so the stack beats either one alone without a new network to run: an
ensemble costs what its slowest member costs.

The folder holds only config.json: members are named built-in models or model folders,
loaded from where they are, and checked against the name and version they were stacked with.
"""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Any

import numpy as np

from ..labels import LABELS
from .base import CONFIG_FILE, Model, ModelInfo
from .calibration import platt_log_odds
from .loading import backend_for, resolve_model_path

# The ensemble folders being loaded in this thread, outermost first: a member that leads
# back to one of them is a cycle (it would otherwise recurse until RecursionError).
_loading: ContextVar[tuple[Path, ...]] = ContextVar("ensembles_loading", default=())


class EnsembleModel(Model):
    """Per-label logistic regression over the members' calibrated log-odds."""

    model_type = "ensemble"

    def __init__(self, info: ModelInfo, members: list[Model]) -> None:
        super().__init__(info)
        stack = np.asarray(info.backend["stack"], dtype=np.float64)
        if stack.shape != (len(LABELS), len(members) + 1):
            raise ValueError(f"stack weights {stack.shape} do not fit {len(members)} members and {len(LABELS)} labels")
        self.members = members
        self.weights, self.bias = stack[:, :-1], stack[:, -1]
        # Passages must fit every member's window.
        self.window_chars = min(member.window_chars for member in members)
        # The members' scores of the texts `fit` saw: calibrating the stack on the same
        # validation split then does not run the members over it again (minutes each).
        self._fitted_log_odds: dict[str, np.ndarray] = {}

    def member_log_odds(self, texts: list[str]) -> np.ndarray:
        """Calibrated log-odds of every member, shape (n, len(LABELS), n_members)."""
        if not self._fitted_log_odds:
            return self._score(texts)
        missing = list(dict.fromkeys(text for text in texts if text not in self._fitted_log_odds))
        scored = dict(zip(missing, self._score(missing))) if missing else {}
        return np.stack([self._fitted_log_odds[t] if t in self._fitted_log_odds else scored[t] for t in texts])

    def _score(self, texts: list[str]) -> np.ndarray:
        return np.stack([_log_odds(m, m.decision_function(texts)) for m in self.members], axis=-1)

    def decision_function(self, texts: list[str]) -> np.ndarray:
        return np.einsum("nkm,km->nk", self.member_log_odds(texts), self.weights) + self.bias

    def save_pretrained(self, path: str | Path) -> None:
        self._write_info(Path(path))

    @classmethod
    def from_pretrained(cls, path: Path, info: ModelInfo, **options: Any) -> EnsembleModel:
        """``options`` go to the members whose backend takes them (``runtime`` to a
        transformer member)."""
        here = Path(path).resolve()
        loading = _loading.get()
        if here in loading:
            chain = " -> ".join(str(folder) for folder in (*loading[loading.index(here) :], here))
            raise ValueError(f"ensemble {path} lists itself among its members ({chain}); an ensemble stacks other models")
        token = _loading.set((*loading, here))
        try:
            return cls._load_members(path, info, options)
        finally:
            _loading.reset(token)

    @classmethod
    def _load_members(cls, path: Path, info: ModelInfo, options: dict[str, Any]) -> EnsembleModel:
        members: list[Model] = []
        accepted: set[str] = set()
        for spec in info.backend["members"]:
            folder = resolve_model_path(spec["model"])
            member_info = ModelInfo.from_file(folder / CONFIG_FILE)
            if (member_info.name, member_info.version) != (spec["name"], spec["version"]):
                raise ValueError(
                    f"{path}: member {spec['model']!r} is {member_info.name} {member_info.version}, but the stack was "
                    f"fitted on {spec['name']} {spec['version']}; fit the ensemble again"
                )
            backend = backend_for(member_info, folder)
            own = {k: v for k, v in options.items() if k in backend.load_options}
            accepted |= own.keys()
            members.append(backend.from_pretrained(folder, member_info, **own))
        if unknown := set(options) - accepted:
            raise ValueError(f"no member of {path} takes the load options {sorted(unknown)}")
        return cls(info, members)


def _log_odds(member: Model, logits: np.ndarray) -> np.ndarray:
    """A member's raw logits on the log-odds scale of its calibrated probabilities."""
    return platt_log_odds(logits, np.asarray(member.info.platt))
