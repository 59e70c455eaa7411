"""benchmarks/rgb.py: it skips cleanly without ../shared/rgb/, and its second pass — every passage set as files of
one shared index, each question kept to its own set with ``sources=`` — gives the same outcomes as one index per
set (a report is judged by its own word statistics, whatever shares the index). The items here are written for the
test in RGB's format; nothing of the RGB data set is used."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import rgb  # noqa: E402

ITEMS = [
    {"id": 0, "query": "青石镇图书馆新馆什么时候开放？", "answer": ["3月18日"],
     "positive": ["青石镇图书馆新馆于3月18日正式开放，馆内藏书约十二万册，设有少儿阅览区和自习室。",
                  "据青石镇文化站介绍，图书馆新馆3月18日起对居民免费开放，每周一闭馆。"],
     "negative": ["青石镇体育馆去年完成翻修，新增两片羽毛球场和一个室内游泳池。",
                  "青石镇今年计划新建三处口袋公园，预计年底前完工。"]},
    {"id": 2, "query": "白鹭湖马拉松男子组冠军是谁？", "answer": ["周远航"],
     "positive": ["白鹭湖马拉松周日鸣枪，男子组冠军由本地跑者周远航以2小时21分夺得。",
                  "赛后，男子组冠军周远航表示，湖边的赛道平坦，适合创造个人最好成绩。"],
     "negative": ["白鹭湖马拉松共有八千名选手参赛，赛事设全程、半程和迷你跑三个项目。",
                  "组委会表示，明年白鹭湖马拉松将增加补给站，并提前开放报名。"]},
]


def test_it_skips_cleanly_without_the_data(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(rgb, "RGB", tmp_path / "absent" / "zh_refine.even.jsonl")
    assert rgb.main(["--limit", "1", "--out", str(tmp_path / "out.md")]) == 0
    assert "skipped" in capsys.readouterr().out
    assert not (tmp_path / "out.md").exists()


@pytest.mark.slow
def test_a_shared_index_answers_as_one_index_per_set(monkeypatch, tmp_path):
    data = tmp_path / "rgb.jsonl"
    data.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in ITEMS) + "\n", encoding="utf-8")
    monkeypatch.setattr(rgb, "RGB", data)
    out = tmp_path / "rgb.md"
    assert rgb.main(["--rates", "0,1", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in text.splitlines() if line.startswith("| 本项目")}
    per_set, shared = rows["本项目 extractive (ours)"], rows["本项目 extractive, one shared index, `sources=` (ours)"]
    assert per_set == shared
    assert per_set[0] == "100.00"  # both questions answered, with the answer, when the passages hold it
    assert "differ from one index per set: 0 of 4" in text
    assert "4 passage sets as 12 files" in text  # 2 + 2 passages at noise 0, the 2 negatives at 1
