"""Citation markers parsed, checked against their paragraphs, moved, recovered or flagged."""
from __future__ import annotations

import pytest

from assistant.answering.citations import (
    claims,
    looks_like_refusal,
    marker_numbers,
    numbers,
    verify,
)
from assistant.answering.retrieve import Hit
from assistant.index.tokens import get_tokenizer
from assistant.ingest.document import Paragraph

P = [
    "中央脱贫攻坚专项巡视,是重大举措。从2018年10月17日起开始陆续进驻,15个中央巡视组在26个被巡视地方和单位工作了1个月左右。",
    "在2家中管金融企业中,有的被指出扶贫贷款投放、认定、考核指标不够精准。",
    "水利资金向贫困地区倾斜不足,水利扶贫任务推进缓慢。",
]


class Flat:
    """A lexicon in which every word is equally rare."""

    def idf(self, token: str) -> float:
        return 1.0

    def illustrated(self, p):
        return None


@pytest.fixture(scope="module")
def hits():
    return [Hit(Paragraph(f"p{i}", "r.txt", i + 1, "一、情况", t, 0, len(t)), 1.0 - i / 10) for i, t in enumerate(P)]


def check(text, hits):
    return verify(text, hits, get_tokenizer(), Flat())


@pytest.mark.parametrize("spec, ns", [("1", [1]), ("1, 3", [1, 3]), ("2、1", [2, 1]), ("1-3", [1, 2, 3]),
                                      ("1，1", [1])])
def test_marker_numbers(spec, ns):
    assert marker_numbers(spec) == ns


def test_claims_read_every_marker_form():
    got = claims("甲乙丙[1][2]。丁戊己。【3】庚辛[1, 2]；壬癸。[资料2]\n子丑")
    assert [(c.text, c.cited) for c in got] == [("甲乙丙。", [1, 2]), ("丁戊己。", [3]), ("庚辛；", [1, 2]),
                                                ("壬癸。", [2]), ("子丑", [])]


def test_supported_sentence_keeps_its_citation_with_a_verbatim_quote(hits):
    v = check("巡视组于2018年10月17日开始陆续进驻【1】。", hits)
    assert v.text == "巡视组于2018年10月17日开始陆续进驻[1]。" and v.verified == 1
    c = v.citations[0]
    assert c.paragraph == 1 and c.quote.startswith("从2018年10月17日") and P[0][c.start:c.end] == c.quote


def test_wrong_passage_is_reattached_and_a_marker_naming_none_removed(hits):
    v = check("水利资金向贫困地区倾斜不足[1][7]。", hits)
    assert v.text == "水利资金向贫困地区倾斜不足[1]。" and v.citations[0].paragraph == 3
    assert (v.dropped, v.reattached, v.verified) == (1, 1, 1)


def test_a_number_missing_from_the_paragraph_makes_the_sentence_unsupported(hits):
    v = check("共有16个中央巡视组进驻[1]。", hits)
    assert v.unsupported == ["共有16个中央巡视组进驻。"] and v.citations[0].verified is False
    assert check("十五个中央巡视组进驻了被巡视单位[1]。", hits).verified == 1  # 十五 is 15


def test_uncited_sentences_are_recovered_or_flagged(hits):
    v = check("中管金融企业扶贫贷款考核指标不够精准。巡视组还发现了大量腐败案件。", hits)
    assert v.text.startswith("中管金融企业扶贫贷款考核指标不够精准[1]。") and v.citations[0].paragraph == 2
    assert v.recovered == 1 and v.unsupported == ["巡视组还发现了大量腐败案件。"]


def test_a_sentence_without_content_is_neither_cited_nor_flagged(hits):
    v = check("根据资料：\n水利扶贫任务推进缓慢[3]。", hits)
    assert v.unsupported == [] and v.text == "根据资料：\n水利扶贫任务推进缓慢[1]。"


def test_numbers_read_digits_and_chinese_numerals():
    assert numbers("2018年10月17日，两家企业，十三个省区市，1,200元") == {"2018", "10", "17", "2", "13", "1200"}
    assert numbers("统一部署，一些问题") == set()


@pytest.mark.parametrize("text, refusal", [("资料中没有这个问题的答案。", True), ("报告中未提及巡视组组长。", True),
                                           ("无法根据资料回答。", True), ("巡视组于10月17日进驻[1]。", False)])
def test_refusal_wording(text, refusal):
    assert looks_like_refusal(text) is refusal


def test_a_partial_refusal_sentence_is_not_flagged(hits):
    v = check("水利扶贫任务推进缓慢[3]。资料中没有提到具体的资金数额。", hits)
    assert v.unsupported == [] and v.verified == 1


def test_marker_goes_after_a_closing_quote_and_before_the_full_stop(hits):
    v = check("扶贫贷款考核指标“不够精准”。", hits)
    assert v.text == "扶贫贷款考核指标“不够精准”[1]。"
