"""Several reports: citations name the document (title, file, page) and a question can be kept to chosen sources."""
from __future__ import annotations

import pytest

from assistant.contract import Answer, Citation
from assistant.errors import QuestionError
from conftest import REPORT

HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>农村公路建设情况通报</title></head>
<body><article><h1>农村公路建设情况通报</h1>
<p>有的地方被指出贫困地区农村公路建设标准不健全、养护机制不完善，部分路段年久失修。</p>
<p>有的单位被指出水利资金向贫困地区倾斜不足，部分水利扶贫任务推进缓慢。</p>
</article></body></html>"""


@pytest.fixture(scope="module")
def many(tmp_path_factory, embedder):
    """An Assistant over two reports: the inspection report (.txt) and a short news page (.html)."""
    from assistant.answer import Assistant
    from assistant.config import load_config

    base = tmp_path_factory.mktemp("sources")
    data = base / "data"
    data.mkdir()
    (data / REPORT.name).write_bytes(REPORT.read_bytes())
    (data / "roads.html").write_text(HTML, encoding="utf-8")
    config = load_config(overrides={"data_dir": str(data), "index_dir": str(base / "index")})
    return Assistant.from_config(config, notify=lambda m: None, embedder=embedder)


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
