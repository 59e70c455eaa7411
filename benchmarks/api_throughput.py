"""Throughput of POST /api/ask: N concurrent clients against `assistant serve` in its own process.

    .venv/bin/python benchmarks/api_throughput.py                 # 8 clients, 20 s, the dev questions
    .venv/bin/python benchmarks/api_throughput.py --clients 4 --seconds 10 --url http://127.0.0.1:7860

Reports requests/s and client-side latency percentiles, plus the server's own time per answer (the contract's
elapsed_ms), so the gap between the two is what HTTP, JSON and queueing cost. Target on the 2-core machine:
>= 20 requests/s with p95 <= 500 ms at 8 clients (extractive backend).
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(args: argparse.Namespace) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-m", "assistant", "serve", "--port", str(port), "--backend", "extractive"]
    for flag in ("data_dir", "index_dir"):
        if getattr(args, flag):
            cmd += ["--" + flag.replace("_", "-"), getattr(args, flag)]
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"}
    env.pop(args.key_env, None)  # measure the open server; the key check is one compare anyway
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited ({proc.returncode}): {proc.stderr.read()[-2000:]}")
        try:
            if httpx.get(url + "/api/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit("server did not answer /api/health within 180 s")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) the process has used: per request, it does not depend on how busy
    the rest of the machine is the way wall-clock numbers do."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(url: str, questions: list[str], clients: int, seconds: float, max_requests: int,
        overhead: bool = False) -> dict:
    """OVERHEAD: GET a paragraph instead of asking: what HTTP, routing and JSON alone cost."""
    latencies: list[float] = []
    server_ms: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    count = iter(range(max_requests))

    def client(offset: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            i = offset
            while time.monotonic() < stop_at and next(count, None) is not None:
                q = questions[i % len(questions)]
                i += clients
                t0 = time.perf_counter()
                try:
                    if overhead:
                        r = http.get("/api/paragraph", params={"n": 1 + i % 20})
                    else:
                        r = http.post("/api/ask", json={"question": q})
                    ok = r.status_code == 200
                    body = r.json()
                except (httpx.HTTPError, ValueError) as e:
                    ok, body = False, {"error": repr(e)}
                took = (time.perf_counter() - t0) * 1000
                with lock:
                    if ok:
                        latencies.append(took)
                        server_ms.append(body.get("elapsed_ms", 0.0))
                    else:
                        errors.append(str(body)[:200])

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"clients": clients, "requests": len(latencies), "errors": len(errors), "seconds": round(wall, 2),
            "requests_per_s": round(len(latencies) / wall, 1),
            "p50_ms": round(percentile(latencies, 50), 1), "p95_ms": round(percentile(latencies, 95), 1),
            "p99_ms": round(percentile(latencies, 99), 1), "max_ms": round(max(latencies, default=0), 1),
            "server_elapsed_p50_ms": round(statistics.median(server_ms), 1) if server_ms else None,
            "server_elapsed_p95_ms": round(percentile(server_ms, 95), 1) if server_ms else None,
            "first_errors": errors[:3]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--seconds", type=float, default=20.0, help="how long to load the server")
    p.add_argument("--max-requests", type=int, default=100_000, help="stop after this many requests")
    p.add_argument("--url", help="an already running server (default: start `assistant serve`)")
    p.add_argument("--data-dir"), p.add_argument("--index-dir")
    p.add_argument("--questions", default=str(DEV), help="JSONL with a 'question' per line")
    p.add_argument("--key-env", default="ASSISTANT_API_KEY")
    p.add_argument("--overhead", action="store_true",
                   help="also measure GET /api/paragraph (no retrieval): the HTTP/framework ceiling")
    p.add_argument("--json", action="store_true", help="print the result as JSON only")
    args = p.parse_args(argv)

    questions = [json.loads(line)["question"] for line in Path(args.questions).read_text("utf-8").splitlines()
                 if line.strip()]
    proc = None
    url = args.url
    if not url:
        proc, url = start_server(args)
    try:
        run(url, questions, args.clients, 3.0, 10 * args.clients)  # warm up: jieba, caches, connections
        cpu0 = cpu_seconds(proc.pid) if proc else None
        result = run(url, questions, args.clients, args.seconds, args.max_requests)
        if proc:
            cpu = cpu_seconds(proc.pid) - cpu0
            result["server_cpu_ms_per_request"] = round(cpu * 1000 / max(1, result["requests"]), 1)
        if args.overhead:
            bare = run(url, questions, args.clients, args.seconds / 2, args.max_requests, overhead=True)
            result["paragraph_requests_per_s"], result["paragraph_p95_ms"] = bare["requests_per_s"], bare["p95_ms"]
    finally:
        if proc:
            proc.terminate()
            proc.wait(20)
    result["target_met"] = result["requests_per_s"] >= 20 and result["p95_ms"] <= 500
    result["load_average"] = os.getloadavg()[0]  # other work on the machine skews every number here
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for k, v in result.items():
            print(f"{k:>22}  {v}")
    return 0 if not result["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
