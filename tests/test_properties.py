"""Property-based tests (hypothesis) over `classify` and the CLI file reader, on the fast
model and a tiny transformer: random Unicode with surrogates, controls, bidi marks,
combining marks and very long words, random batch sizes and orders. Only the documented
exceptions; one output per input; the same scores whatever the batch size and order.
Committed bad inputs: tests/bad_inputs/ (see its README)."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from extremism_nlp import LABELS, Classifier  # noqa: E402
from extremism_nlp.cli import main  # noqa: E402
from extremism_nlp.io import ReadProblems, read_records  # noqa: E402

BAD_INPUTS = Path(__file__).parent / "bad_inputs"

SPECIAL = (
    ["\ud800", "\udfff", "\udc80", "\x00", "\x1b", "\x7f", "\x85", "\ufeff", "\ufffd", "\ufffe", "\U0010ffff"]
    + ["\u202e", "\u202d", "\u202a", "\u202c", "\u2066", "\u2067", "\u2069", "\u200e", "\u200f", "\u061c"]
    + ["\u0301", "\u0336", "\u0489", "\u064b", "\u0651", "\u200b", "\u200d", "\u2060", "\u00ad", "\u3164"]
    + ["\n", "\r", "\t", "\u2028", "\u2029", " ", "\u3000", "ـ", "k", "ill", "سنقتل", "tous", "😀", "👨‍👩‍👧"]
)
any_character = st.characters(exclude_categories=())  # every category, surrogates (Cs) included
pieces = st.one_of(
    st.text(any_character, max_size=30),
    st.lists(st.sampled_from(SPECIAL), max_size=30).map("".join),
    st.tuples(st.sampled_from(["a", "ب", "\u0301", "é", "x\u200b"]), st.integers(200, 1500)).map(lambda p: p[0] * p[1]),
)
texts = st.lists(st.lists(pieces, max_size=4).map(" ".join), max_size=10)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module", params=["fast", "transformer"])
def classifier(request, tiny_model_dir):
    if request.param == "fast":
        return Classifier.from_pretrained(tiny_model_dir)
    return Classifier.from_pretrained(request.getfixturevalue("tiny_transformer_dir"))


def _check_predictions(predictions, n):
    assert len(predictions) == n
    for prediction in predictions:
        assert set(prediction.scores) == set(LABELS)
        assert all(0.0 <= score <= 1.0 and math.isfinite(score) for score in prediction.scores.values())
        assert prediction.label in (*LABELS, "none")
        json.dumps(prediction.to_dict(), ensure_ascii=False).encode("utf-8")  # writable as UTF-8 JSON


@SETTINGS
@given(batch=texts, batch_size=st.integers(1, 8), other_size=st.integers(1, 8), order=st.randoms(use_true_random=False))
def test_classify_any_unicode(classifier, batch, batch_size, other_size, order):
    predictions = classifier.classify(batch, batch_size=batch_size)
    _check_predictions(predictions, len(batch))
    permutation = list(range(len(batch)))
    order.shuffle(permutation)
    shuffled = classifier.predict_proba([batch[i] for i in permutation], batch_size=other_size)
    scores = np.array([[p.scores[label] for label in LABELS] for p in predictions]).reshape(len(batch), len(LABELS))
    assert np.abs(shuffled - scores[permutation]).max(initial=0.0) <= 1e-4


@SETTINGS
@given(batch=st.lists(st.one_of(st.text(any_character, max_size=5), st.none(), st.integers(), st.binary(max_size=5), st.floats()), max_size=6))
def test_only_strings_are_classified_and_others_named(classifier, batch):
    bad = [i for i, item in enumerate(batch) if not isinstance(item, str)]
    if bad:
        with pytest.raises(TypeError, match=rf"texts\[{bad[0]}\]"):
            classifier.classify(batch)
    else:
        _check_predictions(classifier.classify(batch), len(batch))


lines_files = st.lists(st.one_of(st.binary(max_size=40), st.text(any_character, max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass"))), max_size=30)


@SETTINGS
@given(lines=lines_files)
def test_file_reader_accounts_for_every_line(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("lines") / "random.txt"
    data = b"\n".join(line.replace(b"\n", b" ").replace(b"\r", b" ") for line in lines)
    path.write_bytes(data)
    problems = ReadProblems()
    records = list(read_records(path, "lines", "text", problems))
    # Every line is a record, a reported problem, or blank.
    expected = sum(1 for raw in data.split(b"\n") if not _decodes(raw) or raw.decode("utf-8").strip())
    assert len(records) + len(problems.skipped) == expected
    for record in records:
        record.text.encode("utf-8")


def _decodes(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


jsonl_values = st.one_of(st.text(any_character, max_size=20), st.none(), st.integers(), st.lists(st.integers(), max_size=2))


@SETTINGS
@given(rows=st.lists(st.dictionaries(st.sampled_from(["text", "id", "body"]), jsonl_values, max_size=3), min_size=1, max_size=15))
def test_cli_jsonl_rows_in_equal_rows_out_plus_reported(tiny_model_dir, tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("jsonl")
    source, output = folder / "in.jsonl", folder / "out.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    code = main(["classify", "--model", str(tiny_model_dir), "--no-progress", "--input", str(source), "--output", str(output)])
    problems = ReadProblems()
    try:
        expected = list(read_records(source, "jsonl", "text", problems))
    except ValueError as error:  # documented: no row has the text field
        assert code == 2 and "'text'" in str(error)
        return
    assert code == 0
    written = [json.loads(line)["line"] for line in output.read_text(encoding="utf-8").splitlines()]
    assert written == [record.line for record in expected]
    assert len(written) + len(problems.skipped) == len(rows)


@pytest.mark.parametrize(("name", "fmt", "written", "skipped"), [("texts.jsonl", "jsonl", 33, 8), ("lines.txt", "lines", 8, 4), ("rows.csv", "csv", 5, 4)])
def test_committed_bad_inputs(tiny_model_dir, tiny_transformer_dir, tmp_path, capsys, name, fmt, written, skipped):
    for model in (tiny_model_dir, tiny_transformer_dir):
        output = tmp_path / f"{Path(model).name}.jsonl"
        code = main(["classify", "--model", str(model), "--no-progress", "--input", str(BAD_INPUTS / name), "--output", str(output), "--format", fmt])
        err = capsys.readouterr().err
        assert code == 0 and "Traceback" not in err
        assert len(output.read_text(encoding="utf-8").splitlines()) == written
        assert f"{written + skipped} records read, {skipped} skipped" in err
    # The API classifies every text of the JSONL corpus, surrogates included (as U+FFFD).
    if fmt == "jsonl":
        all_texts = []
        for line in (BAD_INPUTS / name).read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict) and isinstance(row.get("text"), str):
                all_texts.append(row["text"])
        for model in (tiny_model_dir, tiny_transformer_dir):
            _check_predictions(Classifier.from_pretrained(model).classify(all_texts, batch_size=7), len(all_texts))
