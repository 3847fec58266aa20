"""Which words pushed each label's score up or down: `Classifier.explain(text)`.

Contributions are in the model's raw logit units (before calibration), per word of the
original text (white-space separated, with character offsets into the original text):

- ``fast`` (method ``"linear"``): exact. The logit is ``intercept + scale * sum(w[ngram])``
  over the n-grams of the normalised text (``scale = 1 / sqrt(number of n-grams)``). A word
  n-gram is given to its word (a word bigram half to each of its two words); a character
  n-gram is shared among the words whose characters it covers, in proportion to how many
  of its characters each word holds: " ki" of "kill" goes wholly to "kill", while "l th"
  of "kill them" goes a third to "kill" and two thirds to "them" (spaces, including the
  padding space at each end of the text, belong to no word). So
  ``bias + sum(contributions) == logit`` for every label, to float32 rounding.
- every other backend (``transformer``, ``frozen_encoder``, ``ensemble``; method
  ``"occlusion"``): a word's contribution is the logit of the text minus the logit of the
  text with that word removed. One model call per word: seconds for a tweet with
  ``default``, minutes for a long document. Occlusion contributions need not sum to the logit.

A text longer than the model's window is explained sentence by sentence, as
`extremism_nlp.documents` reads it: each word's contribution is within its own sentence read
alone, and each `Piece` (a sentence) carries its own logit and bias.

Normalisation can merge or split words (links become ``url``, spaced letters ``k i l l``
are joined): a normalised word is given to the original word it came from, found by
normalising the original words one by one; where that does not line up, by position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .labels import LABELS

if TYPE_CHECKING:
    from .models.base import Model
    from .models.fast import FastModel

_TOKEN_RE = re.compile(r"\S+")


@dataclass(frozen=True)
class Word:
    """A white-space separated word of the original text: ``text == original[start:end]``,
    its contribution to each label's logit, and the index of the `Piece` it was read in."""

    start: int
    end: int
    text: str
    contributions: dict[str, float]
    piece: int


@dataclass(frozen=True)
class Piece:
    """What the model read at once (the whole text, or one sentence of a long one): its
    span, its logit per label and, for ``linear``, the part of the logit no word holds
    (the intercept)."""

    start: int
    end: int
    logits: dict[str, float]
    bias: dict[str, float]


@dataclass(frozen=True)
class Explanation:
    """Per-word contributions to each label (see the module's notes for the methods)."""

    text: str
    model: str
    method: str
    words: tuple[Word, ...]
    pieces: tuple[Piece, ...]

    def top(self, label: str, k: int = 5) -> list[Word]:
        """The ``k`` words that raise ``label`` most, highest first (only positive ones)."""
        if label not in LABELS:
            raise ValueError(f"unknown label {label!r}; labels are {', '.join(LABELS)}")
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise ValueError(f"k must be a whole number of words, 0 or more; got {k!r}")
        ranked = sorted(self.words, key=lambda w: -w.contributions[label])
        return [w for w in ranked[:k] if w.contributions[label] > 0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "method": self.method,
            "words": [{"start": w.start, "end": w.end, "text": w.text, "piece": w.piece, "contributions": w.contributions} for w in self.words],
            "pieces": [{"start": p.start, "end": p.end, "logits": p.logits, "bias": p.bias} for p in self.pieces],
        }


def explain(model: Model, text: str) -> Explanation:
    """Per-word contributions of an already checked ``text`` (`Classifier.explain` checks
    it) for ``model`` (module notes)."""
    from .documents import split_sentences
    from .models.fast import FastModel

    window = model.window_chars
    spans = split_sentences(text, max_chars=window) if len(text) > window else [(0, len(text))]
    linear = isinstance(model, FastModel)
    words: list[Word] = []
    pieces: list[Piece] = []
    for index, (start, end) in enumerate(spans):
        tokens = [(m.start(), m.end()) for m in _TOKEN_RE.finditer(text, start, end)]
        piece = text[start:end]
        if linear:
            logits, bias, contributions = _linear(model, piece, [(a - start, b - start) for a, b in tokens])  # type: ignore[arg-type]
        else:
            logits, bias, contributions = _occlusion(model, piece, [(a - start, b - start) for a, b in tokens])
        pieces.append(Piece(start, end, _by_label(logits), _by_label(bias)))
        words.extend(Word(a, b, text[a:b], _by_label(row), index) for (a, b), row in zip(tokens, contributions))
    return Explanation(text, model.info.name, "linear" if linear else "occlusion", tuple(words), tuple(pieces))


def _by_label(values: np.ndarray) -> dict[str, float]:
    return dict(zip(LABELS, map(float, values)))


def _occlusion(model: Model, piece: str, tokens: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    variants = [piece] + [piece[:a] + piece[b:] for a, b in tokens]
    logits = np.asarray(model.decision_function(variants), dtype=np.float64)
    return logits[0], np.zeros(len(LABELS)), logits[0] - logits[1:]


def _token_owners(normalized: str, tokens: list[tuple[int, int]], piece: str) -> np.ndarray:
    """For each white-space separated word of ``normalized``, the index of the original
    token (``piece[a:b]`` for ``(a, b)`` in ``tokens``) it came from."""
    from .text import normalize

    n_norm = len(normalized.split())
    origin = [k for k, (a, b) in enumerate(tokens) for _ in normalize(piece[a:b]).split()]
    if len(origin) == n_norm:
        return np.array(origin, dtype=np.int64)
    # normalising the whole text merged or split words differently: by position instead
    return (np.arange(n_norm) * max(len(tokens), 1) // max(n_norm, 1)).astype(np.int64)


def _linear(model: FastModel, piece: str, tokens: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from .models.features import _bucket, _char_ngram_windows, _word_parts
    from .text import normalize_batch

    config, weights = model.features, model._weighted_coef.astype(np.float64)
    normalized = normalize_batch([piece])[0]
    contributions = np.zeros((len(tokens), len(LABELS)))
    bias = model.intercept.astype(np.float64)
    if not normalized:
        return bias.copy(), bias, contributions
    # which normalised word each character belongs to (-1: a space), on the padded string
    # "\0 text \0" that the character n-grams are read from
    word_of_char = np.full(len(normalized) + 4, -1, dtype=np.int64)
    norm_words = list(_TOKEN_RE.finditer(normalized))
    for k, m in enumerate(norm_words):
        word_of_char[2 + m.start() : 2 + m.end()] = k
    norm_contrib = np.zeros((len(norm_words), len(LABELS)))
    hashes, starts, counts = _char_ngram_windows([normalized], config)
    total = int(counts.sum())
    for order_index, n in enumerate(range(config.char_ngram_min, config.char_ngram_max + 1)):
        count = int(counts[order_index, 0])
        if count == 0:
            continue
        first = int(starts[order_index, 0]) - order_index * hashes.shape[1]
        positions = np.arange(first, first + count)
        w = weights[_bucket(hashes[order_index, positions], config.n_features_log2)]
        owners = word_of_char[positions[:, None] + np.arange(n)]  # (windows, n)
        held = (owners >= 0).sum(axis=1)
        for j in range(n):
            mine = owners[:, j] >= 0
            np.add.at(norm_contrib, owners[mine, j], w[mine] / held[mine, None])
    word_rows, word_cols, _, bigram_cols = _word_parts([normalized], config)
    word_starts = [m.start() for m in re.finditer(r"\w+", normalized)]
    word_owner = word_of_char[2 + np.array(word_starts, dtype=np.int64)] if word_starts else np.zeros(0, dtype=np.int64)
    np.add.at(norm_contrib, word_owner, weights[word_cols])
    if len(bigram_cols):
        half = weights[bigram_cols] / 2
        np.add.at(norm_contrib, word_owner[:-1], half)
        np.add.at(norm_contrib, word_owner[1:], half)
    total += len(word_cols) + len(bigram_cols)
    norm_contrib /= np.sqrt(max(total, 1))
    if len(tokens):
        np.add.at(contributions, _token_owners(normalized, tokens, piece), norm_contrib)
    logits = bias + norm_contrib.sum(axis=0)
    return logits, bias, contributions
