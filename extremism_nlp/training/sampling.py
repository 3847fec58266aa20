"""Which training rows a run uses and how much each weighs: deterministic samples and
per-language weights, and a split's columns as arrays."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np


def language_weights(langs: list[str], exponent: float) -> np.ndarray:
    """Sample weights (mean 1) that lift rare languages: (n_all / n_lang) ** exponent."""
    values, inverse, counts = np.unique(np.asarray(langs), return_inverse=True, return_counts=True)
    weights = (len(langs) / counts[inverse]) ** exponent
    return weights / weights.mean()


def group_stream(seed: int, group: str) -> np.random.Generator:
    """The random stream of one sample group: fixed by the seed and the group's name alone."""
    # Not `data.splits.stable_hash` (blake2b): the probes recorded with group_streams drew
    # with this SHA-256 key, and must draw the same rows again.
    return np.random.default_rng([seed, int.from_bytes(hashlib.sha256(group.encode("utf-8")).digest()[:8], "little")])


def split_arrays(split: Any) -> tuple[list[str], np.ndarray, list[str], list[str], np.ndarray]:
    """Texts, labels, languages, sources and label masks of a corpus split."""
    return (
        list(split["text"]),
        np.asarray(split["labels"], dtype=np.int8),
        list(split["lang"]),
        list(split["source"]),
        np.asarray(split["label_mask"], dtype=np.int8),
    )


def sample(split: Any, max_rows: int | None, seed: int = 13) -> Any:
    """At most ``max_rows`` rows of ``split``, drawn at random with ``seed``; all of them
    when there are no more."""
    if max_rows is None or len(split) <= max_rows:
        return split
    return split.shuffle(seed=seed).select(range(max_rows))


def written_rows(split: Any, kinds: tuple[str, ...]) -> np.ndarray:
    """Rows of a split written for the project (source ``project_written``) of these kinds."""
    return np.array([source == "project_written" and kind in kinds for source, kind in zip(split["source"], split["source_label"])], dtype=bool)


SAMPLE_WEIGHT = "sample_weight"
"""Column of a split that is a drawn training sample already, holding each row's weight
(protocol folds remove held-out rows from the sample a recipe drew: `training.run.protocol_corpus`)."""


def carried_sample(split: Any) -> tuple[Any, np.ndarray] | None:
    """A split's rows and weights when it carries a drawn sample's weights, else None. The
    weights are brought to a mean of 1 again: over all rows, or, for several draws (one
    column each, `draws_union`), over each draw's own rows."""
    if SAMPLE_WEIGHT not in split.column_names:
        return None
    weights = np.asarray(split[SAMPLE_WEIGHT], dtype=np.float64)
    if weights.ndim == 2:
        drawn = weights > 0
        scale = np.divide(drawn.sum(0), weights.sum(0), out=np.zeros(weights.shape[1]), where=drawn.any(0))
        return split.remove_columns(SAMPLE_WEIGHT), (weights * scale).astype(np.float32)
    return split.remove_columns(SAMPLE_WEIGHT), (weights / weights.mean()).astype(np.float32)


def language_sample(split: Any, max_rows: int | None, exponent: float, seed: int = 13, **options: Any) -> tuple[Any, np.ndarray]:
    """A training sample of at most ``max_rows`` rows and its sample weights (mean 1): the
    rows `sample_rows` draws (``options``: its ``by``, ``min_group_rows``, ``group_streams``)."""
    rows, weights = sample_rows(split, max_rows, exponent, seed, **options)
    return split.select(rows.tolist()), weights


def sample_rows(
    split: Any,
    max_rows: int | None,
    exponent: float,
    seed: int = 13,
    by: tuple[str, ...] = ("lang",),
    min_group_rows: int | None = None,
    group_streams: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """The sorted indices of at most ``max_rows`` rows of ``split`` and their sample weights (mean 1).

    Rows are grouped by the columns ``by`` (the language, or source and language). Each
    group's target share of the loss is what `language_weights` gives it over the
    whole split (proportional to n_lang ** (1 - exponent)). A capped sample follows that mix as far
    as each language's rows allow (a small language is taken whole and the rest shared out
    again), so that a short run spends its steps where the weights would put them anyway;
    the weights make up for what the rows could not.

    With ``min_group_rows``, a group of fewer rows gets only n / min_group_rows of the
    share it would have: no row weighs more than a row of a group that size. Why: a
    source's few rows in a stray language (pro-ISIS tweets detected as Swahili, Spanish or
    Dutch: "wa feek", "Trust nobody on twitter") each formed a group, so 130 tweets in 28
    such groups weighed as much as 28 whole corpora, a third of the sample's weight.

    With ``group_streams``, each group's rows are drawn from a random stream of its own
    (`group_stream`) instead of one stream shared in the groups' order. Why: with one
    stream, rows added to one group shift the draw of every group after it, so two recipes
    that differ by a written round are compared on different rows of every other source,
    and that re-draw alone moved a cross-lingual figure by 0.05, five times the margin a
    decision allowed
    (docs/MODELS.md, "Probe: an eleventh written round, posts as written").
    """
    langs = np.asarray(["|".join(key) for key in zip(*(split[column] for column in by))])
    values, inverse, counts = np.unique(langs, return_inverse=True, return_counts=True)
    target = np.bincount(inverse, weights=language_weights(list(langs), exponent))
    if min_group_rows:
        target = target * np.minimum(1.0, counts / min_group_rows)
    target = target / target.sum()
    budget = len(langs) if max_rows is None else min(max_rows, len(langs))
    taken = np.zeros(len(values), dtype=np.int64)
    open_ = np.ones(len(values), dtype=bool)
    while open_.any():  # water-filling: languages that run out are taken whole
        share = (budget - taken[~open_].sum()) * target / target[open_].sum()
        full = open_ & (share >= counts)
        if not full.any():
            taken[open_] = np.floor(share[open_]).astype(np.int64)
            break
        taken[full], open_[full] = counts[full], False
    rest = budget - taken.sum()  # rounding: the largest open languages take one more row
    for k in np.argsort(-(counts - taken))[: max(rest, 0)]:
        taken[k] += 1
    shared = np.random.default_rng(seed)
    streams = [group_stream(seed, value) if group_streams else shared for value in values]
    rows = np.concatenate([streams[k].permutation(np.flatnonzero(inverse == k))[: taken[k]] for k in range(len(values))])
    rows = np.sort(rows)
    per_language = np.divide(target, taken / budget, out=np.zeros_like(target), where=taken > 0)
    weights = per_language[inverse[rows]]
    return rows, (weights / weights.mean()).astype(np.float32)


def draws_union(draws: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Several draws (row indices, weights) of one split as one: the sorted union of their
    rows and a weight matrix (rows, draws), 0 where a draw did not take the row."""
    union = np.unique(np.concatenate([rows for rows, _ in draws]))
    weights = np.zeros((len(union), len(draws)), dtype=np.float32)
    for k, (rows, row_weights) in enumerate(draws):
        weights[np.searchsorted(union, rows), k] = row_weights
    return union, weights
