"""Hashed character and word n-grams, computed for a whole batch at once in numpy.

scikit-learn's HashingVectorizer builds every n-gram as a Python string (about 200 us for a
tweet); here character n-grams are rolling hashes over one array of code points for the
whole batch, so a tweet costs a few microseconds. Word n-grams hash each word once with
CRC-32 (stable across processes and platforms, unlike Python's ``hash``).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import asdict, dataclass

import numpy as np
import scipy.sparse as sp

_SEPARATOR = "\x00"  # never in normalised text: control characters are removed
_WORD_RE = re.compile(r"\w+")
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant (golden ratio)
_ORDER_SALT = np.uint64(0xD6E8FEB86659FD93)
_WORD_SALT = np.uint64(0xA0761D6478BD642F)
_BIGRAM_SALT = np.uint64(0xE7037ED1A0B428DB)


@dataclass(frozen=True)
class FeatureConfig:
    """What the hashed feature space holds; stored in the model's config.json."""

    n_features_log2: int = 19
    char_ngram_min: int = 2
    char_ngram_max: int = 5
    word_ngram_max: int = 2

    @property
    def n_features(self) -> int:
        return 1 << self.n_features_log2

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def _bucket(hashes: np.ndarray, bits: int) -> np.ndarray:
    """Multiply-shift: the top ``bits`` bits of hash * odd constant, as column indices."""
    with np.errstate(over="ignore"):
        return ((hashes * _MULTIPLIER) >> np.uint64(64 - bits)).astype(np.int64)


def _ragged_index(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``starts[0], starts[0] + 1, ... (lengths[0] of them), starts[1], ...``: the positions
    of many slices at once."""
    before = np.cumsum(lengths) - lengths
    return np.repeat(starts - before, lengths) + np.arange(int(lengths.sum()))


def _char_ngram_windows(texts: list[str], config: FeatureConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Salted hash of every window of every character n-gram order over the joined texts,
    shape (orders, positions), with where each text's windows start (same shape as the
    counts) and how many there are per order and text, shape (orders, texts). Texts are
    padded with a space at both ends so that word starts and ends are features of their own;
    windows that reach into another text are computed but never used."""
    joined = _SEPARATOR + _SEPARATOR.join(f" {text} " if text else "" for text in texts) + _SEPARATOR
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    separators = np.flatnonzero(codes == 0)  # len(texts) + 1 of them: text r lies between r and r + 1
    lengths = separators[1:] - separators[:-1] - 1
    orders = np.arange(config.char_ngram_min, config.char_ngram_max + 1)
    hashes = np.zeros((len(orders), len(codes)), dtype=np.uint64)
    rolling = np.zeros(len(codes), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for n in range(1, config.char_ngram_max + 1):
            # rolling[i] = hash of codes[i : i + n]
            rolling = rolling[: len(codes) - n + 1] * _MULTIPLIER + codes[n - 1 :]
            if n >= config.char_ngram_min:
                hashes[n - config.char_ngram_min, : len(rolling)] = rolling + np.uint64(n) * _ORDER_SALT
    # windows of order n in text r: those starting at separators[r] + 1, up to n - 1 before its end
    counts = np.maximum(lengths[None, :] - orders[:, None] + 1, 0)
    starts = np.arange(len(orders))[:, None] * len(codes) + separators[None, :-1] + 1
    return hashes, starts, counts


def _char_ngrams(texts: list[str], config: FeatureConfig) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of every character n-gram, by order, then row, then position."""
    hashes, starts, counts = _char_ngram_windows(texts, config)
    rows = np.repeat(np.tile(np.arange(len(texts)), len(counts)), counts.ravel())
    return rows, _bucket(hashes.ravel()[_ragged_index(starts.ravel(), counts.ravel())], config.n_features_log2)


# CRC-32 of words already seen. Words repeat across texts: a dict lookup is several times
# cheaper than CRC-32 of the encoded word. Bounded: when full, a fresh dict replaces it (a
# dict is never cleared while another thread may read it). The newline that separates
# texts maps to a value that no CRC-32 takes.
_ROW_END = 1 << 32
_WORD_HASHES: dict[str, int] = {"\n": _ROW_END}
_WORD_HASHES_MAX = 1 << 16  # about 10 MB
_WORD_OR_ROW_END_RE = re.compile(r"\w+|\n")


def _hash_words(tokens: list[str]) -> np.ndarray:
    """CRC-32 of each word (``_ROW_END`` for a newline), the new words of the batch hashed
    once each."""
    global _WORD_HASHES
    cache = _WORD_HASHES
    unique = set(tokens)
    new = unique.difference(cache)
    if new:
        if len(cache) + len(new) > _WORD_HASHES_MAX:
            cache = _WORD_HASHES = {"\n": _ROW_END}
            new = unique.difference(cache)
        cache.update([(word, zlib.crc32(word.encode("utf-8"))) for word in new])
    return np.fromiter(map(cache.__getitem__, tokens), dtype=np.uint64, count=len(tokens))


def _word_parts(texts: list[str], config: FeatureConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows and columns of every word, then of every word bigram, in row order; words found
    in one pass over the batch."""
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:  # a newline inside a text: not normalised text
        joined = "\n".join(text.replace("\n", " ") for text in texts)
    tokens = _hash_words(_WORD_OR_ROW_END_RE.findall(joined))
    is_end = tokens == _ROW_END
    word_hash = tokens[~is_end]
    rows = np.cumsum(is_end)[~is_end]
    cols = _bucket(word_hash + _WORD_SALT, config.n_features_log2)
    if config.word_ngram_max < 2 or len(word_hash) < 2:
        return rows, cols, rows[:0], cols[:0]
    same_row = rows[1:] == rows[:-1]
    with np.errstate(over="ignore"):
        bigram = word_hash[:-1] * _MULTIPLIER + word_hash[1:] + _BIGRAM_SALT
    return rows, cols, rows[1:][same_row], _bucket(bigram[same_row], config.n_features_log2)


def _word_ngrams(texts: list[str], config: FeatureConfig) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of every word, then of every word bigram."""
    word_rows, word_cols, bigram_rows, bigram_cols = _word_parts(texts, config)
    return np.concatenate([word_rows, bigram_rows]), np.concatenate([word_cols, bigram_cols])


def ngram_occurrences(texts: list[str], config: FeatureConfig) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of every n-gram occurrence of normalised texts (repeats included)."""
    if not texts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    char_rows, char_cols = _char_ngrams(texts, config)
    word_rows, word_cols = _word_ngrams(texts, config)
    return np.concatenate([char_rows, word_rows]), np.concatenate([char_cols, word_cols])


Occurrences = tuple[np.ndarray, np.ndarray]
"""Rows and columns of every n-gram occurrence, as `ngram_occurrences` returns them."""


def _length_scale(counts: np.ndarray) -> np.ndarray:
    """1 / sqrt(number of n-gram occurrences) per text: the length normalisation. Applied
    per text, it needs no grouping of repeated n-grams, so inference can skip building a
    sparse matrix."""
    return 1.0 / np.sqrt(np.maximum(counts, 1)).astype(np.float32)


def feature_matrix(
    texts: list[str], config: FeatureConfig, idf: np.ndarray, occurrences: Occurrences | None = None
) -> sp.csr_matrix:
    """Sparse (n_texts, n_features) matrix of tf * idf / sqrt(length), for training.
    ``occurrences`` of these texts, when already computed, are reused."""
    rows, cols = occurrences if occurrences is not None else ngram_occurrences(texts, config)
    scale = _length_scale(np.bincount(rows, minlength=len(texts)))
    values = (idf[cols] * scale[rows]).astype(np.float32)
    matrix = sp.csr_matrix((values, (rows, cols)), shape=(len(texts), config.n_features))
    matrix.sum_duplicates()
    return matrix


def document_frequency(texts: list[str], config: FeatureConfig, occurrences: Occurrences | None = None) -> np.ndarray:
    """Number of texts each hashed n-gram occurs in."""
    rows, cols = occurrences if occurrences is not None else ngram_occurrences(texts, config)
    pairs = np.unique(rows * config.n_features + cols)
    return np.bincount(pairs % config.n_features, minlength=config.n_features)


def linear_scores(texts: list[str], config: FeatureConfig, weighted_coef: np.ndarray) -> np.ndarray:
    """``feature_matrix(texts, config, idf) @ coef``, given ``weighted_coef = idf[:, None] *
    coef``, computed faster: repeated n-grams are left as separate entries (the product sums
    them anyway), and the length scaling is applied to the (n, labels) result instead of
    every entry. Each row's entries are its character n-grams by order, then its words, then
    its word bigrams, so that every row is summed in the same order whatever the batch."""
    n = len(texts)
    if n == 0:
        return np.zeros((0, weighted_coef.shape[1]), dtype=weighted_coef.dtype)
    hashes, char_starts, char_counts = _char_ngram_windows(texts, config)
    word_rows, word_cols, bigram_rows, bigram_cols = _word_parts(texts, config)
    # Every window's column (those never used included: cheaper than picking them first),
    # then each row takes its slices in turn: the CSR matrix's rows, built without sorting.
    source = np.concatenate([_bucket(hashes.ravel(), config.n_features_log2), word_cols, bigram_cols])
    word_counts, bigram_counts = np.bincount(word_rows, minlength=n), np.bincount(bigram_rows, minlength=n)
    word_starts = hashes.size + np.cumsum(word_counts) - word_counts
    bigram_starts = hashes.size + len(word_cols) + np.cumsum(bigram_counts) - bigram_counts
    starts = np.concatenate([char_starts, word_starts[None, :], bigram_starts[None, :]]).T
    counts = np.concatenate([char_counts, word_counts[None, :], bigram_counts[None, :]]).T
    columns = source[_ragged_index(starts.ravel(), counts.ravel())].astype(np.int32)
    per_row = counts.sum(axis=1)
    indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(per_row, out=indptr[1:])
    occurrences = sp.csr_matrix((np.ones(len(columns), dtype=np.float32), columns, indptr), shape=(n, config.n_features))
    return (occurrences @ weighted_coef) * _length_scale(per_row)[:, None]
