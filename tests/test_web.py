"""The web chat in-process: HTML rendering (escaping, cards, marker links, 原文) and the chat handler."""
from __future__ import annotations

import re

import pytest

from assistant.contract import Answer, Citation, Passage
from assistant.serving.render import (
    DocIndex,
    answer_html,
    citation_card,
    error_html,
    esc,
    follow_ups,
    fulltext_html,
    highlight,
    history_messages,
    link_markers,
    passage_card,
    plain_text,
    question_html,
    streaming_html,
)

EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
DOCS = [{"source": "r.txt", "title": "报告", "byline": "", "text": "报告\n\n第一段。\n\n小标题\n\n第二段" + EVIL + "。",
         "paragraphs": [{"paragraph": 1, "section": None, "start": 4, "end": 8, "id": "a"},
                        {"paragraph": 2, "section": "小标题", "start": 15, "end": 15 + 4 + len(EVIL), "id": "b"}]}]


def citation(n=1, text="第二段" + EVIL + "。", quote=EVIL, section="小标题<b>", paragraph=2, source="r.txt"):
    start = text.index(quote)
    return Citation(n, source, paragraph, section, text, quote, start, start + len(quote), 0.876)


def raw_tags(html: str) -> list[str]:
    """Tags that would reach the DOM as elements (escaped text has no '<')."""
    return re.findall(r"<(script|img|b)\b", html)


def test_escape_keeps_markup_as_text_and_html_on_one_line():
    assert esc(EVIL) == ('&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;img src=x onerror=&quot;window.__pwned=1'
                         '&quot;&gt;')
    assert esc("一\n\n二\r\n三") == "一&#10;&#10;二&#10;三"  # a blank line would end the chat's HTML block
    assert esc(None) == ""


def test_markers_link_to_their_turns_cards_and_unknown_ones_stay_plain():
    html = link_markers("甲[1]乙[2]丙[1,3]<i>", turn=4, known=[1, 3])
    assert html.count('href="#cite-4-1"') == 2 and 'href="#cite-4-3"' in html
    assert '<span class="ra-marker ra-unlinked">[2]</span>' in html
    assert html.endswith("&lt;i&gt;")
    assert "href" not in link_markers("甲[1]", turn=None, known=[1])  # while streaming: shown, not linked


def test_highlight_marks_the_quote_and_ignores_a_bad_span():
    assert highlight("ab<c>d", 2, 5) == "ab<mark>&lt;c&gt;</mark>d"
    assert highlight("abc", 2, 9) == "abc"


def test_card_has_its_id_section_paragraph_link_score_and_escaped_text():
    html = citation_card(citation(), turn=3, rank=2)
    assert html.startswith('<div class="ra-card" id="cite-3-1">')
    assert "第2段" in html and 'href="#para-0-2"' in html and "检索第2名" in html and "小标题&lt;b&gt;" in html
    assert "相关度" not in html and "0.88" not in html  # a fused score has no scale a reader knows
    assert "<mark>&lt;script&gt;" in html
    assert raw_tags(html) == []


def test_answer_html_has_cards_copy_text_and_no_newlines():
    answer = Answer("q", "第一句[1]。\n\n" + EVIL, False, [citation()], backend="extractive", elapsed_ms=120)
    html = answer_html(answer, 2, DocIndex(DOCS))
    assert "\n" not in html and raw_tags(html) == []
    assert 'href="#cite-2-1"' in html and 'id="cite-2-1"' in html and "来源" in html
    assert 'class="ra-copy"' in html and "extractive · 0.1 秒" in html
    assert plain_text(answer).startswith("第一句[1]。") and "来源：\n[1] r.txt 第2段" in plain_text(answer)


def test_two_quotes_of_one_paragraph_share_one_card_with_both_highlighted():
    text = "第一句话。第二句话。第三句话。"
    one = Citation(1, "r.txt", 2, None, text, "第一句话。", 0, 5, 0.9)
    three = Citation(2, "r.txt", 2, None, text, "第三句话。", 10, 15, 0.8)
    other = Citation(3, "r.txt", 1, None, "第一段。", "第一段。", 0, 4, 0.7)
    answer = Answer("q", "甲[1]；乙[2]；丙[3]。", False, [one, three, other],
                    [Passage("r.txt", 1, None, "第一段。", 0.9), Passage("r.txt", 2, None, text, 0.8)])
    html = answer_html(answer, 5, DocIndex(DOCS))
    assert html.count('class="ra-card"') == 2 and 'id="cite-5-2"' in html  # marker [2] still has a target
    assert "[1][2]</span>" in html and html.count("<mark>") == 3
    assert "<mark>第一句话。</mark>第二句话。<mark>第三句话。</mark>" in html
    assert "检索第2名" in html and "检索第1名" in html
    assert highlight("abcdef", 1, 3, (2, 5)) == "a<mark>bc</mark><mark>de</mark>f"  # overlapping spans, no text twice


def test_refusal_offers_two_nearby_paragraphs_not_an_error():
    near = [Passage("r.txt", n, None, f"段落{n}" + EVIL, 0.5) for n in (3, 1, 2)]
    html = answer_html(Answer("q", "报告中没有找到能回答这个问题的信息。", True, [], near), 1, DocIndex(DOCS))
    assert "ra-refusal" in html and "ra-error" not in html and "可能相关" in html
    assert html.count('class="ra-card ra-nearby"') == 2 and "第3段" in html and "第2段" not in html
    assert raw_tags(passage_card(near[0])) == []


def test_several_documents_name_the_source_on_cards():
    docs = DOCS + [{**DOCS[0], "source": "s.txt", "title": "另一份<报告>"}]
    html = citation_card(citation(source="s.txt"), 1, DocIndex(docs).doc("s.txt"), DocIndex(docs).title("s.txt"))
    assert 'href="#para-1-2"' in html and "另一份&lt;报告&gt;" in html


def test_streaming_error_and_question_are_escaped():
    assert "ra-streaming" in streaming_html("一[1]") and raw_tags(streaming_html(EVIL)) == []
    assert raw_tags(error_html(EVIL)) == [] and "ra-error" in error_html("x")
    long = question_html("问" * 100_000)
    assert len(long) < 500 and "共 100000 字" in long
    assert raw_tags(question_html(EVIL)) == []
    assert question_html("\x01甲\x7f\n乙") == '<div class="ra-question">甲 乙</div>'
    assert "（空）" in question_html("\x01\x02")


def test_fulltext_numbers_paragraphs_shows_headings_and_highlights_cited():
    html = fulltext_html(DOCS, [("r.txt", 2)])
    assert '<div class="ra-para" id="para-0-1">' in html and '<div class="ra-para ra-cited" id="para-0-2">' in html
    assert '<div class="ra-heading">小标题</div>' in html and '<div class="ra-heading">报告</div>' in html
    assert raw_tags(html) == [] and "&lt;script&gt;" in html


def test_history_leaves_out_failed_turns():
    turns = [{"question": "a", "answer": "A"}, {"question": "bad", "answer": None, "error": "x"}]
    assert history_messages(turns) == [{"role": "user", "content": "a"}, {"role": "assistant", "content": "A"}]


# The handler, with the real assistant over the report.

@pytest.fixture(scope="module")
def chat(assistant):
    from assistant.serving.web import Chat

    return Chat(assistant)


def run(chat, question, turns=(), top_k=5):
    """Drive one submit like gradio does; returns every update and the final (messages, turns, 原文)."""
    updates = list(chat.respond(question, [], list(turns), top_k, chat.assistant.backend.name))
    return updates, updates[-1][1], updates[-1][2], updates[-1][3]


def test_respond_streams_then_ends_with_cards_and_updates_fulltext(chat):
    updates, messages, turns, fulltext = run(chat, "巡视组从哪天开始进驻？")
    assert updates[0][0] == "" and "ra-streaming" in updates[0][1][-1]["content"]  # input cleared at once
    final = messages[-1]["content"]
    assert "ra-streaming" not in final and 'id="cite-1-1"' in final and "2018年10月17日" in final
    assert turns[-1]["answer"] and 'ra-para ra-cited" id="para-0-2"' in fulltext


def test_follow_up_gets_the_earlier_turn(chat):
    _, _, turns, _ = run(chat, "交通扶贫存在什么问题？")
    _, messages, turns, _ = run(chat, "那水利方面呢？", turns)
    assert "水利" in messages[-1]["content"] and 'id="cite-2-1"' in messages[-1]["content"]


@pytest.mark.parametrize("question, message", [("", "问题是空的"), ("\x00\x07\x1b", "问题是空的"),
                                               ("问" * 100_000, "问题太长")])
def test_bad_input_is_an_error_message_not_a_traceback(chat, question, message):
    _, messages, turns, fulltext = run(chat, question)
    assert "ra-error" in messages[-1]["content"] and message in messages[-1]["content"]
    assert turns[-1]["answer"] is None and len(messages[0]["content"]) < 500


def test_unexpected_failure_is_one_line(assistant):
    from assistant.serving.web import Chat

    class Broken:
        backend = assistant.backend

        def documents(self):
            return assistant.documents()

        def stream(self, *args, **kwargs):
            raise RuntimeError("index gone\nsecond line")
            yield  # a generator, like Assistant.stream

    updates = list(Chat(Broken()).respond("问题", [], [], 5, "extractive"))
    content = updates[-1][1][-1]["content"]
    assert "内部错误：RuntimeError: index gone" in content and "second line" not in content


def test_respond_passes_the_chosen_sources(assistant):
    from assistant.serving.web import Chat, source_choices

    class Recording:
        """The real assistant, with a second (unindexed) report listed and each stream call's options recorded."""
        backend = assistant.backend

        def __init__(self):
            self.calls = []

        def documents(self):
            docs = assistant.documents()
            return docs + [dict(docs[0], source="other.txt", title="另一份报告")]

        def stream(self, *args, **kwargs):
            self.calls.append(kwargs)
            return assistant.stream(*args, **kwargs)

    fake = Recording()
    chat = Chat(fake)
    report = chat.documents[0]["source"]
    assert [v for _, v in source_choices(chat.documents)] == [report, "other.txt"]
    assert source_choices(chat.documents)[1][0] == "另一份报告"
    updates = list(chat.respond("巡视组从哪天开始进驻？", [], [], 5, "extractive", [report]))
    assert fake.calls[-1]["sources"] == [report] and 'id="cite-1-1"' in updates[-1][1][-1]["content"]
    for everything in ([report, "other.txt"], [], None):  # all or none picked: ask every report
        list(chat.respond("巡视组从哪天开始进驻？", [], [], 5, "extractive", everything))
        assert "sources" not in fake.calls[-1]


def test_ui_builds_with_title_and_settings(assistant, report_config):
    from assistant.serving.web import backend_options, build_ui, mount_options

    ui = build_ui(assistant, report_config)
    assert ui.title.startswith("问答助手 · 聚焦脱贫攻坚")
    assert backend_options(assistant)[0] == ("摘录原文（extractive，离线）", "extractive")
    picker = next(b for b in ui.blocks.values() if getattr(b, "elem_id", None) == "ra-backend")
    assert [key for _, key in picker.choices] == [key for _, key in backend_options(assistant)]
    options = mount_options()
    assert "raInstalled" in options["head"] and ".ra-card" in options["css"]
    assert "googleapis" not in options["head"] + options["css"]


def test_follow_ups_are_drawn_from_the_cited_section_and_never_repeat_the_question():
    docs = [{"source": "r.txt", "title": "报告", "text": "", "paragraphs": [
        {"paragraph": 1, "section": "交通", "start": 0, "end": 0}, {"paragraph": 2, "section": "水利", "start": 0, "end": 0},
        {"paragraph": 3, "section": "“两个责任”", "start": 0, "end": 0}]}]
    text = "公路建设滞后。"
    cited = Citation(1, "r.txt", 1, "交通", text, text, 0, len(text), 0.9)
    answer = Answer("路修得怎么样？", "公路建设滞后[1]。", False, [cited])
    assert follow_ups(answer, DocIndex(docs)) == ["关于“交通”，报告说了什么？", "关于“水利”，报告说了什么？", "这份报告讲了什么？"]
    last = Citation(1, "r.txt", 3, "“两个责任”", text, text, 0, len(text), 0.9)
    again = Answer("这份报告讲了什么？", "x[1]", False, [last])
    assert follow_ups(again, DocIndex(docs)) == ["关于「“两个责任”」，报告说了什么？", "关于“交通”，报告说了什么？"]
    html = answer_html(answer, 1, DocIndex(docs))
    assert html.count('class="ra-suggest"') == 3 and "接着问" in html
    assert "接着问" not in plain_text(answer)  # the copy is the answer and its sources only


def test_regenerate_and_edit_take_back_the_last_turn_only():
    from assistant.serving.web import Chat

    class Streaming:
        backend = type("B", (), {"name": "extractive"})()
        calls: list = []

        def documents(self):
            return DOCS

        def stream(self, question, history, top_k=None, **kw):
            self.calls.append((question, len(history)))
            yield "答"
            yield Answer(question, f"答：{question}", False, [])

    chat = Chat(Streaming())
    *_, (box, messages, turns, _) = list(chat.respond("第一问", [], [], 5, chat.default_backend))
    *_, (box, messages, turns, _) = list(chat.respond("第二问", messages, turns, 5, chat.default_backend))
    assert len(messages) == 4 and [t["question"] for t in turns] == ["第一问", "第二问"]
    *_, (box, again, again_turns, _) = list(chat.regenerate(messages, turns, 5, chat.default_backend))
    assert len(again) == 4 and [t["question"] for t in again_turns] == ["第一问", "第二问"]
    assert Streaming.calls[-1] == ("第二问", 2)  # asked again with the first turn as its history, not the second
    question, fewer, fewer_turns = chat.edit_last(again, again_turns)
    assert question == "第二问" and len(fewer) == 2 and [t["question"] for t in fewer_turns] == ["第一问"]
    assert chat.edit_last([], []) == chat.edit_last(fewer[:0], [])  # nothing to take back: nothing changes
