"""The model card, rendered from resources/templates/model_card.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from extremism_nlp.model_card import render_model_card
from extremism_nlp.models import BUILTIN_DIR, CONFIG_FILE
from extremism_nlp.models.base import ModelInfo

CARDS = Path(__file__).parent / "data" / "model_cards"


@pytest.mark.parametrize("name", ["transformer", "stack"])
def test_the_template_renders_the_cards_the_f_string_rendered(name):
    """tests/data/model_cards holds what the renderer wrote before it used a template (fast's
    card left it when fast 0.3.0's refitted thresholds added a note to its card), with the
    section on how thresholds are chosen that cards gained on 2026-12-07."""
    info = ModelInfo.from_file(BUILTIN_DIR / name / CONFIG_FILE)
    assert render_model_card(info) == (CARDS / f"{name}.md").read_text(encoding="utf-8")


def test_the_shipped_fast_card_is_what_its_config_renders():
    info = ModelInfo.from_file(BUILTIN_DIR / "fast" / CONFIG_FILE)
    card = (BUILTIN_DIR / "fast" / "README.md").read_text(encoding="utf-8")
    assert render_model_card(info) == card
    assert "Thresholds chosen again on" in card and "are those of version 0.2.0" in card


def test_a_card_of_an_untrained_model_renders():
    card = render_model_card(ModelInfo(model_type="fast", name="blank", version="0.0.0"))
    assert card.startswith("# Model card: `blank` 0.0.0 (fast)") and "Train time: n/a s" in card


def test_a_card_shows_counter_speech_where_training_measured_it():
    info = ModelInfo.from_file(BUILTIN_DIR / "default" / CONFIG_FILE)
    assert "counter-speech flagged" not in render_model_card(info)  # cards before the protocol keep their table
    info.training["protocols"]["counter_speech"] = {"fr": {"flagged": 6, "sentences": 110}}
    card = render_model_card(info)
    assert "| lang | functional harmful | functional non-harmful | neutral flagged | counter-speech flagged |" in card
    assert "| fr | 88% | 90% | 1/210 | 6/110 |" in card and "| de | 89% | 84% | 1/210 | – |" in card


def test_the_shipped_default_card_says_where_its_extremism_positives_come_from():
    """default (0.14.0 and later) trains without the ISIS fan-boy tweets (labelled by account); a model
    trained on them says they make up most of its extremism positives."""
    info = ModelInfo.from_file(BUILTIN_DIR / "default" / CONFIG_FILE)
    card = (BUILTIN_DIR / "default" / "README.md").read_text(encoding="utf-8")
    assert render_model_card(info) == card
    assert "the ISIS fan-boy corpus,\n  labelled by account, is left out" in card
    with_tweets = ModelInfo.from_file(BUILTIN_DIR / "default" / CONFIG_FILE)
    with_tweets.training["sources"] = [*with_tweets.training["sources"], {"name": "isis_fanboy", "licence": "", "commercial": False, "citation": ""}]
    assert "mostly tweets of pro-ISIS accounts" in render_model_card(with_tweets)


def test_a_card_says_how_its_thresholds_are_chosen_and_how_far_the_floor_moves():
    info = ModelInfo.from_file(BUILTIN_DIR / "default" / CONFIG_FILE)
    card = render_model_card(info)
    assert "at least 30 validation positives and as many negatives of it, pulled toward the global one" in card
    assert "ar: `hate` 0.254, `offensive` 0.530;" in card
    assert "the 99.5th percentile of the scores of the 976 plain everyday validation texts" in card
    assert "resampling them" not in card  # 0.15.0 was calibrated before the interval was recorded
    info.training["threshold_floor_interval"] = {"hate": [0.21, 0.33], "offensive": [0.335, 0.693]}
    assert "resampling them moves it within `hate` 0.21-0.33, `offensive` 0.34-0.69" in render_model_card(info)
