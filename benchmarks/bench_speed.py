"""Speed and memory of a model: load time, single-text latency, throughput per batch size,
peak memory. Each figure comes from a fresh interpreter, so runs do not warm each other.

Targets for the fast model (issue: package and fast model): >= 10,000 tweet-length texts/s
at batch 1,000; median single-text latency < 1 ms; load < 1 s; peak memory < 300 MB.
Targets for the transformer default (issue: transformer default): load under 5 s once the
base encoder (and, for runtime="onnx", the int8 export) is cached; with runtime="onnx", at
least 150 tweet-length texts/s.

    python benchmarks/bench_speed.py [--model fast] [--quick]
    python benchmarks/bench_speed.py --model default --texts 300 --batch-sizes 1,32 [--runtime onnx]

Prints a table and writes benchmarks/results/speed_<model>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
from pathlib import Path

RESULTS_DIR = Path(__file__).parent / "results"
# The SIMD extensions int8 matrix kernels use: with VNNI an int8 multiply-add is one
# instruction, with AVX2 alone it is several, so ONNX int8's gain over fp32 depends on them.
_INT8_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")


def machine_description() -> str:
    """Architecture, cores, CPU model and int8-relevant SIMD flags: speed figures mean
    little without them."""
    model, flags = platform.processor() or "unknown CPU", set()
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M).group(1).strip()
        flags = set(re.search(r"^flags\s*:\s*(.+)$", cpuinfo, re.M).group(1).split())
    except (OSError, AttributeError):  # not Linux, or an unusual cpuinfo: say less
        pass
    simd = "/".join(f for f in _INT8_FLAGS if f in flags) or "no AVX2"
    return f"{platform.machine()}, {os.cpu_count()} cores, {model} ({simd}), Python {platform.python_version()}"


# Tweet-length texts in the main languages, written for this benchmark (no corpus needed).
_SEEDS = [
    "Leaders met in Paris today to discuss how platforms remove terrorist content online.",
    "We should kill every last one of them and burn their homes to the ground tonight!!",
    "Those people are vermin, send them all back where they came from @user url",
    "shut up you stupid idiot, nobody asked for your opinion #politics",
    "Les dirigeants ont condamné l'attentat et promis de lutter contre la radicalisation.",
    "Ces gens sont des rats, il faut tous les virer du pays !!!",
    "عقدت في الرياض قمة دولية لمكافحة الإرهاب بمشاركة وزراء من عدة دول",
    "الله يلعنكم يا كلاب يا حثالة المجتمع",
    "Die Polizei hat die Demonstration in Dresden am Abend aufgelöst.",
    "Join the soldiers of the caliphate, the victory is near, brothers!",
]

_WORKER = r"""
import json, resource, statistics, sys, time
job = json.loads(sys.stdin.read())
t0 = time.perf_counter()
import extremism_nlp
clf = extremism_nlp.Classifier.from_pretrained(job["model"], **job["options"])
load_s = time.perf_counter() - t0
texts, batch_sizes, repeats = job["texts"], job["batch_sizes"], job["repeats"]
clf.classify(texts[:50])  # warm-up: first call loads the language identifier
latencies = []
for text in texts[:job["n_latency"]]:
    t = time.perf_counter(); clf.classify(text); latencies.append(time.perf_counter() - t)
throughput = {}
for batch in batch_sizes:
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        for start in range(0, len(texts), batch):
            clf.classify(texts[start:start + batch], batch_size=batch)
        runs.append(len(texts) / (time.perf_counter() - t))
    throughput[batch] = statistics.median(runs)
latencies.sort()
print(json.dumps({
    "load_s": load_s,
    "latency_median_ms": 1000 * statistics.median(latencies),
    "latency_p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
    "throughput_per_s": throughput,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def texts_for_benchmark(n: int) -> list[str]:
    """n tweet-length texts: the seeds with a running number, so no two are identical."""
    return [f"{_SEEDS[i % len(_SEEDS)]} {i}" for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="fast")
    parser.add_argument("--quick", action="store_true", help="fewer texts and repeats (CI)")
    parser.add_argument("--batch-sizes", default="1,32,1000")
    parser.add_argument("--runtime", choices=["torch", "onnx"], help="transformer models: inference runtime")
    parser.add_argument("--texts", type=int, help="texts per throughput run (default 10,000; quick 2,000)")
    args = parser.parse_args()
    n_texts, repeats, n_latency, runs = (2000, 1, 200, 1) if args.quick else (10000, 3, 1000, 3)
    if args.texts:  # a transformer reads ~100 texts/s here: 10,000 texts x 9 would take an hour
        n_texts, n_latency = args.texts, min(n_latency, args.texts)
    texts = texts_for_benchmark(n_texts)
    batch_sizes = [int(b) for b in args.batch_sizes.split(",")]
    options = {"runtime": args.runtime} if args.runtime else {}
    # One untimed load first: builds what is built once per machine (the e5 base folder, the
    # ONNX export), so that load times are those of every later start.
    prepare = "import extremism_nlp, json, sys; extremism_nlp.Classifier.from_pretrained(sys.argv[1], **json.loads(sys.argv[2]))"
    subprocess.run([sys.executable, "-c", prepare, args.model, json.dumps(options)], check=True, capture_output=True)
    results = []
    for _ in range(runs):
        job = {"model": args.model, "options": options, "texts": texts, "batch_sizes": batch_sizes, "repeats": repeats, "n_latency": n_latency}
        out = subprocess.run(
            [sys.executable, "-c", _WORKER], input=json.dumps(job), check=True, capture_output=True, text=True
        ).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))

    def median(key, sub=None):
        values = [r[key][sub] if sub is not None else r[key] for r in results]
        return statistics.median(values)

    summary = {
        "model": args.model + (f" ({args.runtime})" if args.runtime else ""),
        "texts": n_texts,
        "runs": runs,
        "load_s": round(median("load_s"), 3),
        "latency_median_ms": round(median("latency_median_ms"), 3),
        "latency_p99_ms": round(median("latency_p99_ms"), 3),
        "throughput_per_s": {str(b): round(median("throughput_per_s", str(b))) for b in batch_sizes},
        "peak_rss_mb": round(median("peak_rss_mb"), 1),
        "machine": machine_description(),
    }
    print(f"model {args.model}: {n_texts} texts, medians of {runs} fresh processes")
    print(f"  load                      {summary['load_s']:.3f} s")
    print(f"  one text, median latency  {summary['latency_median_ms']:.3f} ms (p99 {summary['latency_p99_ms']:.3f} ms)")
    for batch, rate in summary["throughput_per_s"].items():
        print(f"  throughput at batch {batch:>5}  {rate:,} texts/s")
    print(f"  peak memory (RSS)         {summary['peak_rss_mb']:.0f} MB")
    if not args.quick:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        suffix = f"_{args.runtime}" if args.runtime else ""
        (RESULTS_DIR / f"speed_{Path(args.model).name}{suffix}.json").write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
