"""Deterministic, stratified train/validation/test assignment.

No random generator is involved: rows are ordered by a keyed hash of their group id, so
the same rows land in the same split on every run, machine and Python version.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence

SPLITS = ("train", "validation", "test")
SEED = 20261128
FRACTIONS = {"train": 0.8, "validation": 0.1, "test": 0.1}
VALIDATION_FROM_TRAIN = 0.1
"""Share of an official train split held out as validation where the authors made none."""


def stable_hash(key: str, seed: int = SEED) -> int:
    """64-bit hash of ``key`` that does not depend on PYTHONHASHSEED or the platform."""
    return int.from_bytes(hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=8).digest(), "big")


def _cut(groups: list[str], shares: Sequence[tuple[str, float]]) -> dict[str, str]:
    """Assign ordered groups to splits by position, so each split gets its share of a stratum."""
    assignment = {}
    n = len(groups)
    bounds, total = [], 0.0
    for split, share in shares:
        total += share
        bounds.append((split, total))
    for position, group in enumerate(groups):
        quantile = (position + 0.5) / n
        assignment[group] = next((split for split, bound in bounds if quantile < bound), bounds[-1][0])
    return assignment


def assign_splits(
    groups: Sequence[str],
    strata: Sequence[str],
    given: Sequence[str | None],
    official_test: bool,
    seed: int = SEED,
) -> list[str]:
    """Split of every row.

    ``groups`` ties rows that must stay together; ``strata`` is a key such as language plus
    label combination; ``given`` is the authors' split or ``None``. Rows with an official
    split keep it, except that validation is carved out of an official train split when the
    source has none. Rows without one are cut 80/10/10, or 90/10 into train and validation
    when the source has an official test split.
    """
    has_validation = any(split == "validation" for split in given)
    pools: dict[tuple[str, str], list[str]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    for group, stratum, split in zip(groups, strata, given):
        if split in ("test", "validation"):
            continue
        pool = "train" if split == "train" else "free"
        if (pool, group) not in seen:
            seen.add((pool, group))
            pools[(pool, stratum)].append(group)

    assignment: dict[tuple[str, str], str] = {}
    for (pool, _stratum), members in pools.items():
        members.sort(key=lambda group: (stable_hash(group, seed), group))
        if pool == "train":
            shares = [("train", 1.0)] if has_validation else [("validation", VALIDATION_FROM_TRAIN), ("train", 1.0)]
        elif official_test:
            shares = [("validation", VALIDATION_FROM_TRAIN), ("train", 1.0)]
        else:
            shares = [("test", FRACTIONS["test"]), ("validation", FRACTIONS["validation"]), ("train", 1.0)]
        for group, split in _cut(members, shares).items():
            assignment[(pool, group)] = split

    result = []
    for group, split in zip(groups, given):
        if split in ("test", "validation"):
            result.append(split)
        else:
            result.append(assignment[("train" if split == "train" else "free", group)])
    return result
