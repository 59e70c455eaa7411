"""Cited extractive answers: the JSON contract, verbatim quotes, follow-ups, refusals and bad questions."""
import re

import pytest

from assistant.errors import QuestionError

CONTRACT = {"id", "question", "answer", "refused", "citations", "retrieved", "backend", "elapsed_ms"}
CITATION = {"n", "source", "paragraph", "section", "text", "quote", "start", "end", "score", "title", "page"}
PASSAGE = {"source", "paragraph", "section", "text", "score", "title", "page"}


def _check_contract(d):
    assert CONTRACT <= set(d)
    for c in d["citations"]:
        assert CITATION <= set(c)
        assert c["text"][c["start"]:c["end"]] == c["quote"] and c["quote"]
    for p in d["retrieved"]:
        assert PASSAGE <= set(p)
    markers = [int(m) for m in re.findall(r"\[(\d+)\]", d["answer"])]
    assert sorted(set(markers)) == sorted(c["n"] for c in d["citations"]), "every marker resolves, every citation is used"


def test_answer_quotes_the_paragraph_that_holds_the_fact(assistant):
    ans = assistant.ask("巡视组从哪天开始进驻？", id="q1")
    d = ans.to_dict()
    _check_contract(d)
    assert d["id"] == "q1" and not d["refused"] and d["backend"] == "extractive"
    assert "2018年10月17日" in d["answer"]
    c = d["citations"][0]
    assert c["paragraph"] == 2 and "2018年10月17日" in c["quote"] and c["source"].endswith(".txt")
    assert d["retrieved"][0]["paragraph"] == 2
    assert [p["score"] for p in d["retrieved"]] == sorted((p["score"] for p in d["retrieved"]), reverse=True)


def test_list_answer_reads_in_report_order_with_one_marker_per_claim(assistant):
    d = assistant.ask("易地扶贫搬迁方面存在哪些问题？").to_dict()
    _check_contract(d)
    assert "搬迁进度滞后" in d["answer"] and "搞变通" in d["answer"]
    assert d["answer"].endswith("。")
    numbers = [(c["paragraph"], c["start"]) for c in d["citations"]]
    assert numbers == sorted(numbers)


@pytest.mark.parametrize("history,question,expect", [
    ([{"role": "user", "content": "交通扶贫存在什么问题？"}], "那水利方面呢？", "水利资金向贫困地区倾斜不足"),
    ([{"role": "user", "content": "中管金融企业存在什么问题？"},
      {"role": "assistant", "content": "扶贫贷款投放、认定、考核指标不够精准[1]。"}],
     "针对这些问题，巡视组提出了什么要求？", "安排专门力量集中承担脱贫攻坚任务"),
    ([{"role": "user", "content": "纪检监察机关履行监督责任有什么问题？"}], "线索处置方面呢？", "线索处置不及时"),
])
def test_follow_ups_are_read_in_context(assistant, history, question, expect):
    d = assistant.ask(question, history).to_dict()
    _check_contract(d)
    assert not d["refused"]
    assert any(expect in c["text"] for c in d["citations"])
    assert d["condensed_question"] and question in d["condensed_question"]


def test_same_question_without_history_is_not_treated_as_follow_up(assistant):
    assert assistant.ask("水利扶贫方面有什么问题？").condensed_question is None


@pytest.mark.parametrize("question", ["这次巡视的巡视组组长是谁？", "2019年全国减少了多少贫困人口？"])
def test_unanswerable_questions_are_refused_with_nearest_paragraphs(assistant, question):
    d = assistant.ask(question).to_dict()
    _check_contract(d)
    assert d["refused"] and d["citations"] == []
    assert "没有" in d["answer"] and d["retrieved"]


def test_an_everyday_question_is_declined_without_quotes(assistant):
    d = assistant.ask("今天的天气怎么样？").to_dict()
    _check_contract(d)
    assert d["refused"] and d["citations"] == [] and "没有" in d["answer"]


@pytest.mark.parametrize("bad,message", [
    ("", "空"), ("   \n\t ", "空"), ("？？！！。。", "没有文字"), ("问" * 100_000, "太长"), (None, "文本"), (42, "文本"),
])
def test_bad_questions_get_a_clear_message(assistant, bad, message):
    with pytest.raises(QuestionError, match=message):
        assistant.ask(bad)


def test_control_characters_are_removed_and_markup_is_harmless(assistant):
    d = assistant.ask("巡视组\x00从哪天\x07开始\u200b进驻？").to_dict()
    _check_contract(d)
    assert "\x00" not in d["question"] and "2018年10月17日" in d["answer"]
    d = assistant.ask("<script>alert(1)</script> SELECT * FROM paragraphs; -- 😀").to_dict()
    _check_contract(d)
    assert d["refused"] and d["question"].startswith("<script>")
    assert assistant.ask("问").to_dict()["refused"]


@pytest.mark.parametrize("history", ["not a list", [{"role": "user"}], [1, 2]])
def test_malformed_history_is_rejected(assistant, history):
    with pytest.raises(QuestionError, match="history"):
        assistant.ask("那水利方面呢？", history)


def test_long_history_and_unknown_roles_are_tolerated(assistant):
    history = [{"role": "tool", "content": "x"}] + [{"role": "user", "content": "交通扶贫存在什么问题？"}] * 10_000
    d = assistant.ask("那水利方面呢？", history).to_dict()
    assert any("水利" in c["text"] for c in d["citations"])


@pytest.mark.parametrize("top_k", [0, -1, 51, 2.5, True])
def test_top_k_out_of_range(assistant, top_k):
    with pytest.raises(QuestionError, match="top_k"):
        assistant.ask("巡视组从哪天开始进驻？", top_k=top_k)


def test_top_k_bounds_retrieved(assistant):
    assert len(assistant.ask("巡视组从哪天开始进驻？", top_k=2).retrieved) == 2
    assert len(assistant.ask("巡视组从哪天开始进驻？", top_k=31).retrieved) == 31


def test_stream_yields_text_then_the_same_answer(assistant):
    pieces = list(assistant.stream("易地扶贫搬迁方面存在哪些问题？"))
    final = pieces[-1]
    assert all(isinstance(p, str) for p in pieces[:-1]) and len(pieces) > 2
    assert "".join(pieces[:-1]) == final.answer
    assert final.to_dict()["citations"] == assistant.ask("易地扶贫搬迁方面存在哪些问题？").to_dict()["citations"]


def test_documents_and_paragraph_lookup(assistant):
    docs = assistant.documents()
    assert len(docs) == 1 and docs[0]["title"].startswith("聚焦脱贫攻坚")
    for p in docs[0]["paragraphs"]:
        assert assistant.paragraph(docs[0]["source"], p["paragraph"]).text == docs[0]["text"][p["start"]:p["end"]]
    assert assistant.paragraph(docs[0]["source"], 999) is None


def test_numbers_written_in_chinese_numerals_count_for_quantity_questions():
    from assistant.answering.judge import NUMBER

    numbers = ["装机容量为五十兆瓦", "带动三千户增收", "两个县", "十五个", "投入2亿元", "约两万人"]
    not_numbers = ["统一部署", "十分重要", "一些地方", "第一书记", "进一步"]
    assert all(NUMBER.search(t) for t in numbers), [t for t in numbers if not NUMBER.search(t)]
    assert not any(NUMBER.search(t) for t in not_numbers), [t for t in not_numbers if NUMBER.search(t)]
