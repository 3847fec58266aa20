"""Generalisation protocols: neutral sentences, leave one source out, cross-lingual."""

import numpy as np
import pytest

from extremism_nlp import Classifier
from extremism_nlp.evaluation.protocols import (
    ACCOUNT_LABELLED_SOURCES,
    PARALLEL_SOURCES,
    load_neutral,
    protocol_markdown,
    run_crosslingual,
    run_loso,
    run_neutral,
    written_alongside,
)


def test_neutral_set_has_200_sentences_in_at_least_8_languages():
    sets = load_neutral()
    assert len(sets) >= 8 and {"ar", "en", "fr", "de", "es", "it", "tr", "ur"} <= set(sets)
    for lang, sentences in sets.items():
        assert len(sentences) >= 200, lang
        assert len(set(sentences)) == len(sentences), lang


def test_unknown_neutral_language_names_the_available_ones():
    with pytest.raises(ValueError, match="available"):
        load_neutral(["xx"])


def test_run_neutral_counts_flagged_sentences():
    result = run_neutral(Classifier.from_pretrained("fast"), ["en", "fr"])
    for lang in ("en", "fr"):
        entry = result[lang]
        assert entry["sentences"] == len(load_neutral([lang])[lang])
        assert entry["flagged"] == len(entry["flagged_examples"]) <= entry["sentences"]
        assert 0 <= entry["flagged_rate"] <= 1
    assert "| en |" in protocol_markdown("neutral", result)


@pytest.fixture
def tiny_corpus(raw_data_dir):
    from extremism_nlp.data import load_corpus

    return load_corpus(raw_data_dir)


def _recording_recipe(seen):
    """A recipe that records what it was trained on and returns the shipped fast model."""

    def recipe(train, validation):
        seen.append((set(train["source"]), set(train["lang"]), set(validation["source"]), set(validation["lang"])))
        return Classifier.from_pretrained("fast")

    return recipe


def test_loso_trains_without_the_held_out_source(tiny_corpus):
    seen = []
    result = run_loso(_recording_recipe(seen), tiny_corpus, min_positives=1)
    assert seen, "no fold ran"
    held_out = [key.split("/")[0] for key in result["folds"]]
    for (train_sources, _, val_sources, _), source in zip(seen, dict.fromkeys(held_out)):
        assert source not in train_sources and source not in val_sources
    for fold in result["folds"].values():
        assert set(fold["labels"]) == set(fold["labels_scored"])
        assert fold["macro_f1"] == pytest.approx(np.mean([fold["labels"][k]["f1"] for k in fold["labels_scored"]]))
    assert set(result["by_lang"]) == {fold["lang"] for fold in result["folds"].values()}


def test_crosslingual_trains_without_the_language(tiny_corpus):
    seen = []
    result = run_crosslingual(_recording_recipe(seen), tiny_corpus, languages=["de", "fr"], min_positives=1)
    assert len(seen) == len(result["folds"]) >= 1
    for (_, train_langs, _, val_langs), held_out in zip(seen, result["folds"]):
        assert held_out not in train_langs and held_out not in val_langs
    assert set(result["folds"]) <= {"de", "fr"}
    assert protocol_markdown("crosslingual", result).startswith("| held-out language")


def _written_corpus(sources=("mlma", *PARALLEL_SOURCES), rows_of=None):
    """Rows of these sources in four languages (4 a source and language, or ``rows_of[source]``),
    every split alike."""
    from datasets import Dataset

    rows_of = rows_of or {}
    rows = [(source, lang, i) for source in sources for lang in ("ar", "en", "de", "zh") for i in range(rows_of.get(source, 4))]
    split = Dataset.from_dict({
        "text": [f"{source} {lang} {i}" for source, lang, i in rows], "source": [source for source, _, _ in rows],
        "lang": [lang for _, lang, _ in rows], "labels": [[i % 2, 0, 0, 0] for _, _, i in rows], "label_mask": [[1, 1, 1, 1]] * len(rows),
    })  # fmt: skip
    return {"train": split, "validation": split, "test": split}


def test_crosslingual_keeps_written_rows_only_of_languages_written_apart():
    """A fold loses the project's written rows in the held-out language and in every
    language written together with it (ar with en, fr and ur), keeps the others' (de, zh), and is
    scored on all its test rows and on the natural ones alone."""
    seen = []

    def recipe(train, validation):
        seen.append({(source, lang) for source, lang in zip(train["source"], train["lang"])})
        return Classifier.from_pretrained("fast")

    result = run_crosslingual(recipe, _written_corpus(), languages=["ar"], min_positives=1)
    assert written_alongside("ar") == {"ar", "en", "fr", "ur"} and {"fr", "nl"} <= written_alongside("de")
    assert seen == [{("mlma", "en"), ("mlma", "de"), ("mlma", "zh"), ("project_written", "de"), ("project_written", "zh")}]
    fold = result["folds"]["ar"]
    assert fold["rows"] == 8 and fold["natural"]["rows"] == 4 and fold["written_alongside"] == ["ar", "en", "fr", "ur"]
    assert "natural rows" in protocol_markdown("crosslingual", result)


def test_cli_runs_the_neutral_protocol(capsys, tmp_path):
    import json

    from extremism_nlp.cli import main

    assert main(["evaluate", "--protocol", "neutral", "--model", "fast", "--languages", "de", "--output-dir", str(tmp_path)]) == 0
    assert "| de |" in capsys.readouterr().out
    assert json.loads((tmp_path / "protocol_neutral.json").read_text())["result"]["de"]["sentences"] >= 200


def test_cli_crosslingual_retrains_a_fast_model(raw_data_dir, capsys):
    from extremism_nlp.cli import main

    code = main(["evaluate", "--protocol", "crosslingual", "--model", "fast", "--data-dir", str(raw_data_dir), "--languages", "fr"])
    assert code == 0 and "held-out language" in capsys.readouterr().out


def test_cli_refuses_protocols_that_retrain_a_transformer(capsys):
    from extremism_nlp.cli import main

    assert main(["evaluate", "--protocol", "loso", "--model", "transformer"]) == 2
    assert "hours" in capsys.readouterr().err


def test_frozen_encoder_folds_start_from_the_recipes_own_sample(tiny_corpus):
    """A fold trains on the rows and weights the recipe drew from the whole train split, less
    the held-out ones, and only from the sources the recipe trains on."""
    from extremism_nlp.training import TrainingConfig, protocol_corpus
    from extremism_nlp.training.frozen_encoder import training_sample
    from extremism_nlp.training.sampling import SAMPLE_WEIGHT

    sources = sorted(set(tiny_corpus["train"]["source"]))
    config = TrainingConfig.from_dict(
        {"model": "frozen_encoder", "sources": sources[1:], "max_train_rows": 40, "language_balance": 1.0}
    )
    start = protocol_corpus(config, tiny_corpus)
    drawn = start["train"]
    assert sources[0] not in set(drawn["source"]) and len(drawn) == min(40, sum(s != sources[0] for s in tiny_corpus["train"]["source"]))
    assert start["validation"] is tiny_corpus["validation"] and start["test"] is tiny_corpus["test"]

    held_out = drawn["source"][0]
    fold = drawn.filter(lambda source: source != held_out, input_columns="source")
    rows, weights = training_sample(fold, config.backend)
    assert SAMPLE_WEIGHT not in rows.column_names and list(rows["text"]) == list(fold["text"])
    carried = np.asarray(fold[SAMPLE_WEIGHT])
    assert weights.mean() == pytest.approx(1.0) and np.allclose(weights / weights[0], carried / carried[0], rtol=1e-5)


def test_fast_folds_train_on_every_row_of_the_recipes_sources(tiny_corpus):
    from extremism_nlp.training import TrainingConfig, protocol_corpus

    start = protocol_corpus(TrainingConfig.from_dict({"model": "fast"}), tiny_corpus)
    assert start["train"] is tiny_corpus["train"]


def test_crosslingual_also_scores_the_natural_rows_labelled_text_by_text():
    """The ISIS fan-boy tweets are labelled by account: a fold reports its natural rows with
    and without them."""
    assert ACCOUNT_LABELLED_SOURCES == ("isis_fanboy",)
    corpus = _written_corpus(("mlma", "isis_fanboy", *PARALLEL_SOURCES), rows_of={"isis_fanboy": 2})
    result = run_crosslingual(lambda train, validation: Classifier.from_pretrained("fast"), corpus, languages=["ar"], min_positives=1)
    fold = result["folds"]["ar"]
    assert (fold["rows"], fold["natural"]["rows"], fold["per_text"]["rows"]) == (10, 6, 4)  # the 4 MLMA rows
    table = protocol_markdown("crosslingual", result)
    assert "labelled text by text" in table and f"{fold['per_text']['macro_f1']:.3f} (4 rows)" in table
