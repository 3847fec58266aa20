"""Hashed character and word n-grams, computed for a whole batch at once in numpy.

scikit-learn's HashingVectorizer builds every n-gram as a Python string (about 200 us for a
tweet); here character n-grams are rolling hashes over one array of code points for the
whole batch, so a tweet costs a few microseconds. Word n-grams hash each word once with
CRC-32 (stable across processes and platforms, unlike Python's ``hash``).
"""

from __future__ import annotations

import functools
import re
import zlib
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import scipy.sparse as sp

_SEPARATOR = "\x00"  # never in normalised text: control characters are removed
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


def _bucket(hashes: np.ndarray, bits: int, dtype: type = np.int64) -> np.ndarray:
    """Multiply-shift: the top ``bits`` bits of hash * odd constant, as column indices."""
    with np.errstate(over="ignore"):
        return ((hashes * _MULTIPLIER) >> np.uint64(64 - bits)).astype(dtype)


def _ragged_index(starts: np.ndarray, lengths: np.ndarray, bound: int | None = None) -> np.ndarray:
    """``starts[0], starts[0] + 1, ... (lengths[0] of them), starts[1], ...``: the positions
    of many slices at once. Given a ``bound`` on the positions under 2**31, as int32: half
    the memory traffic of int64 for the largest arrays of a batch."""
    dtype = np.int32 if bound is not None and bound < 2**31 else np.int64
    before = np.cumsum(lengths) - lengths
    return np.repeat((starts - before).astype(dtype), lengths) + np.arange(int(lengths.sum()), dtype=dtype)


def _padded(texts: list[str]) -> str:
    """The texts joined for character n-grams: each padded with a space at both ends, so that
    word starts and ends are features of their own, and separated by ``_SEPARATOR``."""
    if texts and all(texts):  # every text padded the same way: one join, no per-text formatting
        return f"{_SEPARATOR} " + f" {_SEPARATOR} ".join(texts) + f" {_SEPARATOR}"
    return _SEPARATOR + _SEPARATOR.join(f" {text} " if text else "" for text in texts) + _SEPARATOR


def _padded_from_joined(joined: str, n: int) -> str:
    """`_padded` of the ``n`` texts that ``joined`` holds, separated by newlines (none of
    them holding one), made with one replace where none is empty."""
    if n and joined and "\n\n" not in joined and joined[0] != "\n" and joined[-1] != "\n":
        return f"{_SEPARATOR} " + joined.replace("\n", f" {_SEPARATOR} ") + f" {_SEPARATOR}"
    return _padded(joined.split("\n") if n else [])


def _char_ngram_windows(texts: list[str], config: FeatureConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Salted hash of every window of every character n-gram order over the joined texts,
    shape (orders, positions), with where each text's windows start (same shape as the
    counts) and how many there are per order and text, shape (orders, texts). Texts are
    padded with a space at both ends so that word starts and ends are features of their own;
    windows that reach into another text are computed but never used."""
    return _windows(_padded(texts), config, bucketed=False)


def _windows(padded: str, config: FeatureConfig, bucketed: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_char_ngram_windows` of texts already joined by `_padded`; with ``bucketed``, each
    window's column (int32, as `_bucket` gives it) instead of its hash, computed order by
    order, so that no array of every hash is written and read again."""
    codes = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    separators = np.flatnonzero(codes == 0)  # len(texts) + 1 of them: text r lies between r and r + 1
    lengths = separators[1:] - separators[:-1] - 1
    orders = np.arange(config.char_ngram_min, config.char_ngram_max + 1)
    hashes = np.zeros((len(orders), len(codes)), dtype=np.int32 if bucketed else np.uint64)
    rolling = np.zeros(len(codes), dtype=np.uint64)
    shift = np.uint64(64 - config.n_features_log2)
    with np.errstate(over="ignore"):
        for n in range(1, config.char_ngram_max + 1):
            # rolling[i] = hash of codes[i : i + n]
            rolling = rolling[: len(codes) - n + 1] * _MULTIPLIER + codes[n - 1 :]
            if n >= config.char_ngram_min:
                salted = rolling + np.uint64(n) * _ORDER_SALT
                if bucketed:  # _bucket, written straight into its row
                    salted *= _MULTIPLIER
                    salted >>= shift
                hashes[n - config.char_ngram_min, : len(rolling)] = salted
    # windows of order n in text r: those starting at separators[r] + 1, up to n - 1 before its end
    counts = np.maximum(lengths[None, :] - orders[:, None] + 1, 0)
    starts = np.arange(len(orders))[:, None] * len(codes) + separators[None, :-1] + 1
    return hashes, starts, counts


def _char_ngrams(texts: list[str], config: FeatureConfig) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of every character n-gram, by order, then row, then position."""
    hashes, starts, counts = _char_ngram_windows(texts, config)
    rows = np.repeat(np.tile(np.arange(len(texts)), len(counts)), counts.ravel())
    return rows, _bucket(hashes.ravel()[_ragged_index(starts.ravel(), counts.ravel())], config.n_features_log2)


# Words: maximal runs of characters that `re`'s \w matches, each hashed with CRC-32 of its
# UTF-8 bytes. Both are computed for the whole batch in numpy. CRC-32 is affine over GF(2):
# crc(b_0 ... b_{L-1}) = K[L] ^ V[L-1-0][b_0] ^ ... ^ V[0][b_{L-1}], where V[d][b] is byte b's
# contribution from d bytes before the end and K[L] that of the initial register. Words of
# more than _CRC_MAX_BYTES bytes (rare: a run of Han characters, say) are hashed by zlib.
_CRC_MAX_BYTES = 64


@functools.lru_cache(maxsize=1)
def _word_characters() -> np.ndarray:
    """For every code point, whether `re`'s \\w matches it (as `re` itself says)."""
    every = np.arange(0x110000, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    table = np.zeros(0x110000, dtype=bool)
    for match in re.finditer(r"\w+", every):
        table[match.start() : match.end()] = True
    return table


@functools.lru_cache(maxsize=1)
def _crc_tables() -> tuple[np.ndarray, np.ndarray]:
    """V (_CRC_MAX_BYTES, 256) and K (_CRC_MAX_BYTES + 1,) as above, checked against zlib."""
    table = np.array([zlib.crc32(bytes([b])) ^ zlib.crc32(b"\x00") for b in range(256)], dtype=np.uint32)  # T[b]

    def step(x: np.ndarray) -> np.ndarray:  # one byte of zeros through the register
        return table[x & 0xFF] ^ (x >> 8)

    contributions = [table]
    for _ in range(_CRC_MAX_BYTES - 1):
        contributions.append(step(contributions[-1]))
    registers = [np.uint32(0xFFFFFFFF)]
    for _ in range(_CRC_MAX_BYTES):
        registers.append(step(np.array(registers[-1])))
    by_distance, by_length = np.stack(contributions), np.array(registers, dtype=np.uint32) ^ np.uint32(0xFFFFFFFF)
    sample = "hate kill 1234 ça مرحبا 我们 x" * 2
    for word in sample.split() + [sample.replace(" ", "")[:_CRC_MAX_BYTES // 4]]:
        data = np.frombuffer(word.encode("utf-8"), dtype=np.uint8)
        value = by_length[len(data)] ^ np.bitwise_xor.reduce(by_distance[np.arange(len(data))[::-1], data])
        if int(value) != zlib.crc32(data.tobytes()):
            raise RuntimeError("vectorised CRC-32 disagrees with zlib")
    return by_distance, by_length


_FEW_ROWS = 16
"""Below this many texts, per-text Python beats the setting up of numpy's whole-batch work."""
_WORD_RE = re.compile(r"\w+")


def _word_hashes(joined: str) -> tuple[np.ndarray, np.ndarray]:
    """Row and CRC-32 (uint64) of every word of texts joined by newlines."""
    if joined.count("\n") < _FEW_ROWS:
        found = [(row, zlib.crc32(word.encode("utf-8"))) for row, text in enumerate(joined.split("\n")) for word in _WORD_RE.findall(text)]
        return np.array([r for r, _ in found], dtype=np.int64), np.array([h for _, h in found], dtype=np.uint64)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    is_word = _word_characters()[codes]
    edges = np.diff(is_word.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    first, end = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # characters [first, end)
    rows = np.searchsorted(np.flatnonzero(codes == 10), first)  # newlines before each word
    if not len(first):
        return rows, np.zeros(0, dtype=np.uint64)
    data = np.frombuffer(joined.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    if len(data) == len(codes):  # ASCII: a character is a byte
        start, length = first, end - first
    else:  # byte offsets: characters before, plus the bytes beyond the first of each
        # (UTF-8 bytes of a character: surrogates as 3, as "surrogatepass" writes them)
        extra = (codes >= 0x80).astype(np.int32)
        extra += codes >= 0x800
        extra += codes >= 0x10000
        byte_at = np.zeros(len(codes) + 1, dtype=np.int64)
        np.cumsum(extra, out=byte_at[1:])
        start, length = first + byte_at[first], end - first + byte_at[end] - byte_at[first]
    hashes = np.zeros(len(first), dtype=np.uint64)
    short = length <= _CRC_MAX_BYTES
    by_distance, by_length = _crc_tables()
    s_start, s_length = start[short], length[short]
    positions = _ragged_index(s_start, s_length, bound=len(data))
    # bytes from the end of its word: for each word, length - 1 down to 0
    distance = np.repeat((s_start + s_length - 1).astype(positions.dtype), s_length) - positions
    distance <<= 8
    distance += data[positions]
    values = by_distance.ravel()[distance]
    offsets = np.cumsum(s_length) - s_length
    hashes[short] = np.bitwise_xor.reduceat(values, offsets) ^ by_length[s_length] if len(offsets) else []
    for k in np.flatnonzero(~short).tolist():
        hashes[k] = zlib.crc32(data[start[k] : start[k] + length[k]].tobytes())
    return rows, hashes


def _word_parts(texts: list[str], config: FeatureConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows and columns of every word, then of every word bigram, in row order; words found
    in one pass over the batch."""
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:  # a newline inside a text: not normalised text
        joined = "\n".join(text.replace("\n", " ") for text in texts)
    return _joined_word_parts(joined, config)


def _joined_word_parts(joined: str, config: FeatureConfig, dtype: type = np.int64) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`_word_parts` of texts joined by newlines; columns as ``dtype``."""
    rows, word_hash = _word_hashes(joined)
    cols = _bucket(word_hash + _WORD_SALT, config.n_features_log2, dtype)
    if config.word_ngram_max < 2 or len(word_hash) < 2:
        return rows, cols, rows[:0], cols[:0]
    same_row = rows[1:] == rows[:-1]
    with np.errstate(over="ignore"):
        bigram = word_hash[:-1] * _MULTIPLIER + word_hash[1:] + _BIGRAM_SALT
    return rows, cols, rows[1:][same_row], _bucket(bigram[same_row], config.n_features_log2, dtype)


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
    import scipy.sparse as sp  # on first use: a third of the fast model's load time otherwise

    matrix = sp.csr_matrix((values, (rows, cols)), shape=(len(texts), config.n_features))
    matrix.sum_duplicates()
    return matrix


def document_frequency(texts: list[str], config: FeatureConfig, occurrences: Occurrences | None = None) -> np.ndarray:
    """Number of texts each hashed n-gram occurs in."""
    rows, cols = occurrences if occurrences is not None else ngram_occurrences(texts, config)
    pairs = np.unique(rows * config.n_features + cols)
    return np.bincount(pairs % config.n_features, minlength=config.n_features)


_TEMPORARIES_BYTES = 8 << 20


@functools.lru_cache(maxsize=1)
def _heap_for_temporaries() -> None:
    """Let the C allocator keep the scoring's temporary arrays (a few MB each for a batch of
    tweets) on its heap. glibc's malloc maps every block above 128 kB afresh and unmaps it
    when freed, so each call would pay a page fault per 4 kB of every temporary: scoring ran
    at half speed. glibc raises that threshold to the size of the largest mapped block freed
    so far, and then keeps up to twice that free on the heap (mallopt(3), "dynamic mmap
    threshold"); freeing one 8 MB block here does that once per process, as decompressing
    the weights at load used to do by chance. Elsewhere it costs a malloc and a free."""
    block = np.empty(_TEMPORARIES_BYTES, dtype=np.uint8)  # not touched: no page is mapped in
    del block


def linear_scores(texts: list[str], config: FeatureConfig, weighted_coef: np.ndarray) -> np.ndarray:
    """``feature_matrix(texts, config, idf) @ coef``, given ``weighted_coef = idf[:, None] *
    coef``, computed faster: see `joined_linear_scores`."""
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:  # a newline inside a text: not normalised text
        joined = "\n".join(text.replace("\n", " ") for text in texts)
        # the character n-grams see the newline, as `ngram_occurrences` does
        return _linear_scores(_padded(texts), joined, len(texts), config, weighted_coef)
    return joined_linear_scores(joined, len(texts), config, weighted_coef)


def joined_linear_scores(joined: str, n: int, config: FeatureConfig, weighted_coef: np.ndarray) -> np.ndarray:
    """`linear_scores` of ``n`` normalised texts joined by newlines (as
    `extremism_nlp.text.normalize_joined` gives them: no list of the batch's strings is made).

    Repeated n-grams are left as separate entries (the product sums them anyway), and the
    length scaling is applied to the (n, labels) result instead of every entry. Each row's
    entries are its character n-grams by order, then its words, then its word bigrams, so
    that every row is summed in the same order whatever the batch."""
    return _linear_scores(_padded_from_joined(joined, n), joined, n, config, weighted_coef)


def _linear_scores(padded: str, joined: str, n: int, config: FeatureConfig, weighted_coef: np.ndarray) -> np.ndarray:
    if n == 0:
        return np.zeros((0, weighted_coef.shape[1]), dtype=weighted_coef.dtype)
    _heap_for_temporaries()
    char_cols, char_starts, char_counts = _windows(padded, config, bucketed=True)
    word_rows, word_cols, bigram_rows, bigram_cols = _joined_word_parts(joined, config, np.int32)
    # Every window's column (those never used included: cheaper than picking them first),
    # then each row takes its slices in turn: the CSR matrix's rows, built without sorting.
    source = np.concatenate([char_cols.ravel(), word_cols, bigram_cols])
    word_counts, bigram_counts = np.bincount(word_rows, minlength=n), np.bincount(bigram_rows, minlength=n)
    word_starts = char_cols.size + np.cumsum(word_counts) - word_counts
    bigram_starts = char_cols.size + len(word_cols) + np.cumsum(bigram_counts) - bigram_counts
    starts = np.concatenate([char_starts, word_starts[None, :], bigram_starts[None, :]]).T
    counts = np.concatenate([char_counts, word_counts[None, :], bigram_counts[None, :]]).T
    columns = source[_ragged_index(starts.ravel(), counts.ravel(), bound=len(source))]
    per_row = counts.sum(axis=1)
    indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(per_row, out=indptr[1:])
    if n < _FEW_ROWS:
        # A sparse matrix costs more to build than a few rows cost to sum; a running sum adds
        # the rows' weights one after another, as the sparse product does, to the same bits.
        scores = np.zeros((n, weighted_coef.shape[1]), dtype=weighted_coef.dtype)
        for row, (start, end) in enumerate(zip(indptr[:-1].tolist(), indptr[1:].tolist())):
            if end > start:
                scores[row] = np.cumsum(weighted_coef[columns[start:end]], axis=0)[-1]
    else:
        import scipy.sparse as sp  # on first use: a third of the fast model's load time otherwise

        occurrences = sp.csr_matrix((np.ones(len(columns), dtype=np.float32), columns, indptr), shape=(n, config.n_features))
        scores = occurrences @ weighted_coef
    return scores * _length_scale(per_row)[:, None]
