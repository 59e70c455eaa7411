"""Core speed: index build from scratch, cold `assistant ask` (new process, built index), in-process answers.

Usage: .venv/bin/python benchmarks/core_speed.py [--runs 5]
Targets on the 2-core machine: build <= 10 s, cold ask <= 2.5 s, in-process p50 <= 50 ms.
Writes benchmarks/results/core_speed.md.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "data" / "central-inspection-poverty-alleviation-2019.txt"
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
CLI = [sys.executable, "-m", "assistant"]


def timed(cmd: list[str], env: dict) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=ROOT)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    runs = ap.parse_args().runs
    work = Path(tempfile.mkdtemp(prefix="bench-core-"))
    data, index = work / "data", work / "index"
    data.mkdir()
    shutil.copy(REPORT, data / REPORT.name)
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data), "ASSISTANT_INDEX_DIR": str(index)}

    builds = []
    for _ in range(runs):
        shutil.rmtree(index, ignore_errors=True)
        builds.append(timed(CLI + ["ingest", "--quiet"], env))
    colds = [timed(CLI + ["ask", "巡视组从哪天开始进驻？"], env) for _ in range(runs)]

    sys.path.insert(0, str(ROOT))
    from assistant.answering.assistant import Assistant
    from assistant.config import load_config

    assistant = Assistant.from_config(load_config(environ=env), notify=lambda m: None)
    questions = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    for q in questions:  # warm-up
        assistant.ask(q["question"], q["history"])
    ms = []
    for _ in range(3):
        for q in questions:
            t = time.perf_counter()
            assistant.ask(q["question"], q["history"])
            ms.append((time.perf_counter() - t) * 1000)
    ms.sort()
    rows = [
        ("index build from scratch (CLI, new process)", f"{statistics.median(builds):.2f} s", "≤ 10 s"),
        ("cold `assistant ask` (new process, built index)", f"{statistics.median(colds):.2f} s", "≤ 2.5 s"),
        ("in-process answer p50", f"{statistics.median(ms):.1f} ms", "≤ 50 ms"),
        ("in-process answer p95", f"{ms[int(len(ms) * 0.95) - 1]:.1f} ms", ""),
    ]
    load = os.getloadavg()[0]
    text = [f"# Core speed ({runs} runs each, median; {len(ms)} in-process answers; load average {load:.1f})", "",
            "| measure | result | target |", "|---|---|---|"]
    text += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    out = "\n".join(text) + "\n"
    print(out)
    (ROOT / "benchmarks" / "results" / "core_speed.md").write_text(out, encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
