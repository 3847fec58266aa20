"""The batch job: `--engine ray` against the local loop, on a generated parquet folder.

A folder of ``--files`` parquet files of ``--rows`` rows each is written from tweet-length
seed texts (each row made distinct by a number; one row in 50 has a null text, to be
rejected), then scored by `run_batch` with the local loop and with Ray (a local instance of
``--cpus`` CPUs, started before the clock runs, its start time printed apart). Printed per
engine: rows in, out and rejected, seconds and rows per second; then whether the two
engines' scored rows are identical.

    python benchmarks/bench_batch.py                     # 8 files x 5,000 rows, fast model, 2 CPUs
    python benchmarks/bench_batch.py --files 4 --rows 1000
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

import pandas as pd
from bench_speed import _SEEDS, machine_description

from extremism_nlp.batch import run_batch
from extremism_nlp.labels import LABELS


def make_folder(folder: Path, files: int, rows: int) -> None:
    folder.mkdir(parents=True)
    for f in range(files):
        ids = range(f * rows, (f + 1) * rows)
        texts = [None if i % 50 == 49 else f"{_SEEDS[i % len(_SEEDS)]} {i}" for i in ids]
        pd.DataFrame({"id": list(ids), "text": texts}).to_parquet(folder / f"part-{f:03d}.parquet")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--model", default="fast")
    parser.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray instance (default: %(default)s)")
    parser.add_argument("--output", default=str(Path(__file__).parent / "results" / "batch.json"))
    args = parser.parse_args()

    import ray

    print(f"machine: {machine_description()}; load average {os.getloadavg()[0]:.1f}")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_folder(tmp / "in", args.files, args.rows)
        print(f"input: {args.files} parquet files x {args.rows} rows, model {args.model}")
        started = time.perf_counter()
        ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False)
        ray_start = time.perf_counter() - started
        try:
            for engine in ("local", "ray"):
                report = run_batch(tmp / "in", tmp / engine, engine=engine, model=args.model)
                results[engine] = report.to_dict() | {"rows_per_s": round(report.rows_in / report.seconds, 1)}
                print(
                    f"{engine:>5}: rows in {report.rows_in}, out {report.rows_out}, rejected {report.rows_rejected}, "
                    f"balanced {report.balanced}; {report.seconds:.1f} s, {results[engine]['rows_per_s']} rows/s"
                )
        finally:
            ray.shutdown()
        columns = ["id", "label", "labels", "lang", *(f"score_{k}" for k in LABELS)]
        frames = {e: pd.read_parquet(tmp / e / "status=scored")[columns].sort_values("id").reset_index(drop=True) for e in results}
        identical = frames["local"].equals(frames["ray"])
    speedup = results["local"]["seconds"] / results["ray"]["seconds"]
    print(f"Ray start (not in the timings): {ray_start:.1f} s; ray / local speed: {speedup:.2f}x; scored rows identical: {identical}")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(
        json.dumps(
            {"machine": machine_description(), "cpus": args.cpus, "ray_start_s": round(ray_start, 1), "speedup": round(speedup, 2), "identical": identical, **results},
            indent=2,
        )
        + "\n"
    )
    return 0 if identical and all(r["balanced"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
