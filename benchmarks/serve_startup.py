"""Start-to-first-page time of `assistant serve` with an index already built (issue 4 asks for <= 6 s).

Starts `python -m assistant serve` on a free port as a subprocess, polls GET / until it returns 200, stops the
server, and repeats; prints each run and the median. Also prints the CPU seconds the server process used until
then (Linux /proc): on a machine busy with other work the wall time grows, the CPU time much less. The first run builds the index if it is missing (reported
separately, not counted). Run from the checkout: .venv/bin/python benchmarks/serve_startup.py [--runs 3]
[--data-dir DIR --index-dir DIR]. Extra arguments after `--` go to `assistant serve`.
"""
from __future__ import annotations

import argparse
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


def start_to_page(serve_args: list[str], timeout: float = 180) -> tuple[float, float]:
    """(wall seconds, server CPU seconds) from starting the process to the first 200 on GET /."""
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
                        return time.perf_counter() - t0, cpu_seconds(proc.pid)
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
    times, cpu = [], []
    for i in range(args.runs):
        wall, used = start_to_page(serve_args)
        times.append(wall)
        cpu.append(used)
        print(f"run {i + 1}: {wall:.2f} s ({used:.2f} s CPU)")
    print(f"median start-to-first-page: {statistics.median(times):.2f} s over {args.runs} runs "
          f"(server CPU {statistics.median(cpu):.2f} s); load average now {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
