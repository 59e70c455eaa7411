"""Quality floors on the shared dev set and on our own hold-out questions (written apart from the dev set)."""
from pathlib import Path

from assistant.answering.evaluate import load_questions, score


def test_dev_set_floors(assistant, dev_items):
    s = score(assistant, dev_items)
    a = s.answerable
    assert s.hit1 / a >= 0.90, s.misses
    assert s.hit3 / a >= 0.97, s.misses
    assert s.cited / a >= 0.90, s.misses  # the judge may refuse one: dev is a sample, not what decides
    assert s.quotes and s.quotes_verbatim == s.quotes
    assert s.furniture == 0
    assert s.refused_unanswerable >= 3 and s.false_refusals <= 1, s.misses


def test_holdout_floors(assistant):
    s = score(assistant, load_questions(Path(__file__).parent / "data" / "holdout.jsonl"))
    a = s.answerable
    assert s.hit3 / a >= 0.9 and s.cited / a >= 0.9, s.misses
    assert s.quotes_verbatim == s.quotes and s.furniture == 0
    assert s.refused_unanswerable >= s.unanswerable - 2 and s.false_refusals <= 1, s.misses


def test_own_test_split_floors(assistant):
    """The split nothing was fitted on (scripts/fit_calibration.py reads train only): at or above the naive
    baseline, few answerable questions refused, no injection or chit-chat answered with quotes beyond one."""
    from assistant.answering.baseline import baseline_score

    items = load_questions(Path(__file__).parent / "data" / "questions.jsonl")
    s = score(assistant, items, split="test")
    b = baseline_score(assistant, items, split="test")
    a = s.answerable
    assert s.hit3 >= b.hit3 and s.cited >= b.cited, (s.hit3, b.hit3, s.cited, b.cited)
    assert s.false_refusals / a <= 0.12 and s.cited / a >= 0.70, [f["id"] for f in s.failures]
    assert s.quotes_verbatim == s.quotes and s.furniture == 0
    quoted = {k: t.quoted_offtopic for k, t in s.by_type.items()}
    assert quoted.get("injection", 0) == 0 and quoted.get("chitchat", 0) <= 1, quoted
