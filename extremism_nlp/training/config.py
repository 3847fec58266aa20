"""A training run's settings: those every run has (`RunConfig`) and those of its backend
(the config dataclass the backend registry names, e.g. `FastConfig`), and recipes, the JSON
files that hold them (``configs/*.json``).

Every default lives on a dataclass field, once: the command line takes its options and
their defaults from these fields, and a recipe or an option only says what differs.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from .. import __version__
from ..backends import BACKENDS, get_backend


def setting(default: Any, help: str, flag: str | None = None) -> Any:
    """A dataclass field with the help text (and, if not ``--field-name``, the flag) that
    the command line shows for it."""
    return field(default=default, metadata={"help": help, **({"flag": flag} if flag else {})})


@dataclass
class RunConfig:
    """What every training run has: the backend, the model's identity and where it goes,
    the corpus it learns from, and how thresholds are chosen."""

    model: str = setting("fast", "backend to train")
    name: str | None = setting(None, "model name (default: the backend name)")
    version: str = setting(__version__, "model version (default: the library version)")
    output_dir: str | None = setting(None, "model folder to write (default: runs/NAME)", flag="--output")
    data_dir: str | None = setting(None, "folder of the raw corpora")
    sources: list[str] | None = setting(None, "registry names to train on")
    languages: list[str] | None = setting(None, "ISO 639-1 codes to train on")
    commercial_only: bool = setting(False, "only sources whose licence allows commercial use")
    threshold_rule: str = setting("shrunk", "how per-language thresholds are chosen on validation")
    plain_calibration: str | None = setting(
        None, "folder of <lang>.txt files of plain everyday sentences (one a line) whose scores join those of the plain "
        "validation texts in setting the thresholds' floor"
    )  # fmt: skip
    show_progress: bool = setting(True, "progress bars while training")


@dataclass
class SampledConfig:
    """Settings of backends that learn from a sample of the train split."""

    max_train_rows: int | None = setting(None, "cap on training rows (a deterministic sample), for quick runs")
    language_balance: float = setting(
        0.5, "exponent x of the per-language sample weight (n_all / n_lang)^x: 0 weighs every row alike, "
        "1 gives every language the same total weight"
    )  # fmt: skip
    seed: int = setting(13, "seed of the training sample and of training itself")


DISPLAY_SETTINGS = ("show_progress",)
"""Run settings that change what a run shows, not the model it makes: a model folder does
not record them (`TrainingConfig.model_settings`)."""

RENAMED = {"fast_c": "c", "fast_features_log2": "n_features_log2", "frozen_c": "head_c"}
"""Settings of the flat config models recorded before each backend had its own dataclass."""


def _known_settings() -> dict[str, list[str]]:
    """Setting name -> the backends that take it (every backend for run settings)."""
    owners: dict[str, list[str]] = {f.name: list(BACKENDS) for f in fields(RunConfig)}
    for model_type, backend in BACKENDS.items():
        for f in fields(backend.config_class()):
            owners.setdefault(f.name, []).append(model_type)
    return owners


class TrainingConfig:
    """A run's settings: ``run`` (a `RunConfig`) and ``backend`` (the config dataclass of
    ``run.model``'s backend).

    Built from keyword settings, each going where it belongs, on top of ``run`` and
    ``backend`` if given::

        TrainingConfig(model="transformer", epochs=1, max_train_rows=2000)
        config.with_settings(seed=14)          # a copy with some settings changed

    A setting the backend does not take is an error, not silently ignored.
    """

    def __init__(self, run: RunConfig | None = None, backend: Any = None, **settings: Any) -> None:
        run_names = {f.name for f in fields(RunConfig)}
        run_settings = {**(asdict(run) if run else {}), **{k: v for k, v in settings.items() if k in run_names}}
        self.run = RunConfig(**run_settings)
        config_class = get_backend(self.run.model).config_class()
        own = {f.name for f in fields(config_class)}
        backend_settings = {k: v for k, v in (asdict(backend) if backend is not None else {}).items() if k in own}
        for key, value in settings.items():
            if key in run_names:
                continue
            if key not in own:
                owners = _known_settings().get(key)
                if not owners:
                    raise ValueError(f"unknown training setting {key!r}; {self.run.model} training takes {sorted(run_names | own)}")
                names = ", ".join(owners[:-1]) + " and " + owners[-1] if len(owners) > 1 else owners[0]
                raise ValueError(f"{key} applies to {names} training only, not to {self.run.model}")
            backend_settings[key] = value
        self.backend = config_class(**backend_settings)

    @property
    def model(self) -> str:
        return self.run.model

    @property
    def name(self) -> str:
        return self.run.name or self.run.model

    @property
    def version(self) -> str:
        return self.run.version

    @property
    def output_dir(self) -> Path:
        return Path(self.run.output_dir or f"runs/{self.name}")

    def with_settings(self, **settings: Any) -> TrainingConfig:
        """A copy with ``settings`` changed."""
        return TrainingConfig(run=self.run, backend=self.backend, **settings)

    def to_dict(self) -> dict[str, Any]:
        """Every setting, flat (as a recipe holds them), with name and output folder resolved."""
        run = asdict(self.run) | {"name": self.name, "output_dir": str(self.output_dir)}
        return run | asdict(self.backend)

    def model_settings(self) -> dict[str, Any]:
        """`to_dict` less the display settings (`DISPLAY_SETTINGS`): what a model's
        config.json records under ``training.config``, so that two runs differing only in
        progress bars record the same settings."""
        return {k: v for k, v in self.to_dict().items() if k not in DISPLAY_SETTINGS}

    @classmethod
    def from_dict(cls, settings: dict[str, Any]) -> TrainingConfig:
        return cls(**settings)

    @classmethod
    def from_recorded(cls, recorded: dict[str, Any], model_type: str | None = None) -> TrainingConfig:
        """The config a model folder records (``training.config`` in config.json), also one
        written before settings were split by backend: renamed settings are mapped
        (`RENAMED`) and those its backend does not take are dropped."""
        model = model_type or recorded.get("model", RunConfig.model)
        own = {f.name for f in fields(RunConfig)} | {f.name for f in fields(get_backend(model).config_class())}
        settings = {RENAMED.get(k, k): v for k, v in recorded.items()}
        return cls(**{k: v for k, v in settings.items() if k in own} | {"model": model})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TrainingConfig) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"TrainingConfig({self.run!r}, {self.backend!r})"


# -- recipes ------------------------------------------------------------------------------

LAST_STEP_ONLY = ("name", "version", "output_dir")
"""Settings that name the model a recipe makes: given on the command line, they apply to a
recipe's last step only (earlier steps write folders that later ones read)."""


def read_recipe(path: str | Path) -> list[dict[str, Any]]:
    """The steps of a recipe file: a JSON object of settings, or ``{"steps": [...]}`` for a
    model made in several runs (a continued training reads an earlier step's output_dir).
    Keys starting with ``_`` are comments."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"no recipe file {path}; the shipped models' recipes are in configs/") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"recipe {path} is not valid JSON: {error}") from None
    steps = data.get("steps", [data]) if isinstance(data, dict) else None
    if not isinstance(steps, list) or not steps or not all(isinstance(step, dict) for step in steps):
        raise ValueError(f"recipe {path} must be a JSON object of settings or {{\"steps\": [objects]}}")
    return [{k: v for k, v in step.items() if not k.startswith("_")} for step in steps]


def recipe_configs(path: str | Path | None, overrides: dict[str, Any] | None = None) -> list[TrainingConfig]:
    """The configs of a recipe's steps with ``overrides`` applied (see `LAST_STEP_ONLY`);
    without a recipe, the one config the overrides give on top of the defaults."""
    overrides = dict(overrides or {})
    steps = read_recipe(path) if path is not None else [{}]
    everywhere = {k: v for k, v in overrides.items() if k not in LAST_STEP_ONLY}
    configs = [TrainingConfig(**(step | everywhere)) for step in steps[:-1]]
    configs.append(TrainingConfig(**(steps[-1] | overrides)))
    return configs


# -- the settings, for the command line ---------------------------------------------------


@dataclass(frozen=True)
class SettingSpec:
    """One setting as the command line offers it."""

    name: str
    flag: str
    type: Any
    default: Any
    help: str
    owners: tuple[str, ...]


def setting_specs() -> Iterator[SettingSpec]:
    """Every setting of runs and of every registered backend, once each."""
    seen: dict[str, SettingSpec] = {}
    sources: list[tuple[type, tuple[str, ...]]] = [(RunConfig, ())]
    sources += [(backend.config_class(), (model_type,)) for model_type, backend in BACKENDS.items()]
    for config_class, owner in sources:
        hints = typing.get_type_hints(config_class)
        for f in fields(config_class):
            if f.name in seen:
                previous = seen[f.name]
                seen[f.name] = dataclasses.replace(previous, owners=previous.owners + owner)
                continue
            default = f.default if f.default is not dataclasses.MISSING else None
            flag = f.metadata.get("flag", "--" + f.name.replace("_", "-"))
            seen[f.name] = SettingSpec(f.name, flag, hints[f.name], default, f.metadata.get("help", ""), owner)
    yield from seen.values()
