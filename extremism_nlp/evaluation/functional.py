"""The functional test suite: does a model tell use from mention?

Cases are built from templates (``resources/functional/<lang>.json``) with placeholders
for identity groups, cities, organisations and everyday things. A harmful case passes
when at least one expected label is decided; a non-harmful case passes when no label is
decided except those the functionality allows (profanity may be ``offensive``). Pass
rates are reported per functionality and language. Never tune a model or threshold to
these cases: they measure, they do not train.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from ..labels import LABELS
from .bias import bias_metrics

SUITE_LANGUAGES = ("ar", "de", "en", "es", "fr", "hi", "it", "nl", "pl", "pt", "zh")
HARMFUL_LABELS = ("extremism", "violence", "hate")


@dataclass(frozen=True)
class Case:
    id: str
    lang: str
    functionality: str
    text: str
    expect: tuple[str, ...]
    allow: tuple[str, ...]
    placeholder: str
    value: str

    @property
    def harmful(self) -> bool:
        return bool(self.expect)


def _suite_file(lang: str) -> dict[str, Any]:
    path = resources.files("extremism_nlp") / "resources" / "functional" / f"{lang}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def load_suite(languages: tuple[str, ...] | list[str] = SUITE_LANGUAGES) -> list[Case]:
    """Every case of the suite for the given languages, in a fixed order."""
    cases = []
    for lang in languages:
        suite = _suite_file(lang)
        placeholders = suite["placeholders"]
        for name, functionality in suite["functionalities"].items():
            for t, template in enumerate(functionality["templates"]):
                used = [key for key in placeholders if "{" + key + "}" in template]
                if len(used) != 1:
                    raise ValueError(f"{lang}/{name} template {t} must use exactly one placeholder: {template!r}")
                key = used[0]
                for v, value in enumerate(placeholders[key]):
                    cases.append(
                        Case(
                            id=f"{lang}/{name}/{t}/{v}",
                            lang=lang,
                            functionality=name,
                            text=template.replace("{" + key + "}", value),
                            expect=tuple(functionality["expect"]),
                            allow=tuple(functionality.get("allow", ())),
                            placeholder=key,
                            value=value,
                        )
                    )
    return cases


def case_passes(case: Case, decided: set[str]) -> bool:
    if case.harmful:
        return bool(decided & set(case.expect))
    return decided <= set(case.allow)


def run_suite(classifier, cases: list[Case] | None = None) -> dict[str, Any]:
    """Pass rates per functionality and language, failures, and identity-term bias.

    Returns ``{"by_functionality": {name: {lang: {"cases", "passed", "pass_rate"}}},
    "summary": {lang: {"harmful": rate, "non_harmful": rate}}, "failures": [...],
    "bias": {...}}``.
    """
    cases = load_suite() if cases is None else cases
    predictions = classifier.classify([case.text for case in cases])
    table: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    harmful_functionalities = {case.functionality for case in cases if case.harmful}
    summary: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"harmful": [0, 0], "non_harmful": [0, 0]})
    failures = []
    for case, prediction in zip(cases, predictions):
        ok = case_passes(case, set(prediction.labels))
        cell = table[case.functionality][case.lang]
        cell[0] += 1
        cell[1] += ok
        kind = "harmful" if case.harmful else "non_harmful"
        summary[case.lang][kind][0] += 1
        summary[case.lang][kind][1] += ok
        if not ok:
            failures.append({"id": case.id, "text": case.text, "expected": list(case.expect), "decided": list(prediction.labels)})

    def rate(cell: list[int]) -> dict[str, Any]:
        return {"cases": cell[0], "passed": cell[1], "pass_rate": cell[1] / cell[0] if cell[0] else None}

    identity = [(case, prediction) for case, prediction in zip(cases, predictions) if case.placeholder == "group"]
    harm_score = np.array([max(p.scores[label] for label in HARMFUL_LABELS) for _, p in identity])
    return {
        "model": classifier.name,
        "version": classifier.version,
        # harmful functionalities first, each group in the order the suite files define them
        "by_functionality": {
            name: {lang: rate(cell) for lang, cell in table[name].items()}
            for name in sorted(table, key=lambda n: (n not in harmful_functionalities, list(table).index(n)))
        },
        "harmful_functionalities": sorted(harmful_functionalities),
        "summary": {lang: {kind: rate(cell) for kind, cell in kinds.items()} for lang, kinds in summary.items()},
        "failures": failures,
        "bias": bias_metrics(
            harm_score,
            np.array([case.harmful for case, _ in identity]),
            [case.value for case, _ in identity],
            [case.lang for case, _ in identity],
        ),
        "labels": list(LABELS),
    }


def suite_markdown(result: dict[str, Any]) -> str:
    """Pass-rate table (functionality x language) and the per-language summary."""
    langs = sorted({lang for cells in result["by_functionality"].values() for lang in cells})
    lines = ["| functionality | kind | " + " | ".join(langs) + " |", "|---|---|" + "---|" * len(langs)]
    for name, cells in result["by_functionality"].items():
        kind = "harmful" if name in result["harmful_functionalities"] else "non-harmful"
        values = [f"{cells[lang]['pass_rate']:.0%}" if lang in cells else "–" for lang in langs]
        lines.append(f"| {name} | {kind} | " + " | ".join(values) + " |")
    lines += ["", "| lang | harmful pass rate | non-harmful pass rate |", "|---|---|---|"]
    for lang in langs:
        s = result["summary"][lang]
        lines.append(f"| {lang} | {s['harmful']['pass_rate']:.0%} ({s['harmful']['passed']}/{s['harmful']['cases']}) | "
                     f"{s['non_harmful']['pass_rate']:.0%} ({s['non_harmful']['passed']}/{s['non_harmful']['cases']}) |")  # fmt: skip
    return "\n".join(lines)
