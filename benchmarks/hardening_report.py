"""The hardening tally: runs the four hardening suites (pytest, junit XML), reads the soak benchmark's result and prints
inputs tried, faults injected, requests served, errors, data lost and latency under load; writes
benchmarks/results/hardening.md.

    .venv/bin/python benchmarks/hardening_report.py              # run the suites (~6 min on 2 cores), read soak.json
    .venv/bin/python benchmarks/hardening_report.py --soak       # also rerun benchmarks/soak.py (2,000 requests)
    .venv/bin/python benchmarks/hardening_report.py --junit FILE # only read an existing junit XML
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
SUITES = {"input": "tests/test_hardening_input.py", "faults": "tests/test_hardening_faults.py",
          "security": "tests/test_security.py", "load": "tests/test_soak.py"}
# Tests whose passing means no data was lost: the index answers the dev set as before after the abuse.
INTACT = ("test_zz_index_intact", "test_index_damaged", "test_disk_full", "test_chroma_server_restarted",
          "test_bad_files_are_named")
BAD_FILES, BATCH_LINES = 11, 14  # inputs inside single tests: files in the bad batch, lines in the CLI batch


def run_suites(xml: Path) -> int:
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={xml}", *SUITES.values()]
    return subprocess.run(cmd, cwd=ROOT).returncode


def outcomes(xml: Path) -> dict[str, Counter]:
    """suite -> Counter of passed/failed/skipped, and the names of failed tests under 'failed_names'."""
    by_file = {v.rsplit("/", 1)[1].removesuffix(".py"): k for k, v in SUITES.items()}
    out: dict[str, Counter] = {k: Counter() for k in SUITES}
    failed: list[str] = []
    for case in ET.parse(xml).getroot().iter("testcase"):
        suite = by_file.get(case.get("classname", "").rsplit(".", 1)[-1])
        if suite is None:
            continue
        if case.find("skipped") is not None:
            out[suite]["skipped"] += 1
        elif case.find("failure") is not None or case.find("error") is not None:
            out[suite]["failed"] += 1
            failed.append(case.get("name"))
        else:
            out[suite]["passed"] += 1
    out["_failed"] = Counter(failed)
    return out


def tally(results: dict[str, Counter], soak: dict | None) -> dict:
    ran = {k: results[k]["passed"] + results[k]["failed"] for k in SUITES}
    failed = list(results["_failed"])
    return {
        "inputs_tried": ran["input"] + BAD_FILES + BATCH_LINES - 2,  # the two tests stand for their files/lines
        "faults_injected": ran["faults"],
        "security_checks": ran["security"],
        "requests_served": (soak or {}).get("served", 0),
        "errors": sum(results[k]["failed"] for k in SUITES) + (soak or {}).get("errors", 0),
        "data_lost": sum(1 for name in failed if name.startswith(INTACT)),
        "skipped": sum(results[k]["skipped"] for k in SUITES),
        "failed_tests": failed,
        "soak": soak,
    }


def markdown(t: dict) -> str:
    s = t["soak"] or {}
    lines = ["# Hardening tally", "",
             "Produced by `benchmarks/hardening_report.py` from the hardening suites (`tests/test_hardening_input.py`,",
             "`tests/test_hardening_faults.py`, `tests/test_security.py`, `tests/test_soak.py`) and",
             "`benchmarks/soak.py` (`benchmarks/results/soak.json`). Shared 2-core machine: latency moves with the",
             "other sessions' load (1-minute load average during the soak given below).", "",
             "| measure | value |", "|---|---|",
             f"| bad inputs tried (each through one front end: Python, CLI, /api/ask, /v1, web) | {t['inputs_tried']} |",
             f"| faults injected (model server, index directory, disk, Chroma server, hostile report) | "
             f"{t['faults_injected']} |",
             f"| security checks | {t['security_checks']} |",
             f"| requests served in the soak ({s.get('clients', '?')} clients, loopback) | {t['requests_served']} |",
             f"| errors | {t['errors']} |",
             f"| data lost | {t['data_lost']} |",
             f"| latency under load: p50 / p95 / max | {s.get('p50_ms', '?')} / {s.get('p95_ms', '?')} / "
             f"{s.get('max_ms', '?')} ms |",
             f"| throughput | {s.get('requests_per_s', '?')} requests/s |",
             f"| server RSS after warm-up → after the soak | {s.get('rss_warm_mb', '?')} → {s.get('rss_after_mb', '?')}"
             f" MB (×{s.get('rss_ratio', '?')}) |",
             f"| load average (1 min) at the end of the soak | {s.get('loadavg_1min', '?')} |",
             f"| tests skipped (not applicable to that front end) | {t['skipped']} |"]
    if t["failed_tests"]:
        lines += ["", "Failed: " + ", ".join(t["failed_tests"])]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--junit", help="read this junit XML instead of running the suites")
    p.add_argument("--soak", action="store_true", help="rerun benchmarks/soak.py first")
    args = p.parse_args(argv)
    if args.soak:
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "soak.py")], cwd=ROOT, check=False)
    xml = Path(args.junit) if args.junit else RESULTS / "hardening-junit.xml.tmp"
    if not args.junit:
        run_suites(xml)
    soak_file = RESULTS / "soak.json"
    soak = json.loads(soak_file.read_text()) if soak_file.is_file() else None
    t = tally(outcomes(xml), soak)
    print(json.dumps({k: v for k, v in t.items() if k != "soak"}, ensure_ascii=False, indent=2))
    (RESULTS / "hardening.md").write_text(markdown(t), encoding="utf-8")
    print(f"written: {os.path.relpath(RESULTS / 'hardening.md', ROOT)}")
    return 0 if t["errors"] == 0 and t["data_lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
