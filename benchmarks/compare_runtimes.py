"""Do two runtimes of a model give the same scores and labels? The functional suite (11
languages) and the neutral sets (14 languages), scored by each runtime of the same model.

A runtime may become a model's default only if its scores are the reference's within a
stated tolerance: for `default` on ONNX Runtime float32 against torch, the largest
probability difference at most 1e-4 and every decided label the same.

    python benchmarks/compare_runtimes.py --model default --runtimes torch,onnx-fp32 [--limit 400]

Texts are scored a chunk at a time (``--chunk``, 300) so that no call holds a shared machine
for long. Prints the figures and, without ``--limit``, writes
benchmarks/results/runtimes_<model>.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_speed import machine_description  # noqa: E402

from extremism_nlp import Classifier  # noqa: E402
from extremism_nlp.evaluation.functional import case_passes, load_suite  # noqa: E402
from extremism_nlp.evaluation.protocols import load_neutral  # noqa: E402
from extremism_nlp.labels import LABELS  # noqa: E402

RESULTS_DIR = Path(__file__).parent / "results"
TOLERANCE = 1e-4
"""Largest probability difference a runtime may show against the reference to be its equal."""


def scored(model: str, runtime: str, texts: list[str], chunk: int, torch_threads: int) -> tuple[list, float]:
    """Predictions of every text by ``model`` on ``runtime``, and the texts/s of the run."""
    import torch

    # Threads change how fast torch runs, not its scores; one thread keeps a shared machine usable.
    torch.set_num_threads(torch_threads)
    classifier = Classifier.from_pretrained(model, runtime=runtime)
    predictions = []
    started = time.perf_counter()
    for start in range(0, len(texts), chunk):
        predictions.extend(classifier.classify(texts[start : start + chunk]))
    return predictions, len(texts) / (time.perf_counter() - started)


def summary_of(cases, neutral_langs: list[str], predictions) -> dict:
    """Functional-suite pass rates per language and kind, and neutral sentences flagged."""
    suite: dict[str, dict[str, list[int]]] = {}
    for case, prediction in zip(cases, predictions):
        cell = suite.setdefault(case.lang, {"harmful": [0, 0], "non_harmful": [0, 0]})["harmful" if case.harmful else "non_harmful"]
        cell[0] += 1
        cell[1] += case_passes(case, set(prediction.labels))
    flagged: dict[str, int] = {}
    for lang, prediction in zip(neutral_langs, predictions[len(cases) :]):
        flagged[lang] = flagged.get(lang, 0) + bool(prediction.labels)
    return {
        "functional": {lang: {kind: f"{passed}/{total}" for kind, (total, passed) in kinds.items()} for lang, kinds in suite.items()},
        "neutral_flagged": sum(flagged.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="default")
    parser.add_argument("--runtimes", default="torch,onnx-fp32", help="reference,candidate")
    parser.add_argument("--chunk", type=int, default=300, help="texts per call")
    parser.add_argument("--limit", type=int, help="score about N texts, spread over the languages (CI)")
    parser.add_argument("--torch-threads", type=int, default=1)
    args = parser.parse_args()
    reference, candidate = args.runtimes.split(",")

    cases = load_suite()
    neutral = [(lang, sentence) for lang, sentences in load_neutral().items() for sentence in sentences]
    if args.limit:  # every k-th text of the suite and the neutral sets: all their languages
        chosen = set(range(0, len(cases) + len(neutral), max(1, (len(cases) + len(neutral)) // args.limit)))
        cases, neutral = [c for i, c in enumerate(cases) if i in chosen], [n for i, n in enumerate(neutral, len(cases)) if i in chosen]
    neutral_langs = [lang for lang, _ in neutral]
    texts = [case.text for case in cases] + [sentence for _, sentence in neutral]
    runs = {runtime: scored(args.model, runtime, texts, args.chunk, args.torch_threads) for runtime in (reference, candidate)}
    ref, cand = runs[reference][0], runs[candidate][0]
    gaps = [max(abs(a.scores[label] - b.scores[label]) for label in LABELS) for a, b in zip(ref, cand)]
    same_labels = sum(a.labels == b.labels for a, b in zip(ref, cand))
    result = {
        "model": args.model,
        "texts": len(texts),
        "reference": reference,
        "candidate": candidate,
        "max_abs_probability_difference": max(gaps),
        "mean_abs_probability_difference": sum(gaps) / len(gaps),
        "same_decided_labels": same_labels,
        "same_headline_label": sum(a.label == b.label for a, b in zip(ref, cand)),
        "tolerance": TOLERANCE,
        "within_tolerance": max(gaps) <= TOLERANCE and same_labels == len(texts),
        "summaries": {runtime: summary_of(cases, neutral_langs, predictions) for runtime, (predictions, _) in runs.items()},
        "texts_per_s_while_scoring": {runtime: round(rate, 1) for runtime, (_, rate) in runs.items()},
        "torch_threads": args.torch_threads,
        "machine": machine_description(),
    }
    print(f"{args.model}: {candidate} against {reference} on {len(texts)} texts (functional suite, neutral sets)")
    print(f"  largest probability difference {result['max_abs_probability_difference']:.2e} "
          f"(mean {result['mean_abs_probability_difference']:.2e}); decided labels the same for "
          f"{same_labels}/{len(texts)}, headline label for {result['same_headline_label']}/{len(texts)}")
    for runtime, summary in result["summaries"].items():
        print(f"  {runtime:10s} functional {summary['functional']}; neutral flagged {summary['neutral_flagged']}")
    print(f"  within tolerance ({TOLERANCE:g}, every label the same): {'yes' if result['within_tolerance'] else 'NO'}")
    if not args.limit:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        (RESULTS_DIR / f"runtimes_{Path(args.model).name}.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
