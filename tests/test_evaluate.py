"""`assistant eval`: totals broken down by question type, failure records, the split filter and the naive baseline."""
import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import fields

import pytest
from conftest import ROOT

from assistant.answering.baseline import baseline_score, rank
from assistant.answering.evaluate import Scores, load_questions, score, select, tally, type_table
from assistant.contract import Answer, Citation, Passage

QUESTIONS = ROOT / "tests" / "data" / "questions.jsonl"
COUNTED = [f.name for f in fields(Scores) if f.type in ("int", "float")]  # the summable measures
FAILURE_KEYS = {"id", "type", "question", "expected", "said", "why"}


def run(*args):
    return subprocess.run([sys.executable, "-m", "assistant", *args], check=False, capture_output=True, text=True,
                          timeout=300, cwd=ROOT, env=os.environ)


def _sample(per_type: int) -> list[dict]:
    """The first PER_TYPE questions of each type in tests/data/questions.jsonl (both splits)."""
    seen: Counter = Counter()
    out = []
    for item in load_questions(QUESTIONS):
        if seen[item["type"]] < per_type:
            seen[item["type"]] += 1
            out.append(item)
    return out


def _write(path, items) -> str:
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def sample():
    return _sample(2)


@pytest.fixture(scope="module")
def scored(assistant, sample):
    return score(assistant, sample)


@pytest.fixture(scope="module")
def baseline(assistant, sample):
    return baseline_score(assistant, sample)


def _sums_to_totals(s: Scores, items: list[dict]) -> None:
    assert set(s.by_type) == {i["type"] for i in items}
    for kind, t in s.by_type.items():
        assert t.n == sum(i["type"] == kind for i in items), kind
    for name in COUNTED:
        assert sum(getattr(t, name) for t in s.by_type.values()) == pytest.approx(getattr(s, name)), name
    assert sum(len(t.failures) for t in s.by_type.values()) == len(s.failures)
    assert sum(len(t.misses) for t in s.by_type.values()) == len(s.misses)
    assert sorted(x for t in s.by_type.values() for x in t.ms) == sorted(s.ms)
    assert s.n == len(items) == len(s.ms)


def test_per_type_breakdown_sums_to_the_totals(scored, sample):
    _sums_to_totals(scored, sample)
    assert scored.answerable == sum(i.get("answerable", True) for i in sample)
    assert scored.offtopic == sum(not i.get("answerable", True) or i["type"] == "chitchat" for i in sample)
    assert 0 <= scored.quoted_offtopic <= scored.offtopic
    assert scored.with_items == sum(bool(i.get("items")) for i in sample if i.get("answerable", True))
    assert 0 <= scored.item_recall <= scored.with_items


def test_failures_carry_their_fields(scored, sample):
    by_id = {i["id"]: i for i in sample}
    whys = {"refused an answerable question", "no cited paragraph holds the gold span",
            "answered an unanswerable question", "chitchat answered with report quotes"}
    for f in scored.failures:
        assert set(f) == FAILURE_KEYS and f["why"] in whys
        item = by_id[f["id"]]
        assert f["type"] == item["type"] and f["question"] == item["question"]
        assert isinstance(f["said"], str) and len(f["said"]) <= 201
        if item.get("answerable", True):
            assert f["expected"] == item["gold"]
        else:
            assert f["expected"] == ("no report quotes" if item["type"] == "chitchat" else "refusal")
    # every miss but a fallback note is a failure
    assert len(scored.failures) == len(scored.misses) - scored.fallbacks


def test_the_measures_on_answers_of_known_shape():
    """quoted_offtopic, item recall and the chitchat / unanswerable failures, on hand-made Answers."""
    text = "存在三个问题：一是甲项不到位，二是乙项滞后，三是丙项偏差。"
    cite = Citation(1, "r.txt", 3, None, text, text, 0, len(text), 1.0)
    para = Passage("r.txt", 3, None, text, 1.0)
    quoted = Answer("q", "甲项不到位、乙项滞后[1]", False, [cite], [para], backend="x")
    refusal = Answer("q", "报告中没有找到能回答这个问题的信息。", True, [], [para], backend="x")
    items = [
        {"id": "l", "type": "list", "question": "哪些？", "gold": ["乙项滞后"], "answerable": True,
         "items": ["甲项 不到位", "乙项滞后", "丙项偏差"]},
        {"id": "c", "type": "chitchat", "question": "你好", "gold": [], "answerable": False},
        {"id": "u", "type": "unanswerable", "question": "谁？", "gold": [], "answerable": False},
        {"id": "u2", "type": "unanswerable", "question": "多少？", "gold": [], "answerable": False},
    ]
    s = Scores(backend="x")
    for item, ans in zip(items, [quoted, quoted, quoted, refusal]):
        tally(s, item, ans)
    assert s.item_recall == pytest.approx(2 / 3) and s.with_items == 1  # whitespace ignored; 丙项 not said
    assert s.hit1 == s.cited == 1 and s.offtopic == 3 and s.quoted_offtopic == 2 and s.refused_unanswerable == 1
    # chit-chat is met with the introduction, never refused: it is not an unanswerable question the tally refuses
    assert (s.unanswerable, s.chitchat, s.n) == (2, 1, 4) and s.summary()["chitchat"] == 1
    assert [(f["id"], f["why"], f["expected"]) for f in s.failures] == [
        ("c", "chitchat answered with report quotes", "no report quotes"),
        ("u", "answered an unanswerable question", "refusal")]
    assert s.by_type["list"].row()["item recall"] == "0.667" and s.by_type["chitchat"].row()["hit@1"] == "-"
    lines = type_table(s)
    assert lines[0].split()[:3] == ["type", "n", "hit@1"] and lines[-1].split()[:2] == ["all", "4"]
    long = Answer("q", "长" * 500, False, [], [], backend="x")
    tally(s, {"id": "n", "type": "number", "question": "几个？", "gold": ["15个"]}, long)
    assert s.failures[-1]["why"] == "no cited paragraph holds the gold span" and len(s.failures[-1]["said"]) == 201


def test_split_filter_counts_rows(assistant, tmp_path):
    rows = _sample(1)[:6]
    for i, r in enumerate(rows):
        r["split"] = "test" if i % 2 else "train"
    rows[0].pop("split")  # a row without a split counts only when no split is asked for
    assert [len(select(rows, s)) for s in (None, "train", "test")] == [6, 2, 3]
    items = load_questions(_write(tmp_path / "q.jsonl", rows))
    for split, n in ((None, 6), ("train", 2), ("test", 3)):
        s = score(assistant, items, split=split)
        assert s.n == n == len(s.ms) and sum(t.n for t in s.by_type.values()) == n
        assert {f["id"] for f in s.failures} <= {r["id"] for r in select(rows, split)}
        assert baseline_score(assistant, items, split=split).n == n
    full = load_questions(QUESTIONS)
    assert len(select(full, "train")) + len(select(full, "test")) == len(full)


def test_baseline_never_refuses_and_its_rates_are_rates(baseline, sample):
    _sums_to_totals(baseline, sample)
    assert baseline.backend == "baseline" and baseline.false_refusals == 0 and baseline.refused_unanswerable == 0
    assert baseline.quoted_offtopic == baseline.offtopic > 0  # it quotes the top paragraph whatever was asked
    assert baseline.quotes == baseline.n and baseline.quotes_verbatim == baseline.quotes
    for s in [baseline, *baseline.by_type.values()]:
        m = s.summary()
        for k in ("hit@1", "hit@3", "hit@5", "mrr", "cited"):
            assert m[k] is None if not s.answerable else 0 <= m[k] <= 1, (k, m)
        if s.answerable:
            assert m["hit@1"] <= m["hit@3"] <= m["hit@5"] and m["cited"] == m["hit@1"]
    assert baseline.hit3 / baseline.answerable >= 0.5
    unanswerable = [i for i in sample if not i.get("answerable", True)]
    assert {f["id"] for f in baseline.failures} >= {i["id"] for i in unanswerable if i["type"] != "chitchat"}


def test_baseline_ranking_fuses_both_retrievers(assistant):
    r = assistant.retriever
    order = rank(r, "巡视组从哪天开始进驻？")
    assert order and len(set(order)) == len(order) and r.paragraphs[order[0]].number == 2
    assert "2018年10月17日" in r.paragraphs[order[0]].text


def test_eval_json_has_by_type_failures_and_baseline(report_config, tmp_path):
    items = _sample(1)
    dirs = ["--data-dir", report_config.data_dir, "--index-dir", report_config.index_dir]
    r = run("eval", _write(tmp_path / "q.jsonl", items), "--json", "--baseline", *dirs)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert set(d) >= {"overall", "by_type", "failures", "baseline"}
    assert set(d["by_type"]) == set(d["baseline"]["by_type"]) == {i["type"] for i in items}
    assert d["overall"]["n"] == len(items) == sum(t["n"] for t in d["by_type"].values())
    assert all(set(f) == FAILURE_KEYS for f in d["failures"])
    assert d["baseline"]["overall"]["false_refusals"] == 0 and "failures" not in d["baseline"]


def test_eval_prints_per_type_tables_and_failures(report_config, tmp_path):
    items = [i for i in _sample(1) if i["type"] in ("number", "unanswerable", "chitchat", "list")]
    items.append({"id": "x1", "type": "number", "question": "报告里一共有多少只熊猫？", "gold": ["熊猫"],
                  "answerable": True, "split": "test"})  # nothing holds this gold: a failure either way
    dirs = ["--data-dir", report_config.data_dir, "--index-dir", report_config.index_dir]
    r = run("eval", _write(tmp_path / "q.jsonl", items), "--baseline", "--failures", "1", *dirs)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "citation hit" in out and "by question type · extractive" in out and "by question type · baseline" in out
    header = next(line for line in out.splitlines() if line.split()[:2] == ["type", "n"])
    for col in ("hit@1", "hit@3", "cited", "refused", "refused-unanswerable", "quoted", "item recall"):
        assert col in header
    tables = [part.split("\n\n")[0].splitlines()[2:] for part in out.split("\nby question type · ")[1:]]
    assert len(tables) == 2
    for rows in tables:
        assert [line.split()[0] for line in rows] == ["chitchat", "list", "number", "unanswerable", "all"]
        assert rows[-1].split()[1] == str(len(items))
    failures = out.split("\nfailures (1 of ")[1].splitlines()[1:]
    assert len(failures) == 1 and " → " in failures[0] and "; expected " in failures[0]
    r = run("eval", _write(tmp_path / "q.jsonl", items), "--split", "train", "--failures", "0", *dirs)
    assert r.returncode == 0 and "split train" in r.stdout and "\nfailures" not in r.stdout
