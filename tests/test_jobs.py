"""File jobs (`extremism-nlp classify --input`) on the inputs that used to lose data: every
record read is written or reported (rows in = rows out + rows reported), no traceback."""

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extremism_nlp.cli import main
from extremism_nlp.jobs import _interrupts_deferred, resume_point


@pytest.fixture
def run(tiny_model_dir, capsys):
    def invoke(*args, progress=False):
        code = main(["classify", "--model", str(tiny_model_dir), *([] if progress else ["--no-progress"]), *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def _lines(path):
    return [json.loads(line)["line"] for line in Path(path).read_text(encoding="utf-8").splitlines()]


def _one_line_error(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("extremism-nlp: error: "), err
    return lines[0]


def test_output_that_is_the_input_is_refused_before_writing(run, tmp_path):
    source = tmp_path / "texts.txt"
    source.write_text("we will kill them all tonight\nthe weather is nice today\n")
    before = source.read_bytes()
    link = tmp_path / "link.txt"
    os.link(source, link)  # another name of the same file
    for output in (source, tmp_path / "." / "texts.txt", link):
        code, _, err = run("--input", str(source), "--output", str(output))
        assert code == 2 and "is the input file" in _one_line_error(err)
        assert source.read_bytes() == before


def test_empty_csv_output_folder_and_input_folder_are_one_line_errors(run, tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    code, _, err = run("--input", str(tmp_path / "empty.csv"))
    assert code == 2 and "empty file" in _one_line_error(err)
    source = tmp_path / "texts.txt"
    source.write_text("hello\n")
    code, _, err = run("--input", str(source), "--output", str(tmp_path))
    assert code == 2 and "is a directory" in _one_line_error(err)
    code, _, err = run("--input", str(tmp_path))
    assert code == 2 and "is a directory" in _one_line_error(err)
    code, _, err = run("--input", str(source), "--output", str(tmp_path / "missing" / "out.jsonl"))
    assert code == 2 and "does not exist" in _one_line_error(err)


def test_jsonl_without_the_text_column_names_it(run, tmp_path):
    source = tmp_path / "texts.jsonl"
    source.write_text('{"body": "we will kill them"}\n{"body": "nice weather"}\n')
    code, out, err = run("--input", str(source), "--output", str(tmp_path / "out.jsonl"))
    assert code == 2 and "'text'" in _one_line_error(err) and "--text-column" in err
    assert not (tmp_path / "out.jsonl").exists()
    # When some rows have it, the others are reported with their lines.
    source.write_text('{"body": "x"}\n{"text": "we will kill them"}\n{"body": "y"}\n')
    code, out, err = run("--input", str(source))
    assert code == 0 and [json.loads(row)["line"] for row in out.splitlines()] == [2]
    assert "line 1: no string field 'text'" in err and "line 3: no string field 'text'" in err


def test_lone_surrogate_rows_are_reported_and_the_rest_written(run, tmp_path):
    source = tmp_path / "texts.jsonl"
    rows = [{"text": f"message {i} about the weather"} for i in range(500)]
    rows[3]["text"] = "bad \ud800 row"
    rows[7]["id"] = "id-\udcff"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))  # json.dumps escapes them as \ud800
    code, _, err = run("--input", str(source), "--output", str(tmp_path / "out.jsonl"), "--include-text")
    assert code == 0
    written = _lines(tmp_path / "out.jsonl")
    assert len(written) == 498 and 4 not in written and 8 not in written
    assert "line 4: lone surrogate" in err and "line 8: lone surrogate" in err
    assert "500 records read, 2 skipped" in err
    # Surrogates as raw bytes (CESU-8) in a CSV are undecodable, reported the same way.
    csv = tmp_path / "texts.csv"
    csv.write_bytes(b"text\nfine\nbad \xed\xa0\x80 bytes\nalso fine\n")
    code, out, err = run("--input", str(csv))
    assert code == 0 and len(out.splitlines()) == 2 and "line 3: undecodable bytes" in err


def test_jsonl_past_the_parsers_limits_is_reported_and_a_bom_is_not_text(run, tmp_path):
    source = tmp_path / "texts.jsonl"
    rows = ['\ufeff{"text": "first row"}', "[" * 100_000 + "]" * 100_000, '{"text": "x", "n": ' + "9" * 5001 + "}", '{"text": "last row"}']
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, _, err = run("--input", str(source), "--output", str(tmp_path / "out.jsonl"))
    assert code == 0 and _lines(tmp_path / "out.jsonl") == [1, 4]
    assert "line 2: invalid JSON" in err and "line 3: invalid JSON" in err and "Traceback" not in err


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_batch_size_below_one_is_a_usage_error(run, tmp_path, value):
    with pytest.raises(SystemExit) as stop:
        run("--input", str(tmp_path / "x.txt"), "--batch-size", value)
    assert stop.value.code == 2


def test_standard_input_and_output(run, monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"we will kill them all tonight\n\nthe weather\n")))
    code, out, err = run("--input", "-", "--output", "-")
    assert code == 0 and [json.loads(row)["line"] for row in out.splitlines()] == [1, 3]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"id,text\na,we will kill them all tonight\n")))
    code, out, _ = run("--input", "-", "--format", "csv")
    assert json.loads(out)["id"] == "a" and json.loads(out)["label"] == "violence"


def test_interrupted_job_reports_and_resume_completes_it(run, tmp_path, monkeypatch):
    from extremism_nlp.classifier import Classifier

    source = tmp_path / "texts.txt"
    source.write_bytes(b"".join(b"message %d about the weather\n" % i if i != 25 else b"bad \xff\n" for i in range(1, 101)))
    output = tmp_path / "out.jsonl"
    classify, calls = Classifier.classify, []

    def interrupted_on_the_third_batch(self, texts, *args, **kwargs):
        calls.append(len(texts))
        if len(calls) == 3:
            raise KeyboardInterrupt
        return classify(self, texts, *args, **kwargs)

    monkeypatch.setattr(Classifier, "classify", interrupted_on_the_third_batch)
    code, _, err = run("--input", str(source), "--output", str(output), "--batch-size", "20")
    assert code == 130
    assert "interrupted: 40 rows written" in err and "1 skipped" in err and "--resume" in err
    assert _lines(output) == [i for i in range(1, 42) if i != 25]
    monkeypatch.setattr(Classifier, "classify", classify)
    code, _, err = run("--input", str(source), "--output", str(output), "--batch-size", "7", "--resume")
    assert code == 0 and "59 records read, 0 skipped" in err
    assert _lines(output) == [i for i in range(1, 101) if i != 25]


def test_resume_cuts_a_torn_last_row(run, tmp_path):
    source = tmp_path / "texts.txt"
    source.write_text("".join(f"message {i}\n" for i in range(1, 31)))
    output = tmp_path / "out.jsonl"
    assert run("--input", str(source), "--output", str(output))[0] == 0
    rows = output.read_text().splitlines(keepends=True)
    output.write_text("".join(rows[:10]) + rows[10][:25])  # a crash in the middle of row 11
    assert resume_point(output) == 10 and output.read_text() == "".join(rows[:10])
    output.write_text("".join(rows[:10]) + rows[10][:25])
    assert run("--input", str(source), "--output", str(output), "--resume")[0] == 0
    assert output.read_text() == "".join(rows)
    (tmp_path / "other.jsonl").write_text("not an output\n")
    code, _, err = run("--input", str(source), "--output", str(tmp_path / "other.jsonl"), "--resume")
    assert code == 2 and "not an output row" in _one_line_error(err)
    code, _, err = run("--input", str(source), "--resume")
    assert code == 2 and "--resume needs --output" in err


def test_ctrl_c_is_noted_for_the_job_and_a_second_one_stops_at_once():
    done = []
    before = signal.getsignal(signal.SIGINT)
    with _interrupts_deferred() as interrupted:
        os.kill(os.getpid(), signal.SIGINT)
        done.append("after the signal")
        assert interrupted == [signal.SIGINT]
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            done.append("after the second signal")  # may run before the handler does
    assert done[0] == "after the signal"
    assert signal.getsignal(signal.SIGINT) is before


def test_sigint_to_a_running_job_leaves_complete_rows(tiny_model_dir, tmp_path):
    source = tmp_path / "many.txt"
    source.write_text("".join(f"message {i} about the weather and the sea\n" for i in range(100_000)))
    output = tmp_path / "out.jsonl"
    # One text per batch: the job runs long enough for the signal to land mid-job on a busy machine.
    command = [sys.executable, "-m", "extremism_nlp.cli", "classify", "--model", str(tiny_model_dir), "--input",
               str(source), "--output", str(output), "--batch-size", "1", "--no-progress"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    try:
        while process.poll() is None and (not output.exists() or output.stat().st_size < 20_000):
            time.sleep(0.005)
        process.send_signal(signal.SIGINT)
        err = process.communicate(timeout=60)[1]
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert "Traceback" not in err and "interrupted:" in err
    data = output.read_bytes()
    assert data.endswith(b"\n") and [json.loads(row)["line"] for row in data.splitlines()] == list(range(1, data.count(b"\n") + 1))


def test_progress_shows_a_total_for_files(run, tmp_path):
    source = tmp_path / "texts.txt"
    source.write_text("".join(f"message {i}\n" for i in range(1, 51)))
    code, _, err = run("--input", str(source), "--output", str(tmp_path / "o.jsonl"), "--batch-size", "10", progress=True)
    assert code == 0 and "50/50" in err


def test_jsonl_rows_stay_on_one_line_for_every_line_splitter():
    """U+0085, U+2028 and U+2029 are escaped: str.splitlines would cut a row there."""
    import json

    from extremism_nlp.io import jsonl_line

    row = {"id": "a\x85b", "text": "x\u2028y\u2029z", "lang": "ar", "note": "é"}
    line = jsonl_line(row)
    assert line.splitlines() == [line] and json.loads(line) == row and "é" in line
