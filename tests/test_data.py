"""The data layer on tiny raw files in every corpus format (never the shared corpora)."""

import logging
import shutil

import pytest

from extremism_nlp import LABELS
from extremism_nlp.data import DataDirectoryError, load_corpus, load_corpus_with_stats, load_unlabelled
from extremism_nlp.data import corpus as corpus_module
from extremism_nlp.text import dedup_key


def _rows(corpus):
    return {row["id"]: (split, row) for split in corpus for row in corpus[split]}


def _labels(*names):
    return [int(label in names) for label in LABELS]


def test_columns_and_splits(raw_data_dir):
    corpus = load_corpus(raw_data_dir)
    assert set(corpus) == {"train", "validation", "test"}
    for name in ("id", "text", "lang", "labels", "source", "source_label"):
        assert name in corpus["train"].column_names
    for split in corpus:
        assert all(len(labels) == len(LABELS) for labels in corpus[split]["labels"])
        assert all(len(lang) == 2 for lang in corpus[split]["lang"])


@pytest.mark.parametrize(
    ("row_id", "expected"),
    [
        ("mlma:en:1", _labels("hate", "offensive")),
        ("mlma:en:2", _labels("offensive")),
        ("mlma:en:3", _labels()),  # fearful alone is not an attack
        ("mlma:fr:2", _labels("offensive")),  # disrespectful_normal
        ("mlma:ar:1", _labels("hate", "offensive")),
        ("davidson_hsol:0", _labels("hate", "offensive")),
        ("davidson_hsol:1", _labels("offensive")),
        ("davidson_hsol:2", _labels()),
        ("germeval2018:train:1", _labels("hate", "offensive")),  # ABUSE
        ("germeval2018:train:2", _labels("offensive")),  # INSULT
        ("germeval2018:test:1", _labels("offensive")),  # PROFANITY
        ("stormfront:1_1", _labels("hate", "offensive")),
        ("ethos:Ethos_Dataset_Binary.csv:2", _labels("violence", "hate", "offensive")),
        ("ethos:Ethos_Dataset_Binary.csv:4", _labels()),  # isHate 0.33
        ("germeval_harmful_de:1", _labels("violence")),
        ("germeval_harmful_de:2", _labels("extremism", "violence")),  # glorification
        ("germeval_harmful_de:5", _labels("extremism")),  # subversive
        ("germeval_harmful_de:6", _labels()),  # legitimate criticism
        ("germeval_harmful_de:7", _labels("offensive")),  # defamation
        ("germeval_harmful_de:8", _labels()),  # call to action alone
        ("gab_hate_corpus:train:2", _labels("hate", "offensive")),
        ("gab_hate_corpus:train:3", _labels("violence")),
        ("gab_hate_corpus:train:4", _labels("offensive")),
        ("osact5_ar_violence:1", _labels("violence", "offensive")),
        ("osact5_ar_violence:2", _labels("hate", "offensive")),
        ("ru_sensitive_topics:val:2", _labels("extremism")),
        ("ru_sensitive_topics:val:3", _labels()),  # appropriate talk about terrorism
        ("offenseval2020_tr:1", _labels("offensive")),
        ("roman_urdu_ruhsold:train:3", _labels("hate", "offensive")),
        ("roman_urdu_ruhsold:test:1", _labels("hate", "offensive")),  # sexism
        ("isis_fanboy:1", _labels("extremism")),
        ("mlma:fr:3", _labels("hate", "offensive")),  # abusive towards a protected group
        ("mlma:fr:4", _labels("offensive")),  # a political camp is not a protected group
        ("mlma:fr:2", _labels("offensive")),  # an individual
    ],
)
def test_label_mapping(raw_data_dir, row_id, expected):
    rows = _rows(load_corpus(raw_data_dir))
    assert rows[row_id][1]["labels"] == expected


def test_official_splits_are_kept(raw_data_dir):
    rows = _rows(load_corpus(raw_data_dir))
    assert rows["germeval2018:test:1"][0] == "test"
    assert rows["offenseval2020_tr:10"][0] == "test"
    assert rows["roman_urdu_ruhsold:validation:1"][0] == "validation"
    assert rows["gab_hate_corpus:test:2"][0] == "test"
    assert rows["stormfront:1_2"][0] == "test"


def test_news_is_split_into_passages_that_share_a_split(raw_data_dir):
    rows = _rows(load_corpus(raw_data_dir))
    passages = [(split, row) for key, (split, row) in rows.items() if key.startswith("saudinewsnet_ar_news:")]
    assert len(passages) >= 3
    assert len({split for split, _ in passages}) == 1
    assert all(len(row["text"]) <= 400 and not any(row["labels"]) for _, row in passages)


def test_language_is_detected_where_the_source_does_not_say(raw_data_dir):
    rows = _rows(load_corpus(raw_data_dir))
    assert rows["isis_fanboy:1"][1]["lang"] == "en"
    assert rows["isis_fanboy:2"][1]["lang"] == "ar"
    assert rows["mlma:fr:1"][1]["lang"] == "fr"


def test_malformed_rows_are_counted_with_line_numbers(raw_data_dir):
    _, stats = load_corpus_with_stats(raw_data_dir)
    assert stats.sources["mlma"]["skipped"] == {"expected 7 fields": 1}
    assert stats.sources["mlma"]["skipped_lines"]["expected 7 fields"] == ["en_dataset.csv:6"]
    assert stats.sources["davidson_hsol"]["skipped"] == {"unknown class '7'": 1}
    assert stats.sources["offenseval2020_tr"]["skipped"] == {"test tweet without a gold label": 1}
    assert sum(stats.sources["stormfront"]["skipped"].values()) == 2


def test_undecodable_bytes_are_reported(raw_data_dir):
    path = raw_data_dir / "davidson_hsol" / "labeled_data.csv"
    path.write_bytes(path.read_bytes() + b"99,3,0,0,3,2,bad \xff\xfe bytes\n")
    _, stats = load_corpus_with_stats(raw_data_dir)
    assert stats.sources["davidson_hsol"]["skipped"]["undecodable bytes (not UTF-8)"] == 1


def test_splits_are_deterministic(raw_data_dir, tmp_path, monkeypatch):
    first = {split: sorted(load_corpus(raw_data_dir)[split]["id"]) for split in ("train", "validation", "test")}
    monkeypatch.setenv("EXTREMISM_NLP_CACHE", str(tmp_path / "other-cache"))
    second = {split: sorted(load_corpus(raw_data_dir)[split]["id"]) for split in ("train", "validation", "test")}
    assert first == second


def test_no_duplicate_straddles_splits(raw_data_dir):
    # The same tweet in two sources, once in an official test split.
    with open(raw_data_dir / "gab_hate_corpus" / "ghc_test.tsv", "a") as handle:
        handle.write("RT @someone: nice day at the beach!!\t0\t0\t0\n")
    corpus, stats = load_corpus_with_stats(raw_data_dir)
    train_keys = {dedup_key(text) for text in corpus["train"]["text"]}
    for split in ("validation", "test"):
        assert not train_keys & {dedup_key(text) for text in corpus[split]["text"]}
    assert "davidson_hsol:2" not in corpus["train"]["id"]
    assert sum(stats.duplicates_removed.values()) >= 1


def test_filters(raw_data_dir):
    corpus = load_corpus(raw_data_dir, languages=["fr"])
    assert set(corpus["train"]["lang"]) == {"fr"}
    commercial = load_corpus(raw_data_dir, commercial_only=True)
    sources = {s for split in commercial for s in commercial[split]["source"]}
    assert "gab_hate_corpus" not in sources and "mlma" in sources


def test_second_load_hits_the_cache(raw_data_dir, monkeypatch):
    load_corpus(raw_data_dir)

    def fail(*args, **kwargs):
        raise AssertionError("rebuilt although the raw files did not change")

    monkeypatch.setattr(corpus_module, "build_corpus", fail)
    assert len(load_corpus(raw_data_dir)["train"]) > 0


def test_a_selection_of_sources_is_not_served_from_the_whole_corpus_cache(raw_data_dir):
    """project_annotations reads the folders of the sources it annotates: a selection that
    leaves one of them out reads the same files as the whole corpus, and must not be given
    the whole corpus's cached rows."""
    everything = load_corpus(raw_data_dir)
    present = {source for split in everything for source in everything[split]["source"]}
    assert {"isis_fanboy", "project_annotations"} <= present
    selection = load_corpus(raw_data_dir, sorted(present - {"isis_fanboy"}))
    assert all("isis_fanboy" not in set(selection[split]["source"]) for split in selection)


def test_changed_raw_file_invalidates_the_cache(raw_data_dir):
    before = len(load_corpus(raw_data_dir)["test"])
    with open(raw_data_dir / "gab_hate_corpus" / "ghc_test.tsv", "a") as handle:
        handle.write("a brand new test post about gardening\t0\t0\t0\n")
    assert len(load_corpus(raw_data_dir)["test"]) == before + 1


def test_missing_data_dir_names_the_path_and_the_fix(tmp_path):
    with pytest.raises(DataDirectoryError, match="EXTREMISM_NLP_DATA") as error:
        load_corpus(tmp_path / "nowhere")
    assert str(tmp_path / "nowhere") in str(error.value)


def test_env_variable_sets_the_data_dir(raw_data_dir, monkeypatch):
    monkeypatch.setenv("EXTREMISM_NLP_DATA", str(raw_data_dir))
    assert len(load_corpus(sources=["mlma"])["train"]) > 0


def test_missing_source_is_skipped_with_a_warning(raw_data_dir, caplog):
    shutil.rmtree(raw_data_dir / "ethos")
    with caplog.at_level(logging.WARNING):
        _, stats = load_corpus_with_stats(raw_data_dir)
    assert "ethos" in stats.missing_sources
    assert "ethos" in caplog.text


def test_missing_source_asked_by_name_is_an_error(raw_data_dir):
    shutil.rmtree(raw_data_dir / "ethos")
    with pytest.raises(DataDirectoryError, match="ethos"):
        load_corpus(raw_data_dir, sources=["ethos"])


def test_unknown_source_lists_the_valid_ones(raw_data_dir):
    with pytest.raises(ValueError, match="registered sources"):
        load_corpus(raw_data_dir, sources=["nope"])


def test_unlabelled_source(raw_data_dir):
    with pytest.raises(ValueError, match="load_unlabelled"):
        load_corpus(raw_data_dir, sources=["farright_telegram_sample"])
    telegram = load_unlabelled("farright_telegram_sample", raw_data_dir)
    assert telegram[0]["lang"] == "en" and "labels" not in telegram.column_names


def test_loader_rejects_a_file_with_the_wrong_layout(raw_data_dir):
    (raw_data_dir / "gab_hate_corpus" / "ghc_test.tsv").write_text("words\tscore\nhello\t1\n")
    with pytest.raises(ValueError, match="ghc_test.tsv has no column"):
        load_corpus(raw_data_dir)


def test_cli_data_stats(raw_data_dir, capsys):
    from extremism_nlp.cli import main

    assert main(["data", "stats", "--data-dir", str(raw_data_dir)]) == 0
    out = capsys.readouterr().out
    for heading in ("Rows per source, language and split", "Rows removed by de-duplication", "Rows skipped while reading"):
        assert heading in out
    assert "unknown class '7'" in out


def test_cli_data_stats_missing_dir(tmp_path, capsys):
    from extremism_nlp.cli import main

    assert main(["data", "stats", "--data-dir", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.slow
def test_shared_corpus(shared_corpus):
    corpus, stats = shared_corpus
    train = corpus["train"]
    langs_with = {label: set() for label in LABELS}
    for lang, labels in zip(train["lang"], train["labels"]):
        for label, on in zip(LABELS, labels):
            if on:
                langs_with[label].add(lang)
    assert {"ar", "en", "fr", "de"} <= langs_with["hate"]
    assert {"ar", "en", "fr", "de"} <= langs_with["offensive"]
    assert langs_with["violence"] and langs_with["extremism"]
    train_keys = {dedup_key(text) for text in train["text"]}
    assert not train_keys & {dedup_key(text) for text in corpus["test"]["text"]}
    assert sum(stats.duplicates_removed.values()) > 0


def test_label_mask_marks_what_a_source_did_not_judge(raw_data_dir):
    rows = _rows(load_corpus(raw_data_dir))
    assert rows["isis_fanboy:1"][1]["label_mask"] == _labels("extremism")
    assert rows["mlma:en:1"][1]["label_mask"] == [1, 1, 1, 1]
    # in the vio file only: violence judged, extremism and offensive not, hate never
    assert rows["germeval_harmful_de:1"][1]["label_mask"] == _labels("violence")
    assert rows["germeval_harmful_de:7"][1]["label_mask"] == _labels("offensive")
    assert rows["germeval_harmful_de:5"][1]["label_mask"] == _labels("extremism")


def test_rows_swallowed_by_a_run_on_quote_are_recovered(raw_data_dir):
    rows = _rows(load_corpus(raw_data_dir, sources=["osact5_ar_violence"]))
    assert rows["osact5_ar_violence:5"][1]["text"] == " مساء الورد"
    assert rows["osact5_ar_violence:5"][1]["labels"] == _labels()
    assert rows["osact5_ar_violence:6"][1]["labels"] == _labels("offensive")
    assert rows["osact5_ar_violence:7"][1]["text"] == 'يا "حمار"'
    assert "osact5_ar_violence:8" in rows


def test_passages_overlap_by_one_sentence():
    from extremism_nlp.data.passages import split_passages

    text = " ".join(f"Sentence number {i} is here." for i in range(30))
    plain = split_passages(text, 120, None)
    overlapping = split_passages(text, 120, None, overlap=True)
    assert all(len(p) <= 120 for p in plain + overlapping)
    assert " ".join(plain).split() == text.split()  # nothing lost, nothing repeated
    for before, after in zip(overlapping, overlapping[1:]):
        last_sentence = before.rsplit(".", 2)[-2].strip() + "."
        assert after.startswith(last_sentence)


def test_project_written_examples_are_read_from_the_committed_folder(raw_data_dir, tmp_path, monkeypatch):
    from raw_fixtures import make_committed_raw_dir

    monkeypatch.setenv("EXTREMISM_NLP_RAW_DIR", str(make_committed_raw_dir(tmp_path / "raw")))
    corpus, stats = load_corpus_with_stats(raw_data_dir, ["project_written"])
    rows = _rows(corpus)
    assert rows["project_written:fr:1"][1]["labels"] == _labels("hate", "offensive")  # hate is offensive too
    assert rows["project_written:fr:2"][1]["labels"] == _labels("violence", "hate", "offensive")
    assert rows["project_written:es:2"][1]["labels"] == _labels() and rows["project_written:es:2"][1]["source_label"] == "counter_speech"
    assert {row["lang"] for _, row in rows.values()} == {"fr", "es"}
    assert sum(stats.sources["project_written"]["skipped"].values()) == 4  # two malformed lines per file


def test_committed_folder_missing_is_skipped(raw_data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("EXTREMISM_NLP_RAW_DIR", str(tmp_path / "nothing-here"))
    assert "project_written" in load_corpus_with_stats(raw_data_dir)[1].missing_sources


def _public_corpora(raw_data_dir, tmp_path, monkeypatch, name):
    from raw_fixtures import make_public_corpora_dir

    monkeypatch.setenv("EXTREMISM_NLP_RAW_DIR", str(make_public_corpora_dir(tmp_path / "raw")))
    corpus, stats = load_corpus_with_stats(raw_data_dir, [name])
    return _rows(corpus), stats.sources[name]


def test_cold_maps_fine_labels_and_keeps_the_official_split(raw_data_dir, tmp_path, monkeypatch):
    rows, info = _public_corpora(raw_data_dir, tmp_path, monkeypatch, "cold_zh")
    assert rows["cold_zh:test:1"] == ("test", rows["cold_zh:test:1"][1])
    assert rows["cold_zh:test:1"][1]["labels"] == _labels("hate", "offensive")  # attack on a group
    assert rows["cold_zh:test:2"][1]["labels"] == _labels("offensive")  # attack on a person
    assert rows["cold_zh:test:3"][1]["labels"] == _labels() and rows["cold_zh:test:3"][1]["source_label"] == "gender:anti_bias"
    assert rows["cold_zh:test:1"][1]["label_mask"] == [1, 1, 1, 1]
    # train/dev say offensive or safe only: hate stays unjudged on offensive rows
    assert rows["cold_zh:dev:1"][0] == "validation"
    assert rows["cold_zh:dev:1"][1]["labels"] == _labels("offensive")
    assert rows["cold_zh:dev:1"][1]["label_mask"] == _labels("offensive")
    assert rows["cold_zh:dev:2"][1]["label_mask"] == [1, 1, 1, 1]
    assert {split for split, row in rows.values() if row["id"].startswith("cold_zh:train:")} == {"train"}
    assert info["rows_read"] == 29 and info["rows_kept"] == 26
    assert info["skipped"] == {"coarse label 0 contradicts fine label 2": 1, "unknown split or label exam/1/": 1, "expected 6 fields": 1}


def test_told_br_takes_the_annotators_majority(raw_data_dir, tmp_path, monkeypatch):
    rows, info = _public_corpora(raw_data_dir, tmp_path, monkeypatch, "told_br")
    by_text = {row["text"]: row for _, row in rows.values()}
    assert by_text["os imigrantes são uma praga, fora daqui"]["labels"] == _labels("hate", "offensive")
    assert by_text["os imigrantes são uma praga, fora daqui"]["source_label"] == "xenophobia"
    assert by_text["cala a boca seu idiota"]["labels"] == _labels("offensive")
    assert by_text["cala a boca seu idiota"]["label_mask"] == _labels("hate", "offensive")
    assert "que merda de jogo" not in by_text  # one vote: no majority either way
    assert all(row["lang"] == "pt" for row in by_text.values())
    assert info["rows_read"] == 24 and info["rows_kept"] == 22
    assert info["skipped"] == {"flagged by a single annotator only (no majority)": 1, "vote count is not 0-3": 1}


def test_gahd_keeps_the_split_and_leaves_offensive_unjudged_on_non_hate(raw_data_dir, tmp_path, monkeypatch):
    rows, info = _public_corpora(raw_data_dir, tmp_path, monkeypatch, "gahd_de")
    assert rows["gahd_de:h1"][0] == "train" and rows["gahd_de:h1"][1]["labels"] == _labels("hate", "offensive")
    assert rows["gahd_de:h2"][0] == "test"
    assert rows["gahd_de:n1"][0] == "validation"
    assert rows["gahd_de:n1"][1]["labels"] == _labels() and rows["gahd_de:n1"][1]["label_mask"] == _labels("hate")
    assert rows["gahd_de:n1"][1]["source_label"] == "not_hate:R4:contrastive"
    assert info["rows_read"] == 25 and info["rows_kept"] == 23
    assert info["skipped"] == {"empty required field": 1, "unknown split or label dev/maybe": 1}


def test_mpold_takes_hate_from_the_experts_pass_and_drops_marked_errors(raw_data_dir, tmp_path, monkeypatch):
    rows, info = _public_corpora(raw_data_dir, tmp_path, monkeypatch, "mpold_ar")
    assert rows["mpold_ar:101"][1]["labels"] == _labels("hate", "offensive")
    assert rows["mpold_ar:102"][1]["labels"] == _labels("offensive") and rows["mpold_ar:102"][1]["source_label"] == "Facebook:Offensive:V"
    assert rows["mpold_ar:103"][1]["labels"] == _labels("offensive")
    assert rows["mpold_ar:1"][1]["labels"] == _labels() and rows["mpold_ar:1"][1]["label_mask"] == [1, 1, 1, 1]
    assert "mpold_ar:104" not in rows and "mpold_ar:105" not in rows
    assert info["rows_read"] == 25 and info["rows_kept"] == 23
    assert info["skipped"] == {"marked by the authors' expert as an annotation error": 1, "unknown label Maybe/-": 1}


def test_ud_plain_is_plain_in_every_label_and_keeps_translations_in_one_split(raw_data_dir, tmp_path, monkeypatch):
    rows, info = _public_corpora(raw_data_dir, tmp_path, monkeypatch, "ud_plain")
    report = rows["ud_plain:en:n_attack"][1]
    assert report["labels"] == _labels() and report["label_mask"] == [1, 1, 1, 1]  # reporting a killing is not harm
    assert report["source_label"] == "UD_English-PUD" and report["lang"] == "en"
    # a sentence and its translation share the group, so they share the split
    pairs = [(rows[f"ud_plain:en:n{i}"][0], rows[f"ud_plain:de:n{i}"][0]) for i in range(20) if f"ud_plain:de:n{i}" in rows]
    assert len(pairs) >= 15 and all(en == de for en, de in pairs) and len({en for en, _ in pairs}) > 1
    assert info["rows_read"] == 43 and info["rows_kept"] == 41
    assert info["skipped"] == {"unknown language 'xx'": 1, "empty required field": 1}


def test_tatoeba_plain_is_plain_in_every_label_and_keeps_translations_in_one_split(raw_data_dir, tmp_path, monkeypatch):
    rows, info = _public_corpora(raw_data_dir, tmp_path, monkeypatch, "tatoeba_plain")
    row = rows["tatoeba_plain:nl:3"][1]
    assert row["labels"] == _labels() and row["label_mask"] == [1, 1, 1, 1]
    assert row["source_label"] == "tatoeba" and row["lang"] == "nl" and row["text"] == "Ik heb 3 katten."
    # two translations of one English sentence share the group, so they share the split
    pairs = [(rows[f"tatoeba_plain:nl:{i}"][0], rows[f"tatoeba_plain:tr:{i}"][0]) for i in range(20)]
    assert all(nl == tr for nl, tr in pairs) and len({nl for nl, _ in pairs}) > 1
    assert info["rows_read"] == 42 and info["rows_kept"] == 40
    assert info["skipped"] == {"unknown language 'xx'": 1, "empty required field": 1}


def test_pejorativity_keeps_plain_uses_of_an_epithet_unjudged_for_offensive(raw_data_dir, tmp_path, monkeypatch):
    rows, info = _public_corpora(raw_data_dir, tmp_path, monkeypatch, "pejorativity_it")
    misogynous, epithet, plain = (rows[f"pejorativity_it:{i}"][1] for i in ("901", "902", "3"))
    assert misogynous["labels"] == _labels("hate", "offensive") and misogynous["label_mask"] == [0, 0, 1, 1]
    assert epithet["labels"] == _labels("offensive") and epithet["label_mask"] == [0, 0, 1, 1]
    # the word in its plain sense: not hate, and nothing known about insults elsewhere in the tweet
    assert plain["labels"] == _labels() and plain["label_mask"] == [0, 0, 1, 0]
    assert plain["source_label"] == "gallina:pejorative=0:misogyny=0" and plain["lang"] == "it"
    assert rows["pejorativity_it:903"][1]["text"] == "Riga uno\nriga due, oche al lago."
    assert info["rows_read"] == 24 and info["rows_kept"] == 23 and info["skipped"] == {"unknown label forse/0": 1}


def test_a_corrupt_archive_is_reported_not_raised(raw_data_dir, tmp_path, monkeypatch):
    from raw_fixtures import make_public_corpora_dir

    root = make_public_corpora_dir(tmp_path / "raw")
    archive = root / "gahd_de" / "gahd.csv.gz"
    archive.write_bytes(archive.read_bytes()[:-40])  # cut: the end of the stream is missing
    monkeypatch.setenv("EXTREMISM_NLP_RAW_DIR", str(root))
    _, stats = load_corpus_with_stats(raw_data_dir, ["gahd_de"])
    assert any("unreadable compressed file" in reason for reason in stats.sources["gahd_de"]["skipped"])


@pytest.mark.parametrize(
    ("name", "read", "kept", "positives"),
    [
        # (source, rows read, rows kept, {label: positives} over every split)
        ("cold_zh", 37_480, 37_480, {"hate": 1_819, "offensive": 12_723 + 3_211 + 1_819 + 288}),
        ("told_br", 21_000, 15_808, {"hate": 376, "offensive": 376 + 3_687}),
        ("gahd_de", 10_996, 10_995, {"hate": 3_265 + 709 + 692, "offensive": 3_265 + 709 + 692}),
        ("mpold_ar", 4_000, 3_970, {"hate": 180, "offensive": 180 + 494}),
        ("ud_plain", 13_285, 13_285, {"hate": 0, "offensive": 0}),
        ("tatoeba_plain", 12_521, 12_521, {"hate": 0, "offensive": 0}),
    ],
)
def test_committed_public_corpora_counts(monkeypatch, name, read, kept, positives):
    """The files committed under data/raw, read by their loaders (no language id, no cache)."""
    from pathlib import Path

    from extremism_nlp.data.corpus import read_source
    from extremism_nlp.data.registry import get_source

    monkeypatch.delenv("EXTREMISM_NLP_RAW_DIR")
    rows, report = read_source(get_source(name), Path("unused: committed corpora are read from data/raw"))
    assert (report.rows_read, report.rows_kept) == (read, kept)
    for label, count in positives.items():
        assert sum(row.labels[LABELS.index(label)] for row in rows) == count
    assert not any(row.labels[LABELS.index("violence")] or row.labels[LABELS.index("extremism")] for row in rows)
