"""Start-to-first-page time of `assistant serve` with an index already built (issue 4 asks for <= 6 s).

Starts `python -m assistant serve` on a free port as a subprocess, polls GET / until it returns 200 (gradio's page,
config included), then asks one question over POST /api/ask (so work moved behind the first page would show up as
a slow first answer), stops the server, and repeats; prints each run and the medians. Also prints the CPU seconds
the server process used until the first page (Linux /proc): on a machine busy with other work the wall time grows,
the CPU time much less. The first run builds the index if it is missing (reported separately, not counted). Run from
the checkout: .venv/bin/python benchmarks/serve_startup.py [--runs 3] [--data-dir DIR --index-dir DIR]. Extra
arguments after `--` go to `assistant serve`.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process PID so far (0.0 where /proc is missing)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


QUESTION = "巡视组从哪天开始进驻？"


def first_answer(port: int) -> float:
    """Seconds for one POST /api/ask right after the first page; raises unless it answers with citations."""
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/ask", json.dumps({"question": QUESTION}).encode(),
                                 {"Content-Type": "application/json"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as r:
        body = json.load(r)
    if not body.get("citations"):
        raise SystemExit(f"first answer has no citations: {body}")
    return time.perf_counter() - t0


def start_to_page(serve_args: list[str], timeout: float = 180) -> tuple[float, float, float]:
    """(wall seconds, server CPU seconds) from starting the process to the first 200 on GET /, then the seconds
    of the first answer."""
    port = free_port()
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost"}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--port", str(port), *serve_args],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        while time.perf_counter() - t0 < timeout:
            if proc.poll() is not None:
                raise SystemExit(f"serve exited with {proc.returncode}: {proc.stderr.read().decode(errors='replace')}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    if r.status == 200:
                        page, used = time.perf_counter() - t0, cpu_seconds(proc.pid)
                        return page, used, first_answer(port)
            except OSError:
                time.sleep(0.05)
        raise SystemExit(f"no page after {timeout} s")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--data-dir")
    p.add_argument("--index-dir")
    p.add_argument("serve_args", nargs="*", help="more arguments for `assistant serve` (after --)")
    args = p.parse_args()
    serve_args = [*(["--data-dir", args.data_dir] if args.data_dir else []),
                  *(["--index-dir", args.index_dir] if args.index_dir else []), *args.serve_args]
    print(f"warm-up (builds the index if needed): {start_to_page(serve_args)[0]:.2f} s")
    times, cpu, answers = [], [], []
    for i in range(args.runs):
        wall, used, answer = start_to_page(serve_args)
        times.append(wall)
        cpu.append(used)
        answers.append(answer)
        print(f"run {i + 1}: {wall:.2f} s ({used:.2f} s CPU); first answer {answer:.2f} s after it")
    print(f"median start-to-first-page: {statistics.median(times):.2f} s over {args.runs} runs "
          f"(server CPU {statistics.median(cpu):.2f} s), first answer {statistics.median(answers):.2f} s after the "
          f"page; slowest page {max(times):.2f} s; load average now {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
