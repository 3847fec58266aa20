"""The project annotations: the records file, its loader as the source project_annotations,
and the figures of data/annotation/REPORT.md."""

import csv
import importlib.util
from pathlib import Path

import pytest

from extremism_nlp import LABELS
from extremism_nlp.data import annotations, load_corpus, load_corpus_with_stats
from extremism_nlp.data.annotations import FIELDS, AnnotationRecord, format_labels, parse_labels, read_records, write_records
from extremism_nlp.data.reading import SourceReport
from extremism_nlp.evaluation.metrics import cohen_kappa

ANNOTATION_DIR = Path(__file__).resolve().parents[1] / "data" / "annotation"


def _labels(*names):
    return [int(label in names) for label in LABELS]


def _record(item_id, source, row_id, final="none", tag="none", heldout=0, **passes):
    both = {"pass1_labels": final, "pass1_tag": tag, "pass2_labels": final, "pass2_tag": tag}
    return AnnotationRecord(item_id, "fr", source, row_id, "random", heldout, **{**both, **passes, "final_labels": final, "final_tag": tag})


@pytest.fixture
def annotated(tmp_path, monkeypatch):
    """Point the package at a records file written by the test; returns a writer."""
    path = tmp_path / "project_annotations.csv"
    monkeypatch.setattr(annotations, "ANNOTATIONS_FILE", path)

    def write(records, extra_lines=()):
        write_records(records, path)
        with open(path, "a", encoding="utf-8") as handle:
            handle.writelines(line + "\n" for line in extra_lines)
        return path

    return write


def _rows(corpus):
    return {row["id"]: (split, row) for split in corpus for row in corpus[split]}


def test_labels_round_trip():
    assert parse_labels("none") == (0, 0, 0, 0)
    assert parse_labels("violence+hate") == tuple(_labels("violence", "hate"))
    assert format_labels(_labels("extremism", "offensive")) == "extremism+offensive"
    for bad in ("", "violent", "hate+"):
        with pytest.raises(ValueError, match="expected 'none'"):
            parse_labels(bad)


def test_annotation_labels_take_precedence_and_held_out_rows_are_test(raw_data_dir, annotated):
    annotated(
        [
            _record("fr0001", "mlma", "fr:1", "violence+hate+offensive", heldout=1),
            _record("fr0002", "isis_fanboy", "1", "none", "reporting"),
        ]
    )
    rows = _rows(load_corpus(raw_data_dir))
    split, row = rows["project_annotations:mlma:fr:1"]
    assert split == "test"
    assert row["labels"] == _labels("violence", "hate", "offensive")
    assert row["label_mask"] == [1, 1, 1, 1]
    assert row["source_label"] == "tag=none;selection=random"
    # the pro-ISIS source judged only extremism, by account; the annotation judged every label
    assert rows["project_annotations:isis_fanboy:1"][1]["labels"] == _labels()
    assert rows["project_annotations:isis_fanboy:1"][1]["label_mask"] == [1, 1, 1, 1]
    assert "mlma:fr:1" not in rows and "isis_fanboy:1" not in rows


def test_exact_copies_of_an_annotated_text_give_way(raw_data_dir, annotated):
    mlma_fr = raw_data_dir / "mlma" / "fr_dataset.csv"
    mlma_fr.write_text(mlma_fr.read_text() + "9,LES gens comme eux sont des rats !,normal,indirect,indifference,other,other\n")
    annotated([_record("fr0001", "mlma", "fr:1", "hate+offensive")])
    corpus, stats = load_corpus_with_stats(raw_data_dir)
    rows = _rows(corpus)
    assert "project_annotations:mlma:fr:1" in rows
    assert "mlma:fr:1" not in rows and "mlma:fr:9" not in rows
    assert stats.duplicates_removed["replaced by a project annotation of the same row or text"] == 2


def test_undecided_dangling_and_malformed_records_are_counted(raw_data_dir, annotated):
    good = _record("fr0001", "mlma", "fr:1", "hate+offensive")
    undecided = AnnotationRecord("fr0002", "fr", "mlma", "fr:2", "random", 0, "offensive", "none")
    dangling = _record("fr0003", "mlma", "fr:99999", "none")
    annotated([good, undecided, dangling], extra_lines=["fr0004,fr,mlma,fr:100,random,0,,,,,violent,none,"])
    corpus, stats = load_corpus_with_stats(raw_data_dir)
    report = stats.sources["project_annotations"]
    assert report["rows_read"] == 3  # the malformed line never becomes a record
    assert report["rows_kept"] == 1
    skipped = report["skipped"]
    assert skipped["not yet decided (a pass or the adjudication is missing)"] == 1
    assert skipped["referenced row not found in its source"] == 1
    assert sum(n for reason, n in skipped.items() if reason.startswith("malformed annotation record")) == 1
    rows = _rows(corpus)
    assert "mlma:fr:2" in rows  # an undecided record leaves the original row alone
    assert rows["mlma:fr:2"][1]["labels"] == _labels("offensive")


def test_a_malformed_records_file_names_the_line(tmp_path):
    path = tmp_path / "records.csv"
    write_records([_record("fr0001", "mlma", "fr:1")], path)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("fr0002,fr,mlma,fr:2,random,0,none,nonsense,,,,,\n")
    with pytest.raises(ValueError, match=r"records.csv:3: .*pass1_tag 'nonsense'"):
        read_records(path)
    report = SourceReport("project_annotations")
    assert [r.item_id for r in read_records(path, report)] == ["fr0001"]
    assert report.skipped_lines


def test_records_refuse_unknown_columns_and_sources(tmp_path):
    path = tmp_path / "records.csv"
    path.write_text("item_id,labels\nfr0001,none\n")
    with pytest.raises(ValueError, match="columns"):
        read_records(path)
    with pytest.raises(ValueError, match="source 'nowhere'"):
        write_records([_record("fr0001", "nowhere", "1")], path)


def test_cohen_kappa():
    assert cohen_kappa([1, 1, 0, 0], [1, 1, 0, 0]) == pytest.approx(1.0)
    # observed 0.5, chance 0.5: no better than chance
    assert cohen_kappa([1, 1, 0, 0], [1, 0, 1, 0]) == pytest.approx(0.0)
    # observed 0.8, chance 0.6*0.4 + 0.4*0.6 = 0.48 -> (0.8 - 0.48) / 0.52
    assert cohen_kappa([1, 1, 1, 0, 0], [1, 1, 0, 0, 0]) == pytest.approx(0.32 / 0.52)
    assert cohen_kappa(["a", "a"], ["a", "a"]) is None  # one category: kappa undefined
    assert cohen_kappa([], []) is None
    with pytest.raises(ValueError, match="different lengths"):
        cohen_kappa([1], [1, 0])


def _report_module():
    spec = importlib.util.spec_from_file_location("annotation_report", ANNOTATION_DIR / "report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_records_meet_the_design():
    records = read_records()
    assert len({r.item_id for r in records}) == len(records)
    for lang in ("ar", "en", "fr"):
        mine = [r for r in records if r.lang == lang]
        assert len(mine) >= 1500
        assert all(r.pass1_labels and r.pass2_labels and r.decided for r in mine)
        assert sum(r.heldout for r in mine) >= 0.2 * len(mine)
        disagreeing = [r for r in mine if (r.pass1_labels, r.pass1_tag) != (r.pass2_labels, r.pass2_tag)]
        assert all(r.reason for r in disagreeing)  # every disagreement adjudicated with a reason
    for lang in ("ar", "fr"):
        finals = [parse_labels(r.final_labels) for r in records if r.lang == lang]
        for label in ("extremism", "violence"):
            assert sum(labels[LABELS.index(label)] for labels in finals) > 0


def test_report_figures_recompute_from_the_files():
    """REPORT.md is rendered from the records file and the held-out scores file alone."""
    report = _report_module()
    with open(ANNOTATION_DIR / "REPORT.md", encoding="utf-8") as handle:
        assert report.render(read_records(), report.load_scores()) == handle.read()


def test_report_agreement_matches_a_direct_count():
    report = _report_module()
    records = read_records()
    summary = report.agreement(records)
    fr = [r for r in records if r.lang == "fr"]
    same = sum((r.pass1_labels, r.pass1_tag) == (r.pass2_labels, r.pass2_tag) for r in fr)
    assert summary["fr"]["identical"] == same
    first = ["hate" in r.pass1_labels.split("+") for r in fr]
    second = ["hate" in r.pass2_labels.split("+") for r in fr]
    assert summary["fr"]["kappa"]["hate"] == pytest.approx(cohen_kappa(first, second))


def test_records_file_has_the_documented_columns():
    with open(annotations.ANNOTATIONS_FILE, newline="", encoding="utf-8") as handle:
        assert tuple(next(csv.reader(handle))) == FIELDS
