"""Long texts read sentence by sentence: splitting with offsets into the original text in
several scripts, per-sentence aggregation, evidence spans, and short texts left as they were."""

import pickle

import numpy as np
import pytest

from extremism_nlp import LABELS, Classifier, Prediction
from extremism_nlp.documents import Document, Span, split_sentences


def _sentences(text, **options):
    return [text[start:end] for start, end in split_sentences(text, **options)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dr. Who arrived at 3.5 pm! Did he? Yes.", ["Dr.", "Who arrived at 3.5 pm!", "Did he?", "Yes."]),
        ('He said "stop." Then he left...  ', ['He said "stop."', "Then he left..."]),
        ("هل أنت بخير؟ نعم، الحمد لله. شكرا", ["هل أنت بخير؟", "نعم،", "الحمد لله.", "شكرا"]),
        ("یہ کتاب اچھی ہے۔ وہ گھر گیا۔", ["یہ کتاب اچھی ہے۔", "وہ گھر گیا۔"]),
        ("今天天气很好。我们去公园吧！你来吗？好", ["今天天气很好。", "我们去公园吧！", "你来吗？", "好"]),
        ("मौसम अच्छा है। हम पार्क चलें॥ ठीक", ["मौसम अच्छा है।", "हम पार्क चलें॥", "ठीक"]),
        ("first line\nsecond line\r\n\r\nthird", ["first line", "second line", "third"]),
        ("Hello 😀!!! 🎉🎉\nnext", ["Hello 😀!!! 🎉🎉", "next"]),
        ("   \n\t ", []),
    ],
)
def test_sentences_in_many_scripts(text, expected):
    assert _sentences(text) == expected


def test_offsets_are_into_the_original_text():
    text = "\u200bＨｅｌｌｏ　ｗｏｒｌｄ。  &amp; <b>caf\u00e9</b>!\n\u202bمرحبا بكم؟\u202c Ünïcödé tëxt."
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == ["\u200bＨｅｌｌｏ　ｗｏｒｌｄ。", "&amp; <b>caf\u00e9</b>!", "\u202bمرحبا بكم؟", "\u202c Ünïcödé tëxt."]
    assert all(0 <= a < b <= len(text) for a, b in spans) and spans == sorted(spans)


def test_long_sentences_are_cut_to_the_window():
    text = "word " * 300 + "。" + "字" * 1200
    spans = split_sentences(text, max_chars=100)
    assert all(b - a <= 100 for a, b in spans)
    assert "".join(text[a:b] for a, b in spans).replace(" ", "") == text.replace(" ", "")


def test_document_units_and_sentence_scores():
    text = "One. Two two. " + "x" * 45 + ". " + "y" * 44 + ". Five."
    document = Document(text, window_chars=120)
    # sentences shorter than MIN_SENTENCE_CHARS are read with the next ones (the last with the one before)
    assert [text[a:b] for a, b in document.spans] == ["One. Two two. " + "x" * 45 + ".", "y" * 44 + ". Five."]
    assert document.pairs == [0]
    assert Document(text, window_chars=100).pairs == []  # the two together would overflow the window
    units = document.units()
    assert units == [*(text[a:b] for a, b in document.spans), text]
    assert len(units) == document.n_units
    scores = np.arange(document.n_units * 4, dtype=float).reshape(-1, 4)[::-1].copy()
    per_sentence = document.sentence_scores(scores)
    for k in range(2):
        members = [scores[k]] + [scores[len(document.spans) + i] for i, first in enumerate(document.pairs) if k in (first, first + 1)]
        assert np.array_equal(per_sentence[k], np.min(members, axis=0))


@pytest.fixture(scope="module")
def fast():
    return Classifier.from_pretrained("fast")


FILLER = [
    "The library extends its opening hours during the exam season.",
    "Rain is expected over the coast on Thursday, with sun by the weekend.",
    "La mairie a voté la rénovation du marché couvert.",
    "افتتحت البلدية حديقة جديدة للأطفال قرب السوق القديم.",
    "Die Kinder haben im Schulgarten Kartoffeln geerntet.",
]
# Recruitment that fast flags inside a document: next to a benign neighbour, the first version
# ("Brothers, leave your families and join the soldiers of the Islamic State, ...") scored
# 0.67, under fast 0.3.0's extremism threshold (0.736, the floor of plain validation texts).
PLANTED = "Brothers, join the soldiers of the caliphate and pledge allegiance to the Islamic State, paradise awaits the martyrs."


def test_a_planted_sentence_is_found_with_its_offsets(fast):
    """The planted sentence, flagged on its own, is flagged inside 30 kB of benign text and
    its evidence points at it; the release's 500-character passages diluted it."""
    assert "extremism" in fast.classify(PLANTED).labels
    rng = np.random.default_rng(16)
    sentences = [FILLER[k] for k in rng.integers(0, len(FILLER), 400)]
    sentences.insert(217, PLANTED)
    text = " ".join(sentences)
    p = fast.classify(text)
    assert "extremism" in p.labels
    span = p.evidence["extremism"][0]
    assert isinstance(span, Span)
    assert (span.start, span.end) == (text.index(PLANTED), text.index(PLANTED) + len(PLANTED))
    assert span.text == PLANTED and span.score == pytest.approx(p.scores["extremism"])


def test_offsets_stay_true_after_surrogates(fast):
    """Surrogates before the evidence (a pair split into two code points, a lone one) are
    replaced one for one, so the span's offsets are still offsets into the text as given."""
    text = "\ud83d\ude00 \udc80 " + " ".join(FILLER * 20) + " " + PLANTED
    span = fast.classify(text).evidence["extremism"][0]
    assert (span.start, span.end) == (text.index(PLANTED), len(text)) and span.text == PLANTED


def test_short_texts_score_exactly_as_before(fast):
    """A text that fits the window is one piece: the model's own scores, no sentence split."""
    texts = ["We will kill them all tonight. Then we go home.", "سنقتلكم جميعا. الطقس جميل.", "a" * fast.model.window_chars]
    assert np.array_equal(fast.predict_proba(texts), fast.model.predict_proba(texts))
    assert all(p.chunk is None and p.n_chunks == 1 for p in fast.classify(texts))


def test_evidence_of_a_short_text_is_the_text(fast):
    text = "  we will kill them all  "
    p = fast.classify(text)
    assert p.labels and set(p.evidence) == set(p.labels)
    for label, (span,) in p.evidence.items():
        assert (span.start, span.end, span.text) == (2, 23, "we will kill them all")
        assert span.score == pytest.approx(p.scores[label])
    assert fast.classify("the weather is lovely").evidence == {}
    assert fast.classify("").evidence == {}


def test_evidence_survives_pickling_and_is_empty_for_a_plain_prediction(fast):
    p = fast.classify("we will kill them all")
    q = pickle.loads(pickle.dumps(p))
    assert q == p and q.evidence == p.evidence
    assert Prediction("none", (), dict.fromkeys(LABELS, 0.0), "en", "m", "1").evidence == {}


def test_documents_in_a_batch_keep_their_own_evidence(fast):
    long_text = " ".join(FILLER * 12) + " " + PLANTED + " " + " ".join(FILLER * 3)
    texts = ["hello there", long_text, "we will kill them all", long_text[:400]]
    predictions = fast.classify(texts, batch_size=3)
    assert predictions[1].evidence["extremism"][0].text == PLANTED
    assert predictions[2].evidence["violence"][0].text == "we will kill them all"
    assert np.allclose(fast.predict_proba(texts, batch_size=2), fast.predict_proba(texts, batch_size=1000))


def word_classifier(window_chars=2000):
    """A backend outside the package (tests/toy_backend.py) with hand-set weights: evidence
    comes from the Classifier, whatever the backend."""
    from extremism_nlp.models.base import ModelInfo
    from toy_backend import WordModel

    info = ModelInfo(model_type="words", name="words", version="0", thresholds=dict.fromkeys(LABELS, 0.9))
    model = WordModel(info, {"kill": [0.0, 5.0, 0.0, 0.0], "vermin": [0.0, 0.0, 5.0, 3.0]})
    model.window_chars = window_chars
    return Classifier(model)


def test_any_backend_gets_evidence_sentence_by_sentence():
    words = word_classifier(window_chars=100)
    threat, insult = "We will kill them all tonight, every one of them!", "Rats and vermin all of them, every single one."
    text = "The weather is nice today, the sun is shining.\n" * 20 + f"{threat} {insult} " + "Nice weather, isn't it, my dear friend? " * 10
    p = words.classify(text)
    assert p.labels == ("violence", "hate", "offensive") and p.n_chunks == 27  # the last ten sentences, under 40 characters each, are read in twos
    for label, sentence in (("violence", threat), ("hate", insult)):
        (span,) = p.evidence[label]
        assert text[span.start : span.end] == span.text == sentence


def test_no_model_call_holds_more_than_batch_size_pieces():
    """Documents are read in groups, but a backend gets at most ``batch_size`` pieces a call
    (its memory may depend on it), with the same scores as reading them one at a time."""
    words = word_classifier(window_chars=100)
    sizes: list[int] = []
    score = words.model.decision_function
    words.model.decision_function = lambda texts: sizes.append(len(texts)) or score(texts)  # type: ignore[method-assign]
    texts = ["The weather is nice today, the sun is shining. We will kill them all tonight! " * 8, "short", "Rats and vermin, all of them. " * 20]
    scores = words.predict_proba(texts, batch_size=5)
    assert max(sizes) <= 5 and sum(sizes) >= 20
    assert np.array_equal(scores, words.predict_proba(texts, batch_size=1)) and np.array_equal(scores, words.predict_proba(texts))


def test_the_suites_are_read_whole_by_every_shipped_model():
    """The functional suite and the neutral sets fit every shipped model's window, so
    sentence-level reading leaves their scores exactly as they were."""
    from importlib import resources

    from extremism_nlp.evaluation.functional import load_suite
    from extremism_nlp.models import resolve_model_path
    from extremism_nlp.models.base import CONFIG_FILE, ModelInfo
    from extremism_nlp.models.transformer import window_chars_for

    windows = {"fast": Classifier.from_pretrained("fast").model.window_chars}
    for name in ("default", "transformer"):  # from the config alone, without loading the 470 MB encoder
        windows[name] = window_chars_for(ModelInfo.from_file(resolve_model_path(name) / CONFIG_FILE))
    assert windows["default"] == 247
    neutral = resources.files("extremism_nlp") / "resources" / "neutral"
    texts = [case.text for case in load_suite()]
    texts += [line for path in neutral.iterdir() if path.name.endswith(".txt") for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(texts) > 4000
    assert max(map(len, texts)) <= min(windows.values()), windows
