"""Quality floors on the shared dev set and on our own hold-out questions (written apart from the dev set)."""
from pathlib import Path

from assistant.answering.evaluate import load_questions, score


def test_dev_set_floors(assistant, dev_items):
    s = score(assistant, dev_items)
    a = s.answerable
    assert s.hit1 / a >= 0.90, s.misses
    assert s.hit3 / a >= 0.97, s.misses
    assert s.cited / a >= 0.95, s.misses
    assert s.quotes and s.quotes_verbatim == s.quotes
    assert s.furniture == 0
    assert s.refused_unanswerable >= 3 and s.false_refusals <= 1, s.misses


def test_holdout_floors(assistant):
    s = score(assistant, load_questions(Path(__file__).parent / "data" / "holdout.jsonl"))
    a = s.answerable
    assert s.hit3 / a >= 0.9 and s.cited / a >= 0.9, s.misses
    assert s.quotes_verbatim == s.quotes and s.furniture == 0
    assert s.refused_unanswerable >= s.unanswerable - 2 and s.false_refusals <= 1, s.misses
