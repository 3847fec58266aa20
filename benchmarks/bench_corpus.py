"""Corpus build speed: a cold build from the raw files, then cached loads.

Targets (issue: data layer): cold build < 60 s, cached load < 5 s on 2 cores.
Prints the figures and writes benchmarks/results/corpus.json.

    python benchmarks/bench_corpus.py [--data-dir DIR] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_speed import machine_description  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "corpus.json"


def _timed_load(data_dir: str | None, cache: str) -> float:
    # A fresh interpreter each time: a user's second load is a new process, not a warm one.
    code = (
        "import time; t = time.perf_counter(); "
        f"from extremism_nlp.data import load_corpus; c = load_corpus({data_dir!r}); "
        "n = sum(len(c[s]) for s in c); print(time.perf_counter() - t, n)"
    )
    env = {**os.environ, "EXTREMISM_NLP_CACHE": cache}
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True).stdout
    seconds, rows = out.split()
    return float(seconds), int(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        cold, rows = _timed_load(args.data_dir, cache)
        warm = [_timed_load(args.data_dir, cache)[0] for _ in range(args.repeats)]
    result = {
        "rows": rows,
        "cold_build_s": round(cold, 2),
        "cached_load_median_s": round(statistics.median(warm), 2),
        "cached_load_runs_s": [round(w, 2) for w in warm],
        "targets": {"cold_build_s": 60, "cached_load_s": 5},
        "machine": machine_description(),
    }
    print(f"rows in the corpus:        {rows}")
    print(f"cold build from raw files: {cold:.1f} s   (target < 60 s)")
    print(f"cached load, median of {args.repeats}: {statistics.median(warm):.2f} s   (target < 5 s)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    ok = cold < 60 and statistics.median(warm) < 5
    print("targets met" if ok else "TARGET MISSED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
