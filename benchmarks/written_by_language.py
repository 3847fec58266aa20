"""Harmful caught and non-harmful passed per language on the test rows of the examples written
for the project (`project_written`, never trained on): the only held-out labelled rows in
languages the functional suite does not cover (de, es, it, nl, pl, pt, ru, tr, ur, hi, zh).

About 30 harmful and 70-100 non-harmful rows a language, all in the writers' style (the
training split holds their siblings), so these figures are a per-language check, not a
measure of quality on natural data: one text moves a rate by 3 points.

    python benchmarks/written_by_language.py --models default fast

Writes results/written_by_language.json (merged with what is there: one entry per model and
version); `python benchmarks/report.py` puts it into RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from report import RESULTS_DIR, written_lines  # noqa: E402

from extremism_nlp import Classifier  # noqa: E402
from extremism_nlp.data import load_corpus  # noqa: E402

SOURCE = "project_written"
RESULTS = RESULTS_DIR / "written_by_language.json"


def written_test_rows(data_dir: str | None) -> list[dict]:
    return [row for row in load_corpus(data_dir)["test"] if row["source"] == SOURCE]


def rates(classifier: Classifier, rows: list[dict]) -> dict[str, dict[str, list[int]]]:
    """Per language: [passed, cases] for harmful rows (any label decided) and non-harmful
    rows (no label decided)."""
    predictions = classifier.classify([row["text"] for row in rows], batch_size=32)
    table: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"harmful": [0, 0], "non_harmful": [0, 0]})
    for row, prediction in zip(rows, predictions):
        harmful = any(row["labels"])
        cell = table[row["lang"]]["harmful" if harmful else "non_harmful"]
        cell[0] += bool(prediction.labels) == harmful
        cell[1] += 1
    return dict(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=["default"])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    rows = written_test_rows(args.data_dir)
    print(f"{len(rows)} test rows of {SOURCE}: {dict(sorted(Counter(row['lang'] for row in rows).items()))}")
    recorded = json.loads(args.out.read_text()) if args.out.is_file() else {}
    models = {} if recorded.get("rows") != len(rows) else recorded.get("models", {})
    for name in args.models:
        classifier = Classifier.from_pretrained(name)
        models[f"{classifier.name} {classifier.version}"] = rates(classifier, rows)
    results = {"rows": len(rows), "date": dt.date.today().isoformat(), "models": models}
    print("\n".join(written_lines(results)))
    args.out.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
