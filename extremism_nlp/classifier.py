"""The public API: `classify()`, `Classifier` and `Prediction`.

The Classifier owns what every backend shares: input checks, empty texts, splitting of
long texts into passages, language identification, thresholds and the headline label.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from .documents import BatchEvidence, Document
from .labels import LABELS, headline
from .text import UNDETERMINED, clean_invisible, detect_languages, has_content, has_visible_character

if TYPE_CHECKING:
    from .documents import Span
    from .explain import Explanation
    from .models.base import Model

DEFAULT_BATCH_SIZE = 1000
_GROUP_CHARS = 120_000
"""Characters of long texts read per model call, about, at most: the fast model's arrays for
120,000 characters still fit the processor's caches (groups of ~1,000 pieces of 10 kB texts,
about a million characters, read them a quarter slower)."""
# Decided label sets by bit code (bit k set: LABELS[k] decided), in LABELS order.
_LABEL_SETS = [tuple(label for k, label in enumerate(LABELS) if code >> k & 1) for code in range(1 << len(LABELS))]
_HEADLINES = [headline(labels) for labels in _LABEL_SETS]
_LABEL_BITS = 1 << np.arange(len(LABELS), dtype=np.int64)
"""Multiplying a row of boolean decisions by these gives its bit code."""


class Prediction:
    """The result for one text.

    Attributes:
        label: headline label: the most severe decided label, or ``"none"``.
        labels: every decided label (probability at or above its threshold), in ``LABELS`` order.
        scores: calibrated probability of each label.
        lang: ISO 639-1 code of the text's language, ``"und"`` when there is too little text.
            `Classifier.classify` identifies it only where it can change the decided labels
            (a score between the lowest and the highest threshold any language gives its
            label); for the other texts of the batch, on the first read of ``lang`` of any
            of them, all at once (the identification the decision skipped: about 10 us a
            text). Until then the predictions hold on to the batch's list of texts.
        model: name of the model that decided; ``model_version`` its version.
        empty: True for an empty or blank text, or one with nothing but links, user handles,
            a retweet marker and punctuation (`extremism_nlp.text.has_content`): label
            ``"none"``, every score 0.
        chunk: for a text longer than the model's window, the index of the sentence with the
            highest score of the headline label (the highest score overall when the label is
            ``"none"``); ``None`` for a text read in one piece. ``n_chunks`` sentences were read
            (see `extremism_nlp.documents`).
        evidence: for each decided label, the spans of the original text that decided it,
            best first: `extremism_nlp.documents.Span` ``(start, end, text, score)`` with
            ``text == original[start:end]``. A text read whole is its own evidence; for a
            long text, the sentences at or above the label's threshold. Made on first use.

    The attributes are read-only. A plain class with slots rather than a frozen dataclass:
    made once per text, it costs a third as much.
    """

    __slots__ = ("_label", "_labels", "_scores", "_lang", "_model", "_model_version", "_empty", "_chunk", "_n_chunks", "_table", "_row", "_evidence", "_context")
    __match_args__ = ("label", "labels", "scores", "lang", "model", "model_version", "empty", "chunk", "n_chunks")
    __hash__ = None  # type: ignore[assignment]  # scores is a dict
    _scores: dict[str, float] | None
    _lang: str | _PendingLanguages
    _table: np.ndarray | None  # with _row: where classify() left the scores, until first asked for
    _row: int
    _evidence: dict[str, tuple[Span, ...]] | None  # None until first asked for, then found from _context
    _context: BatchEvidence | None

    def __init__(
        self,
        label: str,
        labels: tuple[str, ...],
        scores: dict[str, float],
        lang: str,
        model: str,
        model_version: str,
        empty: bool = False,
        chunk: int | None = None,
        n_chunks: int = 1,
        evidence: dict[str, tuple[Span, ...]] | None = None,
    ) -> None:
        self._label = label
        self._labels = labels
        self._scores = scores
        self._lang = lang
        self._model = model
        self._model_version = model_version
        self._empty = empty
        self._chunk = chunk
        self._n_chunks = n_chunks
        self._table, self._row = None, 0
        self._evidence, self._context = dict(evidence or {}), None

    label = property(attrgetter("_label"))
    labels = property(attrgetter("_labels"))

    @property
    def scores(self) -> dict[str, float]:
        scores = self._scores
        if scores is None:  # made by classify(): the dict is built on first use, from its row
            assert self._table is not None
            scores = self._scores = dict(zip(LABELS, self._table[self._row].tolist()))
        return scores

    @property
    def lang(self) -> str:
        lang = self._lang
        if lang.__class__ is not str:  # made by classify(), which did not need it: identified now
            assert isinstance(lang, _PendingLanguages)
            lang = self._lang = lang.language(self._row)
        return lang
    model = property(attrgetter("_model"))
    model_version = property(attrgetter("_model_version"))
    empty = property(attrgetter("_empty"))
    chunk = property(attrgetter("_chunk"))
    n_chunks = property(attrgetter("_n_chunks"))

    @property
    def evidence(self) -> dict[str, tuple[Span, ...]]:
        found = self._evidence
        if found is None:  # made by classify(): found from its batch on first use
            assert self._context is not None
            found = self._evidence = self._context.for_row(self._row, self._labels)
        return found

    @classmethod
    def _batch(
        cls,
        table: np.ndarray,
        codes: list[int],
        langs: list[str | _PendingLanguages],
        model: str,
        version: str,
        context: BatchEvidence,
        pieces: tuple[list[bool], list[int | None], list[int]] | None = None,
    ) -> list[Prediction]:
        """Predictions of a batch whose scores are the rows of ``table`` (n, len(LABELS)),
        decided label sets given by bit code (bit k: ``LABELS[k]``), evidence found from
        ``context`` on first use. ``pieces``: each text's ``empty``, ``chunk`` and
        ``n_chunks``, or None where every text was read whole and none is empty (a batch of
        tweets: no lists of the batch's length to build for them)."""
        predictions: list[Prediction] = []
        new, append, headlines, label_sets = object.__new__, predictions.append, _HEADLINES, _LABEL_SETS
        per_text = pieces if pieces is not None else (repeat(False), repeat(None), repeat(1))
        # One statement per slot: in a loop run once per text, single stores cost less than
        # tuple assignments.
        for row, (code, lang, is_empty, chunk, n_chunks) in enumerate(zip(codes, langs, *per_text)):
            p = new(cls)
            p._label = headlines[code]
            p._labels = label_sets[code]
            p._scores = None
            p._table = table
            p._row = row
            p._lang = lang
            p._model = model
            p._model_version = version
            p._empty = is_empty
            p._chunk = chunk
            p._n_chunks = n_chunks
            p._evidence = None
            p._context = context
            append(p)
        return predictions

    def _fields(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__match_args__)

    def __eq__(self, other: object) -> bool:
        return self._fields() == other._fields() if type(other) is Prediction else NotImplemented

    def __repr__(self) -> str:
        return "Prediction(" + ", ".join(f"{name}={value!r}" for name, value in zip(self.__match_args__, self._fields())) + ")"

    def __reduce__(self) -> tuple:
        return Prediction, (*self._fields(), self.evidence)

    def to_dict(self, evidence: bool = False) -> dict[str, Any]:
        """The fields as JSON-ready values; with ``evidence``, also ``"evidence"``
        (`evidence_dicts`)."""
        data = dict(zip(self.__match_args__, self._fields()))
        data["labels"] = list(self.labels)
        data["scores"] = dict(self.scores)
        if evidence:
            data["evidence"] = self.evidence_dicts()
        return data

    def evidence_dicts(self) -> dict[str, list[dict[str, Any]]]:
        """`evidence` as JSON-ready values: each decided label's spans as ``{"start", "end",
        "text", "score"}`` dicts."""
        return {label: [span._asdict() for span in spans] for label, spans in self.evidence.items()}


class _PendingLanguages:
    """The languages `Classifier.classify` did not need to decide a batch's labels:
    identified together, in one pass of the language identifier, when the first of them is
    read. Keyed by row in the batch."""

    __slots__ = ("_texts", "_rows", "_batch_size", "_found", "_lock")

    def __init__(self, texts: list[str], rows: list[int], batch_size: int) -> None:
        self._texts: list[str] | None = texts
        self._rows = rows
        self._batch_size = batch_size
        self._found: dict[int, str] | None = None
        self._lock = threading.Lock()

    def language(self, row: int) -> str:
        found = self._found
        if found is None:
            with self._lock:  # predictions of one batch may be read from several threads
                found = self._found
                if found is None:
                    assert self._texts is not None
                    texts = [self._texts[r] for r in self._rows]
                    found = self._found = dict(zip(self._rows, _languages(texts, self._batch_size)))
                    self._texts = None  # the batch's texts are no longer needed
        return found[row]


def _languages(texts: list[str], batch_size: int) -> list[str]:
    """`detect_languages` of the texts, ``batch_size`` at a time."""
    return [lang for start in range(0, len(texts), batch_size) for lang in detect_languages(texts[start : start + batch_size])]


# A UTF-16 surrogate code point: valid in a Python str, but no UTF-8 encoder, tokenizer or
# JSON writer accepts one on its own (they come from JSON "\ud800" escapes and from bytes
# decoded with errors="surrogateescape").
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def replace_lone_surrogates(text: str) -> str:
    """``text`` with every surrogate code point replaced by U+FFFD (the Unicode replacement
    character), one for one: offsets into the result (evidence spans) are offsets into
    ``text``. A high and a low surrogate side by side are replaced too, not joined into the
    character they would encode, which would shift every offset after them."""
    return _SURROGATE_RE.sub("\ufffd", text)  # the same object back when there is none


def check_texts(texts: Iterable[str]) -> list[str]:
    """The texts as a list, or a TypeError naming the first bad item and its index.

    Texts with lone surrogates (invalid Unicode) are classified with U+FFFD in their place.
    """
    if isinstance(texts, (bytes, bytearray)):
        raise TypeError("got bytes, expected str or a list of str: decode first, e.g. data.decode('utf-8')")
    if texts is None:
        raise TypeError("got None, expected a str or a list of str")
    if isinstance(texts, Mapping):
        # Iterating a dict gives its keys, which are rarely the texts.
        raise TypeError(
            f"got a {type(texts).__name__}, expected a str or a list of str: pass list(d.values()) for its values "
            "or list(d) for its keys"
        )
    if hasattr(texts, "columns") and hasattr(texts, "iloc"):
        # A pandas DataFrame iterates over its column names, not its rows.
        raise TypeError(
            f"got a {type(texts).__name__}, expected a str or a list of str: pass one column, e.g. df['text'].tolist()"
        )
    if isinstance(texts, (set, frozenset)):
        raise TypeError(f"got a {type(texts).__name__}, whose order is undefined: pass a list, e.g. sorted(texts)")
    try:
        items = list(texts)
    except TypeError:
        raise TypeError(f"expected a str or an iterable of str, got {type(texts).__name__}") from None
    try:  # a join checks the items' types, and UTF-8 refuses surrogates, a thousand at a time
        for start in range(0, len(items), 1000):  # (encoding costs a fifth of a regex search)
            "".join(items[start : start + 1000]).encode("utf-8")
        return items
    except (TypeError, UnicodeEncodeError):
        pass  # found below, with its index
    for index, item in enumerate(items):
        if not isinstance(item, str):
            hint = " (decode bytes first, e.g. .decode('utf-8'))" if isinstance(item, (bytes, bytearray)) else ""
            raise TypeError(f"texts[{index}] is {type(item).__name__}, expected str{hint}")
        if _SURROGATE_RE.search(item) is not None:
            items[index] = replace_lone_surrogates(item)
    return items


def check_batch_size(batch_size: object) -> int:
    """``batch_size`` if it is a positive int, else a ValueError (TypeError for a non-int)."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"batch_size must be a positive int, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    return int(batch_size)


# A character that is neither white space nor one of the invisible format characters.
_VISIBLE_RE = re.compile(r"[^\s\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\x00-\x1f\x7f-\x9f]")


def _is_blank(text: str) -> bool:
    # The regex usually matches at the first character; the full check only runs for texts
    # made of spaces and invisible characters.
    return _VISIBLE_RE.search(text) is None or not clean_invisible(text).strip()


class Classifier:
    """A loaded model with thresholds, ready to classify.

    >>> clf = Classifier.from_pretrained("fast")
    >>> clf("They should all be killed").label
    'violence'
    """

    def __init__(self, model: Model) -> None:
        self.model = model
        self.classes_ = np.array(LABELS)

    # -- loading and saving ------------------------------------------------------------

    _cache: dict[tuple, Classifier] = {}
    _cache_lock = threading.Lock()

    @classmethod
    def from_pretrained(cls, name_or_path: str | Path = "default", **options: Any) -> Classifier:
        """Load a built-in model by name (``"default"``, ``"fast"``) or a saved model folder.

        ``options`` go to the backend (transformer and frozen_encoder: ``runtime="torch"``, ``"onnx"`` for ONNX Runtime int8, ``"onnx-fp32"``, the frozen_encoder default).
        Loaded models are cached per folder, options and config modification time, so
        repeated calls and `classify()` do not reload them.
        """
        from .models import load_model, resolve_model_path

        path = resolve_model_path(name_or_path)
        try:
            key = (str(path), (path / "config.json").stat().st_mtime, tuple(sorted(options.items())))
            hash(key)
        except TypeError:  # an unhashable option value: the backend says which options it takes
            return cls(load_model(path, **options))
        with cls._cache_lock:
            if key not in cls._cache:
                cls._cache[key] = cls(load_model(path, **options))
            return cls._cache[key]

    def save_pretrained(self, path: str | Path) -> None:
        """Write the model folder: config.json, weights and the model card (README.md)."""
        from .model_card import write_model_card

        self.model.save_pretrained(path)
        write_model_card(Path(path), self.model.info)

    # -- identity ------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.model.info.name

    @property
    def version(self) -> str:
        return self.model.info.version

    @property
    def thresholds(self) -> dict[str, float]:
        return dict(self.model.info.thresholds)

    def __repr__(self) -> str:
        return f"Classifier(name={self.name!r}, version={self.version!r}, type={self.model.model_type!r})"

    # -- inference -------------------------------------------------------------------------

    def _scores(
        self, texts: list[str], batch_size: int, show_progress: bool, raw: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[int, Document]]:
        """Probabilities (n, len(LABELS)) of each text (per label the highest of its
        pieces), the probabilities of every piece, each text's first piece and number of
        pieces (0 for an empty text), and the `Document` of each text longer than the
        model's window (by index), whose pieces are its sentences (`extremism_nlp.documents`).
        A text's pieces are contiguous. With ``raw``, uncalibrated logits instead of
        probabilities (empty texts get zeros either way)."""
        batch_size = max(check_batch_size(batch_size), self.model.min_batch_size)
        window = self.model.window_chars
        counts = np.zeros(len(texts), dtype=np.int64)
        documents: dict[int, Document] = {}
        visible = np.concatenate([has_visible_character(texts[start : start + batch_size]) for start in range(0, len(texts), batch_size)] or [np.zeros(0, dtype=bool)])
        content = np.fromiter(map(has_content, texts), dtype=bool, count=len(texts))
        if bool(visible.all()) and max(map(len, texts), default=0) <= window:  # tweets: a text's score is its piece's
            scores = np.zeros((len(texts), len(LABELS)))
            for start in self._progress(range(0, len(texts), batch_size), show_progress):
                batch = texts[start : start + batch_size]
                scores[start : start + batch_size] = self.model.decision_function(batch) if raw else self.model.predict_proba(batch)
            # A text with nothing to judge was scored with its batch (cheaper than a batch
            # without it) and is empty all the same.
            scores[~content] = 0.0
            counts[:] = content
            return scores, scores, np.arange(len(texts)), counts, documents
        whole: list[int] = []  # texts read in one piece
        for index, text in enumerate(texts):
            if not content[index] or (not visible[index] and _is_blank(text)):
                continue
            if len(text) > window:
                documents[index] = document = Document(text, window)
                counts[index] = len(document.spans)
            else:
                whole.append(index)
                counts[index] = 1
        first = np.cumsum(counts) - counts
        piece_scores = np.zeros((int(counts.sum()), len(LABELS)))
        batches: list[tuple[list[int], list[int]]] = [(whole[start : start + batch_size], []) for start in range(0, len(whole), batch_size)]
        group: list[int] = []
        units = chars = 0
        for index, document in documents.items():  # documents grouped by about batch_size pieces
            group.append(index)
            units += document.n_units
            chars += 3 * len(document.text)  # each character is read alone and in two pairs
            if units >= batch_size or chars >= _GROUP_CHARS:
                batches.append(([], group))
                group, units, chars = [], 0, 0
        if group:
            batches.append(([], group))
        for rows, group in self._progress(batches, show_progress):
            if rows:
                batch = [texts[index] for index in rows]
                piece_scores[first[rows]] = self.model.decision_function(batch) if raw else self.model.predict_proba(batch)
            else:
                self._read_documents(group, documents, first, piece_scores, raw, batch_size)
        scores = np.zeros((len(texts), len(LABELS)))
        filled = counts > 0
        if filled.any():
            scores[filled] = np.maximum.reduceat(piece_scores, first[filled], axis=0)
        return scores, piece_scores, first, counts, documents

    def _progress(self, batches: Sequence, show_progress: bool) -> Iterable:
        if not show_progress:
            return batches
        from tqdm.auto import tqdm

        return tqdm(batches, desc=f"{self.name}: batches", unit="batch")

    def _read_documents(
        self, group: list[int], documents: dict[int, Document], first: np.ndarray, piece_scores: np.ndarray, raw: bool, batch_size: int
    ) -> None:
        """Write the sentence scores of the documents ``group`` (indices of texts) into their
        rows of ``piece_scores``: every sentence of the group and every pair of neighbours
        scored in one call, then each sentence's lowest of itself and its pairs
        (`extremism_nlp.documents`), for the whole group at once."""
        sentences: list[str] = []
        pairs: list[tuple[int, str]] = []
        rows: list[np.ndarray] = []
        for index in group:
            document = documents[index]
            text, spans, offset = document.text, document.spans, len(sentences)
            sentences += [text[start:end] for start, end in spans]
            pairs += [(offset + k, text[spans[k][0] : spans[k + 1][1]]) for k in document.pairs]
            rows.append(first[index] + np.arange(len(spans)))
        unit_scores = self.model.score_sentences(sentences, pairs, raw, batch_size)
        sentence_scores, pair_scores = unit_scores[: len(sentences)], unit_scores[len(sentences) :]
        if pairs:
            left = np.array([k for k, _ in pairs], dtype=np.int64)
            np.minimum.at(sentence_scores, left, pair_scores)
            np.minimum.at(sentence_scores, left + 1, pair_scores)
        piece_scores[np.concatenate(rows)] = sentence_scores

    def languages(self, texts: Iterable[str]) -> list[str]:
        """Detected language of each text (``"und"`` for empty or too little text)."""
        return detect_languages(check_texts([texts] if isinstance(texts, str) else texts))

    def decide(self, probabilities: np.ndarray, langs: list[str]) -> np.ndarray:
        """Multi-hot decisions: each probability against its label's threshold for the
        text's language (the global threshold where the language has none of its own)."""
        return (probabilities >= self.model.thresholds_for(langs)).astype(np.int8)

    def predict_proba(self, texts: Iterable[str], batch_size: int = DEFAULT_BATCH_SIZE, show_progress: bool = False) -> np.ndarray:
        """Calibrated probabilities, shape (n_texts, len(LABELS)), columns in ``LABELS`` order.
        Empty texts get zeros; long texts the highest score of their passages."""
        if isinstance(texts, str):
            texts = [texts]
        return self._scores(check_texts(texts), batch_size, show_progress)[0]

    def decision_function(self, texts: Iterable[str], batch_size: int = DEFAULT_BATCH_SIZE) -> np.ndarray:
        """Uncalibrated logits, read the way `predict_proba` reads texts (long texts in
        passages, per label the highest): what calibration is fitted on."""
        if isinstance(texts, str):
            texts = [texts]
        return self._scores(check_texts(texts), batch_size, False, raw=True)[0]

    def predict(self, texts: Iterable[str], batch_size: int = DEFAULT_BATCH_SIZE) -> np.ndarray:
        """Decided labels as a multi-hot int array (n_texts, len(LABELS)), as `classify` decides them."""
        items = check_texts([texts] if isinstance(texts, str) else texts)
        scores, _, _, counts, _ = self._scores(items, batch_size, False)
        empty = counts == 0
        _, thresholds = self._languages_deciding(items, scores, empty, batch_size)
        return ((scores >= thresholds) & ~empty[:, None]).astype(np.int8)

    @overload
    def classify(self, texts: str, batch_size: int = ..., show_progress: bool = ...) -> Prediction: ...

    @overload
    def classify(self, texts: Sequence[str], batch_size: int = ..., show_progress: bool = ...) -> list[Prediction]: ...

    def classify(self, texts, batch_size: int = DEFAULT_BATCH_SIZE, show_progress: bool = False):
        """A `Prediction` for a string; a list of them, in order, for a list of strings.

        ``batch_size``: texts (or sentences of long texts) per model call; a backend whose
        scores do not depend on the batch reads at least its ``min_batch_size`` at once
        (`fast`: 1,000)."""
        if isinstance(texts, str):
            return self.classify([texts], batch_size, show_progress)[0]
        items = check_texts(texts)
        scores, piece_scores, first, counts, documents = self._scores(items, batch_size, show_progress)
        empty = counts == 0
        langs, thresholds = self._languages_deciding(items, scores, empty, batch_size, always=documents)
        decisions = scores >= thresholds
        if not documents and not empty.any():  # tweets: every text read whole
            pieces = None
        else:
            decisions &= ~empty[:, None]
            chunks: list[int | None] = [None] * len(items)
            pieces = (empty.tolist(), chunks, counts.tolist())
        # Each row of decisions is one of 16 label sets: look their tuples and headlines up.
        codes = (decisions @ _LABEL_BITS).tolist()
        for index in np.flatnonzero(counts > 1).tolist():
            # the passage with the highest score of the headline label (of the top label if none)
            decided = _LABEL_SETS[codes[index]]
            column = LABELS.index(decided[0]) if decided else int(np.argmax(scores[index]))
            chunks[index] = int(np.argmax(piece_scores[first[index] : first[index] + counts[index], column]))
        context = BatchEvidence(items, documents, piece_scores, first, thresholds)  # evidence is found on first use
        return Prediction._batch(scores, codes, langs, self.model.info.name, self.model.info.version, context, pieces)

    def explain(self, text: str) -> Explanation:
        """Per-word contributions to each label's score of ``text`` (see
        `extremism_nlp.explain`: exact for `fast`, occlusion for the other backends)."""
        from .explain import explain

        if not isinstance(text, str):
            raise TypeError(f"explain takes one str, got {type(text).__name__}; explain texts one at a time")
        return explain(self.model, check_texts([text])[0])

    __call__ = classify

    def _languages_deciding(
        self, items: list[str], scores: np.ndarray, empty: np.ndarray, batch_size: int, always: Iterable[int] = ()
    ) -> tuple[list[str | _PendingLanguages], np.ndarray]:
        """The language of each text where it can change the decided labels, else a
        `_PendingLanguages` that identifies it when read; and the thresholds (n, len(LABELS))
        that decide each text exactly as its own language's would.

        The language moves a decision only through per-language thresholds: where each
        score lies below the lowest threshold any language gives its label, or at or above
        the highest, every language decides alike, and the global thresholds stand in.
        Language identification costs more than scoring a tweet, so most texts skip it.
        Texts at the indices ``always`` (documents, whose evidence sentences are chosen by
        their own language's thresholds) are identified whatever their scores."""
        row_of, rows = self.model.threshold_table()
        undecided = ((scores >= rows.min(axis=0)) & (scores < rows.max(axis=0))).any(axis=1) & ~empty
        undecided[list(always)] = True
        needed = np.flatnonzero(undecided).tolist()
        detected = _languages(items if len(needed) == len(items) else [items[i] for i in needed], batch_size)
        row = np.zeros(len(items), dtype=np.int64)
        row[needed] = [row_of.get(lang, 0) for lang in detected]
        if len(needed) == len(items):
            return list(detected), rows[row]
        skipped = np.flatnonzero(~undecided & ~empty).tolist()
        langs: list[str | _PendingLanguages] = [_PendingLanguages(items, skipped, batch_size) if skipped else UNDETERMINED] * len(items)
        for index in np.flatnonzero(empty).tolist():
            langs[index] = UNDETERMINED
        for index, lang in zip(needed, detected):
            langs[index] = lang
        return langs, rows[row]


@overload
def classify(texts: str, model: str | Path | Classifier = ..., **kwargs: Any) -> Prediction: ...


@overload
def classify(texts: Sequence[str], model: str | Path | Classifier = ..., **kwargs: Any) -> list[Prediction]: ...


def classify(texts, model="default", **kwargs):
    """Classify one text (returns a `Prediction`) or a list of texts (a list, in order).

    ``model`` is a built-in name (``"default"``, ``"fast"``), a saved model folder, or a
    `Classifier`. Loaded models are cached.
    """
    classifier = model if isinstance(model, Classifier) else Classifier.from_pretrained(model)
    return classifier.classify(texts, **kwargs)
