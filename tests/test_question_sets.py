"""The question sets we measure on: well-formed, gold spans copied from the report, and the fresh set kept out of
every fit (scripts/fit_calibration.py reads train rows of its FILES only)."""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SETS = ["questions.jsonl", "questions_train_extra.jsonl", "offtopic.jsonl", "holdout.jsonl", "fresh.jsonl"]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def report() -> str:
    return squeeze("".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "data").glob("*.txt"))))


@pytest.mark.parametrize("name", SETS)
def test_rows_are_well_formed_and_gold_is_verbatim(name, report):
    rows = [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    assert rows and len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert r["question"].strip() and r.get("split") in ("train", "test", None), r["id"]  # holdout: no split
        gold = [squeeze(g) for g in r.get("gold", [])]
        if r.get("answerable", True) and r.get("type") != "chitchat":
            assert gold, r["id"]
        else:
            assert not gold, r["id"]
        missing = [g for g in gold if g not in report]
        assert not missing, (r["id"], missing)


def test_the_fresh_set_is_never_fitted_on():
    import importlib.util

    spec = importlib.util.spec_from_file_location("fit_calibration", ROOT / "scripts" / "fit_calibration.py")
    fit = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fit)
    assert DATA / "fresh.jsonl" not in fit.FILES
    rows = [json.loads(line) for line in (DATA / "fresh.jsonl").read_text(encoding="utf-8").splitlines() if line]
    assert {r["split"] for r in rows} == {"test"}
