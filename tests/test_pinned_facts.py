"""A fact question pins down a date, a venue or a rate: it is answered by a sentence that gives it, and refused
when the passages on its topic never do (another edition, a preview). A sentence that only repeats a question
(scraped titles, "people also ask") is never quoted as the answer."""
from __future__ import annotations

import pytest

EXPO = ("第五届中国国际进口博览会将于11月5日至10日在上海国家会展中心举行。本届博览会共有145个国家和地区参展，"
        "参展企业超过2800家。")
PREVIEW = ("网友提问：进口博览会的主办单位是谁？第四届进口博览会吸引了众多企业参展，展会规模再创新高，主办方表示展会取得圆满成功。\n\n"
           "问进口博览会什么时候举行\n\n业内人士认为，进口博览会为各国企业提供了展示产品的机会。")

FILM = "电影《海边》由王小明、李小红主演，讲述了一个渔村家庭的故事，影片将于12月16日在全国上映。"
TRAILER = "电影《海边》的预告片发布后，网友纷纷表示期待，影片讲述了一个渔村家庭的温暖故事。"


@pytest.fixture(scope="module")
def news(tmp_path_factory, embedder):
    from assistant.answering.assistant import Assistant
    from assistant.config import load_config

    base = tmp_path_factory.mktemp("pinned")
    data = base / "data"
    data.mkdir()
    (data / "expo.txt").write_text(EXPO, encoding="utf-8")
    (data / "preview.txt").write_text(PREVIEW, encoding="utf-8")
    (data / "film.txt").write_text(FILM, encoding="utf-8")
    (data / "trailer.txt").write_text(TRAILER, encoding="utf-8")
    return Assistant.from_config(load_config(overrides={"data_dir": str(data), "index_dir": str(base / "index")}),
                                 notify=lambda m: None, embedder=embedder)


@pytest.mark.parametrize("question, source, said", [
    ("进口博览会在哪里举行？", "expo.txt", "上海"), ("进口博览会什么时候举行？", "expo.txt", "11月5日"),
    ("进口博览会的开幕时间", "expo.txt", "11月5日"), ("《海边》的主演是谁？", "film.txt", "王小明"),
    ("《海边》上映时间？", "film.txt", "12月16日")])
def test_the_sentence_giving_the_pinned_fact_answers(news, question, source, said):
    answer = news.ask(question, sources=[source])
    assert not answer.refused and said in answer.answer, answer.answer


@pytest.mark.parametrize("question, source", [
    ("进口博览会在哪里举行？", "preview.txt"), ("进口博览会什么时候举行？", "preview.txt"),
    ("进口博览会的开幕时间", "preview.txt"), ("参展企业的比例是多少？", "preview.txt"),
    ("《海边》的主演是谁？", "trailer.txt"), ("《海边》上映时间？", "trailer.txt")])
def test_passages_on_the_topic_that_never_give_it_are_refused(news, question, source):
    answer = news.ask(question, sources=[source])
    assert answer.refused and not answer.citations, answer.answer


def test_a_rate_is_not_answered_by_a_count(news):
    answer = news.ask("参展国家的比例是多少？", sources=["expo.txt"])
    assert answer.refused, answer.answer


def test_a_sentence_that_asks_is_never_the_answer(news):
    for question in ("进口博览会的主办单位是谁？", "进口博览会什么时候举行？", "问进口博览会什么时候举行"):
        answer = news.ask(question)
        assert not any("是谁" in c.quote or "问进口" in c.quote for c in answer.citations), answer.answer


def test_the_refusal_says_what_is_missing_and_names_the_files_it_looked_at(news):
    answer = news.ask("进口博览会在哪里举行？", sources=["preview.txt"])
    assert "地点" in answer.answer, answer.answer
    both = news.ask("进口博览会的参展费用是多少钱？")
    assert both.refused and "preview.txt" in both.answer and "expo.txt" in both.answer, both.answer
