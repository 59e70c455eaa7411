"""Soak test of the HTTP API: `assistant serve` in its own process, C concurrent clients, N requests mixed from the
dev set (/api/ask with each item's history, every 5th through /v1/chat/completions, every 10th of those streamed).

    .venv/bin/python benchmarks/soak.py                          # 16 clients, 2,000 requests (minutes on 2 cores)
    .venv/bin/python benchmarks/soak.py --requests 200 --warmup 50

Pass: 0 errors, and the server's RSS after the run <= 1.2 x its RSS after warm-up (no leak). Reports p50/p95/max
client latency and writes benchmarks/results/soak.json (read by benchmarks/hardening_report.py). Bounded: loopback
only, and it stops sending after --max-seconds.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_throughput import free_port, percentile  # noqa: E402  (one copy of the load-test helpers)

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
RESULT = ROOT / "benchmarks" / "results" / "soak.json"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Server:
    """`python -m assistant serve` on a free loopback port; its stdout/stderr go to LOG (for the secrets check)."""

    def __init__(self, data_dir: str | None, index_dir: str | None, log: Path, env: dict[str, str] | None = None,
                 extra: list[str] = ()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(self.port), *extra]
        for flag, value in (("--data-dir", data_dir), ("--index-dir", index_dir)):
            if value:
                cmd += [flag, value]
        environ = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
                   "NO_PROXY": "127.0.0.1,localhost", **(env or {})}
        self.log = log
        self._out = open(log, "w")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=environ, stdout=self._out, stderr=subprocess.STDOUT)
        self.headers = {"Authorization": f"Bearer {environ['ASSISTANT_API_KEY']}"} \
            if environ.get("ASSISTANT_API_KEY") else {}
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}): {log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/api/health", headers=self.headers, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"server did not answer /api/health within 180 s: {log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._out.close()

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def load_items(path: Path = DEV) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def one_request(client: httpx.Client, item: dict, i: int) -> str | None:
    """Send request I for ITEM; None when it is a good answer, else what was wrong."""
    history = item.get("history") or []
    if i % 5:
        r = client.post("/api/ask", json={"question": item["question"], "history": history, "id": i})
        if r.status_code != 200:
            return f"/api/ask {r.status_code}: {r.text[:200]}"
        body = r.json()
        return None if body.get("id") == i and (body["citations"] or body["refused"]) else f"bad body: {r.text[:200]}"
    messages = [*history, {"role": "user", "content": item["question"]}]
    if i % 10:
        r = client.post("/v1/chat/completions", json={"messages": messages})
        if r.status_code != 200:
            return f"/v1 {r.status_code}: {r.text[:200]}"
        return None if r.json()["choices"][0]["message"]["content"] else "empty completion"
    with client.stream("POST", "/v1/chat/completions", json={"messages": messages, "stream": True}) as r:
        text = "".join(r.iter_text())
    if r.status_code != 200 or not text.rstrip().endswith("data: [DONE]") or '"error"' in text:
        return f"/v1 stream {r.status_code}: {text[-200:]}"
    return None


def drive(url: str, items: list[dict], n: int, clients: int, headers: dict, max_seconds: float) -> dict:
    """N requests from CLIENTS threads; returns latencies (ms), errors and how many were sent."""
    counter = iter(range(n))
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + max_seconds

    def worker():
        with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
            while time.monotonic() < deadline:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                t0 = time.perf_counter()
                try:
                    problem = one_request(client, items[i % len(items)], i)
                except Exception as e:  # a dropped connection is an error to count, not a crash
                    problem = f"{type(e).__name__}: {e}"
                with lock:
                    latencies.append((time.perf_counter() - t0) * 1000)
                    if problem:
                        errors.append(problem)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"sent": len(latencies), "errors": errors, "latencies": latencies, "seconds": time.perf_counter() - t0}


def soak(server: Server, requests: int, clients: int, warmup: int, max_seconds: float = 900) -> dict:
    items = load_items()
    drive(server.url, items, warmup, clients, server.headers, max_seconds)
    rss_warm = rss_mb(server.proc.pid)
    run = drive(server.url, items, requests, clients, server.headers, max_seconds)
    rss_after = rss_mb(server.proc.pid)
    lat = run["latencies"]
    return {"requests": requests, "served": run["sent"] - len(run["errors"]), "sent": run["sent"],
            "clients": clients, "warmup": warmup, "errors": len(run["errors"]), "error_samples": run["errors"][:5],
            "seconds": round(run["seconds"], 1), "requests_per_s": round(run["sent"] / run["seconds"], 1),
            "p50_ms": round(percentile(lat, 50)), "p95_ms": round(percentile(lat, 95)), "max_ms": round(max(lat)),
            "rss_warm_mb": round(rss_warm, 1), "rss_after_mb": round(rss_after, 1),
            "rss_ratio": round(rss_after / rss_warm, 3), "cpus": os.cpu_count(),
            "loadavg_1min": round(os.getloadavg()[0], 2)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--max-seconds", type=float, default=900, help="stop sending after this long")
    p.add_argument("--data-dir")
    p.add_argument("--index-dir")
    p.add_argument("--out", default=str(RESULT))
    args = p.parse_args(argv)
    log = Path(args.out).with_suffix(".log.tmp")
    with Server(args.data_dir, args.index_dir, log, extra=["--backend", "extractive"]) as server:
        result = soak(server, args.requests, args.clients, args.warmup, args.max_seconds)
    result["passed"] = result["errors"] == 0 and result["sent"] == args.requests and result["rss_ratio"] <= 1.2
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
