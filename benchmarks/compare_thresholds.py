"""Two versions of a model that differ only in their thresholds (`extremism-nlp
refit-thresholds`), side by side: the same scores, different decisions.

Prints, for each model: the functional suite's pass rates (harmful / non-harmful) per
language, neutral sentences flagged per language, macro-F1 per language on the test split,
and the share of the speed benchmark's tweets whose scores fall in the "band" (between the
lowest and the highest threshold any language gives a label: only those texts need their
language identified in `classify()`). It checks first that the two give the same scores.

    python benchmarks/compare_thresholds.py --models runs/fast-0.2.0 fast

Writes results/thresholds_<name>.json; `python benchmarks/report.py` puts it into RESULTS.md.

Speed: ``python benchmarks/bench_speed.py --model runs/fast-0.2.0 --against fast --batch-sizes 1,1000``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from bench_speed import texts_for_benchmark  # noqa: E402
from report import RESULTS_DIR, thresholds_lines  # noqa: E402

from extremism_nlp import Classifier  # noqa: E402
from extremism_nlp.data import load_corpus  # noqa: E402
from extremism_nlp.evaluation.functional import load_suite, run_suite  # noqa: E402
from extremism_nlp.evaluation.protocols import load_neutral, run_neutral  # noqa: E402
from extremism_nlp.evaluation.report import evaluate  # noqa: E402

MAIN_LANGUAGES = ["all", "ar", "en", "fr", "de", "tr", "ur", "zh", "pt"]
BENCHMARK_TEXTS = 10_000


def band_share(classifier: Classifier, texts: list[str]) -> float:
    """Share of texts with a score between the lowest and the highest threshold of its label
    (`Classifier._languages_deciding`: the texts whose language can change their labels)."""
    _, rows = classifier.model.threshold_table()
    scores = classifier.predict_proba(texts)
    return float(((scores >= rows.min(axis=0)) & (scores < rows.max(axis=0))).any(axis=1).mean())


def measure(classifier: Classifier, test_split) -> dict:
    suite = run_suite(classifier)
    neutral = run_neutral(classifier)
    report = evaluate(classifier, test_split, by=("lang",))
    return {
        "name": classifier.name,
        "version": classifier.version,
        "functional": {lang: {kind: cell["pass_rate"] for kind, cell in kinds.items()} for lang, kinds in suite["summary"].items()},
        "neutral": {lang: r["flagged"] for lang, r in neutral.items()},
        "neutral_sentences": sum(r["sentences"] for r in neutral.values()),
        "neutral_flagged_examples": {lang: [e["text"] for e in r["flagged_examples"]] for lang, r in neutral.items()},
        "test_macro_f1": {lang: report.groups["lang"][lang]["macro_f1"] for lang in MAIN_LANGUAGES if lang in report.groups["lang"]},
        "test_rows": len(test_split),
        "band_share": band_share(classifier, texts_for_benchmark(BENCHMARK_TEXTS)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs=2, required=True, metavar="MODEL", help="two model names or folders, the earlier version first")
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    classifiers = [Classifier.from_pretrained(model) for model in args.models]
    texts = [case.text for case in load_suite()] + [s for sentences in load_neutral().values() for s in sentences] + texts_for_benchmark(2000)
    gap = float(np.abs(classifiers[0].predict_proba(texts) - classifiers[1].predict_proba(texts)).max())
    test_split = load_corpus(args.data_dir)["test"]
    comparison = {"max_score_difference": gap, "texts_compared": len(texts), "models": [measure(c, test_split) for c in classifiers]}
    print("\n".join(thresholds_lines(comparison)))
    path = RESULTS_DIR / f"thresholds_{classifiers[1].name}.json"
    path.write_text(json.dumps(comparison, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
