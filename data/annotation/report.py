"""REPORT.md of the project annotations, recomputed from two files only: the records
(``extremism_nlp/resources/annotations/project_annotations.csv``) and the models' scores on
the held-out part (``heldout_scores.json`` here).

    python data/annotation/report.py                  # render REPORT.md from the two files
    python data/annotation/report.py score [--model NAME_OR_PATH ...]
                                                      # score models on the held-out part
                                                      # (reads ../shared/data), then render

A test renders the report from the committed files and compares it with REPORT.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

from extremism_nlp.data.annotations import ANNOTATIONS_FILE, TAGS, AnnotationRecord, parse_labels, read_records
from extremism_nlp.data.splits import stable_hash
from extremism_nlp.evaluation.metrics import cohen_kappa
from extremism_nlp.labels import LABELS

HERE = Path(__file__).resolve().parent
REPORT_FILE = HERE / "REPORT.md"
SCORES_FILE = HERE / "heldout_scores.json"
LANGS = ("ar", "en", "fr")
CONTEXT_TAGS = ("reporting", "counter_speech", "quotation")
EXAMPLES_PER_LANG = 6


def records_digest(records: list[AnnotationRecord]) -> str:
    """What the scores were computed on: the held-out records and their final decisions."""
    held = sorted((r.item_id, r.source, r.row_id, r.final_labels, r.final_tag) for r in records if r.heldout)
    return hashlib.sha256(json.dumps(held).encode()).hexdigest()[:16]


def _has(labels: str, label: str) -> bool:
    return label in labels.split("+")


def _identical(record: AnnotationRecord) -> bool:
    return (record.pass1_labels, record.pass1_tag) == (record.pass2_labels, record.pass2_tag)


def _harm_at_stake(record: AnnotationRecord) -> bool:
    return any(_has(labels, label) for labels in (record.pass1_labels, record.pass2_labels) for label in LABELS[:3])


def counts(records: list[AnnotationRecord]) -> dict[str, dict[str, Counter]]:
    """Per language: items by source and by selection strategy, held-out items, final label
    positives (``none``: no label) and final tags."""
    result = {}
    for lang in LANGS:
        mine = [r for r in records if r.lang == lang]
        labels = Counter()
        for r in mine:
            multi_hot = parse_labels(r.final_labels)
            labels.update(label for label, on in zip(LABELS, multi_hot) if on)
            labels["none"] += not any(multi_hot)
        result[lang] = {
            "source": Counter(r.source for r in mine),
            "selection": Counter(r.selection for r in mine),
            "heldout": Counter(str(r.heldout) for r in mine),
            "labels": labels,
            "tags": Counter(r.final_tag for r in mine),
        }
    return result


def agreement(records: list[AnnotationRecord]) -> dict[str, dict[str, Any]]:
    """Per language: items in both passes, items coded identically, Cohen's kappa per label
    (present or not) and for the tag, and items adjudicated."""
    result = {}
    for lang in LANGS:
        both = [r for r in records if r.lang == lang and r.pass1_labels and r.pass2_labels]
        kappa = {
            label: cohen_kappa([_has(r.pass1_labels, label) for r in both], [_has(r.pass2_labels, label) for r in both])
            for label in LABELS
        }
        kappa["tag"] = cohen_kappa([r.pass1_tag for r in both], [r.pass2_tag for r in both])
        result[lang] = {
            "items": len(both),
            "identical": sum(_identical(r) for r in both),
            "kappa": kappa,
            "adjudicated": sum(not _identical(r) for r in both),
        }
    return result


def examples(records: list[AnnotationRecord], per_lang: int = EXAMPLES_PER_LANG) -> dict[str, list[AnnotationRecord]]:
    """Adjudicated items per language in a fixed pseudo-random order: first those where a
    harmful label (extremism, violence, hate) was at stake, then those where the labels
    differed, then those where only the tag did."""
    result = {}
    for lang in LANGS:
        adjudicated = [r for r in records if r.lang == lang and not _identical(r)]
        adjudicated.sort(key=lambda r: (not _harm_at_stake(r), r.pass1_labels == r.pass2_labels, stable_hash(r.item_id)))
        result[lang] = adjudicated[:per_lang]
    return result


def load_scores(path: Path = SCORES_FILE) -> dict[str, Any] | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def _score_section(records: list[AnnotationRecord], scores: dict[str, Any] | None) -> list[str]:
    lines = ["## Models on the held-out part", ""]
    if scores is None:
        return lines + ["Not scored yet: run `python data/annotation/report.py score`.", ""]
    if scores["records_digest"] != records_digest(records):
        lines += ["**These scores are stale**: the held-out records changed after they were computed; rerun `report.py score`.", ""]
    lines += [
        "Final decisions of the held-out items as gold labels, every label judged; decisions as `classify()` makes them. "
        "*Seen* items are those whose text is in the train split of the corpus without the project annotations: "
        "a model trained before this layer existed may have learned them under the sources' original labels, so "
        "for such a model the *unseen* subset is the fair measure. A model trained with the annotations never sees "
        "a held-out text (held-out rows are in test, and their copies in other sources give way). "
        "*Context items flagged* counts the items tagged reporting, "
        "counter-speech or quotation, with no label, that the model flags with some label (lower is better).",
        "",
    ]
    shown: dict[tuple[str, str], str] = {}
    for name, model in scores["models"].items():
        identity = (model["model"], model["version"])
        if identity in shown:
            lines += [f"### `{name}`", "", f"The same model as `{shown[identity]}` ({identity[0]} {identity[1]}): figures as above.", ""]
            continue
        shown[identity] = name
        lines += [f"### `{name}` ({model['model']} {model['version']})", ""]
        rows = []
        for lang in LANGS:
            for subset in ("all", "unseen"):
                group = model["groups"].get(lang if subset == "all" else f"{lang}/unseen")
                if group is None:
                    continue
                f1s = [f"{_fmt(group['labels'][label]['f1'], 2)} ({group['labels'][label]['support']})" for label in LABELS]
                rows.append([lang, subset, group["rows"], _fmt(group["macro_f1"]), *f1s])
        lines += _table(["lang", "subset", "n", "macro-F1", *(f"{label} F1 (positives)" for label in LABELS)], rows)
        context = model["context_flagged"]
        lines += ["", "Context items flagged: " + ", ".join(
            f"{lang} {context[lang]['flagged']}/{context[lang]['items']}" for lang in LANGS if lang in context
        ) + ".", ""]  # fmt: skip
    return lines


def render(records: list[AnnotationRecord], scores: dict[str, Any] | None) -> str:
    """REPORT.md as text, from the records and the held-out scores (or their absence)."""
    count, agree, chosen = counts(records), agreement(records), examples(records)
    lines = [
        "# Project annotations: report",
        "",
        "Rendered by `data/annotation/report.py` from `extremism_nlp/resources/annotations/project_annotations.csv` "
        "and `data/annotation/heldout_scores.json`; do not edit by hand. Definitions: `GUIDELINE.md`; how the items "
        "were drawn and labelled: `workflow.py`; limits: `data/DATASHEET.md`.",
        "",
        "## Items",
        "",
    ]
    sources = sorted({source for lang in LANGS for source in count[lang]["source"]})
    lines += _table(
        ["lang", "items", "held out", *sources],
        [[lang, sum(count[lang]["source"].values()), count[lang]["heldout"]["1"], *(count[lang]["source"][s] for s in sources)] for lang in LANGS],
    )
    strategies = sorted({s for lang in LANGS for s in count[lang]["selection"]})
    lines += ["", "Items by how they were selected (see `workflow.py`):", ""]
    lines += _table(["lang", *strategies], [[lang, *(count[lang]["selection"][s] for s in strategies)] for lang in LANGS])
    lines += ["", "## Final labels and context tags", ""]
    lines += _table(
        ["lang", *LABELS, "no label", *(f"tag {tag}" for tag in TAGS)],
        [[lang, *(count[lang]["labels"][label] for label in (*LABELS, "none")), *(count[lang]["tags"][t] for t in TAGS)] for lang in LANGS],
    )
    lines += [
        "",
        "## Agreement between the two passes",
        "",
        "Cohen's kappa between the first and the second pass, per label (present or not) and for the tag. "
        "Both passes were made by the same annotator (see the limits in the datasheet): this is "
        "intra-annotator consistency, an upper bound on what two independent annotators would reach.",
        "",
    ]
    lines += _table(
        ["lang", "items", "identical", *(f"kappa {label}" for label in LABELS), "kappa tag", "adjudicated"],
        [
            [lang, a["items"], f"{a['identical']} ({a['identical'] / a['items']:.1%})" if a["items"] else 0,
             *(_fmt(a["kappa"][label]) for label in LABELS), _fmt(a["kappa"]["tag"]), a["adjudicated"]]
            for lang, a in agree.items()
        ],
    )  # fmt: skip
    lines += ["", "## Adjudicated examples", "", "Labels and tag as pass 1 / pass 2 / **final**, then the reason recorded.", ""]
    for lang in LANGS:
        lines += [f"### {lang}", ""]
        for r in chosen[lang]:
            lines.append(
                f"- `{r.item_id}` ({r.source} row {r.row_id}): {r.pass1_labels}, {r.pass1_tag} / "
                f"{r.pass2_labels}, {r.pass2_tag} / **{r.final_labels}, {r.final_tag}**: {r.reason}"
            )
        lines.append("")
    lines += _score_section(records, scores)
    return "\n".join(lines).rstrip("\n") + "\n"


def score(model_names: list[str], data_dir: str | None = None) -> dict[str, Any]:
    """Each model's metrics on the held-out items, per language and for the unseen subset."""
    import numpy as np

    from extremism_nlp import Classifier
    from extremism_nlp.data import load_corpus, resolve_data_dir
    from extremism_nlp.data.reading import SourceReport
    from extremism_nlp.data.registry import LABELLED_SOURCES, referenced_rows
    from extremism_nlp.evaluation.metrics import grouped_metrics
    from extremism_nlp.text import dedup_key

    root = resolve_data_dir(data_dir)
    records = read_records()
    held = [r for r in records if r.heldout and r.decided]
    found = referenced_rows(root, {r.source for r in held}, SourceReport("project_annotations"))
    held = [r for r in held if (r.source, r.row_id) in found]
    texts = [found[(r.source, r.row_id)].text for r in held]
    train = load_corpus(root, sources=[s for s in LABELLED_SOURCES if s != "project_annotations"])["train"]
    seen_keys = {dedup_key(text) for text in train["text"]}
    seen = [dedup_key(text) in seen_keys for text in texts]
    gold = np.array([parse_labels(r.final_labels) for r in held], dtype=np.int8)
    langs = [r.lang for r in held]
    groups = langs + [f"{lang}/unseen" for lang, was_seen in zip(langs, seen) if not was_seen]
    context = [r.final_tag in CONTEXT_TAGS and not any(parse_labels(r.final_labels)) for r in held]
    result: dict[str, Any] = {"records_digest": records_digest(records), "models": {}}
    for name in model_names:
        classifier = Classifier.from_pretrained(name)
        probabilities = classifier.predict_proba(texts)
        predicted = classifier.decide(probabilities, classifier.languages(texts))
        unseen = [i for i, was_seen in enumerate(seen) if not was_seen]
        rows = list(range(len(held))) + unseen  # every item once by language, the unseen again
        metrics = grouped_metrics(gold[rows], predicted[rows], None, groups)
        del metrics["all"]  # the unseen rows are counted twice in it
        for group in metrics.values():
            for entry in group["labels"].values():
                for key in ("precision", "recall", "f1"):
                    entry[key] = round(entry[key], 4)
            group["macro_f1"] = None if group["macro_f1"] is None else round(group["macro_f1"], 4)
        flagged = {
            lang: {"items": sum(c for c, row_lang in zip(context, langs) if row_lang == lang),
                   "flagged": int(sum(bool(predicted[i].any()) for i in range(len(held)) if context[i] and langs[i] == lang))}
            for lang in LANGS
        }  # fmt: skip
        result["models"][name] = {"model": classifier.name, "version": classifier.version, "groups": metrics, "context_flagged": flagged}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", nargs="?", choices=["render", "score"], default="render")
    parser.add_argument("--model", action="append", help="model name or folder to score (repeatable; default: fast and default)")
    parser.add_argument("--data-dir")
    args = parser.parse_args(argv)
    if args.step == "score":
        SCORES_FILE.write_text(json.dumps(score(args.model or ["fast", "default"], args.data_dir), indent=1) + "\n", encoding="utf-8")
    REPORT_FILE.write_text(render(read_records(ANNOTATIONS_FILE), load_scores()), encoding="utf-8")
    print(f"wrote {REPORT_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
