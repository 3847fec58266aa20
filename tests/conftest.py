"""Shared fixtures: a tiny raw data directory in every corpus format, and an isolated cache."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from raw_fixtures import make_raw_data_dir  # noqa: E402

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own corpus cache, so that no test reads another's build."""
    monkeypatch.setenv("EXTREMISM_NLP_CACHE", str(tmp_path_factory.mktemp("cache")))


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
