"""Reliability probes: the bad inputs and failure modes of issue 15, re-run through the
command line (fresh processes) and the API, with what happens and, for file jobs, rows in
against rows written + rows reported.

    python benchmarks/bench_reliability.py [--model fast] [--with-default] [--output FILE]

``--with-default`` adds the probes that need the `default` model (fork after loading it;
scores independent of batch mates on torch and ONNX int8; the cost of checking the cached
base encoder's SHA-256): a few minutes on 2 cores. Writes benchmarks/results/reliability.json
(figures from a run without ``--with-default`` keep the default-model ones already there);
report.py renders it in RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "reliability.json"
BAD_INPUTS = ROOT / "tests" / "bad_inputs"
sys.path.insert(0, str(HERE))

from bench_speed import machine_description, texts_for_benchmark  # noqa: E402


def _cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "extremism_nlp.cli", *args], input=stdin, capture_output=True, env=env, timeout=600)


WORK = {"dir": ""}  # the probes' temporary folder, shown as $WORK


def _outcome(result: subprocess.CompletedProcess) -> str:
    err = result.stderr.decode("utf-8", "replace").strip().splitlines()
    traceback = any(line.startswith("Traceback") for line in err)
    shown = [line for line in err if line.startswith(("classified", "interrupted", "extremism-nlp"))] or err
    text = shown[-1][:200].replace(WORK["dir"], "$WORK").replace(str(ROOT) + "/", "") if shown else ""
    return f"exit {result.returncode}" + (" TRACEBACK" if traceback else "") + (f": {text}" if text else "")


def _rows(path: Path) -> list[int]:
    return [json.loads(line)["line"] for line in path.read_text(encoding="utf-8").splitlines()] if path.is_file() else []


def _summary(err: bytes) -> tuple[int | None, int | None]:
    """(records read, records skipped) from the job's summary line."""
    import re

    match = re.search(r"(\d+) records read, (\d+) skipped", err.decode("utf-8", "replace"))
    return (int(match.group(1)), int(match.group(2))) if match else (None, None)


def file_probes(model: str, work: Path) -> list[dict]:
    probes = []
    base = ["classify", "--model", model, "--no-progress"]

    def add(name: str, result, rows_in=None, rows_out=None, reported=None, ok=None):
        entry = {"probe": name, "outcome": _outcome(result), "rows_in": rows_in, "rows_out": rows_out, "rows_reported": reported}
        entry["ok"] = bool(ok if ok is not None else "TRACEBACK" not in entry["outcome"])
        if rows_in is not None:
            entry["ok"] = entry["ok"] and rows_in == (rows_out or 0) + (reported or 0)
        probes.append(entry)

    texts = work / "texts.txt"
    texts.write_text("".join(f"message {i} about the weather\n" for i in range(500)))
    before = texts.read_bytes()
    result = _cli(*base, "--input", str(texts), "--output", str(texts))
    add("--output same file as --input", result, ok=result.returncode == 2 and texts.read_bytes() == before)

    jsonl = work / "surrogate.jsonl"
    rows = [{"text": f"message {i}"} for i in range(500)]
    rows[3]["text"] = "bad \ud800 row"
    jsonl.write_text("".join(json.dumps(row) + "\n" for row in rows))
    result = _cli(*base, "--input", str(jsonl), "--output", str(work / "s.jsonl"))
    read, skipped = _summary(result.stderr)
    add("lone surrogate in a JSONL row", result, 500, len(_rows(work / "s.jsonl")), skipped)

    result = _cli(*base, "--input", str(texts), "--batch-size", "0")
    add("--batch-size 0", result, ok=result.returncode == 2)
    (work / "empty.csv").write_bytes(b"")
    add("empty CSV (0 bytes)", _cli(*base, "--input", str(work / "empty.csv")))
    add("--output is a directory", _cli(*base, "--input", str(texts), "--output", str(work)))
    add("--input is a directory", _cli(*base, "--input", str(work)))
    (work / "body.jsonl").write_text('{"body": "x"}\n' * 10)
    add("JSONL without the --text-column", _cli(*base, "--input", str(work / "body.jsonl")))

    result = _cli(*base, "--input", "-", "--output", "-", stdin=before)
    out = [json.loads(line)["line"] for line in result.stdout.decode().splitlines()]
    add("--input - / --output - (pipe)", result, 500, len(out), _summary(result.stderr)[1])

    probes.append(_interrupt_probe(model, work))
    for name in ("texts.jsonl", "lines.txt", "rows.csv"):
        output = work / f"bad-{name}.jsonl"
        result = _cli(*base, "--input", str(BAD_INPUTS / name), "--output", str(output))
        read, skipped = _summary(result.stderr)
        add(f"bad-input corpus {name}", result, read, len(_rows(output)), skipped)
    return probes


def _interrupt_probe(model: str, work: Path) -> dict:
    source, output = work / "long.txt", work / "long.jsonl"
    n = 100_000
    source.write_text("".join(f"message {i} about the weather and the sea\n" for i in range(n)))
    # One text per batch: the job runs long enough for the signal to land mid-job even on a busy machine.
    command = [sys.executable, "-m", "extremism_nlp.cli", "classify", "--model", model, "--input", str(source),
               "--output", str(output), "--batch-size", "1", "--no-progress"]  # fmt: skip
    process = subprocess.Popen(command, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    while process.poll() is None and (not output.exists() or output.stat().st_size < 50_000):
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    err = process.communicate(timeout=120)[1]
    interrupted = f"exit {process.returncode}: " + err.decode().strip().splitlines()[-1][:200].replace(WORK["dir"], "$WORK")
    torn = not output.read_bytes().endswith(b"\n")
    resumed = _cli("classify", "--model", model, "--input", str(source), "--output", str(output), "--no-progress", "--resume")
    lines = _rows(output)
    ok = process.returncode == 130 and not torn and lines == list(range(1, n + 1)) and resumed.returncode == 0
    return {"probe": "Ctrl-C in a long job, then --resume", "outcome": f"{interrupted}; then --resume {_outcome(resumed)}",
            "rows_in": n, "rows_out": len(lines), "rows_reported": 0, "ok": ok}  # fmt: skip


def api_probes(model: str) -> list[dict]:
    import numpy as np

    from extremism_nlp import Classifier

    classifier = Classifier.from_pretrained(model)
    probes = []

    def expect(name: str, call, error: type[Exception] | None):
        try:
            value = call()
            outcome, ok = f"ok ({len(value)} predictions)" if isinstance(value, list) else "ok", error is None
        except Exception as caught:  # noqa: BLE001 (what is raised is the measurement)
            outcome, ok = f"{type(caught).__name__}: {caught}", error is not None and isinstance(caught, error)
        probes.append({"probe": name, "outcome": outcome[:200], "ok": ok})

    expect("API: lone surrogate in a batch of 500", lambda: classifier.classify(["ok"] * 499 + ["\ud800"]), None)
    expect("API: batch_size=-1", lambda: classifier.classify(["ok"], batch_size=-1), ValueError)
    expect("API: a dict", lambda: classifier.classify({"a": "text"}), TypeError)
    try:
        import pandas

        expect("API: a pandas DataFrame", lambda: classifier.classify(pandas.DataFrame({"text": ["a"]})), TypeError)
    except ImportError:
        pass
    texts = texts_for_benchmark(200)
    alone = np.array([classifier.predict_proba([t])[0] for t in texts[:50]])
    rng = np.random.default_rng(0)
    order = rng.permutation(len(texts))
    mixed = classifier.predict_proba([texts[i] for i in order], batch_size=37)
    back = np.empty_like(mixed)
    back[order] = mixed
    gap = float(np.abs(back[:50] - alone).max())
    probes.append({"probe": f"{model}: scores alone vs in shuffled batches of 37", "outcome": f"max difference {gap:.2e}", "ok": gap <= 1e-4})
    return probes


def fork_probe(model: str, **options) -> dict:
    code = f"""
import multiprocessing, sys
from extremism_nlp import Classifier
clf = Classifier.from_pretrained({model!r}, **{options!r})
serial = [p.label for p in clf.classify(["we will kill them all", "nice weather", "bonjour"] * 4)]
def work(text):
    return clf.classify(text).label
with multiprocessing.get_context("fork").Pool(2) as pool:
    forked = pool.map_async(work, ["we will kill them all", "nice weather", "bonjour"] * 4).get(timeout=120)
print("same" if forked == serial else "different")
"""
    started = time.perf_counter()
    try:
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
        outcome = result.stdout.decode().strip() or _outcome(result)
    except subprocess.TimeoutExpired:
        outcome = "deadlock (timeout)"
    label = model + (f" ({options})" if options else "")
    return {"probe": f"fork after loading {label}", "outcome": f"{outcome} in {time.perf_counter() - started:.0f} s", "ok": outcome == "same"}


def default_probes() -> tuple[list[dict], dict]:
    from extremism_nlp.models.e5 import e5_small_folder
    from extremism_nlp.models.integrity import sha256_file

    probes = [fork_probe("default"), fork_probe("default", runtime="onnx")]
    for runtime in ("torch", "onnx"):
        import numpy as np

        from extremism_nlp import Classifier

        classifier = Classifier.from_pretrained("default", runtime=runtime)
        texts = texts_for_benchmark(100)
        alone = np.array([classifier.predict_proba([t])[0] for t in texts[:30]])
        order = np.random.default_rng(0).permutation(len(texts))
        mixed = classifier.predict_proba([texts[i] for i in order], batch_size=32)
        back = np.empty_like(mixed)
        back[order] = mixed
        gap = float(np.abs(back[:30] - alone).max())
        probes.append({"probe": f"default ({runtime}): scores alone vs in shuffled batches", "outcome": f"max difference {gap:.2e}", "ok": gap <= 1e-4})
    probes.append(onnx_feeding_probe())
    folder = e5_small_folder()
    costs = []
    for _ in range(3):
        started = time.perf_counter()
        for path in folder.iterdir():
            if path.is_file():
                sha256_file(path)
        costs.append(time.perf_counter() - started)
    size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    return probes, {"base_encoder_mb": round(size / 1e6), "verify_seconds_median": round(sorted(costs)[1], 2)}


def onnx_feeding_probe(n: int = 200, repeats: int = 3) -> dict:
    """Throughput of the ONNX int8 transformer fed as it is now (each text alone, one per
    core at a time) against padded batches of 32 (as before), and torch at batch 32,
    interleaved in one process so that a busy machine slows all three alike."""
    import numpy as np
    import onnxruntime as ort

    from extremism_nlp.models import load_model

    member = next(m for m in load_model("stack", runtime="onnx").members if m.model_type == "transformer")
    torch_member = next(m for m in load_model("stack").members if m.model_type == "transformer")
    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, min(os.cpu_count() or 1, 8))
    export = member.onnx_cache_folder() / "model.int8.onnx"
    batched_session = ort.InferenceSession(str(export), options, providers=["CPUExecutionProvider"])

    def batched(texts):
        logits = np.zeros((len(texts), 4), dtype=np.float32)
        for index, encoded in member._batches(texts):
            logits[index] = batched_session.run(None, encoded)[0]
        return logits

    texts = texts_for_benchmark(n)
    runs = {"onnx, each text alone": member.decision_function, "onnx, padded batches of 32": batched, "torch, batches of 32": torch_member.decision_function}
    rates: dict[str, list[float]] = {name: [] for name in runs}
    for fn in runs.values():
        fn(texts[:16])  # warm-up
    for _ in range(repeats):
        for name, fn in runs.items():
            started = time.perf_counter()
            fn(texts)
            rates[name].append(n / (time.perf_counter() - started))
    medians = {name: round(sorted(values)[len(values) // 2], 1) for name, values in rates.items()}
    outcome = "; ".join(f"{name} {rate} texts/s" for name, rate in medians.items())
    return {"probe": f"ONNX int8 feeding, {n} texts, median of {repeats}", "outcome": outcome, "ok": True, "texts_per_s": medians}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="fast", help="model for the file and API probes (default: %(default)s)")
    parser.add_argument("--with-default", action="store_true", help="also the probes that need the default model")
    parser.add_argument("--output", type=Path, default=RESULTS, help="JSON file to write (default: %(default)s)")
    args = parser.parse_args()
    previous = json.loads(args.output.read_text()) if args.output.is_file() else {}
    with tempfile.TemporaryDirectory() as tmp:
        WORK["dir"] = tmp
        probes = file_probes(args.model, Path(tmp)) + api_probes(args.model) + [fork_probe(args.model)]
    result = {"model": args.model, "machine": machine_description(), "probes": probes}
    if args.with_default:
        result["default_probes"], result["cache_check"] = default_probes()
    else:
        result |= {k: previous[k] for k in ("default_probes", "cache_check") if k in previous}
    for probe in probes + result.get("default_probes", []):
        counts = "" if probe.get("rows_in") is None else f"  [in {probe['rows_in']}, out {probe['rows_out']}, reported {probe['rows_reported']}]"
        print(f"{'ok  ' if probe['ok'] else 'FAIL'} {probe['probe']}: {probe['outcome']}{counts}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    if not all(probe["ok"] for probe in probes):
        sys.exit(1)


if __name__ == "__main__":
    main()
