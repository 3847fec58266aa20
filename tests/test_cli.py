"""The command line on every input format and on broken input."""

import json

import pytest

from extremism_nlp.cli import main


@pytest.fixture
def run(tiny_model_dir, capsys):
    def invoke(*args):
        code = main(["classify", "--model", str(tiny_model_dir), "--no-progress", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def _jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_classify_arguments_prints_a_table(run):
    code, out, _ = run("we will kill them all tonight", "the weather is nice today")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["label", "lang"]
    assert lines[2].startswith("violence") and lines[3].startswith("none")


def test_the_table_shows_control_and_bidi_characters_as_escapes(run):
    """A text's escape sequence or right-to-left override must not act on the terminal."""
    code, out, _ = run("--explain", "kill \x1b[2J them \u202eall\u202c tonight \u200cok")
    assert code == 0
    assert "\x1b" not in out and "\u202e" not in out and "\u202c" not in out
    assert "\\u001b[2J" in out and "\\u202eall\\u202c" in out
    assert "\u200cok" in out  # a joiner that spells words stays


def test_classify_arguments_as_json(run):
    code, out, _ = run("--json", "we will kill them all tonight")
    assert json.loads(out)["label"] == "violence"


def test_lines_file(run, tmp_path):
    source = tmp_path / "texts.txt"
    source.write_bytes(b"we will kill them all tonight\n\nthe weather is nice today\nbad \xff byte\nmuslims celebrated eid\n")
    code, _, err = run("--input", str(source), "--output", str(tmp_path / "out.jsonl"))
    rows = _jsonl(tmp_path / "out.jsonl")
    assert code == 0
    assert [r["line"] for r in rows] == [1, 3, 5]
    assert rows[0]["label"] == "violence"
    assert "line 4: undecodable bytes" in err


def test_jsonl_file_with_broken_rows(run, tmp_path):
    source = tmp_path / "texts.jsonl"
    source.write_text(
        '{"id": "a", "body": "we will kill them all tonight"}\n{not json\n{"id": "c"}\n{"id": 4, "body": "nice weather"}\n'
    )
    code, out, err = run("--input", str(source), "--text-column", "body", "--include-text")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [(r["line"], r["id"]) for r in rows] == [(1, "a"), (4, "4")]
    assert rows[0]["text"] == "we will kill them all tonight"
    assert "line 2: invalid JSON" in err and "line 3: no string field 'body'" in err


def test_jsonl_ids_that_are_not_strings_are_written_as_json(run, tmp_path):
    source = tmp_path / "texts.jsonl"
    source.write_text('{"id": {"a": 1}, "text": "x"}\n{"id": true, "text": "y"}\n{"id": 1.5, "text": "z"}\n{"id": "é", "text": "w"}\n')
    code, out, _ = run("--input", str(source))
    assert code == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == ['{"a": 1}', "true", "1.5", "é"]


def test_evidence_in_json_rows(run, tmp_path):
    source = tmp_path / "texts.txt"
    source.write_text("we will kill them all tonight\nthe weather is nice today\n")
    code, out, _ = run("--input", str(source), "--evidence")
    threat, calm = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert threat["evidence"]["violence"][0] | {"score": None} == {"start": 0, "end": 29, "text": "we will kill them all tonight", "score": None}
    assert set(threat["evidence"]) == set(threat["labels"]) and calm["evidence"] == {}
    assert "evidence" not in json.loads(run("--input", str(source))[1].splitlines()[0])
    code, out, _ = run("--json", "--evidence", "we will kill them all tonight")
    assert json.loads(out)["evidence"] == threat["evidence"]
    code, _, err = run("--evidence", "we will kill them all tonight")  # a table has no field for it
    assert code == 2 and "add --json" in err


def test_csv_file_with_malformed_rows(run, tmp_path):
    source = tmp_path / "texts.csv"
    source.write_text('id,text,extra\n1,"we will kill them, all tonight",x\n2,too,many,fields\n3,"multi\nline text",y\n')
    code, out, err = run("--input", str(source))
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["1", "3"]
    assert "line 3: expected 3 fields" in err


def test_csv_quote_left_open_names_every_line_it_swallowed(run, tmp_path):
    """The rows after an unclosed quote are read as part of its text: none may vanish
    from the report."""
    source = tmp_path / "texts.csv"
    source.write_text("id,text\n1,hello\n2,\"open quote\n" + "".join(f"{i},row {i}\n" for i in range(3, 50)))
    code, out, err = run("--input", str(source))
    assert code == 0 and len(out.splitlines()) == 1
    assert "line 3: malformed record" in err and "lines 3-50 unread" in err


def test_an_empty_text_gets_a_row_in_csv_as_in_jsonl(run, tmp_path):
    for name, content in (("t.csv", 'id,text\n1,""\n2,   \n3,hello\n'), ("t.jsonl", '{"id": 1, "text": ""}\n{"id": 2, "text": "   "}\n{"id": 3, "text": "hello"}\n')):
        (tmp_path / name).write_text(content)
        code, out, err = run("--input", str(tmp_path / name))
        rows = [json.loads(line) for line in out.splitlines()]
        assert code == 0 and "0 skipped" in err
        assert [(r["id"], r["empty"], r["label"]) for r in rows] == [("1", True, "none"), ("2", True, "none"), ("3", False, "none")]


def test_tsv_file(run, tmp_path):
    source = tmp_path / "texts.tsv"
    source.write_text("text\tlang\nwe will kill them all tonight\ten\n")
    code, out, _ = run("--input", str(source))
    assert json.loads(out)["label"] == "violence"


def test_csv_without_the_text_column_is_a_clear_error(run, tmp_path):
    source = tmp_path / "texts.csv"
    source.write_text("body\nhello\n")
    code, _, err = run("--input", str(source))
    assert code == 2 and "--text-column" in err


def test_missing_input_file(run, tmp_path):
    code, _, err = run("--input", str(tmp_path / "none.txt"))
    assert code == 2 and "does not exist" in err


def test_large_file_streams_in_batches(run, tmp_path):
    source = tmp_path / "many.txt"
    source.write_text("".join(f"message {i} about the weather\n" for i in range(2500)))
    code, _, _ = run("--input", str(source), "--batch-size", "100", "--output", str(tmp_path / "o.jsonl"))
    rows = _jsonl(tmp_path / "o.jsonl")
    assert code == 0 and len(rows) == 2500 and rows[-1]["line"] == 2500


def test_train_and_evaluate_on_raw_files(raw_data_dir, tmp_path, capsys):
    out_dir = tmp_path / "model"
    assert main(["train", "--model", "fast", "--data-dir", str(raw_data_dir), "--output", str(out_dir)]) == 0
    assert (out_dir / "README.md").read_text().startswith("# Model card")
    report_dir = tmp_path / "report"
    assert main(["evaluate", "--model", str(out_dir), "--data-dir", str(raw_data_dir), "--output-dir", str(report_dir)]) == 0
    assert "macro-F1" in capsys.readouterr().out
    assert (report_dir / "report.json").is_file() and list(report_dir.glob("*.png"))
