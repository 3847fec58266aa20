"""BatchClassifier on every batch type, the file readers, and the batch job locally and on Ray."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from extremism_nlp import LABELS, Classifier
from extremism_nlp.batch import (
    BatchClassifier,
    count_rows,
    find_inputs,
    read_file,
    run_batch,
)
from extremism_nlp.cli import main
from extremism_nlp.io import ReadProblems, read_records

THREAT = "we will kill them all tonight"
TEXTS = [THREAT, "the weather is nice today", "you stupid idiot", None, "join the caliphate soldiers", "", 17]
GOOD = [0, 1, 2, 4, 5]


@pytest.fixture(scope="module")
def scorer():
    return BatchClassifier("fast")


@pytest.fixture(scope="module")
def fast():
    return Classifier.from_pretrained("fast")


def _check_results(columns, fast):
    """Result columns (any mapping of name -> sequence) for TEXTS against Classifier.classify."""
    expected = fast.classify([TEXTS[i] for i in GOOD])
    for i, prediction in zip(GOOD, expected):
        assert columns["label"][i] == prediction.label
        assert columns["labels"][i] == ",".join(prediction.labels)
        assert columns["lang"][i] == prediction.lang
        assert [columns[f"score_{k}"][i] for k in LABELS] == pytest.approx([prediction.scores[k] for k in LABELS])
        assert pd.isna(columns["error"][i])
    assert columns["error"][3] == "text is missing (null)"
    assert columns["error"][6] == "text is int, expected a string"
    for i in (3, 6):
        assert pd.isna(columns["label"][i]) and np.isnan(columns["score_violence"][i])


def test_dict_of_columns(scorer, fast):
    batch = {"id": np.arange(len(TEXTS)), "text": np.array(TEXTS, dtype=object)}
    out = scorer(batch)
    assert list(out["id"]) == list(range(len(TEXTS)))
    _check_results(out, fast)


def test_pandas_dataframe(scorer, fast):
    frame = pd.DataFrame({"id": range(len(TEXTS)), "text": TEXTS})
    out = scorer(frame)
    assert isinstance(out, pd.DataFrame) and len(out) == len(frame) and "label" not in frame.columns
    _check_results({name: out[name].tolist() for name in out.columns}, fast)


def test_arrow_table(scorer, fast):
    table = pa.table({"text": [t if isinstance(t, str) else None for t in TEXTS]})
    out = scorer(table)
    assert out.schema.field("score_hate").type == pa.float64() and out.schema.field("error").type == pa.string()
    columns = out.to_pydict()
    expected = fast.classify([TEXTS[i] for i in GOOD])
    assert [columns["label"][i] for i in GOOD] == [p.label for p in expected]
    assert columns["error"][3] == columns["error"][6] == "text is missing (null)" and columns["score_hate"][3] is None


def test_spark_style_column_in_dict_of_results_out(scorer, fast):
    out = scorer(np.array([THREAT, "hello there"]))
    assert set(out) == set(scorer.output_columns)
    assert list(out["label"]) == [p.label for p in fast.classify([THREAT, "hello there"])]
    assert "score_extremism double" in BatchClassifier.spark_schema()


def test_evidence_column_is_the_predictions_evidence_as_json(fast):
    # over fast's 500-character window: read by sentence, its evidence is the threats' paragraph
    news = "The city council met on Tuesday to discuss the new tram line and the budget for schools. "
    threats = "We will kill them all tonight. We will kill every last one of them with our guns. We will burn their houses and kill their children. "
    long_text = news * 4 + threats + news * 2
    texts = [*TEXTS, long_text]
    scorer = BatchClassifier("fast", evidence=True, prefix="p_")
    assert scorer.output_columns[-2:] == ["p_evidence", "p_error"]
    assert "p_evidence string" in BatchClassifier.spark_schema("p_", evidence=True)
    out = scorer(pd.DataFrame({"text": texts}))
    good = [*GOOD, len(TEXTS)]
    for i, prediction in zip(good, fast.classify([texts[i] for i in good])):
        found = json.loads(out["p_evidence"][i])
        assert found == prediction.evidence_dicts()
        assert (found == {}) == (not prediction.labels)
        for spans in found.values():
            assert all(texts[i][span["start"] : span["end"]] == span["text"] for span in spans)
    spans = json.loads(out["p_evidence"][len(TEXTS)])["violence"]
    assert any("kill them all" in span["text"] for span in spans) and not any("city council" in span["text"] for span in spans)
    assert pd.isna(out["p_evidence"][3]) and pd.isna(out["p_evidence"][6])  # rejected rows
    table = scorer(pa.table({"text": [text if isinstance(text, str) else None for text in texts]}))
    assert table.schema.field("p_evidence").type == pa.string()
    assert table.column("p_evidence").to_pylist() == [None if pd.isna(value) else value for value in out["p_evidence"]]
    assert "evidence" not in BatchClassifier("fast").output_columns


def test_prefix_and_clear_errors(scorer):
    with pytest.raises(ValueError, match=r"already has column\(s\) \['label'\]; pass prefix="):
        scorer(pd.DataFrame({"text": ["a"], "label": [1]}))
    out = BatchClassifier("fast", prefix="pred_")(pd.DataFrame({"text": [THREAT], "label": [1]}))
    assert out["label"].tolist() == [1] and out["pred_label"].tolist() == ["violence"]
    with pytest.raises(ValueError, match="no text column 'text'.*text_column="):
        scorer({"body": ["a"]})
    with pytest.raises(TypeError, match="got one string"):
        scorer("just a string")
    assert scorer({"text": ["x\ud800"]})["error"][0] == "text holds a lone surrogate: not valid Unicode"


# -- files -------------------------------------------------------------------------------------------


def _jsonl(path):
    path.write_bytes(
        b'{"id": 1, "text": "we will kill them all tonight"}\n'
        b"{broken\n"
        b"\n"
        b'{"id": 3, "text": 5}\n'
        b'{"text": "nice weather"}\n'
        b"\xff\xfe\n"
        b"[1, 2]\n"
        b'{"id": 9}\n'
        b'{"id": 10, "text": "x\\ud800"}\n'
    )
    return path


def _csv(path):
    path.write_text('id,text,extra\n1,"we will kill them, all tonight",x\n2,too,many,fields\n\n3,"multi\nline text",y\n4,,z\n')
    return path


def test_readers_keep_every_record_and_count_agrees(tmp_path):
    jsonl = _jsonl(tmp_path / "a.jsonl")
    (table,) = read_file(jsonl, "jsonl", "text")
    assert table.num_rows == count_rows(jsonl, "jsonl") == 8
    rows = table.to_pylist()
    assert [r["source_line"] for r in rows] == [1, 2, 4, 5, 6, 7, 8, 9]
    assert [r["text"] for r in rows if r["read_error"] is None] == [THREAT, "nice weather"]
    reasons = [r["read_error"] for r in rows if r["read_error"]]
    assert reasons[0].startswith("invalid JSON") and "text is int" in reasons[1] and "not UTF-8" in reasons[2]
    assert "expected an object" in reasons[3] and reasons[4] == "no field 'text'" and "lone surrogate" in reasons[5]

    csv_file = _csv(tmp_path / "b.csv")
    (table,) = read_file(csv_file, "csv", "text")
    assert table.num_rows == count_rows(csv_file, "csv") == 4
    assert table.column("text").to_pylist() == ["we will kill them, all tonight", None, "multi\nline text", ""]
    assert table.column("read_error").to_pylist()[1] == "4 fields, expected 3"


def test_a_field_past_the_csv_default_limit_is_read_and_the_callers_limit_kept(tmp_path):
    """A document longer than the csv module's default 128 KiB field limit is read whole by
    both readers, and the process-wide limit is the caller's again afterwards."""
    long_text = "the weather is nice today. " * 10_000  # 270,000 characters
    path = tmp_path / "long.csv"
    path.write_text(f'id,text\n1,"{long_text}"\n2,short\n')
    chosen = csv.field_size_limit(1000)  # an application's own limit, far below the text
    try:
        (table,) = read_file(path, "csv", "text")
        assert table.column("text").to_pylist() == [long_text, "short"] and count_rows(path, "csv") == 2
        problems = ReadProblems()
        assert [record.text for record in read_records(path, "csv", "text", problems)] == [long_text, "short"]
        assert problems.skipped == [] and csv.field_size_limit() == 1000
    finally:
        csv.field_size_limit(chosen)


def test_inputs_that_used_to_lose_rows_or_abort_the_job(tmp_path):
    """Each bad record is one rejected row with its reason, and the rows around it are kept."""
    # a quote left open swallows the rest of the file: rejected, naming the lines it took
    (tmp_path / "q.csv").write_text('id,text\n1,"oops\n2,we will kill them all\n3,third row\n')
    report = run_batch(tmp_path / "q.csv", tmp_path / "out_q")
    assert (report.rows_in, report.rows_out, report.rows_rejected) == (1, 0, 1) and report.balanced
    (reason,) = pd.read_parquet(tmp_path / "out_q" / "status=rejected")["error"]
    assert "malformed record" in reason and "lines 2-4 unread" in reason

    # a BOM before the first object; an id with a lone surrogate; JSON past the parser's limits
    deep = "[" * 100_000 + "]" * 100_000
    lines = ['\ufeff{"id": 1, "text": "first"}', '{"id": "\\udc80", "text": "fine"}', deep, '{"id": ' + "9" * 5001 + ', "text": "x"}', '{"id": 5, "text": "last"}']
    (tmp_path / "j.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = run_batch(tmp_path / "j.jsonl", tmp_path / "out_j")
    assert (report.rows_in, report.rows_out, report.rows_rejected) == (5, 2, 3)
    assert sorted(pd.read_parquet(tmp_path / "out_j" / "status=scored")["text"]) == ["first", "last"]
    reasons = pd.read_parquet(tmp_path / "out_j" / "status=rejected").sort_values("source_line")["error"].tolist()
    assert "id holds a lone surrogate" in reasons[0] and all(r.startswith("invalid JSON") for r in reasons[1:])

    # an id that is not UTF-8 in a CSV
    (tmp_path / "latin.csv").write_bytes(b"id,text\ncaf\xe9,fine\n2,also fine\n")
    report = run_batch(tmp_path / "latin.csv", tmp_path / "out_l")
    assert (report.rows_out, report.rows_rejected) == (1, 1)

    # '""' in a one-column CSV is an empty text, not a blank line
    (tmp_path / "one.csv").write_text('text\n""\nhello\n')
    report = run_batch(tmp_path / "one.csv", tmp_path / "out_one")
    assert (report.rows_in, report.rows_out, report.rows_rejected) == (2, 2, 0)


def test_all_null_parquet_column_and_bad_inputs_fail_before_writing(tmp_path):
    folder = tmp_path / "pq"
    folder.mkdir()
    pq.write_table(pa.table({"text": pa.nulls(2)}), folder / "a.parquet")  # Arrow's null type
    pq.write_table(pa.table({"text": ["x", None]}), folder / "b.parquet")
    report = run_batch(folder, tmp_path / "out")
    assert (report.rows_in, report.rows_out, report.rows_rejected) == (4, 1, 3)
    assert len(pd.read_parquet(tmp_path / "out" / "status=rejected")) == 3  # the parts' schemas merge

    (tmp_path / "t.jsonl").write_text('{"text": "a"}\n')
    with pytest.raises(ValueError, match="'id' is a column the jsonl reader adds"):
        run_batch(tmp_path / "t.jsonl", tmp_path / "o1", text_column="id")
    (folder / "c.parquet").write_bytes(b"not parquet")
    with pytest.raises(ValueError, match="c.parquet: not a readable parquet file"):
        run_batch(folder, tmp_path / "o2")
    csvs = tmp_path / "csvs"
    csvs.mkdir()
    (csvs / "a.csv").write_text("text\nhello\n")
    (csvs / "b.csv").write_text("body\nhello\n")
    with pytest.raises(ValueError, match="b.csv has no column 'text'"):
        run_batch(csvs, tmp_path / "o3")
    (csvs / "b.csv").write_text("")
    with pytest.raises(ValueError, match="b.csv: empty file: a CSV file needs a header row"):
        run_batch(csvs, tmp_path / "o4")
    (tmp_path / "body.jsonl").write_text("".join(f'{{"body": "p {i}"}}\n' for i in range(50)) + "{broken\n")
    with pytest.raises(ValueError, match="body.jsonl: none of its first 50 JSON objects has a field 'text'"):
        run_batch(tmp_path / "body.jsonl", tmp_path / "o5")
    assert not any((tmp_path / name).exists() for name in ("o1", "o2", "o3", "o4", "o5"))  # nothing written


def test_reader_tables_through_pandas_keep_their_rows(scorer, tmp_path):
    """pandas 3 holds the read_error column's missing values as NaN, not None."""
    (table,) = read_file(_jsonl(tmp_path / "a.jsonl"), "jsonl", "text")
    from_arrow, from_pandas = scorer(table).to_pydict(), scorer(table.to_pandas())
    assert [None if pd.isna(label) else label for label in from_pandas["label"]] == from_arrow["label"]
    assert from_pandas["label"].notna().sum() == 2


def test_dict_batches_of_the_wrong_shape_are_clear_errors(scorer):
    with pytest.raises(TypeError, match="'text' is one string"):
        scorer({"text": THREAT})
    with pytest.raises(ValueError, match="differ in length"):
        scorer({"text": ["a", "b"], "id": [1]})
    with pytest.raises(TypeError, match="'id' is a generator without a length"):
        scorer({"text": ["a"], "id": (i for i in range(1))})
    with pytest.raises(ValueError, match=r"repeated column names \['text'\]"):
        scorer(pd.DataFrame([["a", "b"]], columns=["text", "text"]))
    assert scorer({"text": [pd.NA, "hello"]})["error"][0] == "text is missing (null)"


def test_find_inputs_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no input files"):
        find_inputs(tmp_path / "nothing*")
    _csv(tmp_path / "b.csv")
    _jsonl(tmp_path / "a.jsonl")
    with pytest.raises(ValueError, match="mixes formats"):
        find_inputs(tmp_path)
    assert find_inputs(tmp_path / "*.csv")[1] == "csv"


def _parquet_folder(folder, files=3, rows=40):
    folder.mkdir()
    for f in range(files):
        texts = [TEXTS[i % len(TEXTS)] for i in range(rows)]
        frame = pd.DataFrame({"id": range(f * rows, (f + 1) * rows), "text": [t if isinstance(t, str) else None for t in texts]})
        frame.to_parquet(folder / f"part{f}.parquet")
    return folder


def test_local_job_on_parquet_jsonl_and_csv(tmp_path, fast):
    report = run_batch(_parquet_folder(tmp_path / "pq"), tmp_path / "out_pq")
    nulls = sum(1 for i in range(40) if not isinstance(TEXTS[i % len(TEXTS)], str)) * 3
    assert (report.rows_in, report.rows_out, report.rows_rejected) == (120, 120 - nulls, nulls) and report.balanced
    scored = pd.read_parquet(tmp_path / "out_pq" / "status=scored")
    assert len(set(scored["id"])) == 120 - nulls
    row = scored[scored["id"] == 0].iloc[0]
    assert row["label"] == "violence" and row["score_violence"] == pytest.approx(fast.classify(THREAT).scores["violence"])

    report = run_batch(_jsonl(tmp_path / "a.jsonl"), tmp_path / "out_js")
    assert (report.rows_in, report.rows_out, report.rows_rejected) == (8, 2, 6)
    rejected = pd.read_parquet(tmp_path / "out_js" / "status=rejected")
    assert sorted(rejected["source_line"]) == [2, 4, 6, 7, 8, 9]

    _csv(tmp_path / "b.csv")
    report = run_batch(str(tmp_path / "*.csv"), tmp_path / "out_csv")
    assert (report.rows_in, report.rows_out, report.rows_rejected) == (4, 3, 1)

    with pytest.raises(ValueError, match="is not empty"):
        run_batch(tmp_path / "pq", tmp_path / "out_pq")


def test_batch_command_line(tmp_path, capsys):
    code = main(["batch", "--input", str(_parquet_folder(tmp_path / "pq", files=1, rows=7)), "--output", str(tmp_path / "out")])
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert code == 0 and report["balanced"] and (report["rows_in"], report["rows_rejected"]) == (7, 2)
    assert "rows in 7, out 5, rejected 2" in captured.err
    assert main(["batch", "--input", str(tmp_path / "missing"), "--output", str(tmp_path / "o2")]) == 2
    folder = _parquet_folder(tmp_path / "pq_ev", files=1, rows=7)
    assert main(["batch", "--input", str(folder), "--output", str(tmp_path / "out_ev"), "--evidence"]) == 0
    scored = pd.read_parquet(tmp_path / "out_ev" / "status=scored")
    assert all((json.loads(value) == {}) == (label == "none") for value, label in zip(scored["evidence"], scored["label"]))
    assert "evidence" not in pd.read_parquet(tmp_path / "out" / "status=scored").columns


# -- Ray ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.mark.slow
def test_ray_job_and_actor_pool(local_ray, tmp_path):
    folder = _parquet_folder(tmp_path / "pq", files=3, rows=50)
    ray_report = run_batch(folder, tmp_path / "out_ray", engine="ray", num_actors=1, evidence=True)
    local_report = run_batch(folder, tmp_path / "out_local", evidence=True)
    assert ray_report.balanced and (ray_report.rows_in, ray_report.rows_out, ray_report.rows_rejected) == (
        local_report.rows_in,
        local_report.rows_out,
        local_report.rows_rejected,
    )
    by_ray = pd.read_parquet(tmp_path / "out_ray" / "status=scored").sort_values("id").reset_index(drop=True)
    by_loop = pd.read_parquet(tmp_path / "out_local" / "status=scored").sort_values("id").reset_index(drop=True)
    columns = ["id", "label", "labels", "lang", "evidence", *(f"score_{k}" for k in LABELS)]
    pd.testing.assert_frame_equal(by_ray[columns], by_loop[columns])

    jsonl_report = run_batch(_jsonl(tmp_path / "a.jsonl"), tmp_path / "out_ray_js", engine="ray")
    assert (jsonl_report.rows_in, jsonl_report.rows_out, jsonl_report.rows_rejected) == (8, 2, 6)

    # the class as documented: a Ray Data map_batches actor
    dataset = local_ray.data.from_items([{"text": THREAT}, {"text": "hello"}]).map_batches(
        BatchClassifier,
        fn_constructor_kwargs={"model": "fast"},
        compute=local_ray.data.ActorPoolStrategy(size=1),
        batch_format="pandas",
        num_cpus=0.5,
    )
    assert sorted(row["label"] for row in dataset.take_all()) == ["none", "violence"]
