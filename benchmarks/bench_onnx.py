"""The transformer on ONNX Runtime int8 against torch fp32: quality lost and speed gained.

Targets (issue: transformer default): ONNX int8 at least 2x the throughput of torch fp32 on
these 2 cores with at most 1 point of macro-F1 lost; at least 150 tweet-length texts/s.

    python benchmarks/bench_onnx.py --model e5-lora [--rows 1500]

Prints the figures and writes benchmarks/results/onnx_<model>.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_speed import machine_description, texts_for_benchmark  # noqa: E402
from run_quality import test_rows  # noqa: E402

from extremism_nlp import Classifier  # noqa: E402
from extremism_nlp.evaluation.metrics import grouped_metrics  # noqa: E402

RESULTS_DIR = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="default")
    parser.add_argument("--rows", type=int, default=1500, help="test rows per language for the quality comparison")
    parser.add_argument("--speed-texts", type=int, default=600)
    args = parser.parse_args()

    import run_quality

    run_quality.QUICK_ROWS_PER_LANGUAGE = args.rows
    rows = test_rows(None, quick=True)
    speed_texts = texts_for_benchmark(args.speed_texts)
    result = {"model": args.model, "rows": len(rows["text"]), "rows_per_language": args.rows, "machine": machine_description()}
    for runtime in ("torch", "onnx"):
        classifier = Classifier.from_pretrained(args.model, runtime=runtime)
        classifier.predict_proba(speed_texts[:32])  # warm-up (and the one-off ONNX export)
        started = time.perf_counter()
        classifier.predict_proba(speed_texts, batch_size=32)
        rate = len(speed_texts) / (time.perf_counter() - started)
        probabilities = classifier.predict_proba(rows["text"])
        predicted = classifier.decide(probabilities, classifier.languages(rows["text"]))
        by_lang = grouped_metrics(rows["labels"], predicted, probabilities, rows["lang"], rows["label_mask"])
        result[runtime] = {
            "texts_per_s": round(rate, 1),
            "macro_f1": {lang: by_lang[lang]["macro_f1"] for lang in ("all", "ar", "en", "fr", "de") if lang in by_lang},
        }
        print(f"{runtime:5s}: {rate:7.1f} texts/s   macro-F1 " + "  ".join(f"{k} {v:.3f}" for k, v in result[runtime]["macro_f1"].items() if v is not None))
    result["speedup"] = round(result["onnx"]["texts_per_s"] / result["torch"]["texts_per_s"], 2)
    result["macro_f1_lost_points"] = {
        lang: round(100 * (result["torch"]["macro_f1"][lang] - result["onnx"]["macro_f1"][lang]), 2)
        for lang in result["torch"]["macro_f1"]
        if result["torch"]["macro_f1"][lang] is not None and result["onnx"]["macro_f1"].get(lang) is not None
    }
    print(f"ONNX int8 speed-up over torch fp32: {result['speedup']}x; macro-F1 points lost: {result['macro_f1_lost_points']}")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"onnx_{Path(args.model).name}.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
