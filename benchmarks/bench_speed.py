"""Speed and memory of a model: load time, single-text latency, throughput per batch size,
peak memory. Each figure comes from a fresh interpreter, so runs do not warm each other.

Targets for the fast model (issue: package and fast model): >= 10,000 tweet-length texts/s
at batch 1,000; median single-text latency < 1 ms; load < 1 s; peak memory < 300 MB.
With ``--peer alt-profanity-check`` (issue: fast at the speed of the fastest peer) the peer
runs in its own environment (benchmarks/peers.py), in processes alternating with ours, on
the same texts: `predict_proba` at least as fast as its `predict_prob`, `classify()` at
least 100,000 texts/s, peak RSS at most 150 MB classifying 100,000 texts, load under 0.3 s;
throughput at batch 1 with its latency p99, and rows for 1 kB and 10 kB texts.
Targets for the transformer default (issue: transformer default): load under 5 s once the
base encoder (and, for runtime="onnx", the int8 export) is cached; with runtime="onnx", at
least 150 tweet-length texts/s.
Target for the frozen-encoder default (issue 14): at least 150 tweet-length texts/s on 2
cores with the runtime that ships (ONNX Runtime float32 since 0.5.0). ``--compare-runtimes
torch,onnx-fp32`` loads the model on both runtimes in one fresh process and times them in
turn on the same texts, several runs each: the medians and their ratio come from the same
moments of a machine whose load moves.

    python benchmarks/bench_speed.py [--model fast] [--quick]
    python benchmarks/bench_speed.py --peer alt-profanity-check [--quick] [--baseline DIR]
    python benchmarks/bench_speed.py --model default --texts 300 --batch-sizes 1,32 [--runtime onnx]
    python benchmarks/bench_speed.py --model default --compare-runtimes torch,onnx-fp32 --texts 300 [--runs 5]

Prints a table and writes benchmarks/results/speed_<model>.json (peer_speed_<peer>.json
with --peer, speed_<model>_runtimes.json with --compare-runtimes).
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
    "version": clf.version,
    "load_s": load_s,
    "latency_median_ms": 1000 * statistics.median(latencies),
    "latency_p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
    "throughput_per_s": throughput,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


# One process, the model loaded on each runtime; timed runs over the same texts taken in turn
# (runtime A, runtime B, A, B, ...), so that a change of the machine's load reaches both.
_RUNTIMES_WORKER = r"""
import json, statistics, sys, time
job = json.loads(sys.stdin.read())
import extremism_nlp
texts, runtimes = job["texts"], job["runtimes"]
classifiers, load_s = {}, {}
for runtime in runtimes:
    t = time.perf_counter()
    classifiers[runtime] = extremism_nlp.Classifier.from_pretrained(job["model"], runtime=runtime)
    load_s[runtime] = time.perf_counter() - t
    classifiers[runtime].classify(texts[:50])  # warm-up: the language identifier, first runs
scores = {runtime: classifiers[runtime].predict_proba(texts) for runtime in runtimes}
gap = max(float(abs(scores[runtimes[0]] - scores[r]).max()) for r in runtimes)
rates = {runtime: {str(b): [] for b in job["batch_sizes"]} for runtime in runtimes}
cpu_rates = {runtime: {str(b): [] for b in job["batch_sizes"]} for runtime in runtimes}
for _ in range(job["runs"]):
    for batch in job["batch_sizes"]:
        for runtime in runtimes:
            part = texts if batch > 1 else texts[: job["n_single"]]
            t, cpu = time.perf_counter(), time.process_time()
            for start in range(0, len(part), batch):
                classifiers[runtime].classify(part[start:start + batch], batch_size=batch)
            rates[runtime][str(batch)].append(len(part) / (time.perf_counter() - t))
            cpu_rates[runtime][str(batch)].append(len(part) / (time.process_time() - cpu))
print(json.dumps({"load_s": load_s, "rates": rates, "cpu_rates": cpu_rates, "max_abs_probability_difference": gap}))
"""


def compare_runtimes(model: str, runtimes: list[str], n_texts: int, batch_sizes: list[int], runs: int) -> dict:
    """Throughput of ``model`` on each runtime, timed in turn in one fresh process: medians of
    ``runs`` runs and, per batch size, the median of the per-run ratios to the first runtime."""
    texts = texts_for_benchmark(n_texts)
    for runtime in runtimes:  # untimed: builds what is built once per machine (the ONNX export)
        prepare = "import extremism_nlp, sys; extremism_nlp.Classifier.from_pretrained(sys.argv[1], runtime=sys.argv[2])"
        subprocess.run([sys.executable, "-c", prepare, model, runtime], check=True, capture_output=True)
    job = {"model": model, "runtimes": runtimes, "texts": texts, "batch_sizes": batch_sizes, "runs": runs, "n_single": min(100, n_texts)}
    out = subprocess.run([sys.executable, "-c", _RUNTIMES_WORKER], input=json.dumps(job), check=True, capture_output=True, text=True).stdout
    measured = json.loads(out.strip().splitlines()[-1])
    rates = measured["rates"]
    first = runtimes[0]
    return {
        "model": model,
        "texts": n_texts,
        "runs": runs,
        "runtimes": runtimes,
        "load_s": {r: round(v, 2) for r, v in measured["load_s"].items()},
        "throughput_per_s": {r: {b: round(statistics.median(v)) for b, v in per.items()} for r, per in rates.items()},
        "runs_per_s": {r: {b: [round(x) for x in v] for b, v in per.items()} for r, per in rates.items()},
        # Texts per second of CPU time the process used (all its threads): what the load of other
        # processes changes least. Spinning thread-pool workers count too, as they hold a core.
        "texts_per_cpu_s": {r: {b: round(statistics.median(v)) for b, v in per.items()} for r, per in measured["cpu_rates"].items()},
        "ratio_to_" + first: {
            r: {b: round(statistics.median(x / y for x, y in zip(rates[r][b], rates[first][b])), 2) for b in rates[r]} for r in runtimes[1:]
        },
        "max_abs_probability_difference": measured["max_abs_probability_difference"],
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "machine": machine_description(),
    }


def print_runtimes(summary: dict) -> None:
    first = summary["runtimes"][0]
    ratios = summary["ratio_to_" + first]
    print(f"model {summary['model']}: {summary['texts']} tweet-length texts (batch 1: the first 100), runtimes timed in turn "
          f"in one process, medians of {summary['runs']} runs; load average after: {summary['load_average']}; {summary['machine']}")
    for batch in summary["throughput_per_s"][first]:
        cells = "   ".join(f"{r} {summary['throughput_per_s'][r][batch]:,} texts/s" for r in summary["runtimes"])
        ratio = "   ".join(f"{r}/{first} {ratios[r][batch]:.2f}x" for r in ratios)
        print(f"  batch {batch:>4}: {cells}   ({ratio}, median of the per-run ratios)")
        cpu = "   ".join(f"{r} {summary['texts_per_cpu_s'][r][batch]:,}" for r in summary["runtimes"])
        print(f"  batch {batch:>4}, texts per CPU-second (all threads): {cpu}")
    print("  load s: " + ", ".join(f"{r} {s:.2f}" for r, s in summary["load_s"].items()))
    print(f"  largest probability difference between the runtimes on these texts: {summary['max_abs_probability_difference']:.1e}")
    best = max(max(per.values()) for per in summary["throughput_per_s"].values())
    print(f"  target >= 150 texts/s on 2 cores: {'met' if best >= 150 else 'NOT met'} here (best median {best:,} texts/s)")


def texts_for_benchmark(n: int) -> list[str]:
    """n tweet-length texts: the seeds with a running number, so no two are identical."""
    return [f"{_SEEDS[i % len(_SEEDS)]} {i}" for i in range(n)]


def long_texts_for_benchmark(n: int, size: int) -> list[str]:
    """n texts of about ``size`` bytes of UTF-8: seeds in turn, each text starting elsewhere."""
    texts = []
    for i in range(n):
        parts, length, k = [], 0, i
        while length < size:
            parts.append(_SEEDS[k % len(_SEEDS)])
            length += len(parts[-1].encode("utf-8")) + 1
            k += 1
        texts.append(" ".join(parts))
    return texts


# One process of ours or of the peer: load, then each timed call over the same texts (best of
# `repeats`); ours also classify() and the latency of one text at a time.
_SIDE_BY_SIDE_WORKER = r"""
import json, resource, statistics, sys, time
job = json.loads(sys.stdin.read())
t0 = time.perf_counter()
if job["who"] in ("ours", "baseline"):
    import extremism_nlp
    clf = extremism_nlp.Classifier.from_pretrained("fast")
    score = lambda batch: clf.predict_proba(batch, batch_size=len(batch))
    calls = {
        "predict_proba": score,
        "classify": lambda batch: clf.classify(batch, batch_size=len(batch)),
        # classify() identifies a language only where it changes the labels, the others when
        # first read: reading every one gives the cost of the full identification
        "classify_lang": lambda batch: [p.lang for p in clf.classify(batch, batch_size=len(batch))],
    }
else:
    from profanity_check.profanity_check import predict_prob
    calls = {"predict_proba": predict_prob}
load_s = time.perf_counter() - t0
t0 = time.perf_counter()
for call in calls.values():
    call(job["texts"][:50])  # warm-up: the first call loads the language identifier and scipy
first_call_s = time.perf_counter() - t0
def rate(call, texts, batch):
    best = float("inf")
    for _ in range(job["repeats"]):
        t = time.perf_counter()
        for start in range(0, len(texts), batch):
            call(texts[start:start + batch])
        best = min(best, time.perf_counter() - t)
    return len(texts) / best
out = {"load_s": load_s, "first_call_s": first_call_s}
for name, call in calls.items():
    out[name] = {
        "batch_1000": rate(call, job["texts"], 1000),
        "batch_1": rate(call, job["texts"][: job["n_single"]], 1),
        "1kB": rate(call, job["texts_1kB"], 100),
        "10kB": rate(call, job["texts_10kB"], 100),
    }
    latencies = []
    for text in job["texts"][: job["n_single"]]:
        t = time.perf_counter(); call([text]); latencies.append(time.perf_counter() - t)
    latencies.sort()
    out[name]["latency_p99_ms"] = 1000 * latencies[int(0.99 * (len(latencies) - 1))]
    out[name]["latency_median_ms"] = 1000 * statistics.median(latencies)
print(json.dumps(out))
"""

# Load time alone: import and from_pretrained in a fresh process.
_LOAD_WORKER = r"""
import json, time
t0 = time.perf_counter()
import extremism_nlp
extremism_nlp.Classifier.from_pretrained("fast")
print(json.dumps({"load_s": time.perf_counter() - t0}))
"""

# Peak memory of a fresh process that loads the model and classifies n texts in one call.
_MEMORY_WORKER = r"""
import json, resource, sys
job = json.loads(sys.stdin.read())
import extremism_nlp
texts = [f"{job['seeds'][i % len(job['seeds'])]} {i}" for i in range(job["n"])]
predictions = extremism_nlp.classify(texts, model="fast")
print(json.dumps({"texts": len(predictions), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def side_by_side(peer_name: str, quick: bool, baseline: str | None = None, baseline_label: str | None = None) -> dict:
    """Ours and the peer in alternating fresh processes on the same texts; medians. With
    ``baseline``, a folder holding another version of the library (``git archive main
    extremism_nlp | tar -x -C DIR``, say) timed in the same alternation: before and after
    a change, in one run."""
    from peers import PEERS, _environment

    peer = next((p for p in PEERS if p.name == peer_name), None)
    if peer is None:
        raise SystemExit(f"unknown peer {peer_name!r}; choose from {[p.name for p in PEERS]}")
    n_texts, n_long, n_single, runs, repeats, n_load = (5000, 100, 500, 1, 1, 3) if quick else (10000, 200, 1000, 3, 2, 9)
    job = {
        "texts": texts_for_benchmark(n_texts),
        "texts_1kB": long_texts_for_benchmark(n_long, 1000),
        "texts_10kB": long_texts_for_benchmark(n_long // 5, 10000),
        "n_single": n_single,
        "repeats": repeats,
    }
    pythons = {"ours": sys.executable, "peer": str(_environment(peer)), "baseline": sys.executable}
    who_runs = ("ours", "peer") + (("baseline",) if baseline else ())
    # the baseline's package comes first on its path: the worker starts in its folder
    places = {"baseline": {"cwd": baseline, "env": os.environ | {"PYTHONPATH": str(baseline)}}} if baseline else {}
    # One untimed load first: builds the scoring matrix into the user cache (once per machine)
    subprocess.run([sys.executable, "-c", _LOAD_WORKER], check=True, capture_output=True)
    results: dict[str, list[dict]] = {who: [] for who in who_runs}
    for _ in range(runs):
        for who in who_runs:
            out = subprocess.run(
                [pythons[who], "-c", _SIDE_BY_SIDE_WORKER], input=json.dumps(job | {"who": who}), check=True, capture_output=True, text=True,
                **places.get(who, {}),
            ).stdout
            results[who].append(json.loads(out.strip().splitlines()[-1]))
    loads = [
        json.loads(subprocess.run([sys.executable, "-c", _LOAD_WORKER], check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])["load_s"]
        for _ in range(n_load)
    ]
    memory = json.loads(
        subprocess.run(
            [sys.executable, "-c", _MEMORY_WORKER], input=json.dumps({"n": 100_000, "seeds": _SEEDS}), check=True, capture_output=True, text=True
        ).stdout.strip().splitlines()[-1]
    )

    def median(who: str, *keys: str) -> float:
        values = []
        for r in results[who]:
            for key in keys:
                r = r[key]
            values.append(r)
        return statistics.median(values)

    rows = ("batch_1000", "batch_1", "1kB", "10kB", "latency_median_ms", "latency_p99_ms")
    summary = {
        "peer": peer_name,
        "texts": n_texts,
        "runs": runs,
        "load_s": {"ours": round(median("ours", "load_s"), 3), "peer": round(median("peer", "load_s"), 3)},
        "load_alone_s": {"median": round(statistics.median(loads), 3), "max": round(max(loads), 3), "processes": n_load},
        "first_calls_s": {"ours": round(median("ours", "first_call_s"), 3), "peer": round(median("peer", "first_call_s"), 3)},
        "ours_predict_proba": {k: round(median("ours", "predict_proba", k), 3) for k in rows},
        "ours_classify": {k: round(median("ours", "classify", k), 3) for k in rows},
        "ours_classify_reading_lang": {k: round(median("ours", "classify_lang", k), 3) for k in rows},
        "peer_predict_prob": {k: round(median("peer", "predict_proba", k), 3) for k in rows},
        "peak_rss_mb_100k_texts": round(memory["peak_rss_mb"], 1),
        "machine": machine_description(),
    }
    summary["ratio_predict_proba_to_peer"] = {
        k: round(summary["ours_predict_proba"][k] / summary["peer_predict_prob"][k], 2) for k in ("batch_1000", "batch_1", "1kB", "10kB")
    }
    summary["ratio_classify_to_peer"] = {
        k: round(summary["ours_classify"][k] / summary["peer_predict_prob"][k], 2) for k in ("batch_1000", "batch_1", "1kB", "10kB")
    }
    if baseline:
        summary["baseline"] = baseline_label or str(baseline)
        for call in ("predict_proba", "classify"):
            summary[f"baseline_{call}"] = {k: round(median("baseline", call, k), 3) for k in rows}
            summary[f"ratio_{call}_to_baseline"] = {
                k: round(summary[f"ours_{call}"][k] / summary[f"baseline_{call}"][k], 2) for k in ("batch_1000", "batch_1", "1kB", "10kB")
            }
    return summary


def print_side_by_side(summary: dict) -> None:
    ours_p, ours_c, peer = summary["ours_predict_proba"], summary["ours_classify"], summary["peer_predict_prob"]
    ours_l = summary["ours_classify_reading_lang"]
    ratio, ratio_c = summary["ratio_predict_proba_to_peer"], summary["ratio_classify_to_peer"]
    print(f"fast against {summary['peer']}: {summary['texts']:,} tweet-length texts, medians of {summary['runs']} "
          f"alternating fresh processes each (best of the repeats within one); {summary['machine']}")
    print(f"  {'texts/s':<24}{'fast predict_proba':>20}{'fast classify()':>18}{'+ every .lang read':>20}"
          f"{summary['peer'] + ' predict_prob':>34}{'ratio':>8}{'classify':>10}")
    for key, label in (("batch_1000", "batch 1,000"), ("batch_1", "batch 1"), ("1kB", "1 kB texts (batch 100)"), ("10kB", "10 kB texts (batch 100)")):
        print(f"  {label:<24}{ours_p[key]:>20,.0f}{ours_c[key]:>18,.0f}{ours_l[key]:>20,.0f}{peer[key]:>34,.0f}{ratio[key]:>7.2f}x{ratio_c[key]:>9.2f}x")
    for key, label in (("latency_median_ms", "latency median ms"), ("latency_p99_ms", "latency p99 ms")):
        print(f"  {label:<24}{ours_p[key]:>20.3f}{ours_c[key]:>18.3f}{ours_l[key]:>20.3f}{peer[key]:>34.3f}")
    alone = summary["load_alone_s"]
    print(f"  load s: fast {summary['load_s']['ours']:.3f}, {summary['peer']} {summary['load_s']['peer']:.3f}; "
          f"fast alone in {alone['processes']} fresh processes: median {alone['median']:.3f}, max {alone['max']:.3f}; "
          f"then the first calls on 50 texts (what loads on first use): fast {summary['first_calls_s']['ours']:.3f}, "
          f"{summary['peer']} {summary['first_calls_s']['peer']:.3f}")
    print(f"  peak RSS classifying 100,000 texts in one call: {summary['peak_rss_mb_100k_texts']:.0f} MB")
    targets = {
        "predict_proba >= peer (batch 1,000)": ratio["batch_1000"] >= 1,
        "classify() >= 100,000 texts/s": ours_c["batch_1000"] >= 100_000,
        "peak RSS <= 150 MB": summary["peak_rss_mb_100k_texts"] <= 150,
        "load < 0.3 s (median of the fresh processes)": summary["load_alone_s"]["median"] < 0.3,
    }
    print("  targets: " + "; ".join(f"{name} {'met' if ok else 'NOT met'}" for name, ok in targets.items()))
    if "baseline" in summary:
        base_p, base_c = summary["baseline_predict_proba"], summary["baseline_classify"]
        ratio_p, ratio_c = summary["ratio_predict_proba_to_baseline"], summary["ratio_classify_to_baseline"]
        print(f"  baseline {summary['baseline']} in the same alternation (texts/s, and this tree's ratio to it):")
        print(f"  {'':<24}{'predict_proba':>20}{'classify()':>18}{'ratio':>10}{'classify':>10}")
        for key, label in (("batch_1000", "batch 1,000"), ("batch_1", "batch 1"), ("1kB", "1 kB texts (batch 100)"), ("10kB", "10 kB texts (batch 100)")):
            print(f"  {label:<24}{base_p[key]:>20,.0f}{base_c[key]:>18,.0f}{ratio_p[key]:>9.2f}x{ratio_c[key]:>9.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="fast")
    parser.add_argument("--quick", action="store_true", help="fewer texts and repeats (CI)")
    parser.add_argument("--batch-sizes", default="1,32,1000")
    parser.add_argument("--runtime", choices=["torch", "onnx", "onnx-fp32"], help="transformer models: inference runtime")
    parser.add_argument("--texts", type=int, help="texts per throughput run (default 10,000; quick 2,000)")
    parser.add_argument("--peer", help="run this peer side by side with the fast model (benchmarks/peers.py), e.g. alt-profanity-check")
    parser.add_argument("--baseline", help="with --peer: a folder holding another version of extremism_nlp, timed in the same alternation")
    parser.add_argument("--baseline-label", help="what --baseline holds, for the results (e.g. 'main at 8a2c167'); default: its path")
    parser.add_argument("--compare-runtimes", help="time these runtimes in turn in one process, e.g. torch,onnx-fp32 (the first is the reference)")
    parser.add_argument("--runs", type=int, default=5, help="--compare-runtimes: timed runs per runtime and batch size")
    parser.add_argument("--against", help="a second model (e.g. the same weights with other thresholds) timed in processes alternating with --model's")
    args = parser.parse_args()
    if args.compare_runtimes:
        batch_sizes = [int(b) for b in (args.batch_sizes if args.batch_sizes != "1,32,1000" else "1,32").split(",")]
        summary = compare_runtimes(args.model, args.compare_runtimes.split(","), args.texts or 300, batch_sizes, 2 if args.quick else args.runs)
        print_runtimes(summary)
        if not args.quick:
            RESULTS_DIR.mkdir(parents=True, exist_ok=True)
            (RESULTS_DIR / f"speed_{Path(args.model).name}_runtimes.json").write_text(json.dumps(summary, indent=2) + "\n")
        return
    if args.peer:
        sys.path.insert(0, str(Path(__file__).parent))
        summary = side_by_side(args.peer, args.quick, args.baseline, args.baseline_label)
        print_side_by_side(summary)
        if not args.quick:
            RESULTS_DIR.mkdir(parents=True, exist_ok=True)
            (RESULTS_DIR / f"peer_speed_{args.peer}.json").write_text(json.dumps(summary, indent=2) + "\n")
        return
    plain_speed(args)


def plain_speed(args: argparse.Namespace) -> None:
    """The model (and ``--against``, in alternating processes) in fresh processes: load,
    latency, throughput per batch size, peak memory; medians."""
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
    models = [args.model] + ([args.against] if args.against else [])
    if args.against:
        subprocess.run([sys.executable, "-c", prepare, args.against, json.dumps(options)], check=True, capture_output=True)
    measured: dict[str, list[dict]] = {model: [] for model in models}
    for _ in range(runs):
        for model in models:  # in turn, so that a change of the machine's load reaches both
            job = {"model": model, "options": options, "texts": texts, "batch_sizes": batch_sizes, "repeats": repeats, "n_latency": n_latency}
            out = subprocess.run(
                [sys.executable, "-c", _WORKER], input=json.dumps(job), check=True, capture_output=True, text=True
            ).stdout
            measured[model].append(json.loads(out.strip().splitlines()[-1]))
    summaries = [_speed_summary(model, args.runtime, measured[model], n_texts, batch_sizes) for model in models]
    for summary in summaries:
        _print_speed(summary, runs)
    if args.against:
        ratios = {
            str(b): round(statistics.median(o["throughput_per_s"][str(b)] / r["throughput_per_s"][str(b)] for r, o in zip(*measured.values())), 2)
            for b in batch_sizes
        }
        print(f"  {args.against} / {args.model} throughput, median of the per-run ratios: " + ", ".join(f"batch {b} {r:.2f}x" for b, r in ratios.items()))
        if not args.quick:
            RESULTS_DIR.mkdir(parents=True, exist_ok=True)
            path = RESULTS_DIR / f"against_{Path(args.model).name}_{Path(args.against).name}.json"
            path.write_text(json.dumps({"models": summaries, "ratio_of_medians_per_run": ratios}, indent=2) + "\n")
        return
    summary = summaries[0]
    if not args.quick:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        suffix = f"_{args.runtime}" if args.runtime else ""
        (RESULTS_DIR / f"speed_{Path(args.model).name}{suffix}.json").write_text(json.dumps(summary, indent=2) + "\n")


def _speed_summary(model: str, runtime: str | None, results: list[dict], n_texts: int, batch_sizes: list[int]) -> dict:
    """Medians over the fresh processes of one model."""

    def median(key, sub=None):
        values = [r[key][sub] if sub is not None else r[key] for r in results]
        return statistics.median(values)

    return {
        "model": model + (f" ({runtime})" if runtime else ""),
        "version": results[0]["version"],
        "texts": n_texts,
        "runs": len(results),
        "load_s": round(median("load_s"), 3),
        "latency_median_ms": round(median("latency_median_ms"), 3),
        "latency_p99_ms": round(median("latency_p99_ms"), 3),
        "throughput_per_s": {str(b): round(median("throughput_per_s", str(b))) for b in batch_sizes},
        "peak_rss_mb": round(median("peak_rss_mb"), 1),
        "machine": machine_description(),
    }


def _print_speed(summary: dict, runs: int) -> None:
    print(f"model {summary['model']} {summary['version']}: {summary['texts']} texts, medians of {runs} fresh processes")
    print(f"  load                      {summary['load_s']:.3f} s")
    print(f"  one text, median latency  {summary['latency_median_ms']:.3f} ms (p99 {summary['latency_p99_ms']:.3f} ms)")
    for batch, rate in summary["throughput_per_s"].items():
        print(f"  throughput at batch {batch:>5}  {rate:,} texts/s")
    print(f"  peak memory (RSS)         {summary['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
