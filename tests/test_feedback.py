"""有用/没用 votes from the web chat land in a local JSONL file; anything that is not a vote is ignored."""
import json

from assistant.serving import feedback


def test_a_vote_is_appended_with_question_answer_and_time(tmp_path):
    path = tmp_path / "feedback.jsonl"
    row = feedback.record(path, json.dumps({"vote": "up", "question": "巡视组从哪天开始进驻？",
                                            "answer": "2018年10月17日[1]。\n\n来源：\n[1] r.txt 第2段"}))
    assert row and row["vote"] == "up"
    feedback.record(path, json.dumps({"vote": "down", "question": "q" * 50_000, "answer": "a"}))
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert [x["vote"] for x in lines] == ["up", "down"] and "来源" in lines[0]["answer"] and lines[0]["time"]
    assert len(lines[1]["question"]) == feedback.MAX_FIELD


def test_anything_else_is_ignored_and_writes_nothing(tmp_path):
    path = tmp_path / "feedback.jsonl"
    for bad in ("", "not json", "[1]", json.dumps({"vote": "maybe"}), json.dumps({"question": "x"}), None, "x" * 100_000):
        assert feedback.record(path, bad) is None
    assert not path.exists()


def test_the_file_sits_beside_the_index_not_inside_it(tmp_path):
    class Config:
        index_dir = str(tmp_path / "index")
    assert feedback.path_for(Config()) == (tmp_path / "feedback.jsonl").resolve()
