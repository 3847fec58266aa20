"""Plain everyday sentences and their English translations: the share each model flags.

The Tatoeba sentences of `tatoeba_plain` (13 languages; written by Tatoeba's contributors,
not by the project, with sentences whose translation names harm left out) are text no label
applies to, and each has an English translation beside it. A model that flags a sentence
and not its translation judges the language, not the meaning: the gap between the two rates
is the cross-lingual error on plain text, measured on far more sentences (about 95 test
rows a language, 950 in all rows) than the neutral protocol's 210.

    python benchmarks/plain_translations.py --models default fast
    python benchmarks/plain_translations.py --models default --rows all   # every row: only for a model not trained on them

`--rows test` (the default) scores the source's test split, which no recipe trains on;
`--rows all` every row, for models whose recipe leaves the source out. Writes
results/plain_translations.json (one entry per model, version and rows); `python
benchmarks/report.py` puts it into RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from report import RESULTS_DIR, plain_translation_lines  # noqa: E402

from extremism_nlp import Classifier  # noqa: E402
from extremism_nlp.data import load_corpus  # noqa: E402
from extremism_nlp.data.corpus import source_dir  # noqa: E402
from extremism_nlp.data.reading import SourceReport, read_table  # noqa: E402
from extremism_nlp.data.registry import get_source  # noqa: E402
from extremism_nlp.paths import resolve_data_dir  # noqa: E402

SOURCE = "tatoeba_plain"
RESULTS = RESULTS_DIR / "plain_translations.json"


def sentence_pairs(rows: str, data_dir: str | None) -> list[tuple[str, str, str]]:
    """(language, sentence, English translation) of the source's rows: the test split's, or all."""
    table = source_dir(get_source(SOURCE), resolve_data_dir(data_dir)) / "tatoeba_plain.csv.gz"
    english = {f"{SOURCE}:{rec['id']}": rec["english"] for _, rec in read_table(table, SourceReport(SOURCE), required=("id", "english"))}
    corpus = load_corpus(data_dir)
    splits = ("test",) if rows == "test" else tuple(corpus)
    return [(row["lang"], row["text"], english[row["id"]]) for split in splits for row in corpus[split] if row["source"] == SOURCE]


def flagged(classifier: Classifier, pairs: list[tuple[str, str, str]]) -> dict[str, list[int]]:
    """Per language: [sentences, sentences flagged, translations flagged, sentence flagged but not its translation]."""
    sentences = classifier.classify([text for _, text, _ in pairs], batch_size=64)
    translations = classifier.classify([eng for _, _, eng in pairs], batch_size=64)
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for (lang, _, _), sentence, translation in zip(pairs, sentences, translations):
        cell = table[lang]
        cell[0] += 1
        cell[1] += bool(sentence.labels)
        cell[2] += bool(translation.labels)
        cell[3] += bool(sentence.labels) and not translation.labels
    return dict(sorted(table.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=["default"])
    parser.add_argument("--rows", choices=("test", "all"), default="test")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    pairs = sentence_pairs(args.rows, args.data_dir)
    print(f"{len(pairs)} sentences of {SOURCE} ({args.rows} rows) and their English translations")
    results = json.loads(args.out.read_text()) if args.out.is_file() else {"models": {}}
    for name in args.models:
        classifier = Classifier.from_pretrained(name)
        key = f"{classifier.name} {classifier.version}, {args.rows} rows"
        results["models"][key] = {"date": dt.date.today().isoformat(), "languages": flagged(classifier, pairs)}
    print("\n".join(plain_translation_lines(results)))
    args.out.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
