"""Validate tests/data/questions.jsonl and (re)write it with a stratified train/test "split" field.

Usage (from the repo root):  python scripts/split_questions.py [--report PATH] [--questions PATH] [--check]

Split: for each question type, the ids of that type are sorted, shuffled with random.Random(20261201) (a fresh
generator per type, so adding rows of one type never moves rows of another), and the first half (rounded down)
goes to "test", the rest to "train". Rows are self-contained (each carries its own history), so they are split
independently. Running it twice gives a byte-identical file.

Validation (exit status 1 with a message on the first run that fails): required fields and their shapes, types
from TYPES, unique ids, every "gold" / "items" span and every keyword found verbatim in the report, gold empty
exactly when answerable is false, "items" present for list/overview, and at least MIN_PER_TYPE rows per type.
--check validates and reports whether the file is up to date without writing it.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "data" / "questions.jsonl"
REPORT = ROOT / ".." / "shared" / "data" / "000_26f4da6c40c74bc5.txt"
SEED = 20261201
MIN_PER_TYPE = 15
TYPES = ("colloquial", "long", "list", "overview", "yesno", "number", "followup", "english", "traditional",
         "typo", "unanswerable", "injection", "chitchat")
ITEM_TYPES = ("list", "overview")
REQUIRED = {"id": str, "type": str, "question": str, "history": list, "gold": list, "keywords": list,
            "answerable": bool}


def load(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SystemExit(f"{path}:{n}: not valid JSON: {exc}")
        if not isinstance(row, dict):
            raise SystemExit(f"{path}:{n}: not a JSON object")
        rows.append(row)
    return rows


def validate(rows: list[dict], report: str) -> list[str]:
    errors: list[str] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, 1):
        where = f"row {n} ({row.get('id', '?')})"
        for field, kind in REQUIRED.items():
            if field not in row:
                errors.append(f"{where}: missing field {field!r}")
            elif not isinstance(row[field], kind):
                errors.append(f"{where}: {field!r} should be {kind.__name__}")
        if any(f not in row or not isinstance(row[f], REQUIRED[f]) for f in REQUIRED):
            continue
        if row["id"] in seen:
            errors.append(f"{where}: duplicate id")
        seen.add(row["id"])
        if row["type"] not in TYPES:
            errors.append(f"{where}: unknown type {row['type']!r}")
        if not row["question"].strip():
            errors.append(f"{where}: empty question")
        for m in row["history"]:
            if not (isinstance(m, dict) and m.get("role") in ("user", "assistant", "system")
                    and isinstance(m.get("content"), str)):
                errors.append(f"{where}: history entries must be {{'role','content'}}: {m!r}")
        if row["answerable"] and not row["gold"]:
            errors.append(f"{where}: answerable but gold is empty")
        if not row["answerable"] and (row["gold"] or row["keywords"]):
            errors.append(f"{where}: unanswerable but gold/keywords are not empty")
        if row["type"] in ITEM_TYPES and not (isinstance(row.get("items"), list) and row["items"]):
            errors.append(f"{where}: type {row['type']} needs a non-empty 'items' list")
        spans = [("gold", s) for s in row["gold"]] + [("items", s) for s in row.get("items") or []]
        spans += [("keywords", s) for s in row["keywords"]]
        for field, span in spans:
            if not isinstance(span, str) or not span:
                errors.append(f"{where}: {field} entry {span!r} is not a non-empty string")
            elif span not in report:
                errors.append(f"{where}: {field} span not found verbatim in the report: {span!r}")
    counts = Counter(row.get("type") for row in rows)
    for t in TYPES:
        if counts[t] < MIN_PER_TYPE:
            errors.append(f"type {t!r}: {counts[t]} rows, need at least {MIN_PER_TYPE}")
    return errors


def assign_splits(rows: list[dict]) -> None:
    by_type: dict[str, list[str]] = {}
    for row in rows:
        by_type.setdefault(row["type"], []).append(row["id"])
    split: dict[str, str] = {}
    for t in sorted(by_type):
        ids = sorted(by_type[t])
        random.Random(SEED).shuffle(ids)
        half = len(ids) // 2
        for i, qid in enumerate(ids):
            split[qid] = "test" if i < half else "train"
    for row in rows:
        row["split"] = split[row["id"]]


def dump(rows: list[dict]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--report", type=Path, default=REPORT, help="the report text (default: %(default)s)")
    ap.add_argument("--questions", type=Path, default=QUESTIONS, help="the question set (default: %(default)s)")
    ap.add_argument("--check", action="store_true", help="validate only; fail if the file is not up to date")
    args = ap.parse_args(argv)

    if not args.report.is_file():
        print(f"report not found: {args.report} (pass --report PATH)", file=sys.stderr)
        return 1
    if not args.questions.is_file():
        print(f"questions not found: {args.questions}", file=sys.stderr)
        return 1
    report = args.report.read_text(encoding="utf-8")
    rows = load(args.questions)
    errors = validate(rows, report)
    if errors:
        print(f"{args.questions}: {len(errors)} problem(s):", file=sys.stderr)
        for e in errors:
            print("  " + e, file=sys.stderr)
        return 1

    assign_splits(rows)
    text = dump(rows)
    current = args.questions.read_text(encoding="utf-8")
    if args.check:
        if text != current:
            print(f"{args.questions}: split field missing or stale; run scripts/split_questions.py", file=sys.stderr)
            return 1
    elif text != current:
        args.questions.write_text(text, encoding="utf-8")

    types = Counter(r["type"] for r in rows)
    splits = Counter((r["type"], r["split"]) for r in rows)
    print(f"{len(rows)} questions ({sum(r['split'] == 'test' for r in rows)} test, "
          f"{sum(r['split'] == 'train' for r in rows)} train)")
    for t in TYPES:
        print(f"  {t:<13} {types[t]:>3}  test {splits[(t, 'test')]:>3}  train {splits[(t, 'train')]:>3}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
