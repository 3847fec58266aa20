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


def _char_ngrams(texts: list[str], config: FeatureConfig) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of every character n-gram; texts padded with a space at both ends so
    that word starts and ends are features of their own."""
    joined = _SEPARATOR + _SEPARATOR.join(f" {text} " if text else "" for text in texts) + _SEPARATOR
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    is_separator = codes == 0
    separators_before = np.cumsum(is_separator)  # row of position i is separators_before[i] - 1
    rows_out, cols_out = [], []
    rolling = np.zeros(len(codes), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for n in range(1, config.char_ngram_max + 1):
            # rolling[i] = hash of codes[i : i + n]
            length = len(codes) - n + 1
            rolling = rolling[:length] * _MULTIPLIER + codes[n - 1 :]
            if n < config.char_ngram_min:
                continue
            starts = np.arange(length)
            # A window is valid when it holds no separator: same count before its first and
            # after its last position, and its first position is not a separator.
            valid = (separators_before[n - 1 :] == separators_before[:length]) & ~is_separator[:length]
            starts = starts[valid]
            rows_out.append(separators_before[starts] - 1)
            cols_out.append(_bucket(rolling[valid] + np.uint64(n) * _ORDER_SALT, config.n_features_log2))
    return np.concatenate(rows_out), np.concatenate(cols_out)


_WORD_HASHES: dict[str, int] = {}
_WORD_HASHES_MAX = 1 << 20


def _word_hash(word: str) -> int:
    # Words repeat across texts: a dict lookup is several times cheaper than CRC-32 of
    # the encoded word. Bounded, and safe under threads (dict get/set are atomic).
    value = _WORD_HASHES.get(word)
    if value is None:
        if len(_WORD_HASHES) >= _WORD_HASHES_MAX:
            _WORD_HASHES.clear()
        value = _WORD_HASHES[word] = zlib.crc32(word.encode("utf-8"))
    return value


def _word_ngrams(texts: list[str], config: FeatureConfig) -> tuple[np.ndarray, np.ndarray]:
    hashes: list[int] = []
    word_rows: list[int] = []
    for row, text in enumerate(texts):
        words = _WORD_RE.findall(text)
        hashes.extend(map(_word_hash, words))
        word_rows.extend([row] * len(words))
    if not hashes:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    word_hash = np.asarray(hashes, dtype=np.uint64)
    rows_arr = np.asarray(word_rows, dtype=np.int64)
    rows, cols = [rows_arr], [_bucket(word_hash + _WORD_SALT, config.n_features_log2)]
    if config.word_ngram_max >= 2 and len(word_hash) > 1:
        same_row = rows_arr[1:] == rows_arr[:-1]
        with np.errstate(over="ignore"):
            bigram = word_hash[:-1] * _MULTIPLIER + word_hash[1:] + _BIGRAM_SALT
        rows.append(rows_arr[1:][same_row])
        cols.append(_bucket(bigram[same_row], config.n_features_log2))
    return np.concatenate(rows), np.concatenate(cols)


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
    them anyway), so the matrix needs no sorting, and the length scaling is applied to the
    (n, labels) result instead of every entry."""
    rows, cols = ngram_occurrences(texts, config)
    # CSR built directly: rows come in a few sorted runs (one per n-gram order), which a
    # stable sort merges cheaply; going through COO would sort every row's columns too.
    order = np.argsort(rows, kind="stable")
    counts = np.bincount(rows, minlength=len(texts))
    indptr = np.concatenate(([0], np.cumsum(counts)))
    occurrences = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), cols[order], indptr), shape=(len(texts), config.n_features)
    )
    return (occurrences @ weighted_coef) * _length_scale(counts)[:, None]
