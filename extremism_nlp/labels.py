"""The project taxonomy: four labels, ordered from most to least severe.

Every model, dataset column and report uses this order, so a multi-hot vector or a
probability array can be read without a name table.
"""

from __future__ import annotations

LABELS: tuple[str, ...] = ("extremism", "violence", "hate", "offensive")
"""Label names in severity order; index ``i`` of every label vector means ``LABELS[i]``."""

NONE_LABEL = "none"
"""Headline label of a text for which no label was decided."""

DESCRIPTIONS: dict[str, str] = {
    "extremism": (
        "supports, promotes or recruits for extremist or terrorist groups, ideologies or acts; "
        "glorifies attacks or attackers; propaganda; attacks on the democratic order"
    ),
    "violence": "threatens, incites or calls for violence against people or groups",
    "hate": (
        "attacks or dehumanises people for who they are (religion, ethnicity, origin, "
        "nationality, gender, sexual orientation, disability)"
    ),
    "offensive": "insulting, abusive or vulgar, without the above",
}


def headline(decided: list[str] | tuple[str, ...] | set[str]) -> str:
    """Most severe of the decided labels, or ``"none"``."""
    for label in LABELS:
        if label in decided:
            return label
    return NONE_LABEL


def to_multi_hot(names: set[str] | list[str] | tuple[str, ...]) -> list[int]:
    """Multi-hot vector in ``LABELS`` order; an unknown name is a programming error."""
    unknown = set(names) - set(LABELS)
    if unknown:
        raise ValueError(f"unknown label(s) {sorted(unknown)}; valid labels are {LABELS}")
    return [int(label in names) for label in LABELS]
