"""Long texts read sentence by sentence, and the spans that decided a label.

A model trained on tweets and news passages reads a harmful sentence best on its own: inside
a 500-character passage of weather and football, a threat that scores 0.6 alone falls to 0.05.
A text longer than the model's window (``Model.window_chars``; shorter texts are read whole,
exactly as before) is therefore split into sentences, and the model reads:

- every sentence alone, so that one harmful sentence is not diluted by its neighbours;
- every pair of neighbouring sentences (the context window: one sentence on each side), so
  that a quote followed by its condemnation, or a report's sentence about an attack next to
  the reporting around it, is also read as part of the statement it belongs to.

A sentence's score for a label is the lowest of its own and those of the (one or two) pairs
it belongs to: it must look harmful alone *and* next to each neighbour (scores are monotone
in the logit, so the same rule holds for raw logits). The document's score for a label is
its highest sentence score, and the evidence for a decided label is the sentences at or
above the label's threshold, best first. A document costs about two model calls per
sentence.

Why this rule (`benchmarks/bench_documents.py`, before fragments were joined, with `fast` on
400 long news articles of the shared corpora and 200 benign documents with one planted threat
or recruitment sentence, 67 of which `fast` flags on their own): the highest sentence alone
flagged 111 articles; the lowest of alone and the sentence with both neighbours at once, 22
articles and 29 planted sentences; the lowest of alone and each neighbouring pair, 19 articles
(the release's 500-character passages: 19) and 39 planted sentences (passages: 9). Fragments
(a one-word line, a clause cut at an Arabic comma) still flagged Arabic articles: 11 of 200
articles (passages: 9); with fragments under ``MIN_SENTENCE_CHARS`` joined to the next
sentence, 34 of 1,000 (passages: 53). See ``benchmarks/RESULTS.md`` ("Documents") for the current figures of both models.

Sentence ends: ``. ! ? …`` followed by white space (Latin and other scripts that put spaces
between sentences), ``؟ ۔ ،`` (Arabic question mark, Urdu full stop, Arabic comma), ``。！？``
(CJK, with or without a space), ``। ॥`` (Devanagari danda), and line breaks. Offsets are
into the original text, before any normalisation: ``text[start:end]`` is the sentence.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np

from .labels import LABELS

# A sentence ends after one of these (and any closing quotes or brackets) when white space
# or the end of the text follows; a line break always ends one.
_SPACED_END = ".!?…"
_UNSPACED_END = "؟۔،。！？।॥"
_CLOSERS = "\"'»”’)]}」』"
_BOUNDARY_RE = re.compile(
    rf"[{re.escape(_SPACED_END)}]+[{re.escape(_CLOSERS)}]*(?=\s|$)"
    rf"|[{re.escape(_UNSPACED_END)}]+[{re.escape(_CLOSERS)}]*"
    r"|[\n\r\u2028\u2029\x85]+"
)
_WORD_RE = re.compile(r"\w")

MIN_SENTENCE_CHARS = 40
"""A document's sentence shorter than this is read together with the next one: alone, a
fragment ("Obamina.", a clause cut at an Arabic comma) gives `fast` little to go on and
scores noisily."""

MAX_EVIDENCE = 3
"""Spans kept per decided label, best first."""


class Span(NamedTuple):
    """A piece of the original text that decided a label: ``text == original[start:end]``;
    ``score`` is the label's probability for that piece."""

    start: int
    end: int
    text: str
    score: float


def split_sentences(text: str, max_chars: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``, in order, white space trimmed, pieces
    with no letter or digit (a lone "..." or an emoji line) joined to the sentence before.
    A sentence longer than ``max_chars`` is cut at the last white space before the limit
    (hard at the limit where there is none, as in Chinese without punctuation)."""
    spans: list[tuple[int, int]] = []
    position = 0
    for match in _BOUNDARY_RE.finditer(text):
        _add_sentence(text, position, match.end(), spans)
        position = match.end()
    _add_sentence(text, position, len(text), spans)
    if max_chars is None:
        return spans
    return [piece for start, end in spans for piece in _cut(text, start, end, max_chars)]


def _joined_short(spans: list[tuple[int, int]], window_chars: int) -> list[tuple[int, int]]:
    """Sentences shorter than ``MIN_SENTENCE_CHARS`` joined to the one after them (the last
    to the one before), where the two fit the window."""
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and joined[-1][1] - joined[-1][0] < MIN_SENTENCE_CHARS and end - joined[-1][0] <= window_chars:
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    if len(joined) > 1 and joined[-1][1] - joined[-1][0] < MIN_SENTENCE_CHARS and joined[-1][1] - joined[-2][0] <= window_chars:
        joined[-2:] = [(joined[-2][0], joined[-1][1])]
    return joined


def _add_sentence(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        return
    if spans and _WORD_RE.search(text, start, end) is None:
        spans[-1] = (spans[-1][0], end)  # punctuation or symbols only: part of the sentence before
    else:
        spans.append((start, end))


def _cut(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    pieces = []
    while end - start > max_chars:
        cut = max((text.rfind(space, start, start + max_chars) for space in (" ", "\t", "\u3000")), default=-1)
        cut = cut if cut > start + max_chars // 2 else start + max_chars
        pieces.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        pieces.append((start, end))
    return pieces


class Document:
    """A long text cut into sentences, with the pieces a model reads for it: every sentence
    alone, then every pair of neighbouring sentences that fits the window."""

    __slots__ = ("text", "spans", "pairs")

    def __init__(self, text: str, window_chars: int) -> None:
        self.text = text
        self.spans = spans = _joined_short(split_sentences(text, max_chars=window_chars), window_chars) or [(0, len(text))]
        # k for each pair read (sentences k and k + 1)
        self.pairs = [k for k in range(len(spans) - 1) if spans[k + 1][1] - spans[k][0] <= window_chars]

    @property
    def n_units(self) -> int:
        return len(self.spans) + len(self.pairs)

    def units(self) -> list[str]:
        """The pieces to score: each sentence alone, then each pair."""
        text, spans = self.text, self.spans
        return [text[start:end] for start, end in spans] + [text[spans[k][0] : spans[k + 1][1]] for k in self.pairs]

    def sentence_scores(self, unit_scores: np.ndarray) -> np.ndarray:
        """Per-sentence scores (sentences, labels) from the scores of `units` (in order):
        the lowest of the sentence alone and each pair it belongs to."""
        n = len(self.spans)
        scores = unit_scores[:n].copy()
        if self.pairs:
            pairs, pair_scores = np.array(self.pairs), unit_scores[n:]
            np.minimum.at(scores, pairs, pair_scores)
            np.minimum.at(scores, pairs + 1, pair_scores)
        return scores


def evidence(
    text: str, spans: list[tuple[int, int]] | None, scores: np.ndarray, decided: tuple[str, ...], thresholds: np.ndarray, labels: tuple[str, ...]
) -> dict[str, tuple[Span, ...]]:
    """For each decided label, the spans at or above its threshold, best first (at most
    ``MAX_EVIDENCE``). ``scores`` is (pieces, labels): one row per span of ``spans``, or
    one row for the whole text when ``spans`` is None (a text read whole: its evidence is
    the text, white space trimmed)."""
    if spans is None:
        start = len(text) - len(text.lstrip())
        spans = [(start, max(start, len(text.rstrip())))]
    found: dict[str, tuple[Span, ...]] = {}
    for label in decided:
        column = labels.index(label)
        ranked = np.argsort(-scores[:, column], kind="stable")[:MAX_EVIDENCE]
        kept = [int(k) for k in ranked if scores[k, column] >= thresholds[column]] or [int(ranked[0])]
        found[label] = tuple(Span(spans[k][0], spans[k][1], text[spans[k][0] : spans[k][1]], float(scores[k, column])) for k in kept)
    return found


class BatchEvidence:
    """What a `classify()` call read, kept so that each `Prediction` can find its evidence
    when first asked (most callers never ask; a batch of tweets pays nothing for it)."""

    __slots__ = ("texts", "documents", "piece_scores", "first", "thresholds")

    def __init__(
        self, texts: list[str], documents: dict[int, Document], piece_scores: np.ndarray, first: np.ndarray, thresholds: np.ndarray
    ) -> None:
        self.texts, self.documents, self.piece_scores, self.first, self.thresholds = texts, documents, piece_scores, first, thresholds

    def for_row(self, row: int, decided: tuple[str, ...]) -> dict[str, tuple[Span, ...]]:
        if not decided:
            return {}
        document = self.documents.get(row)
        start = int(self.first[row])
        n = len(document.spans) if document is not None else 1
        spans = document.spans if document is not None else None
        return evidence(self.texts[row], spans, self.piece_scores[start : start + n], decided, self.thresholds[row], LABELS)
