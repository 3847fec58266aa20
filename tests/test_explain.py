"""Per-word contributions (`Classifier.explain`): exact for `fast`, occlusion for the others;
the command line's --explain and `explain`."""

import json

import pytest

from extremism_nlp import LABELS, Classifier
from extremism_nlp.cli import main
from test_documents import word_classifier


@pytest.fixture(scope="module")
def fast():
    return Classifier.from_pretrained("fast")


@pytest.mark.parametrize(
    "text",
    [
        "We will kill them all tonight!",
        "سنقتلكم جميعا ونحرق بيوتكم",
        "Visit https://example.com/a?b=1 now @someone #Hashtag k1ll th3m",
        "  \u200bＨｅｌｌｏ   wörld  ",
        "我们要把他们全部杀光",
        "a",
    ],
)
def test_fast_contributions_sum_to_the_logit(fast, text):
    explanation = fast.explain(text)
    assert explanation.method == "linear" and len(explanation.pieces) == 1
    (piece,) = explanation.pieces
    raw = fast.model.decision_function([text])[0]
    for k, label in enumerate(LABELS):
        total = piece.bias[label] + sum(w.contributions[label] for w in explanation.words)
        assert total == pytest.approx(piece.logits[label], abs=1e-9)
        assert piece.logits[label] == pytest.approx(raw[k], abs=1e-4)
    assert all(text[w.start : w.end] == w.text for w in explanation.words)
    assert [w.text for w in explanation.words] == text.split()


def test_the_threat_word_raises_violence_most(fast):
    explanation = fast.explain("the weather is nice but we will kill them all")
    assert explanation.top("violence", 1)[0].text == "kill"
    with pytest.raises(ValueError, match="unknown label 'threat'"):
        explanation.top("threat")


def test_a_long_text_is_explained_sentence_by_sentence(fast):
    text = "The weather is nice today. " * 30 + "We will kill them all tonight."
    explanation = fast.explain(text)
    assert len(explanation.pieces) == 31
    last = explanation.pieces[-1]
    assert text[last.start : last.end] == "We will kill them all tonight."
    raw = fast.model.decision_function(["We will kill them all tonight."])[0]
    assert [last.logits[label] for label in LABELS] == pytest.approx(raw, abs=1e-4)
    words = [w for w in explanation.words if w.piece == 30]
    assert sum(w.contributions["violence"] for w in words) + last.bias["violence"] == pytest.approx(last.logits["violence"])


def test_occlusion_for_other_backends():
    words = word_classifier()
    explanation = words.explain("they are vermin and we will kill them")
    assert explanation.method == "occlusion"
    by_word = {w.text: w.contributions for w in explanation.words}
    assert by_word["kill"]["violence"] == pytest.approx(5.0) and by_word["vermin"]["hate"] == pytest.approx(5.0)
    assert by_word["they"] == dict.fromkeys(LABELS, 0.0)


def test_explain_takes_one_string(fast):
    with pytest.raises(TypeError, match="explain takes one str"):
        fast.explain(["a", "b"])
    assert fast.explain("").words == ()


def test_classify_explain_flag(tiny_model_dir, capsys):
    assert main(["classify", "--model", str(tiny_model_dir), "--explain", "we will kill them all tonight"]) == 0
    out = capsys.readouterr().out
    assert "violence: kill +" in out and "evidence violence [0:29]" in out
    assert main(["classify", "--model", str(tiny_model_dir), "--explain", "--json", "we will kill them all tonight"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["evidence"]["violence"][0] == {"start": 0, "end": 29, "text": "we will kill them all tonight", "score": row["scores"]["violence"]}
    assert row["explanation"]["method"] == "linear" and len(row["explanation"]["words"]) == 6


def test_classify_explain_refuses_a_file(tiny_model_dir, tmp_path, capsys):
    path = tmp_path / "in.txt"
    path.write_text("hello\n")
    assert main(["classify", "--model", str(tiny_model_dir), "--explain", "--input", str(path)]) == 2
    assert "extremism-nlp explain --input" in capsys.readouterr().err


def test_explain_command_writes_a_page(tiny_model_dir, tmp_path, capsys):
    source = tmp_path / "doc.txt"
    source.write_text("The weather is nice today and the match ended two to one.\n" * 30 + "We will kill them all tonight. We will kill them all tonight.\n", encoding="utf-8")
    page = tmp_path / "out.html"
    assert main(["explain", "--model", str(tiny_model_dir), "--input", str(source), "--html", str(page)]) == 0
    assert f"wrote {page}" in capsys.readouterr().out
    assert 'data-labels="violence"' in page.read_text(encoding="utf-8")
    assert main(["explain", "--model", str(tiny_model_dir), "--input", str(tmp_path / "missing.txt")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["explain", "--model", str(tiny_model_dir), "some text", "--input", str(source)]) == 2


def test_explain_command_refuses_what_it_cannot_do_before_reading(tiny_model_dir, tmp_path, capsys):
    """The page may not replace the document it explains nor be a folder, and a file that is
    not UTF-8 is an error, not text with replacement characters."""
    source = tmp_path / "doc.txt"
    source.write_bytes(b"hello\ncaf\xe9 ok\n")
    explain = ["explain", "--model", str(tiny_model_dir), "--input", str(source)]
    assert main(explain) == 2
    assert "undecodable bytes (not UTF-8) at byte 9" in capsys.readouterr().err
    source.write_text("hello\n", encoding="utf-8")
    assert main([*explain, "--html", str(source)]) == 2
    assert "is the input file" in capsys.readouterr().err and source.read_text() == "hello\n"
    assert main([*explain, "--html", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "--html" in captured.err and "is a directory" in captured.err and captured.out == ""
    assert main([*explain[:-1], str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_top_takes_a_count_of_words(fast):
    explanation = fast.explain("we will kill them all tonight")
    assert len(explanation.top("violence", 2)) <= 2 and explanation.top("violence", 0) == []
    for k in (-1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="k must be"):
            explanation.top("violence", k)
