"""The public API contract, on a tiny model trained on the fly and on the shipped model."""

import threading

import numpy as np
import pytest

import extremism_nlp
from extremism_nlp import LABELS, Classifier, Prediction, classify


@pytest.fixture
def tiny(tiny_model_dir):
    return Classifier.from_pretrained(tiny_model_dir)


def test_labels_are_the_taxonomy():
    assert LABELS == ("extremism", "violence", "hate", "offensive")


def test_one_string_gives_one_prediction(tiny):
    p = tiny.classify("we will kill them all tonight")
    assert isinstance(p, Prediction)
    assert set(p.scores) == set(LABELS)
    assert p.label in (*LABELS, "none")
    assert p.model == "tiny" and p.model_version == "0.0.1"
    assert p.label == "violence"
    assert p.labels[0] == "violence"


def test_a_list_gives_a_list_in_order(tiny):
    texts = ["we will kill them all tonight", "the weather is nice today", "those immigrants are vermin and rats"]
    predictions = tiny.classify(texts)
    assert [p.label for p in predictions] == ["violence", "none", "hate"]
    assert tiny.classify(tuple(texts)) == predictions
    assert classify(texts, model=tiny) == predictions


def test_headline_is_the_most_severe_decided_label(tiny):
    for p in tiny.classify(["those immigrants are vermin and rats", "join the caliphate soldiers the victory is near"]):
        assert p.label == p.labels[0]
        assert all(p.scores[label] >= tiny.thresholds[label] for label in p.labels)


def test_predict_proba_is_in_labels_order(tiny):
    probabilities = tiny.predict_proba(["we will kill them all tonight", "x y"])
    assert probabilities.shape == (2, 4)
    assert probabilities[0].argmax() == LABELS.index("violence")
    assert tiny.predict_proba("we will kill them all tonight").shape == (1, 4)
    assert list(tiny.classes_) == list(LABELS)
    assert tiny.predict(["we will kill them all tonight"]).tolist()[0][1] == 1


@pytest.mark.parametrize("bad", [None, 3, b"bytes"])
def test_non_string_in_a_batch_names_its_index(tiny, bad):
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        tiny.classify(["fine", bad])


def test_bytes_and_none_alone_are_type_errors(tiny):
    with pytest.raises(TypeError, match="decode"):
        tiny.classify(b"raw bytes")
    with pytest.raises(TypeError, match="None"):
        tiny.classify(None)


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\u200b\u200f"])
def test_empty_text_is_none_and_marked(tiny, text):
    p = tiny.classify(text)
    assert p.label == "none" and p.empty and p.labels == ()
    assert all(score == 0.0 for score in p.scores.values())
    assert p.lang == "und"


@pytest.mark.parametrize("text", ["https://t.co/x1Yz", "RT @someone:", "@a @b @c", "?!", "@USER URL"])
def test_text_of_links_and_handles_alone_is_empty(tiny, text):
    p, q = tiny.classify([text, text + " thanks"])
    assert p.label == "none" and p.empty and all(score == 0.0 for score in p.scores.values()) and p.lang == "und"
    assert not q.empty


def test_empty_batch(tiny):
    assert tiny.classify([]) == []
    assert tiny.predict_proba([]).shape == (0, 4)


def test_very_long_text_is_read_sentence_by_sentence(tiny):
    from extremism_nlp.documents import Document

    filler = "The weather is nice today and the match ended two to one. " * 400
    text = filler + "\n" + "We will kill them all tonight. " * 12 + "\n" + filler
    p = tiny.classify(text)
    document = Document(text, tiny.model.window_chars)
    assert p.n_chunks == len(document.spans) > 2
    expected = document.sentence_scores(tiny.predict_proba(document.units())).max(axis=0)
    assert np.allclose([p.scores[label] for label in LABELS], expected, atol=1e-6)
    assert p.label == "violence"
    start, end = document.spans[p.chunk]
    assert "kill" in text[start:end]
    (span, *_) = p.evidence["violence"]
    # sentences under 40 characters are read in twos
    assert text[span.start : span.end] == span.text == "We will kill them all tonight. We will kill them all tonight."
    assert span.score >= tiny.thresholds["violence"]


def test_short_text_is_one_chunk(tiny):
    p = tiny.classify("we will kill them")
    assert p.chunk is None and p.n_chunks == 1


def test_control_bidi_and_mixed_scripts_do_not_crash(tiny):
    texts = ["\x00\x01 kill \x7f", "\u202ewe will kill them\u202c", "мы kill them", "k\u0456ll them all", "😀" * 50]
    assert len(tiny.classify(texts)) == len(texts)


def test_threads_give_the_same_results_as_serial(tiny):
    texts = [f"text number {i} we will kill them" if i % 3 else f"nice weather {i}" for i in range(300)]
    serial = tiny.predict_proba(texts)
    results = [None] * 4

    def work(slot):
        results[slot] = tiny.predict_proba(texts)

    threads = [threading.Thread(target=work, args=(slot,)) for slot in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        assert np.array_equal(result, serial)


def test_loaded_models_are_cached(tiny_model_dir):
    assert Classifier.from_pretrained(tiny_model_dir) is Classifier.from_pretrained(tiny_model_dir)


@pytest.mark.parametrize("model", [None, 3, b"fast"])
def test_a_model_that_is_no_name_folder_or_classifier_is_a_type_error(model):
    from extremism_nlp import classify

    with pytest.raises(TypeError, match="model must be a built-in name, a model folder or a Classifier"):
        classify("hello", model=model)


def test_an_unhashable_load_option_gets_the_backends_answer():
    with pytest.raises(ValueError, match="takes no load options"):
        Classifier.from_pretrained("fast", foo=[1])


def test_save_pretrained_round_trip(tiny, tmp_path):
    tiny.save_pretrained(tmp_path / "saved")
    assert (tmp_path / "saved" / "README.md").read_text().startswith("# Model card: `tiny`")
    again = Classifier.from_pretrained(tmp_path / "saved")
    texts = ["we will kill them", "nice weather"]
    assert np.array_equal(again.predict_proba(texts), tiny.predict_proba(texts))


def test_prediction_to_dict_is_json_ready(tiny):
    import json

    data = tiny.classify("we will kill them all tonight").to_dict()
    assert json.loads(json.dumps(data))["label"] == "violence"


# --- the shipped model -----------------------------------------------------------------


def test_builtin_default_model_classifies_three_languages():
    texts = {
        "en": "The summit on countering online terrorism opened in Paris today.",
        "fr": "Les ministres ont condamné l'attentat lors du sommet de Paris.",
        "ar": "عقدت في الرياض قمة دولية لمكافحة الإرهاب اليوم.",
    }
    predictions = extremism_nlp.classify(list(texts.values()))
    default = extremism_nlp.Classifier.from_pretrained()
    assert default.model.model_type == "frozen_encoder" and default.model.info.backend["pool_layers"] == [-1, -5]
    stack = extremism_nlp.Classifier.from_pretrained("stack")  # the default until 0.4.0
    assert [m.model_type for m in stack.model.members] == ["transformer", "fast"]
    for (lang, _), p in zip(texts.items(), predictions):
        assert p.lang == lang
        assert set(p.scores) == set(LABELS)
        assert p.model and p.model_version


def test_builtin_model_catches_obvious_hate():
    p = extremism_nlp.classify("those filthy immigrants are vermin, send them all back")
    assert "hate" in p.labels or "offensive" in p.labels


def test_prediction_is_read_only_comparable_and_picklable(tiny):
    import pickle

    p = tiny.classify("we will kill them")
    with pytest.raises(AttributeError):
        p.label = "none"
    assert p == pickle.loads(pickle.dumps(p))
    assert p != tiny.classify("the weather is nice")
    assert repr(p).startswith("Prediction(label=") and "n_chunks=1" in repr(p)
    q = Prediction(p.label, p.labels, dict(p.scores), p.lang, p.model, p.model_version)
    assert q == p and q.chunk is None and q.empty is False


def test_lone_surrogates_are_classified_as_replacement_characters(tiny):
    # A "\ud800" from a JSON escape used to abort the whole batch with a codec error.
    texts = ["we will kill them all tonight", "bad \ud800 text", "x\udcff", "the weather is nice today"]
    predictions = tiny.classify(texts)
    assert len(predictions) == 4 and predictions[0].label == "violence"
    replaced = tiny.classify(["bad \ufffd text", "x\ufffd"])
    assert [p.scores for p in predictions[1:3]] == [p.scores for p in replaced]
    # A surrogate pair split into two code points is two replacement characters: offsets
    # into the text (evidence spans) stay offsets into the text as given.
    assert tiny.classify("\ud83d\ude00 ok").scores == tiny.classify("\ufffd\ufffd ok").scores


@pytest.mark.parametrize("batch_size", [0, -1])
def test_batch_size_below_one_is_a_value_error(tiny, batch_size):
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        tiny.classify(["hello"], batch_size=batch_size)
    with pytest.raises(ValueError, match="batch_size"):
        tiny.predict_proba([], batch_size=batch_size)


def test_batch_size_must_be_an_int(tiny):
    with pytest.raises(TypeError, match="batch_size must be a positive int"):
        tiny.classify(["hello"], batch_size=2.5)


def test_dict_dataframe_and_set_are_refused_with_what_to_pass(tiny):
    pandas = pytest.importorskip("pandas")
    with pytest.raises(TypeError, match=r"list\(d.values\(\)\)"):
        tiny.classify({"a": "we will kill them"})
    with pytest.raises(TypeError, match=r"df\['text'\].tolist\(\)"):
        tiny.classify(pandas.DataFrame({"text": ["we will kill them"]}))
    with pytest.raises(TypeError, match="order is undefined"):
        tiny.classify({"we will kill them"})
    # A Series is a column: its values are the texts.
    assert len(tiny.classify(pandas.Series(["a", "b", "c"]))) == 3


# --- languages identified only where they decide ------------------------------------------


def _counting_language_calls(monkeypatch) -> list[int]:
    """Patch the classifier's language identification to record how many texts each call got."""
    import extremism_nlp.classifier as module

    calls: list[int] = []
    real = module.detect_languages

    def counted(texts):
        calls.append(len(texts))
        return real(texts)

    monkeypatch.setattr(module, "detect_languages", counted)
    return calls


def test_language_is_identified_where_it_can_change_the_labels_and_else_on_first_read(monkeypatch):
    from extremism_nlp.text import detect_languages

    fast = Classifier.from_pretrained("fast")
    texts = [f"{seed} {i}" for i, seed in enumerate(["nice weather in Paris today", "Ferme ta gueule, connard", "We will kill them all",
                                                     "عقدت قمة دولية لمكافحة الإرهاب", "Ces gens sont des rats", "", "Die Polizei kam"] * 20)]
    texts[5] = ""
    row_of, rows = fast.model.threshold_table()
    scores = fast.predict_proba(texts)
    undecided = ((scores >= rows.min(axis=0)) & (scores < rows.max(axis=0))).any(axis=1)
    assert 0 < undecided.sum() < len(texts) - 1, "the texts should include both kinds"
    calls = _counting_language_calls(monkeypatch)
    predictions = fast.classify(texts)
    assert sum(calls) == undecided.sum()
    # labels as the texts' own languages' thresholds decide them
    thresholds = fast.model.thresholds_for(detect_languages(texts))
    expected = (scores >= thresholds) & (np.array([bool(t) for t in texts])[:, None])
    assert [p.labels for p in predictions] == [tuple(label for label, on in zip(LABELS, row) if on) for row in expected]
    assert predictions[5].lang == "und" and sum(calls) == undecided.sum()
    # the first read of a skipped language identifies every skipped text of the batch at once
    skipped = np.flatnonzero(~undecided & np.array([bool(t) for t in texts])).tolist()
    assert predictions[skipped[-1]].lang == detect_languages([texts[skipped[-1]]])[0]
    assert calls[1:] == [len(skipped)]
    assert [p.lang for p in predictions] == detect_languages(texts)
    assert calls[1:] == [len(skipped)], "identified once"


def test_skipped_languages_read_from_threads_are_identified_once(monkeypatch):
    from extremism_nlp.text import detect_languages

    fast = Classifier.from_pretrained("fast")
    texts = [f"the weather is lovely today, number {i}" for i in range(200)]
    calls = _counting_language_calls(monkeypatch)
    predictions = fast.classify(texts)
    read: list[list[str]] = [[] for _ in range(4)]

    def work(slot):
        read[slot] = [p.lang for p in predictions]

    threads = [threading.Thread(target=work, args=(slot,)) for slot in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(langs == detect_languages(texts) for langs in read)
    assert sum(calls) == len(texts), "each text identified once, by classify() or by the first read"


def test_a_batch_of_tweets_gives_what_the_general_path_gives(tiny):
    """classify() builds the predictions of a batch of texts all read whole, none empty, on a
    shorter path: every attribute, the evidence and the scores' table are those the general
    path (taken here because of an empty text and a long one) gives the same texts."""
    tweets = ["we will kill them all tonight", "the weather is nice today", "shut up you stupid idiot", "jews are parasites"] * 30
    long_text = " ".join(["the council met on tuesday to discuss the budget of the public libraries."] * 40)
    fast_path = tiny.classify(tweets)
    general = tiny.classify(["", *tweets, long_text])[1:-1]
    assert fast_path == general
    for p, q in zip(fast_path, general):
        assert type(p) is Prediction and p.__slots__ == q.__slots__
        assert (p.evidence, p.scores, p.empty, p.chunk, p.n_chunks) == (q.evidence, q.scores, False, None, 1)
    assert [p.to_dict() for p in fast_path] == [q.to_dict() for q in general]
