"""Generalisation protocols: neutral sentences, counter-speech, leave one source out, cross-lingual."""

import numpy as np
import pytest

from extremism_nlp import Classifier
from extremism_nlp.evaluation.protocols import (
    ACCOUNT_LABELLED_SOURCES,
    PARALLEL_SOURCES,
    SENTENCE_SETS,
    every_row_flagged_f1,
    headline_figures,
    load_neutral,
    load_sentences,
    loso_means_by_lang,
    macro_pr_auc,
    over_draws,
    protocol_markdown,
    run_crosslingual,
    run_loso,
    run_neutral,
    run_sentence_set,
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


def test_counter_speech_set_has_100_replies_in_at_least_8_languages():
    sets = load_sentences("counter_speech")
    assert len(sets) >= 8 and {"ar", "en", "fr", "de", "es", "it"} <= set(sets)
    for lang, replies in sets.items():
        assert len(replies) >= 100, lang
        assert len(set(replies)) == len(replies), lang


def test_sentence_sets_share_no_line_with_the_written_training_examples():
    """The sets measure text the models never saw: none of their lines may be a training example."""
    import json

    from extremism_nlp.paths import repository_raw_dir

    folder = repository_raw_dir() / "project_written"
    written = {json.loads(line)["text"].strip().casefold() for path in folder.glob("*.jsonl") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
    for protocol in SENTENCE_SETS:
        for lang, sentences in load_sentences(protocol).items():
            assert not {s.casefold() for s in sentences} & written, (protocol, lang)


def test_unknown_sentence_set_names_the_available_ones():
    with pytest.raises(ValueError, match="available: neutral, counter_speech"):
        load_sentences("jokes")


def test_run_counter_speech_counts_flagged_replies():
    result = run_sentence_set(Classifier.from_pretrained("fast"), "counter_speech", ["fr"])
    entry = result["fr"]
    assert entry["sentences"] == len(load_sentences("counter_speech", ["fr"])["fr"])
    assert entry["flagged"] == len(entry["flagged_examples"]) == sum(1 for e in entry["flagged_examples"] if e["labels"])
    assert "| fr |" in protocol_markdown("counter_speech", result)


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


def test_loso_leaves_out_only_the_sources_asked_for(tiny_corpus):
    every_fold = run_loso(_recording_recipe([]), tiny_corpus, min_positives=1)["folds"]
    some = [next(iter(every_fold.values()))["source"]]
    seen = []
    result = run_loso(_recording_recipe(seen), tiny_corpus, min_positives=1, sources=some)
    assert len(seen) == 1 and set(result["folds"]) == {key for key, fold in every_fold.items() if fold["source"] in some}
    with pytest.raises(ValueError, match="sources with held-out rows: .*" + some[0]):
        run_loso(_recording_recipe(seen), tiny_corpus, sources=[*some, "no_such_source"])


def _fold(source, lang, macro_f1, positives=1, pr_auc=0.5):
    """A loso fold scored on `offensive` alone, of 4 judged rows."""
    labels = {"offensive": {"f1": macro_f1, "support": positives, "judged": 4, "pr_auc": pr_auc}}
    return {"source": source, "lang": lang, "rows": 4, "labels_scored": ["offensive"], "labels": labels, "macro_f1": macro_f1}


def test_loso_means_keep_the_written_fold_apart_from_the_natural_ones():
    folds = {
        "mlma/fr": _fold("mlma", "fr", 0.6, positives=3, pr_auc=0.8),
        "ethos/fr": _fold("ethos", "fr", 0.4, positives=1, pr_auc=0.6),
        "project_written/fr": _fold("project_written", "fr", 0.9, positives=2, pr_auc=0.95),
        "project_written/de": _fold("project_written", "de", None),
    }
    means = loso_means_by_lang(folds)
    # Flagging every row: 2p / (1 + p) with p = 3/4 and 1/4 (6/7 and 2/5), and 1/2 (2/3).
    assert means == {"fr": {
        "natural": {"folds": 2, "macro_f1": pytest.approx(0.5), "pr_auc": pytest.approx(0.7), "every_row_flagged": pytest.approx((6 / 7 + 2 / 5) / 2)},
        "written": {"folds": 1, "macro_f1": 0.9, "pr_auc": 0.95, "every_row_flagged": pytest.approx(2 / 3)},
    }}  # fmt: skip
    assert headline_figures("loso", {"folds": folds}) == {
        "fr, natural folds": pytest.approx(0.5), "fr, natural folds, PR-AUC": pytest.approx(0.7),
        "fr, natural folds, every row flagged": pytest.approx((6 / 7 + 2 / 5) / 2),
        "fr, written folds": 0.9, "fr, written folds, PR-AUC": 0.95, "fr, written folds, every row flagged": pytest.approx(2 / 3),
    }  # fmt: skip
    table = protocol_markdown("loso", {"folds": {k: f for k, f in folds.items() if f["macro_f1"]}})
    assert "**fr**, natural (mean of 2)" in table and "**fr**, written (mean of 1)" in table


def test_threshold_free_figures_need_every_label_scored():
    labels = {"hate": {"support": 1, "judged": 3, "pr_auc": 0.4}, "offensive": {"support": 0, "judged": 0, "pr_auc": None}}
    assert macro_pr_auc(labels, ["hate"]) == 0.4 and macro_pr_auc(labels, ["hate", "offensive"]) is None
    assert macro_pr_auc(labels, []) is None
    assert every_row_flagged_f1(labels, ["hate"]) == pytest.approx(0.5)  # p = 1/3: 2p / (1 + p)
    assert every_row_flagged_f1(labels, ["offensive"]) is None


def _crosslingual_draw(all_rows, natural=None):
    fold = {"rows": 8, "labels_scored": [], "labels": {}, "macro_f1": all_rows}
    if natural is not None:
        fold["natural"] = {"rows": 4, "labels_scored": [], "labels": {}, "macro_f1": natural}
    return {"folds": {"ar": fold}}


def test_over_draws_gives_each_figure_its_values_mean_and_range():
    result = over_draws("crosslingual", {13: _crosslingual_draw(0.5, 0.2), 14: _crosslingual_draw(0.7), 15: _crosslingual_draw(0.6, 0.4)})
    assert result["seeds"] == [13, 14, 15] and set(result["draws"]) == {"13", "14", "15"}
    every_row = result["figures"]["ar, all rows"]
    assert every_row["values"] == [0.5, 0.7, 0.6] and every_row["mean"] == pytest.approx(0.6)
    assert (every_row["min"], every_row["max"]) == (0.5, 0.7)
    natural = result["figures"]["ar, natural rows"]  # missing in one draw: left out of its mean, not counted as 0
    assert natural["values"] == [0.2, None, 0.4] and natural["mean"] == pytest.approx(0.3)
    assert result["figures"]["ar, natural rows labelled text by text"] == {"values": [None, None, None]}
    table = protocol_markdown("crosslingual", result)
    assert "seed 15" in table and "| ar, natural rows | 0.300 | 0.200 | 0.400 | 0.200 | – | 0.400 |" in table
    with pytest.raises(ValueError, match="refit"):
        over_draws("neutral", {13: {}})


def test_each_seed_draws_its_own_sample(tiny_corpus, monkeypatch):
    """Run over several seeds, a protocol refits the recipe from each seed's own sample and
    keeps every draw; with one seed its result is that draw's alone."""
    from extremism_nlp.training import TrainingConfig, run, run_refitting_protocol

    drawn = {}

    def recording_recipe(config):
        def recipe(train, validation):
            drawn[config.backend.seed] = sorted(train["text"])
            return Classifier.from_pretrained("fast")

        return recipe

    monkeypatch.setattr(run, "protocol_recipe", recording_recipe)
    config = TrainingConfig.from_dict({"model": "frozen_encoder", "max_train_rows": 40, "seed": 13})
    result = run_refitting_protocol("crosslingual", config, tiny_corpus, seeds=[3, 4], languages=["fr"])
    assert result["seeds"] == [3, 4] and set(drawn) == {3, 4} and drawn[3] != drawn[4]
    assert set(result["draws"]["3"]["folds"]) == {"fr"} and "fr, all rows" in result["figures"]
    assert "folds" in run_refitting_protocol("crosslingual", config, tiny_corpus, languages=["fr"]) and set(drawn) == {3, 4, 13}
    with pytest.raises(ValueError, match="refit"):
        run_refitting_protocol("neutral", config, tiny_corpus)


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


@pytest.mark.parametrize("protocol, at_least", [("neutral", 200), ("counter_speech", 100)])
def test_cli_runs_a_sentence_set_protocol(protocol, at_least, capsys, tmp_path):
    import json

    from extremism_nlp.cli import main

    assert main(["evaluate", "--protocol", protocol, "--model", "fast", "--languages", "de", "--output-dir", str(tmp_path)]) == 0
    assert "| de |" in capsys.readouterr().out
    assert json.loads((tmp_path / f"protocol_{protocol}.json").read_text())["result"]["de"]["sentences"] >= at_least


def test_cli_crosslingual_retrains_a_fast_model(raw_data_dir, capsys):
    from extremism_nlp.cli import main

    command = ["evaluate", "--protocol", "crosslingual", "--model", "fast", "--data-dir", str(raw_data_dir), "--languages", "fr"]
    assert main(command) == 0 and "held-out language" in capsys.readouterr().out
    assert main([*command, "--seeds", "1", "2"]) == 0
    out = capsys.readouterr().out
    assert "| seed 1 | seed 2 |" in out and "| fr, all rows |" in out


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
    per_text = fold["per_text"]
    # 2 of the 4 MLMA rows are positives (p = 1/2): flagging every one gets F1 2/3.
    expected = f"{per_text['macro_f1']:.3f} / {per_text['labels']['extremism']['pr_auc']:.3f} / 0.667 (4 rows)"
    assert "labelled text by text" in table and expected in table
