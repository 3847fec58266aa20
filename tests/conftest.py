"""Shared fixtures: a tiny raw data directory in every corpus format, and an isolated cache."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from extremism_nlp.paths import DataDirectoryError, repository_root, resolve_data_dir

sys.path.insert(0, str(Path(__file__).parent))

from raw_fixtures import make_raw_data_dir  # noqa: E402


def _shared_data() -> Path:
    """The corpora where the library finds them ($EXTREMISM_NLP_DATA, else ../shared/data), so
    that the corpus tests run in a clone away from ../shared/data too; where there are none,
    the default path, which does not exist, and those tests skip."""
    try:
        return resolve_data_dir()
    except DataDirectoryError:
        return repository_root().parent / "shared" / "data"


SHARED_DATA = _shared_data()


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own corpus cache, so that no test reads another's build, and
    reads the corpora committed under data/raw only where it asks for them."""
    monkeypatch.setenv("EXTREMISM_NLP_CACHE", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("EXTREMISM_NLP_RAW_DIR", str(tmp_path_factory.mktemp("no-committed-corpora")))


@pytest.fixture
def raw_data_dir(tmp_path) -> Path:
    return make_raw_data_dir(tmp_path / "data")


@pytest.fixture(scope="session")
def shared_corpus(tmp_path_factory):
    """The real corpus from ../shared/data, built once per test session."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared corpora not found at {SHARED_DATA}")
    import os

    from extremism_nlp.data import load_corpus_with_stats

    old = os.environ.get("EXTREMISM_NLP_CACHE")
    os.environ["EXTREMISM_NLP_CACHE"] = str(tmp_path_factory.mktemp("shared-cache"))
    try:
        return load_corpus_with_stats(SHARED_DATA)
    finally:
        if old is None:
            os.environ.pop("EXTREMISM_NLP_CACHE", None)
        else:
            os.environ["EXTREMISM_NLP_CACHE"] = old


TINY_TRAINING = [
    ("we will kill them all tonight", ("violence",)),
    ("i am going to shoot every one of them", ("violence",)),
    ("burn their houses and kill their children", ("violence",)),
    ("join the caliphate soldiers the victory is near", ("extremism",)),
    ("glory to the martyrs of the blessed attack", ("extremism",)),
    ("pledge allegiance to the islamic state brothers", ("extremism",)),
    ("those immigrants are vermin and rats", ("hate", "offensive")),
    ("muslims are animals and should be deported", ("hate", "offensive")),
    ("jews are parasites", ("hate", "offensive")),
    ("shut up you stupid idiot", ("offensive",)),
    ("what a fucking moron", ("offensive",)),
    ("you are a dumb clown", ("offensive",)),
    ("the weather is nice today", ()),
    ("the summit on terrorism opened in paris", ()),
    ("i love my family and my friends", ()),
    ("the match ended two to one", ()),
    ("ministers condemned the attack", ()),
    ("muslims celebrated eid with their families", ()),
]


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A fast model trained in a second on the handful of texts above, saved to disk."""
    import numpy as np

    from extremism_nlp.labels import LABELS
    from extremism_nlp.models.base import ModelInfo
    from extremism_nlp.models.features import FeatureConfig
    from extremism_nlp.training.calibration import calibrate
    from extremism_nlp.training.fast import fit_fast_model

    texts = [text for text, _ in TINY_TRAINING] * 3
    targets = np.array([[int(label in names) for label in LABELS] for _, names in TINY_TRAINING] * 3)
    info = ModelInfo(model_type="fast", name="tiny", version="0.0.1", backend={"features": FeatureConfig(n_features_log2=14).to_dict()})
    model = fit_fast_model(texts, targets, info, show_progress=False)
    platt, thresholds = calibrate(model.decision_function(texts), targets)
    info.platt = platt.tolist()
    info.thresholds = dict(zip(LABELS, thresholds.tolist()))
    folder = tmp_path_factory.mktemp("models") / "tiny"
    model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_bert_dir(tmp_path_factory) -> Path:
    """A 1-layer BERT with a small unigram tokenizer (see tiny_models.py)."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from tiny_models import make_tiny_bert

    return make_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="session")
def tiny_transformer_dir(tiny_bert_dir, tmp_path_factory) -> Path:
    """A transformer model folder on the tiny BERT with a random head."""
    from tiny_models import make_tiny_transformer

    return make_tiny_transformer(tmp_path_factory.mktemp("models") / "tiny-transformer", tiny_bert_dir)
