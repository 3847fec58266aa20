"""Load test of the HTTP service on loopback: N concurrent clients against
`extremism-nlp serve`, for the `fast` and `default` models.

For each model a server process is started on 127.0.0.1 (a free port), the texts of the
functional suite (11 languages) are first sent one at a time (the serial
reference), then by N concurrent clients, one text per request, until the request count or
the time limit is reached, whichever comes first; the server is then stopped. Printed:
throughput, p50/p99 latency, errors, the server's mean batch size, and whether every result
under load equals the serial one (same labels; largest score difference).

The clients run on the same cores as the server, so the throughput is that of the pair:
the CPU time per request of each (server process, client process) is printed beside it.
Traffic goes to 127.0.0.1 only.

    python benchmarks/bench_serve.py                         # fast: 16 clients, 2,000 requests; default: 8 clients, 200
    python benchmarks/bench_serve.py --models fast --requests 500 --clients 8
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

from bench_speed import machine_description

from extremism_nlp.evaluation.functional import load_suite

HOST = "127.0.0.1"  # loopback only, by design
PLAN = {"fast": {"clients": 16, "requests": 2000}, "default": {"clients": 8, "requests": 200}}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(model: str, port: int, log_path: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("EXTREMISM_NLP_API_KEY", None)
    command = [sys.executable, "-m", "extremism_nlp.cli", "serve", "--model", model, "--host", HOST, "--port", str(port)]
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://{HOST}:{port}/health", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError("server did not start within 180 s")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux), to tell the server's cost per request
    apart from the contention of a shared machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def _key(result: dict) -> tuple:
    return result["label"], tuple(sorted(k for k, v in result["categories"].items() if v))


async def load(base: str, texts: list[str], clients: int, requests: int, duration: float) -> dict:
    """``clients`` coroutines, each sending one text per request in turn, until ``requests``
    have been sent or ``duration`` seconds have passed."""
    latencies: list[float] = []
    errors: list[str] = []
    answers: list[tuple[int, dict]] = []  # (text index, result) of every answered request
    counter = iter(range(requests))
    stop_at = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def worker() -> None:
            for n in counter:
                if time.perf_counter() > stop_at:
                    return
                index = n % len(texts)
                started = time.perf_counter()
                try:
                    response = await client.post("/classify", json={"inputs": texts[index]})
                    elapsed = time.perf_counter() - started
                    if response.status_code != 200:
                        errors.append(f"HTTP {response.status_code}: {response.text[:200]}")
                        continue
                    latencies.append(elapsed)
                    answers.append((index, response.json()["results"][0]))
                except httpx.HTTPError as error:
                    errors.append(f"{type(error).__name__}: {error}")

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        wall = time.perf_counter() - began
    return {"latencies": latencies, "errors": errors, "wall": wall, "answers": answers}


def bench_model(model: str, clients: int, requests: int, duration: float, texts: list[str], workdir: Path) -> dict:
    port = _free_port()
    base = f"http://{HOST}:{port}"
    started = time.perf_counter()
    server = start_server(model, port, workdir / f"server_{model}.log")
    startup = time.perf_counter() - started
    try:
        reference_texts = texts[: min(len(texts), requests)]
        serial = {}
        serial_latencies = []
        with httpx.Client(base_url=base, timeout=60) as client:
            for index, text in enumerate(reference_texts):
                t = time.perf_counter()
                response = client.post("/classify", json={"inputs": text})
                serial_latencies.append(time.perf_counter() - t)
                response.raise_for_status()
                serial[index] = response.json()["results"][0]
            before = client.get("/health").json()
        cpu_before, client_before = _cpu_seconds(server.pid), time.process_time()
        run = asyncio.run(load(base, reference_texts, clients, requests, duration))
        cpu_after, client_after = _cpu_seconds(server.pid), time.process_time()
        after = httpx.get(f"{base}/health", timeout=10).json()
    finally:
        server.terminate()
        server.wait(timeout=30)
    mismatches, largest = 0, 0.0
    for index, result in run["answers"]:
        expected = serial[index]
        if _key(result) != _key(expected):
            mismatches += 1
        largest = max(largest, *(abs(result["category_scores"][k] - expected["category_scores"][k]) for k in expected["category_scores"]))
    latencies = sorted(run["latencies"])
    batches = after["batches"] - before["batches"]
    return {
        "model": model,
        "clients": clients,
        "requests_sent": len(latencies) + len(run["errors"]),
        "ok": len(latencies),
        "errors": len(run["errors"]),
        "error_examples": run["errors"][:3],
        "seconds": round(run["wall"], 2),
        "requests_per_s": round(len(latencies) / run["wall"], 1),
        "p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))], 1) if latencies else None,
        "serial_p50_ms": round(1000 * statistics.median(serial_latencies), 1),
        "serial_requests_per_s": round(len(serial_latencies) / sum(serial_latencies), 1),
        "server_cpu_ms_per_request": round(1000 * (cpu_after - cpu_before) / max(1, len(latencies)), 2),
        "client_cpu_ms_per_request": round(1000 * (client_after - client_before) / max(1, len(latencies)), 2),
        "load_average_1min": round(os.getloadavg()[0], 1),
        "mean_batch_texts": round((after["texts"] - before["texts"]) / batches, 1) if batches else None,
        "results_compared": len(run["answers"]),
        "label_mismatches": mismatches,
        "max_score_difference": largest,
        "server_startup_s": round(startup, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="fast,default")
    parser.add_argument("--clients", type=int, help="concurrent clients (default: 16 fast, 8 default)")
    parser.add_argument("--requests", type=int, help="requests under load (default: 2,000 fast, 200 default)")
    parser.add_argument("--duration", type=float, default=60.0, help="stop the load phase after this many seconds")
    parser.add_argument("--output", default=str(Path(__file__).parent / "results" / "serve.json"))
    args = parser.parse_args()

    texts = [case.text for case in load_suite()]
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="bench_serve_"))  # server logs
    print(f"machine: {machine_description()}")
    print(f"texts: {len(texts)} functional-suite cases (ar, en, fr), one per request; server and clients on 127.0.0.1")
    rows = []
    for model in args.models.split(","):
        plan = PLAN.get(model, PLAN["default"])
        row = bench_model(model, args.clients or plan["clients"], args.requests or plan["requests"], args.duration, texts, workdir)
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False))
    print()
    header = (
        "| model | clients | requests ok | errors | req/s | p50 ms | p99 ms | serial req/s | serial p50 ms "
        "| server CPU ms/req | client CPU ms/req | mean batch | labels as serial | max score diff | load avg |"
    )
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for r in rows:
        same = f"{r['results_compared'] - r['label_mismatches']}/{r['results_compared']}"
        print(
            f"| {r['model']} | {r['clients']} | {r['ok']} | {r['errors']} | {r['requests_per_s']} | {r['p50_ms']} | {r['p99_ms']} | "
            f"{r['serial_requests_per_s']} | {r['serial_p50_ms']} | {r['server_cpu_ms_per_request']} | {r['client_cpu_ms_per_request']} | {r['mean_batch_texts']} | "
            f"{same} | {r['max_score_difference']:.2g} | {r['load_average_1min']} |"
        )
    Path(args.output).write_text(json.dumps({"machine": machine_description(), "rows": rows}, indent=2, ensure_ascii=False) + "\n")
    failed = any(r["errors"] or r["label_mismatches"] for r in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
