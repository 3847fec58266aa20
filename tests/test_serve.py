"""The HTTP service: every endpoint, every error path, the micro-batcher, and a real
uvicorn process on loopback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient

from extremism_nlp import LABELS, Classifier
from extremism_nlp.serve import (
    PERSPECTIVE_ATTRIBUTES,
    MicroBatcher,
    ServeConfig,
    create_app,
)

REPO = Path(__file__).resolve().parents[1]
THREAT = "we will kill them all tonight"
CALM = "the weather is nice today"
LIMITS = ServeConfig(model="fast", max_body_bytes=4000, max_inputs=5, max_chars=300)


@pytest.fixture(scope="module")
def fast():
    return Classifier.from_pretrained("fast")


@pytest.fixture(scope="module")
def client(fast):
    with TestClient(create_app(fast, config=LIMITS, api_key="")) as client:
        yield client


def _error(response, code):
    assert response.status_code == code, response.text
    body = response.json()["error"]
    assert body["code"] == code
    return body["message"]


# -- /classify -----------------------------------------------------------------------------------


def test_classify_one_string_in_the_openai_moderation_shape(client, fast):
    response = client.post("/classify", json={"inputs": THREAT})
    assert response.status_code == 200
    body = response.json()
    assert body["model"] == "fast" and body["model_version"] == fast.version and body["id"].startswith("modr-")
    (result,) = body["results"]
    expected = fast.classify(THREAT)
    assert result["category_scores"] == pytest.approx(expected.scores)
    assert result["categories"] == {label: label in expected.labels for label in LABELS}
    assert result["flagged"] is True and result["label"] == expected.label == "violence"
    assert result["lang"] == "en"
    # the thresholds reported are the ones applied: English has its own
    assert result["thresholds"] == pytest.approx(dict(zip(LABELS, fast.model.thresholds_for(["en"])[0])))
    assert all(result["categories"][k] == (result["category_scores"][k] >= result["thresholds"][k]) for k in LABELS)
    # a text read whole is its own evidence, for each decided label
    assert result["evidence"] == {label: [span._asdict() for span in spans] for label, spans in expected.evidence.items()}
    assert result["evidence"]["violence"][0] | {"score": None} == {"start": 0, "end": len(THREAT), "text": THREAT, "score": None}
    assert client.post("/classify", json={"inputs": CALM}).json()["results"][0]["evidence"] == {}


# A long text (over fast's 500-character window) is read by sentence: its evidence is the
# sentences that decided a label, with their offsets in the text as sent. (A sentence scores
# the lowest of itself and its pairs with its neighbours, so the threats come as a paragraph.)
_NEWS = "The city council met on Tuesday to discuss the new tram line and the budget for schools. "
_THREATS = "We will kill them all tonight. We will kill every last one of them with our guns. We will burn their houses and kill their children. "
LONG_TEXT = _NEWS * 4 + _THREATS + _NEWS * 2


@pytest.fixture(scope="module")
def roomy_client(fast):
    with TestClient(create_app(fast, config=ServeConfig(model="fast"), api_key="")) as client:
        yield client


def test_classify_a_long_text_gives_the_deciding_sentences_as_evidence(roomy_client, fast):
    (result,) = roomy_client.post("/classify", json={"inputs": LONG_TEXT}).json()["results"]
    expected = fast.classify(LONG_TEXT)
    assert result["flagged"] and "violence" in result["evidence"]
    assert result["evidence"] == {label: [span._asdict() for span in spans] for label, spans in expected.evidence.items()}
    for spans in result["evidence"].values():
        for span in spans:
            assert LONG_TEXT[span["start"] : span["end"]] == span["text"] and len(span["text"]) < len(LONG_TEXT)
    assert any("kill them all" in span["text"] for span in result["evidence"]["violence"])
    assert not any("city council" in span["text"] for spans in result["evidence"].values() for span in spans)


def test_perspective_span_annotations_give_the_deciding_sentences(roomy_client, fast):
    request = {"comment": {"text": LONG_TEXT}, "requestedAttributes": {"THREAT": {}}}
    whole = roomy_client.post("/v1alpha1/comments:analyze", json=request).json()["attributeScores"]["THREAT"]
    assert whole["spanScores"] == [{"begin": 0, "end": len(LONG_TEXT), "score": whole["summaryScore"]}]
    annotated = request | {"spanAnnotations": True}
    spans = roomy_client.post("/v1alpha1/comments:analyze", json=annotated).json()["attributeScores"]["THREAT"]["spanScores"]
    evidence = fast.classify(LONG_TEXT).evidence["violence"]
    assert [(s["begin"], s["end"]) for s in spans] == sorted((span.start, span.end) for span in evidence)
    assert all(s["score"]["value"] == pytest.approx(next(e.score for e in evidence if e.start == s["begin"])) for s in spans)


def test_classify_a_list_answers_in_order(client, fast):
    texts = [CALM, THREAT, "", "نحن نحب السلام"]
    results = client.post("/classify", json={"inputs": texts, "model": "fast"}).json()["results"]
    assert [r["label"] for r in results] == [p.label for p in fast.classify(texts)]
    assert [r["flagged"] for r in results] == [False, True, False, False]
    assert results[2]["empty"] is True and results[2]["lang"] == "und"
    assert results[3]["lang"] == "ar"


@pytest.mark.parametrize(
    "body, message",
    [
        ({"inputs": ["fine", 3]}, "inputs[1] is a number, expected a string"),
        ({"inputs": ["fine", "ok", None]}, "inputs[2] is null, expected a string"),
        ({"inputs": [{"text": "x"}]}, "inputs[0] is an object, expected a string"),
        ({"inputs": 7}, "inputs must be a string or a list of strings, got a number"),
        ({"inputs": []}, "the list of inputs is empty"),
        ({"text": "x"}, "inputs is required"),
        (["x"], "the body must be a JSON object"),
        ({"inputs": "x", "model": "default"}, "model 'default' is not served here"),
    ],
)
def test_classify_bad_input_is_422_naming_it(client, body, message):
    assert message in _error(client.post("/classify", json=body), 422)


@pytest.mark.parametrize("raw", [b'{"inputs": ["a",', b"\xff\xfe not json", b""])
def test_malformed_json_is_422(client, raw):
    message = _error(client.post("/classify", content=raw, headers={"content-type": "application/json"}), 422)
    assert "not valid JSON" in message or "required" in message


@pytest.mark.parametrize(
    "raw, message",
    [
        (b'{"inputs": ["ok", "x\\ud800"]}', "inputs[1] holds a lone surrogate (\\ud800) at character 1"),
        (b'{"inputs": "\\udfff"}', "inputs holds a lone surrogate"),
        (b"[" * 1900 + b"]" * 1900, "not valid JSON"),
        (b'{"inputs": [["nested"]]}', "inputs[0] is a list"),
        (b'{"inputs": "a", "model": 5}', "model: Input should be a valid string"),
        (b"null", "the body must be a JSON object"),
    ],
)
def test_hostile_bodies_get_422_never_500(client, raw, message):
    assert message in _error(client.post("/classify", content=raw, headers={"content-type": "application/json"}), 422)


def test_a_failing_request_does_not_fail_the_others_in_its_batch(fast):
    batcher = MicroBatcher(fast, max_batch_texts=64, max_wait_ms=200)
    try:
        # a non-string reaches the model only through the Python API; the service refuses it
        bad = batcher.submit([None])
        good = batcher.submit([THREAT])
        assert good.result(timeout=30)[0] == fast.classify(THREAT)
        with pytest.raises(TypeError):
            bad.result(timeout=30)
        assert batcher.alive
    finally:
        batcher.close()


def test_limits_answer_413(client):
    assert "6 inputs in one request, more than the limit of 5" in _error(client.post("/classify", json={"inputs": ["a"] * 6}), 413)
    message = _error(client.post("/classify", json={"inputs": ["short", "x" * 301]}), 413)
    assert "inputs[1] has 301 characters" in message and "--max-chars" in message
    message = _error(client.post("/classify", json={"inputs": ["y" * 290] * 5 * 3}), 413)
    assert "4000 bytes" in message


def test_body_limit_holds_without_content_length(client):
    def chunks():  # a chunked upload: no Content-Length to trust
        yield b'{"inputs": ["'
        for _ in range(50):
            yield b"z" * 100
        yield b'"]}'

    assert "4000 bytes" in _error(client.post("/classify", content=chunks(), headers={"content-type": "application/json"}), 413)


def test_unknown_path_and_method_are_4xx_in_the_error_shape(client):
    _error(client.get("/nowhere"), 404)
    _error(client.get("/classify"), 405)


# -- Perspective ------------------------------------------------------------------------------------


def test_perspective_analyze_comment(client, fast):
    request = {
        "comment": {"text": "you are a stupid idiot", "type": "PLAIN_TEXT"},
        "requestedAttributes": {name: {} for name in PERSPECTIVE_ATTRIBUTES},
        "languages": ["en"],
        "doNotStore": True,
        "clientToken": "abc",
        "context": {"entries": []},
    }
    response = client.post("/v1alpha1/comments:analyze", json=request)
    assert response.status_code == 200, response.text
    body = response.json()
    scores = fast.classify("you are a stupid idiot").scores
    assert set(body["attributeScores"]) == set(PERSPECTIVE_ATTRIBUTES)
    for name, labels in PERSPECTIVE_ATTRIBUTES.items():
        attribute = body["attributeScores"][name]
        assert attribute["summaryScore"] == {"value": pytest.approx(max(scores[k] for k in labels)), "type": "PROBABILITY"}
        assert attribute["spanScores"] == [{"begin": 0, "end": 22, "score": attribute["summaryScore"]}]
    assert body["attributeScores"]["INSULT"]["summaryScore"]["value"] == pytest.approx(scores["offensive"])
    assert body["attributeScores"]["THREAT"]["summaryScore"]["value"] == pytest.approx(scores["violence"])
    assert body["languages"] == ["en"] and body["detectedLanguages"] == ["en"] and body["clientToken"] == "abc"


def test_perspective_score_threshold_leaves_low_attributes_out(client):
    request = {
        "comment": {"text": CALM},
        "requestedAttributes": {"TOXICITY": {"scoreThreshold": 0.9}, "IDENTITY_ATTACK": {"scoreThreshold": 0.0}},
    }
    body = client.post("/v1alpha1/comments:analyze", json=request).json()
    assert list(body["attributeScores"]) == ["IDENTITY_ATTACK"]
    assert "clientToken" not in body and body["languages"] == ["en"]


@pytest.mark.parametrize(
    "request_body, code, message",
    [
        ({"comment": {"text": "x"}, "requestedAttributes": {"PROFANITY": {}}}, 400, "['PROFANITY'] are not supported"),
        ({"comment": {"text": "x"}, "requestedAttributes": {}}, 400, "requestedAttributes is empty"),
        ({"comment": {"text": "x"}, "requestedAttributes": {"TOXICITY": {"scoreType": "RAW"}}}, 400, "use PROBABILITY"),
        ({"comment": {"text": "<b>x</b>", "type": "HTML"}, "requestedAttributes": {"TOXICITY": {}}}, 400, "send PLAIN_TEXT"),
        ({"comment": {"text": "  "}, "requestedAttributes": {"TOXICITY": {}}}, 400, "comment.text is empty"),
        ({"comment": {"text": 5}, "requestedAttributes": {"TOXICITY": {}}}, 422, "comment.text"),
        ({"requestedAttributes": {"TOXICITY": {}}}, 422, "comment is required"),
        ({"comment": {"text": "x"}, "requestedAttributes": {"TOXICITY": {"scoreThreshold": 2}}}, 422, "scoreThreshold"),
        ({"comment": {"text": "x" * 301}, "requestedAttributes": {"TOXICITY": {}}}, 413, "more than the limit of 300"),
    ],
)
def test_perspective_bad_requests(client, request_body, code, message):
    assert message in _error(client.post("/v1alpha1/comments:analyze", json=request_body), code)


def test_perspective_lone_surrogate_is_422(client):
    raw = b'{"comment": {"text": "a\\ud800"}, "requestedAttributes": {"TOXICITY": {}}}'
    response = client.post("/v1alpha1/comments:analyze", content=raw, headers={"content-type": "application/json"})
    assert "comment.text holds a lone surrogate" in _error(response, 422)


# -- health, info, docs -----------------------------------------------------------------------------


def test_health_info_and_docs(client, fast):
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["model"] == "fast"
    info = client.get("/info").json()
    assert info["labels"] == list(LABELS) and info["model_version"] == fast.version
    assert info["limits"] == {"max_body_bytes": 4000, "max_inputs": 5, "max_chars": 300}
    assert {"ar", "en", "fr"} <= set(info["languages"]["tested"])
    assert info["perspective_attributes"]["THREAT"] == ["violence"]
    assert info["auth"] == "none"
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/classify", "/v1alpha1/comments:analyze", "/health", "/info"} <= set(paths)
    assert client.get("/docs").status_code == 200


# -- API key ------------------------------------------------------------------------------------------


def test_api_key(fast, monkeypatch):
    monkeypatch.setenv("EXTREMISM_NLP_API_KEY", "s3cret")
    with TestClient(create_app(fast, config=LIMITS)) as client:
        body = {"inputs": "hello"}
        assert "missing or wrong API key" in _error(client.post("/classify", json=body), 401)
        _error(client.post("/classify", json=body, headers={"Authorization": "Bearer wrong"}), 401)
        _error(client.post("/classify", json=body, headers={"X-API-Key": "s3cre"}), 401)
        _error(client.get("/info"), 401)
        assert client.post("/classify", json=body, headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert client.post("/classify", json=body, headers={"X-API-Key": "s3cret"}).status_code == 200
        perspective = {"comment": {"text": "hello"}, "requestedAttributes": {"TOXICITY": {}}}
        assert client.post("/v1alpha1/comments:analyze?key=s3cret", json=perspective).status_code == 200
        _error(client.post("/v1alpha1/comments:analyze?key=nope", json=perspective), 401)
        # an unauthenticated body is refused before it is parsed
        _error(client.post("/classify", content=b"{broken"), 401)
        assert client.get("/health").status_code == 200
        assert client.get("/info", headers={"X-API-Key": "s3cret"}).json()["auth"] == "API key required"


# -- the micro-batcher ----------------------------------------------------------------------------------


def test_batcher_groups_concurrent_requests_and_matches_serial(fast):
    texts = [f"{THREAT} {i}" if i % 3 == 0 else f"{CALM} number {i}" for i in range(60)]
    serial = [fast.classify(text) for text in texts]
    batcher = MicroBatcher(fast, max_batch_texts=32, max_wait_ms=50)
    try:
        results = [None] * len(texts)
        start = threading.Barrier(len(texts))

        def call(i):
            start.wait()
            results[i] = batcher.submit([texts[i]]).result(timeout=30)[0]

        threads = [threading.Thread(target=call, args=(i,)) for i in range(len(texts))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == serial
        assert batcher.texts == len(texts) and batcher.batches < len(texts)
    finally:
        batcher.close()
    assert not batcher.alive
    with pytest.raises(RuntimeError, match="stopped"):
        batcher.submit(["late"])


def test_config_rejects_nonsense_limits():
    with pytest.raises(ValueError, match="max_inputs must be at least 1, got 0"):
        ServeConfig(max_inputs=0)


# -- a real server --------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_uvicorn_server_on_loopback(tmp_path):
    import httpx

    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""), EXTREMISM_NLP_API_KEY="k")
    command = [sys.executable, "-m", "extremism_nlp.cli", "serve", "--model", "fast", "--host", "127.0.0.1", "--port", str(port)]
    with open(tmp_path / "server.log", "w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "server did not start in 60 s"
            time.sleep(0.2)
        headers = {"Authorization": "Bearer k"}
        moderation = httpx.post(f"{base}/classify", json={"inputs": [THREAT, CALM]}, headers=headers, timeout=10).json()
        assert [r["flagged"] for r in moderation["results"]] == [True, False]
        perspective = httpx.post(
            f"{base}/v1alpha1/comments:analyze?key=k",
            json={"comment": {"text": THREAT}, "requestedAttributes": {"THREAT": {}}},
            timeout=10,
        ).json()
        assert perspective["attributeScores"]["THREAT"]["summaryScore"]["value"] == pytest.approx(
            moderation["results"][0]["category_scores"]["violence"]
        )
        bad = httpx.post(f"{base}/classify", content=b"{nope", headers={**headers, "content-type": "application/json"}, timeout=10)
        assert bad.status_code == 422 and "not valid JSON" in bad.json()["error"]["message"]
        assert httpx.post(f"{base}/classify", json={"inputs": "x"}, timeout=10).status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_serve_command_line_arguments():
    from extremism_nlp.cli import build_parser

    args = build_parser().parse_args(["serve", "--model", "fast", "--workers", "2", "--max-inputs", "10"])
    assert (args.model, args.workers, args.max_inputs, args.host) == ("fast", 2, 10, "127.0.0.1")


@pytest.mark.slow
def test_default_model_served():
    clf = Classifier.from_pretrained("default")
    texts = [THREAT, "Leaders met in Paris for a summit on countering online terrorism."]
    with TestClient(create_app(clf, config=ServeConfig(model="default"), api_key="")) as client:
        results = client.post("/classify", json={"inputs": texts}).json()["results"]
        expected = clf.classify(texts)
        for result, prediction in zip(results, expected):
            assert result["label"] == prediction.label
            assert result["category_scores"] == pytest.approx(prediction.scores, abs=1e-5)
        body = client.post(
            "/v1alpha1/comments:analyze", json={"comment": {"text": THREAT}, "requestedAttributes": {"THREAT": {}}}
        ).json()
        assert json.dumps(body) and body["attributeScores"]["THREAT"]["summaryScore"]["value"] == pytest.approx(
            expected[0].scores["violence"], abs=1e-5
        )
