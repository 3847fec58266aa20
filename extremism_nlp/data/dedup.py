"""Duplicate removal that keeps evaluation honest.

Two texts are duplicates when their ``dedup_key`` (normalised, placeholders and punctuation
removed) is equal, or near duplicates when the Jaccard similarity of their character
5-gram sets is at least ``NEAR_DUPLICATE_JACCARD`` (found with MinHash and banded LSH, then
checked on the MinHash estimate). When copies straddle splits, the copy in the more
evaluative split stays (test over validation over train), so official test sets stay whole.
Within one split, only the first copy of an exact duplicate stays.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

NEAR_DUPLICATE_JACCARD = 0.8
SHINGLE = 5
MIN_NEAR_KEY_CHARS = 24
"""Shorter keys are only matched exactly: a few shared 5-grams say little about short texts."""
_N_HASHES = 64
_BANDS = 16  # 16 bands of 4 rows: pairs at J=0.8 share a band with p > 0.999, at J=0.4 with p ~ 0.34
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_RANK = {"test": 0, "validation": 1, "train": 2}


def _minhash_signatures(keys: Sequence[str]) -> np.ndarray:
    """MinHash signature (n, _N_HASHES) of the character 5-gram set of each key.

    All keys are hashed in one pass over their concatenation; each key's minimum is taken
    with ``np.minimum.reduceat`` (a minimum over a multiset equals that over its set).
    Every key must have at least ``SHINGLE`` characters.
    """
    rng = np.random.default_rng(1729)
    # (a * x + b) mod 2^32 with odd a permutes 32-bit values: cheap stand-ins for random
    # permutations, good enough to find copies (no division, half the memory of 64 bits).
    a = rng.integers(0, 2**31, size=_N_HASHES, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = rng.integers(0, 2**32, size=_N_HASHES, dtype=np.uint32)
    powers = _MULTIPLIER ** np.arange(SHINGLE, dtype=np.uint64)  # wraps modulo 2^64 by design
    codes = np.frombuffer("".join(keys).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(key) for key in keys), dtype=np.int64, count=len(keys))
    key_starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    with np.errstate(over="ignore"):
        hashed = np.lib.stride_tricks.sliding_window_view(codes, SHINGLE) @ powers
        hashed = ((hashed ^ (hashed >> np.uint64(29))) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    # Windows that start in one key and end in the next are not shingles of either key.
    window_starts = np.concatenate([np.arange(start, start + length - SHINGLE + 1) for start, length in zip(key_starts, lengths)])
    hashed = hashed[window_starts]
    offsets = np.concatenate(([0], np.cumsum(lengths - SHINGLE + 1)[:-1]))
    signatures = np.empty((len(keys), _N_HASHES), dtype=np.uint32)
    with np.errstate(over="ignore"):
        for k in range(_N_HASHES):
            signatures[:, k] = np.minimum.reduceat(a[k] * hashed + b[k], offsets)
    return signatures


def near_duplicate_pairs(keys: Sequence[str]) -> list[tuple[int, int]]:
    """Index pairs of keys whose estimated 5-gram Jaccard similarity is at least the threshold."""
    candidates = [i for i, key in enumerate(keys) if len(key) >= MIN_NEAR_KEY_CHARS]
    if len(candidates) < 2:
        return []
    signatures = _minhash_signatures([keys[i] for i in candidates])
    rows = _N_HASHES // _BANDS
    pairs: set[tuple[int, int]] = set()
    for band in range(_BANDS):
        # One 64-bit key per band; equal keys are neighbours once sorted.
        block = signatures[:, band * rows : (band + 1) * rows].astype(np.uint64)
        with np.errstate(over="ignore"):
            band_key = np.zeros(len(candidates), dtype=np.uint64)
            for column in range(rows):
                band_key = (band_key * _MULTIPLIER) ^ block[:, column]
        order = np.argsort(band_key, kind="stable")
        same = band_key[order[1:]] == band_key[order[:-1]]
        pairs.update(zip(order[:-1][same].tolist(), order[1:][same].tolist()))
    result = []
    for i, j in pairs:
        similarity = float(np.mean(signatures[i] == signatures[j]))
        if similarity >= NEAR_DUPLICATE_JACCARD:
            result.append((candidates[i], candidates[j]))
    return sorted(result)


def deduplicate(keys: Sequence[str], splits: Sequence[str]) -> tuple[np.ndarray, Counter]:
    """Mask of rows to keep and the counts of what was removed, by reason."""
    keep = np.ones(len(keys), dtype=bool)
    removed: Counter = Counter()

    by_key: dict[str, list[int]] = defaultdict(list)
    for index, key in enumerate(keys):
        by_key[key].append(index)
    for members in by_key.values():
        if len(members) == 1:
            continue
        best = min(_RANK[splits[i]] for i in members)
        kept_one = False
        for i in members:
            if _RANK[splits[i]] > best:
                keep[i] = False
                removed[f"exact duplicate of a {_split_name(best)} text, removed from {splits[i]}"] += 1
            elif kept_one:
                keep[i] = False
                removed[f"exact duplicate within {splits[i]}"] += 1
            else:
                kept_one = True

    survivors = np.flatnonzero(keep)
    for i, j in near_duplicate_pairs([keys[int(k)] for k in survivors]):
        a, b = survivors[i], survivors[j]
        if splits[a] == splits[b] or not (keep[a] and keep[b]):
            continue  # near duplicates inside one split do not leak
        loser = a if _RANK[splits[a]] > _RANK[splits[b]] else b
        winner = b if loser == a else a
        keep[loser] = False
        removed[f"near duplicate of a {splits[winner]} text, removed from {splits[loser]}"] += 1
    return keep, removed


def _split_name(rank: int) -> str:
    return next(name for name, value in _RANK.items() if value == rank)
