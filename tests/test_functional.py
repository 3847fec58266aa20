from collections import Counter

import numpy as np
import pytest

from extremism_nlp import Classifier
from extremism_nlp.evaluation.bias import bias_metrics
from extremism_nlp.evaluation.functional import SUITE_LANGUAGES, Case, case_passes, load_suite, run_suite, suite_markdown


def test_suite_has_twenty_functionalities_of_about_twenty_cases_per_language():
    cases = load_suite()
    for lang in SUITE_LANGUAGES:
        per_functionality = Counter(case.functionality for case in cases if case.lang == lang)
        assert len(per_functionality) >= 20
        assert all(15 <= n <= 25 for n in per_functionality.values())
        kinds = {case.harmful for case in cases if case.lang == lang}
        assert kinds == {True, False}


def test_every_language_has_the_same_functionalities_but_its_script_specific_ones():
    cases = load_suite()
    by_lang = {lang: {case.functionality for case in cases if case.lang == lang} for lang in SUITE_LANGUAGES}
    common = set.intersection(*by_lang.values())
    assert {"hate_question", "hate_implicit", "abuse_nonprotected_group", "counter_speech_reference"} <= common
    for names in by_lang.values():
        assert names - common <= {"hate_obfuscated_digits", "hate_obfuscated_diacritics", "hate_arabizi"}


def test_cases_are_filled_in():
    for case in load_suite():
        assert "{" not in case.text and case.value in case.text


def test_pass_rule():
    harmful = Case("x", "en", "threat_direct", "t", ("violence",), (), "group", "g")
    clean = Case("y", "en", "news", "t", (), (), "city", "c")
    profanity = Case("z", "en", "profanity_not_hate", "t", (), ("offensive",), "thing", "t")
    assert case_passes(harmful, {"violence", "hate"}) and not case_passes(harmful, {"hate"})
    assert case_passes(clean, set()) and not case_passes(clean, {"offensive"})
    assert case_passes(profanity, {"offensive"}) and not case_passes(profanity, {"hate"})


def test_run_suite_reports_rates_failures_and_bias(tiny_model_dir):
    result = run_suite(Classifier.from_pretrained(tiny_model_dir), load_suite(["en"]))
    assert set(result["summary"]) == {"en"}
    assert 0 <= result["summary"]["en"]["harmful"]["pass_rate"] <= 1
    rows = result["by_functionality"]["hate_dehumanisation"]["en"]
    assert rows["cases"] == 20
    assert "Muslims" in result["bias"]["en"]
    assert "| hate_dehumanisation | harmful |" in suite_markdown(result)


def test_bias_metrics_known_values():
    # Group A's harmless mentions score as high as harmful ones: BPSN for A must be low.
    scores = np.array([0.9, 0.95, 0.9, 0.1, 0.9, 0.2])
    harmful = np.array([1, 0, 1, 0, 1, 0])
    groups = ["A", "A", "B", "B", "C", "C"]
    result = bias_metrics(scores, harmful, groups, ["en"] * 6)["en"]
    assert result["A"]["subgroup_auc"] == pytest.approx(0.0)
    assert result["A"]["bpsn_auc"] < result["B"]["bpsn_auc"]
