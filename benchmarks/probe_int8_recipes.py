"""Probe (docs/MODELS.md, "Probe: int8 recipes for `default`"): would an int8 network make
`default` meet its speed target without losing what it catches?

`default` runs its float32 network on ONNX Runtime, and a profile shows MatMul taking about
85 % of a run: the speed target (150 tweet-length texts/s on 2 cores) asks for about as many
float32 multiply-adds per second as the cores' AVX2 units give. Int8 weights are the only
lever that keeps the network. Each recipe below is the float32 export quantised dynamically
(onnxruntime, int8 weights) with some MatMuls left in float32, then:

- timed on one thread, batches of 16 of the speed benchmark's texts sorted by length (as the
  shipped path feeds each core), medians of 5 passes, recipes timed in turn in one process;
- scored on the functional suite, the neutral and the counter-speech sets, fed as the shipped
  float32 path feeds them (dynamic int8 takes one activation scale per batch, so a text's
  scores here also move with its batch mates), and compared with float32.

    python benchmarks/probe_int8_recipes.py [--passes 5]

Prints a table and writes benchmarks/results/probe_int8_recipes.json. Quantising takes
about 30 s a recipe; the files go to a temporary folder and are removed.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from bench_speed import machine_description, texts_for_benchmark  # noqa: E402

from extremism_nlp import Classifier  # noqa: E402
from extremism_nlp.evaluation.functional import case_passes, load_suite  # noqa: E402
from extremism_nlp.evaluation.protocols import load_sentences  # noqa: E402
from extremism_nlp.labels import LABELS  # noqa: E402
from extremism_nlp.models.integrity import safe_name  # noqa: E402
from extremism_nlp.models.transformer import ONNX_FP32_FILE  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "probe_int8_recipes.json"
KEEP_FP32 = {
    "every MatMul int8": (),
    "FFN down-projections fp32": (r"layer\.\d+/output/dense/MatMul$",),
    "FFN down-projections and attention products fp32": (r"layer\.\d+/output/dense/MatMul$", r"/self/MatMul(_1)?$"),
    "lower half's FFN down-projections fp32 (the transformer's int8 MatMuls)": (r"layer\.[0-5]/output/dense/MatMul$",),
}
"""Recipes: name -> patterns of the MatMul nodes kept in float32 (the head's Gemm layers always are)."""


def quantised(source: Path, folder: Path, name: str, keep: tuple[str, ...]) -> Path:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(source), load_external_data=False).graph
    excluded = [node.name for node in graph.node if node.op_type == "MatMul" and any(re.search(p, node.name) for p in keep)]
    target = folder / f"{safe_name(name)}.onnx"
    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"], nodes_to_exclude=excluded)
    return target


def one_thread_rate(session, batches, passes: int) -> float:
    for _, encoded in batches:  # warm-up: the first run of each shape allocates
        session.run(None, encoded)
    rates = []
    for _ in range(passes):
        started = time.perf_counter()
        for _, encoded in batches:
            session.run(None, encoded)
        rates.append(sum(len(index) for index, _ in batches) / (time.perf_counter() - started))
    return statistics.median(rates)


def main() -> None:
    import onnxruntime as ort

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()

    classifier = Classifier.from_pretrained("default", runtime="onnx-fp32")
    model = classifier.model
    source = model.onnx_cache_folder() / ONNX_FP32_FILE
    cases = load_suite()
    sets = {name: [s for sentences in load_sentences(name).values() for s in sentences] for name in ("neutral", "counter_speech")}
    texts = [case.text for case in cases] + sets["neutral"] + sets["counter_speech"]
    timing_batches = model._batches(texts_for_benchmark(320), 16, by_tokens=True)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1

    results, reference = {}, None
    with tempfile.TemporaryDirectory() as folder:
        for name, keep in {"float32 (shipped)": None, **KEEP_FP32}.items():
            path = source if keep is None else quantised(source, Path(folder), name, keep)
            model._onnx = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            rate = one_thread_rate(model._onnx, timing_batches, args.passes)
            predictions = classifier.classify(texts)
            probabilities = np.array([[prediction.scores[label] for label in LABELS] for prediction in predictions])
            reference = reference or (probabilities, predictions)
            suite: dict[str, list[int]] = {}
            for case, prediction in zip(cases, predictions):
                cell = suite.setdefault(f"{case.lang} {'harmful' if case.harmful else 'non_harmful'}", [0, 0])
                cell[0] += 1
                cell[1] += case_passes(case, set(prediction.labels))
            flagged, start = {}, len(cases)
            for set_name, sentences in sets.items():
                flagged[set_name] = sum(bool(p.labels) for p in predictions[start : start + len(sentences)])
                start += len(sentences)
            gap = np.abs(probabilities - reference[0])
            results[name] = {
                "one_thread_texts_per_s": round(rate, 1),
                "max_abs_probability_difference": round(float(gap.max()), 4),
                "mean_abs_probability_difference": round(float(gap.mean()), 5),
                "texts_with_other_labels": sum(a.labels != b.labels for a, b in zip(predictions, reference[1])),
                "functional_pass_rate": {key: round(passed / total, 3) for key, (total, passed) in sorted(suite.items())},
                "flagged": flagged,
            }
            print(
                f"{name}: {rate:.1f} texts/s on one thread; probability difference max {gap.max():.3f}, mean {gap.mean():.4f}; "
                f"{results[name]['texts_with_other_labels']} of {len(texts)} texts decided otherwise; flagged {flagged}",
                flush=True,
            )
    fp32 = results["float32 (shipped)"]
    print(f"\n{'recipe':70s} speed-up   suite harmful ar/en/fr/de (points against float32)")
    for name, result in results.items():
        change = " ".join(
            f"{100 * (result['functional_pass_rate'][f'{lang} harmful'] - fp32['functional_pass_rate'][f'{lang} harmful']):+.1f}"
            for lang in ("ar", "en", "fr", "de")
        )
        print(f"{name:70s} {result['one_thread_texts_per_s'] / fp32['one_thread_texts_per_s']:.2f}x     {change}")
    summary = {"model": f"default {classifier.version}", "texts": len(texts), "passes": args.passes, "machine": machine_description(), "recipes": results}
    RESULTS.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
