"""Several reports: citations name the document (title, file, page) and a question can be kept to chosen sources."""
from __future__ import annotations

import pytest
from conftest import HTML, REPORT

from assistant.contract import Answer, Citation
from assistant.errors import QuestionError

def test_a_question_can_be_kept_to_chosen_sources(many):
    answer = many.ask("农村公路建设存在什么问题？", sources=["roads.html"])
    assert answer.retrieved and {p.source for p in answer.retrieved} == {"roads.html"}
    assert all(c.source == "roads.html" for c in answer.citations)
    other = many.ask("巡视组从哪天开始进驻？", sources=[REPORT.name])
    assert {p.source for p in other.retrieved} == {REPORT.name}


def test_stream_is_kept_to_chosen_sources(many):
    *_, answer = many.stream("农村公路建设存在什么问题？", sources=["roads.html"])
    assert {p.source for p in answer.retrieved} == {"roads.html"}


def test_unknown_or_malformed_sources_are_question_errors_naming_the_indexed(many):
    with pytest.raises(QuestionError, match="roads.html") as e:
        many.ask("农村公路建设存在什么问题？", sources=["nope.txt"])
    assert "nope.txt" in str(e.value) and REPORT.name in str(e.value)
    for bad in ("roads.html", [1], {"roads.html": 1}):
        with pytest.raises(QuestionError, match="sources"):
            many.ask("农村公路建设存在什么问题？", sources=bad)


def test_citations_and_passages_name_the_document_title(many):
    answer = many.ask("农村公路建设存在什么问题？", sources=["roads.html"])
    assert answer.citations, answer.answer
    c = answer.to_dict()["citations"][0]
    assert c["title"] == "农村公路建设情况通报" and c["page"] is None
    assert answer.to_dict()["retrieved"][0]["title"] == "农村公路建设情况通报"
    assert "[1] 农村公路建设情况通报（roads.html） 第" in answer.sources_text()


def test_sources_text_names_title_file_and_page():
    c = Citation(1, "r.pdf", 2, None, "第一句。", "第一句", 0, 3, 0.9, title="报告", page=3)
    assert Answer("q", "第一句[1]。", False, [c]).sources_text() == "来源：\n[1] 报告（r.pdf） 第3页 第2段：“第一句”"
    plain = Citation(1, "r.txt", 2, None, "第一句。", "第一句", 0, 3, 0.9)
    assert Answer("q", "第一句[1]。", False, [plain]).sources_text() == "来源：\n[1] r.txt 第2段：“第一句”"


@pytest.fixture(scope="module")
def api(many):
    """The JSON API over the two reports, served on 127.0.0.1."""
    httpx = pytest.importorskip("httpx")
    from live_server import LiveServer

    from assistant.serving.http import build_api

    with LiveServer(build_api(many, many.config, environ={})) as server, \
            httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


def test_api_ask_can_be_kept_to_chosen_sources(api):
    r = api.post("/api/ask", json={"question": "农村公路建设存在什么问题？", "sources": ["roads.html"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert {p["source"] for p in body["retrieved"]} == {"roads.html"}
    assert body["citations"] and body["citations"][0]["title"] == "农村公路建设情况通报"


def test_api_unknown_or_malformed_sources_are_400(api):
    r = api.post("/api/ask", json={"question": "农村公路建设存在什么问题？", "sources": ["nope.txt"]})
    assert r.status_code == 400 and "roads.html" in r.json()["error"]["message"]
    assert REPORT.name in r.json()["error"]["message"]
    r = api.post("/api/ask", json={"question": "农村公路建设存在什么问题？", "sources": "roads.html"})
    assert r.status_code == 400 and "sources" in r.json()["error"]["message"]


def test_api_lists_the_indexed_sources(api):
    r = api.get("/api/sources")
    assert r.status_code == 200
    listed = {s["source"]: s for s in r.json()["sources"]}
    assert set(listed) == {REPORT.name, "roads.html"}
    assert listed["roads.html"]["title"] == "农村公路建设情况通报" and listed["roads.html"]["format"] == "html"
    assert listed[REPORT.name]["paragraphs"] > 5


def test_openai_endpoint_passes_sources_through(api):
    r = api.post("/v1/chat/completions", json={"model": "report-assistant", "sources": ["roads.html"],
                                               "messages": [{"role": "user", "content": "农村公路建设存在什么问题？"}]})
    assert r.status_code == 200, r.text
    assert {c["source"] for c in r.json()["choices"][0]["message"]["citations"]} == {"roads.html"}
    r = api.post("/v1/chat/completions", json={"sources": ["nope.txt"],
                                               "messages": [{"role": "user", "content": "农村公路建设存在什么问题？"}]})
    assert r.status_code == 400


def test_sources_listing_needs_the_key_when_set(many):
    import httpx
    from live_server import LiveServer

    from assistant.serving.http import build_api

    with LiveServer(build_api(many, many.config, environ={many.config.api_key_env: "k-123"})) as server:
        assert httpx.get(server.url + "/api/sources").status_code == 401
        ok = httpx.get(server.url + "/api/sources", headers={"Authorization": "Bearer k-123"})
        assert ok.status_code == 200 and ok.json()["sources"]


@pytest.mark.parametrize("question", ["农村公路建设存在什么问题？", "巡视组从哪天开始进驻？", "水利资金倾斜不足的问题在哪些地方？",
                                      "产业扶贫的带贫效果怎么样", "报告里说的健康扶贫医疗保障报销比例是多少？"])
def test_a_report_reads_the_same_alone_and_among_others(many, assistant, question):
    """Word statistics (IDF, BM25 lengths, known words) come from the sources a question is kept to, so the
    report restricted inside a shared index answers exactly as an index of the report alone does."""
    alone, shared = assistant.ask(question), many.ask(question, sources=[REPORT.name])
    assert shared.answer == alone.answer and shared.refused == alone.refused
    assert [(p.paragraph, p.score) for p in shared.retrieved] == [(p.paragraph, p.score) for p in alone.retrieved]
    assert assistant.retriever.idf("农村公路") == many.retriever.scope([REPORT.name]).idf("农村公路") \
        != many.retriever.idf("农村公路")


def test_one_report_and_several_are_judged_by_their_own_fitted_decisions(many):
    """When the best paragraphs come from both reports, passages on the topic that do not answer are likelier: the
    several-reports decision judges; kept to one report, or answered from one alone, the one-report decision does
    (both fitted, calibration.json)."""
    from assistant.answering.calibration import MAX_PARAGRAPHS, Decision

    one, several = Decision.load(), Decision.load("several")
    assert several is not None and several != one
    q = "农村公路建设存在什么问题？"
    assert many._prepare(q, None, None, many.backend, None).assessment.decision == several
    assert many._prepare(q, None, None, many.backend, ["roads.html"]).assessment.decision == one
    prep = many._prepare("巡视组从哪天开始进驻？", None, None, many.backend, None)
    assert {h.paragraph.source for h in prep.hits[:MAX_PARAGRAPHS]} == {REPORT.name}
    assert prep.assessment.decision == one  # a second file in the library changes nothing the report answers


def test_a_file_the_index_passed_over_is_named_as_skipped_not_unknown(tmp_path, embedder):
    from assistant.answering.assistant import Assistant
    from assistant.config import load_config

    data = tmp_path / "data"
    data.mkdir()
    (data / "notice.txt").write_text("青石镇图书馆新馆于3月18日正式开放，馆内藏书约十二万册。\n", encoding="utf-8")
    (data / "chrome.txt").write_text("记者 王五  编辑：赵六  相关热词搜索： 足球   上一篇：精彩回顾！\n", encoding="utf-8")
    a = Assistant.from_config(load_config(overrides={"data_dir": str(data), "index_dir": str(tmp_path / "index")}),
                              notify=lambda m: None, embedder=embedder)
    with pytest.raises(QuestionError, match="已跳过.*chrome.txt"):
        a.ask("图书馆什么时候开放？", sources=["chrome.txt"])
    with pytest.raises(QuestionError, match="没有这些来源：nowhere.txt"):
        a.ask("图书馆什么时候开放？", sources=["nowhere.txt"])
    assert not a.ask("图书馆什么时候开放？", sources=["notice.txt"]).refused


def test_a_long_list_of_indexed_sources_is_cut_short_in_the_message():
    from assistant.answering.question import clean_sources

    indexed = [f"file-{i:04d}.txt" for i in range(2000)]
    with pytest.raises(QuestionError) as e:
        clean_sources(["missing.txt"], indexed)
    assert "file-0009.txt 等 2000 个" in str(e.value) and "file-0010.txt" not in str(e.value)
    assert clean_sources(["file-1999.txt", "file-1999.txt"], indexed) == ["file-1999.txt"]
