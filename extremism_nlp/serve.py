"""The HTTP service: `extremism-nlp serve` (FastAPI under uvicorn).

Two request shapes that platforms already speak:

- ``POST /classify``: Hugging Face text-embeddings-inference's ``{"inputs": str | [str]}``
  in, the OpenAI moderation endpoint's ``results`` (``flagged``, ``categories``,
  ``category_scores``) out, plus language, headline label and the thresholds applied.
- ``POST /v1alpha1/comments:analyze``: Perspective API's AnalyzeComment request and
  response, for the attributes in `PERSPECTIVE_ATTRIBUTES`, so that a Perspective client
  works by changing its base URL (the API key travels as ``?key=`` as it does there).

One model is loaded per worker process. Concurrent requests are queued and scored together
by a `MicroBatcher` thread, so that the model sees batches rather than single texts while
the event loop stays free for I/O. Limits (body bytes, inputs per request, characters per
input) answer 413; malformed JSON and non-string inputs answer 422 naming the index; no bad
input reaches the model.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import queue
import re
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any

try:
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
    from pydantic_core import PydanticCustomError
    from starlette.exceptions import HTTPException as StarletteHTTPException
except ImportError as error:  # pragma: no cover - depends on the install
    raise ImportError(f'the HTTP service needs FastAPI and uvicorn: pip install "extremism-nlp[serve]" ({error})') from None

from . import __version__
from .classifier import Classifier, Prediction
from .labels import DESCRIPTIONS, LABELS

logger = logging.getLogger(__name__)

API_KEY_ENV = "EXTREMISM_NLP_API_KEY"
CONFIG_ENV = "EXTREMISM_NLP_SERVE_CONFIG"
# Paths anyone may read, with or without the API key (probes and documentation).
PUBLIC_PATHS = frozenset({"/health", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})

PERSPECTIVE_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "TOXICITY": ("violence", "hate", "offensive"),
    "SEVERE_TOXICITY": ("violence", "hate"),
    "IDENTITY_ATTACK": ("hate",),
    "INSULT": ("offensive",),
    "THREAT": ("violence",),
    "EXTREMISM": ("extremism",),
}
"""Perspective attribute -> our labels; its score is the highest of their probabilities.

TOXICITY is any of violence, hate or offensive (extremist propaganda can be polite, so
extremism is left out). SEVERE_TOXICITY leaves out ``offensive``, our mildest label
(insults and vulgarity without threats or hate), as Perspective's is "less sensitive to
milder forms of toxicity". INSULT is ``offensive``, which also covers vulgarity. PROFANITY
is not offered: no label of ours separates swearing from insults. EXTREMISM is our own.
"""


@dataclass(frozen=True)
class ServeConfig:
    """Everything a worker needs to build the app; travels to uvicorn's worker processes
    as JSON in an environment variable (the API key travels in its own variable)."""

    model: str = "default"
    runtime: str | None = None
    max_body_bytes: int = 1_000_000
    max_inputs: int = 128
    max_chars: int = 20_000
    max_batch_texts: int = 64
    max_wait_ms: float = 2.0
    max_pending: int = 1024

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_inputs", "max_chars", "max_batch_texts", "max_pending"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.max_wait_ms < 0:
            raise ValueError(f"max_wait_ms must be 0 or more, got {self.max_wait_ms}")

    def limits(self) -> dict[str, int]:
        return {"max_body_bytes": self.max_body_bytes, "max_inputs": self.max_inputs, "max_chars": self.max_chars}


# -- errors ----------------------------------------------------------------------------------

_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    422: "INVALID_ARGUMENT",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class APIError(Exception):
    """An error answered as ``{"error": {"code", "status", "message"}}``: Google's error
    shape (what Perspective clients parse), whose ``message`` OpenAI clients read too."""

    def __init__(self, code: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.headers = headers


def _error_body(code: int, message: str, details: list | None = None) -> dict:
    error: dict[str, Any] = {"code": code, "status": _STATUS_NAMES.get(code, "UNKNOWN"), "message": message}
    if details:
        error["details"] = details
    return {"error": error}


def _error_response(code: int, message: str, details: list | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(_error_body(code, message, details), status_code=code, headers=headers)


def _location(loc: Sequence[Any]) -> str:
    """('body', 'inputs', 3) -> 'inputs[3]'."""
    text = ""
    for part in loc[1:] if loc and loc[0] == "body" else loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


_OWN_ERROR_TYPES = frozenset({"inputs_type", "inputs_empty", "input_type", "input_unicode"})


def _validation_message(errors: Sequence[dict]) -> str:
    parts = []
    for error in errors:
        if error.get("type") == "json_invalid":
            reason = (error.get("ctx") or {}).get("error", "")
            parts.append(f"the body is not valid JSON ({reason} at character {error['loc'][-1]})")
        elif error.get("type") in _OWN_ERROR_TYPES:
            parts.append(error["msg"])
        elif error.get("type") == "model_attributes_type" and _location(error["loc"]) == "body":
            parts.append("the body must be a JSON object (with the header Content-Type: application/json)")
        elif error.get("type") == "missing":
            parts.append(f"{_location(error['loc'])} is required")
        else:
            parts.append(f"{_location(error['loc'])}: {error['msg']}")
    return "; ".join(parts)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(APIError)
    async def api_error(request: Request, error: APIError) -> JSONResponse:
        return _error_response(error.code, error.message, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "type": e.get("type"), "msg": e.get("msg")} for e in error.errors()
        ]
        return _error_response(422, _validation_message(error.errors()), errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 400 and error.detail == "There was an error parsing the body":
            # FastAPI's answer when the JSON parser itself gives up (nesting too deep)
            return _error_response(422, "the body is not valid JSON (it could not be parsed; nested too deeply?)")
        return _error_response(error.status_code, str(error.detail), headers=getattr(error, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        logger.exception("unexpected error on %s %s", request.method, request.url.path)
        return _error_response(500, f"internal error ({type(error).__name__}); the server log has the details")


# -- the gate: API key and body size, before anything is parsed -----------------------------


class Gate:
    """ASGI middleware: the API key (constant-time comparison) and the body size limit are
    checked before the body is parsed, so an oversized or unauthenticated body costs no
    JSON parsing. The body is read once, up to the limit, and replayed to the app."""

    def __init__(self, app: Any, max_body_bytes: int, api_key: str | None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.api_key = api_key.encode("utf-8") if api_key else None

    async def _send(self, send: Any, response: JSONResponse) -> None:
        await send({"type": "http.response.start", "status": response.status_code, "headers": response.raw_headers})
        await send({"type": "http.response.body", "body": response.body})

    def _authorised(self, scope: dict) -> bool:
        headers = {name.decode("latin-1").lower(): value for name, value in scope.get("headers", [])}
        candidates = []
        authorization = headers.get("authorization", b"")
        if authorization[:7].lower() == b"bearer ":
            candidates.append(authorization[7:].strip())
        if "x-api-key" in headers:
            candidates.append(headers["x-api-key"].strip())
        from urllib.parse import parse_qs

        for value in parse_qs(scope.get("query_string", b"").decode("latin-1")).get("key", []):
            candidates.append(value.encode("latin-1"))
        # compare_digest on every candidate, whatever the earlier ones gave
        results = [hmac.compare_digest(candidate, self.api_key) for candidate in candidates]
        return any(results)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:  # noqa: C901 (one ASGI entry, a branch per limit)
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.api_key is not None and scope["path"] not in PUBLIC_PATHS and not self._authorised(scope):
            await self._send(
                send,
                _error_response(
                    401,
                    "missing or wrong API key: send it as 'Authorization: Bearer KEY', 'X-API-Key: KEY' or '?key=KEY'",
                    headers={"WWW-Authenticate": "Bearer"},
                ),
            )
            return
        if scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        too_large = _error_response(
            413, f"the request body is larger than the server's limit of {self.max_body_bytes} bytes (--max-body-bytes)"
        )
        for name, value in scope.get("headers", []):
            if name.lower() == b"content-length" and value.isdigit() and int(value) > self.max_body_bytes:
                await self._send(send, too_large)
                return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await self._send(send, too_large)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:  # JSON travels as UTF-8 (RFC 8259); FastAPI would answer other bytes with a bare 400
            body.decode("utf-8")
        except UnicodeDecodeError as error:
            await self._send(send, _error_response(422, f"the body is not valid JSON (not UTF-8: undecodable byte at position {error.start})"))
            return
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


# -- the micro-batcher -------------------------------------------------------------------------


class ServerBusy(Exception):
    """More requests are waiting than the batcher accepts."""


class MicroBatcher:
    """Groups the texts of concurrent requests into batches for the model.

    One thread owns the model: it takes the first waiting request, adds whatever else
    arrives within ``max_wait_ms`` (or is already queued) up to ``max_batch_texts`` texts,
    classifies them in one call and hands each request its slice. Requests are never split,
    so results do not depend on what else was in the batch (for the n-gram model exactly;
    for the transformer up to padding, about 1e-6). Callers get a `concurrent.futures.Future`.
    """

    def __init__(self, classifier: Classifier, max_batch_texts: int = 64, max_wait_ms: float = 2.0, max_pending: int = 1024) -> None:
        self.classifier = classifier
        self.max_batch_texts = max_batch_texts
        self.max_wait_s = max_wait_ms / 1000
        self.max_pending = max_pending
        self.batches = 0
        self.texts = 0
        self._queue: queue.Queue = queue.Queue()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="extremism-nlp-batcher", daemon=True)
        self._thread.start()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and not self._closed

    def submit(self, texts: list[str]) -> Future:
        if not self.alive:
            raise RuntimeError("the batcher is stopped")
        if self._queue.qsize() >= self.max_pending:
            raise ServerBusy(f"{self._queue.qsize()} requests are already waiting")
        future: Future = Future()
        self._queue.put((texts, future))
        return future

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join(timeout=10)

    def _collect(self, first: tuple) -> tuple[list[tuple], bool]:
        batch, size = [first], len(first[0])
        deadline = time.monotonic() + self.max_wait_s
        while size < self.max_batch_texts:
            remaining = deadline - time.monotonic()
            try:
                item = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return batch, True
            batch.append(item)
            size += len(item[0])
        return batch, False

    def _run(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            if first is None:
                break
            batch, stop = self._collect(first)
            # drop requests whose callers went away before scoring started
            batch = [(texts, future) for texts, future in batch if future.set_running_or_notify_cancel()]
            if batch:
                self._score(batch)

    def _score(self, batch: list[tuple[list[str], Future]]) -> None:
        texts = [text for request, _ in batch for text in request]
        try:
            predictions = self.classifier.classify(texts, batch_size=max(self.max_batch_texts, 1))
        except Exception as error:
            if len(batch) > 1:  # one request's texts must not fail the others': score each alone
                for item in batch:
                    self._score([item])
                return
            logger.exception("classifying a request of %d texts failed", len(texts))
            batch[0][1].set_exception(error)
            return
        self.batches += 1
        self.texts += len(texts)
        start = 0
        for request, future in batch:
            future.set_result(predictions[start : start + len(request)])
            start += len(request)


# -- request and response shapes -----------------------------------------------------------------


def _check_inputs(value: Any) -> Any:
    """``inputs`` must be a string or a non-empty list of strings; name the first bad item."""
    if isinstance(value, str):
        return _check_unicode(value, "inputs")
    if not isinstance(value, list):
        raise PydanticCustomError("inputs_type", "inputs must be a string or a list of strings, got {kind}", {"kind": _json_kind(value)})
    if not value:
        raise PydanticCustomError("inputs_empty", "the list of inputs is empty; send at least one string", {})
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise PydanticCustomError(
                "input_type", "inputs[{index}] is {kind}, expected a string", {"index": index, "kind": _json_kind(item)}
            )
        _check_unicode(item, f"inputs[{index}]")
    return value


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _check_unicode(text: str, where: str) -> str:
    """JSON's \\uD800-style escapes can smuggle in lone surrogates, which are not text."""
    match = _SURROGATE_RE.search(text)
    if match:
        raise PydanticCustomError(
            "input_unicode",
            "{where} holds a lone surrogate ({code}) at character {position}: not valid Unicode text",
            {"where": where, "code": f"\\u{ord(match.group()):04x}", "position": match.start()},
        )
    return text


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", dict: "an object", list: "a list"}.get(type(value), type(value).__name__)


class ClassifyRequest(BaseModel):
    """Text-embeddings-inference's request shape."""

    inputs: Annotated[str | list[str], BeforeValidator(_check_inputs)] = Field(
        description="one text, or a list of texts (answered in order)", examples=["We will make them pay for this."]
    )
    model: str | None = Field(None, description="name of the model to use; must be the one this server loaded")


class EvidenceSpan(BaseModel):
    start: int = Field(description="offset of the span's first character in the input (Unicode code points, as Python counts)")
    end: int = Field(description="offset just past its last character: input[start:end] == text")
    text: str
    score: float = Field(description="the label's calibrated probability for this span")


class ClassifyResult(BaseModel):
    flagged: bool = Field(description="at least one label reached its threshold")
    label: str = Field(description="headline label: the most severe decided label, or 'none'")
    categories: dict[str, bool] = Field(description="label -> decided (score at or above its threshold)")
    category_scores: dict[str, float] = Field(description="label -> calibrated probability")
    thresholds: dict[str, float] = Field(description="label -> the threshold applied (the language's own where the model has one)")
    lang: str = Field(description="ISO 639-1 code of the detected language; 'und' when there is too little text")
    empty: bool = Field(description="the text is empty or blank (every score 0)")
    evidence: dict[str, list[EvidenceSpan]] = Field(
        description="decided label -> the spans of the input that decided it, best first: the whole text for a text read "
        "whole, the sentences at or above the threshold for a long one; {} when nothing is decided"
    )


class ClassifyResponse(BaseModel):
    id: str
    model: str
    model_version: str
    results: list[ClassifyResult]


class TextEntry(BaseModel):
    model_config = ConfigDict(extra="allow")
    text: Annotated[str, AfterValidator(lambda text: _check_unicode(text, "comment.text"))] = Field(strict=True)
    type: str | None = Field("PLAIN_TEXT", description="only PLAIN_TEXT is supported")


class AttributeParameters(BaseModel):
    model_config = ConfigDict(extra="allow")
    scoreType: str | None = Field("PROBABILITY", description="only PROBABILITY is supported")
    scoreThreshold: float | None = Field(None, ge=0, le=1, description="leave the attribute out of the answer below this score")


class AnalyzeCommentRequest(BaseModel):
    """Perspective's AnalyzeCommentRequest; fields it has that we do not use are accepted
    and ignored (context, sessionId, communityId)."""

    model_config = ConfigDict(extra="allow")
    comment: TextEntry
    requestedAttributes: dict[str, AttributeParameters] = Field(description=f"any of {sorted(PERSPECTIVE_ATTRIBUTES)}")
    languages: list[str] | None = Field(None, description="echoed; the model detects the language itself")
    doNotStore: bool | None = Field(None, description="nothing is ever stored here")
    clientToken: str | None = None
    spanAnnotations: bool | None = Field(
        None, description="spanScores: the spans that decided the attribute's labels (sentences of a long text); otherwise the whole text"
    )


class Score(BaseModel):
    value: float
    type: str = "PROBABILITY"


class SpanScore(BaseModel):
    begin: int
    end: int
    score: Score


class AttributeScores(BaseModel):
    summaryScore: Score
    spanScores: list[SpanScore]


class AnalyzeCommentResponse(BaseModel):
    attributeScores: dict[str, AttributeScores]
    languages: list[str]
    detectedLanguages: list[str]
    clientToken: str | None = None


# -- the app ---------------------------------------------------------------------------------------


@dataclass
class _Service:
    classifier: Classifier
    config: ServeConfig
    batcher: MicroBatcher
    auth: bool
    _thresholds: dict[str, dict[str, float]] = field(default_factory=dict)

    def thresholds(self, lang: str) -> dict[str, float]:
        if lang not in self._thresholds:
            self._thresholds[lang] = dict(zip(LABELS, self.classifier.model.thresholds_for([lang])[0].tolist()))
        return self._thresholds[lang]

    async def classify(self, texts: list[str]) -> list[Prediction]:
        for index, text in enumerate(texts):
            if len(text) > self.config.max_chars:
                where = f"inputs[{index}]" if len(texts) > 1 else "the input"
                raise APIError(413, f"{where} has {len(text)} characters, more than the limit of {self.config.max_chars} (--max-chars)")
        try:
            future = self.batcher.submit(texts)
        except ServerBusy as error:
            raise APIError(503, f"the server is busy ({error}); retry shortly", headers={"Retry-After": "1"}) from None
        except RuntimeError as error:
            raise APIError(503, f"the server is shutting down ({error})") from None
        return await asyncio.wrap_future(future)

    def info(self) -> dict[str, Any]:
        info = self.classifier.model.info
        tested = sorted(lang for lang in info.training.get("test_metrics", {}).get("by_lang", {}) if lang != "all")
        return {
            "model": info.name,
            "model_version": info.version,
            "model_type": info.model_type,
            "library_version": __version__,
            "labels": list(LABELS),
            "label_descriptions": dict(DESCRIPTIONS),
            "thresholds": dict(info.thresholds),
            "language_thresholds": info.language_thresholds,
            "languages": {
                "accepted": "any: the language is detected per text; quality is measured for the tested ones",
                "tested": tested,
            },
            "limits": self.config.limits(),
            "batching": {
                "max_batch_texts": self.config.max_batch_texts,
                "max_wait_ms": self.config.max_wait_ms,
                "max_pending": self.config.max_pending,
            },
            "perspective_attributes": {name: list(labels) for name, labels in PERSPECTIVE_ATTRIBUTES.items()},
            "auth": "API key required" if self.auth else "none",
        }


def _classify_result(service: _Service, prediction: Prediction) -> dict[str, Any]:
    return {
        "flagged": bool(prediction.labels),
        "label": prediction.label,
        "categories": {label: label in prediction.labels for label in LABELS},
        "category_scores": prediction.scores,
        "thresholds": service.thresholds(prediction.lang),
        "lang": prediction.lang,
        "empty": prediction.empty,
        "evidence": prediction.evidence_dicts(),
    }


def _perspective_scores(request: AnalyzeCommentRequest, prediction: Prediction) -> dict[str, Any]:
    """Perspective's attributeScores: each requested attribute's summary score (the highest
    probability of its labels), unless under its scoreThreshold, with span scores for the
    whole comment, or with ``spanAnnotations`` for the spans that decided its labels."""
    text = request.comment.text
    scores = {}
    for name, parameters in request.requestedAttributes.items():
        value = max(prediction.scores[label] for label in PERSPECTIVE_ATTRIBUTES[name])
        if parameters.scoreThreshold is not None and value < parameters.scoreThreshold:
            continue
        score = {"value": value, "type": "PROBABILITY"}
        spans = [{"begin": 0, "end": len(text), "score": score}]
        if request.spanAnnotations:
            best: dict[tuple[int, int], float] = {}
            for label in PERSPECTIVE_ATTRIBUTES[name]:
                for span in prediction.evidence.get(label, ()):
                    best[span.start, span.end] = max(span.score, best.get((span.start, span.end), 0.0))
            if best:
                spans = [{"begin": begin, "end": end, "score": {"value": top, "type": "PROBABILITY"}} for (begin, end), top in sorted(best.items())]
        scores[name] = {"summaryScore": score, "spanScores": spans}
    return scores


_DESCRIPTION = """Multilingual detection of extremist, violent, hateful and offensive text.

* `POST /classify`: `{"inputs": str | [str]}` (text-embeddings-inference) in, OpenAI
  moderation-style `results` out.
* `POST /v1alpha1/comments:analyze`: Perspective API's AnalyzeComment.

When the server runs with an API key, send it as `Authorization: Bearer KEY`,
`X-API-Key: KEY` or `?key=KEY` (Perspective clients); `/health` and the docs are open.
Errors come as `{"error": {"code", "status", "message"}}`."""


def create_app(  # noqa: C901 (its route handlers are nested functions, counted here)
    model: str | Classifier = "default", *, config: ServeConfig | None = None, api_key: str | None = None
) -> FastAPI:
    """The FastAPI app serving ``model`` (a built-in name, a model folder or a loaded
    `Classifier`). ``config`` sets limits and batching; ``api_key`` (default: the
    ``EXTREMISM_NLP_API_KEY`` environment variable) turns on the key check."""
    config = config or ServeConfig(model=model if isinstance(model, str) else "default")
    if isinstance(model, Classifier):
        classifier = model
    else:
        options = {"runtime": config.runtime} if config.runtime else {}
        classifier = Classifier.from_pretrained(model, **options)
    # None: the environment decides; "" turns the check off whatever the environment says
    api_key = (api_key if api_key is not None else os.environ.get(API_KEY_ENV)) or None
    batcher = MicroBatcher(classifier, config.max_batch_texts, config.max_wait_ms, config.max_pending)
    service = _Service(classifier, config, batcher, auth=api_key is not None)
    served_names = {classifier.name, model if isinstance(model, str) else classifier.name}

    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        batcher.close()

    app = FastAPI(title="extremism-nlp", version=__version__, description=_DESCRIPTION, lifespan=lifespan)
    app.state.service = service
    _install_error_handlers(app)
    app.add_middleware(Gate, max_body_bytes=config.max_body_bytes, api_key=api_key)

    @app.post("/classify", response_model=ClassifyResponse, summary="Classify one text or a list of texts")
    async def classify(request: ClassifyRequest) -> dict:
        if request.model is not None and request.model not in served_names:
            raise APIError(
                422, f"model {request.model!r} is not served here; this server serves {classifier.name!r} (omit 'model' or start a server with --model {request.model})"
            )
        texts = [request.inputs] if isinstance(request.inputs, str) else request.inputs
        if len(texts) > config.max_inputs:
            raise APIError(413, f"{len(texts)} inputs in one request, more than the limit of {config.max_inputs} (--max-inputs): send them in several requests")
        predictions = await service.classify(texts)
        return {
            "id": f"modr-{uuid.uuid4().hex}",
            "model": classifier.name,
            "model_version": classifier.version,
            "results": [_classify_result(service, p) for p in predictions],
        }

    @app.post(
        "/v1alpha1/comments:analyze",
        response_model=AnalyzeCommentResponse,
        response_model_exclude_none=True,
        summary="Perspective API AnalyzeComment",
    )
    async def analyze_comment(request: AnalyzeCommentRequest) -> dict:
        if not request.requestedAttributes:
            raise APIError(400, f"requestedAttributes is empty; ask for any of {sorted(PERSPECTIVE_ATTRIBUTES)}")
        unknown = sorted(set(request.requestedAttributes) - set(PERSPECTIVE_ATTRIBUTES))
        if unknown:
            raise APIError(400, f"attribute(s) {unknown} are not supported; this server offers {sorted(PERSPECTIVE_ATTRIBUTES)}")
        for name, parameters in request.requestedAttributes.items():
            if (parameters.scoreType or "PROBABILITY") != "PROBABILITY":
                raise APIError(400, f"requestedAttributes.{name}.scoreType {parameters.scoreType!r} is not supported; use PROBABILITY")
        if (request.comment.type or "PLAIN_TEXT") != "PLAIN_TEXT":
            raise APIError(400, f"comment.type {request.comment.type!r} is not supported; send PLAIN_TEXT")
        text = request.comment.text
        if not text.strip():
            raise APIError(400, "comment.text is empty")
        (prediction,) = await service.classify([text])
        scores = _perspective_scores(request, prediction)
        return {
            "attributeScores": scores,
            "languages": request.languages or [prediction.lang],
            "detectedLanguages": [prediction.lang],
            "clientToken": request.clientToken,
        }

    @app.get("/health", summary="Liveness and readiness")
    async def health() -> JSONResponse:
        ok = batcher.alive
        body = {
            "status": "ok" if ok else "unavailable",
            "model": classifier.name,
            "model_version": classifier.version,
            "batches": batcher.batches,
            "texts": batcher.texts,
            "waiting": batcher._queue.qsize(),
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get("/info", summary="Model, labels, thresholds, languages and limits")
    async def info() -> dict:
        return service.info()

    return app


def app_from_env() -> FastAPI:
    """The app for uvicorn's ``--factory`` (one call per worker process): configuration
    from ``EXTREMISM_NLP_SERVE_CONFIG`` (JSON of `ServeConfig`), the key from
    ``EXTREMISM_NLP_API_KEY``."""
    config = ServeConfig(**json.loads(os.environ.get(CONFIG_ENV, "{}")))
    return create_app(config.model, config=config)


def run(config: ServeConfig, host: str = "127.0.0.1", port: int = 8000, workers: int = 1, api_key: str | None = None, log_level: str = "info") -> None:
    """Start uvicorn with ``workers`` processes, each loading the model once."""
    try:
        import uvicorn
    except ImportError as error:
        raise ImportError(f'the HTTP service needs uvicorn: pip install "extremism-nlp[serve]" ({error})') from None
    if workers < 1:
        raise ValueError(f"--workers must be at least 1, got {workers}")
    os.environ[CONFIG_ENV] = json.dumps(asdict(config))
    if api_key:
        os.environ[API_KEY_ENV] = api_key
    if not os.environ.get(API_KEY_ENV) and host not in ("127.0.0.1", "localhost", "::1"):
        logger.warning("serving on %s without an API key: anyone who reaches the port can use it (set %s)", host, API_KEY_ENV)
    uvicorn.run("extremism_nlp.serve:app_from_env", factory=True, host=host, port=port, workers=workers, log_level=log_level)
