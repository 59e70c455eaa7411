"""The web chat in a real browser, part two: reports added and removed in the 报告 tab, and the wait for a model
(检索中/生成中 with seconds, 停止, a question typed meanwhile). Same set-up as test_web_browser.py."""
from __future__ import annotations

import os
import shutil

import pytest
from conftest import REPORT, ROOT
from llm_servers import ScriptedLLM
from test_web_browser import Page, Server, browser, pytestmark  # noqa: F401  (fixture, marks)

UPLOAD = ROOT / "tests" / "data" / "upload_report.txt"


@pytest.fixture(scope="module")
def library_server(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("reports"), {REPORT.name: REPORT.read_bytes()})
    try:
        server.wait()
        yield server
    finally:
        server.stop()


def pick(page: Page, dropdown: str, text: str) -> None:
    """Choose the option of gradio dropdown DROPDOWN (its elem_id selector) whose label contains TEXT."""
    page.css(f"{dropdown} input")[0].click()
    option = page.wait(lambda: [o for o in page.css("li[role=option]") if text in o.text], f"option {text!r}")[0]
    option.click()


def test_a_report_uploaded_in_the_browser_answers_and_can_be_removed_again(browser, library_server):
    page = Page(browser, library_server.url).open()
    page.css("#ra-tab-reports-button")[0].click()
    page.wait(lambda: page.css("#ra-upload input[type=file]"), "the upload box")
    page.css("#ra-upload input[type=file]")[0].send_keys(str(UPLOAD))
    page.wait(lambda: UPLOAD.stem in page.css("#ra-upload")[0].text, "the chosen file")
    page.css("#ra-upload-send")[0].click()
    page.wait(lambda: "已添加" in page.css("#ra-reports-status")[0].text, "the upload to be indexed", 120)
    assert "青禾市社区老年食堂建设情况通报" in page.css("#ra-reports")[0].text
    page.wait(lambda: "2 份报告" in page.css("#ra-header")[0].text, "the header naming both reports")
    path = page.shot("upload.png")
    if os.environ.get("SCREENSHOT") == "1":
        shutil.copyfile(path, ROOT / "docs" / "screenshot-upload.png")

    page.css("#ra-tab-chat-button")[0].click()
    answer = page.ask("青禾市一共建成了多少家社区老年食堂？")
    assert "86家" in answer.text and "青禾市社区老年食堂建设情况通报" in page.css(".ra-card", answer)[0].text

    page.css("#ra-tab-reports-button")[0].click()
    pick(page, "#ra-remove-pick", UPLOAD.name)
    page.css("#ra-remove-send")[0].click()
    page.wait(lambda: page.d.switch_to.alert, "the confirmation").accept()
    page.wait(lambda: "已移除" in page.css("#ra-reports-status")[0].text, "the removal", 120)
    assert "青禾市" not in page.css("#ra-reports")[0].text
    assert list((library_server.base / "data" / ".removed").rglob(UPLOAD.name))
    page.wait(lambda: "2 份报告" not in page.css("#ra-header")[0].text, "the header back to one report")


def test_an_unreadable_upload_is_refused_in_the_page_and_the_list_stays(browser, library_server, tmp_path):
    bad = tmp_path / "坏文件.pdf"
    bad.write_bytes(b"this is not a pdf")
    page = Page(browser, library_server.url).open()
    page.css("#ra-tab-reports-button")[0].click()
    before = page.wait(lambda: page.css("#ra-reports")[0].text, "the list")
    page.css("#ra-upload input[type=file]")[0].send_keys(str(bad))
    page.wait(lambda: bad.stem in page.css("#ra-upload")[0].text, "the chosen file")
    page.css("#ra-upload-send")[0].click()
    status = page.wait(lambda: "无法作为报告读取" in page.css("#ra-reports-status")[0].text and
                       page.css("#ra-reports-status")[0].text, "the refusal")
    assert bad.name in status and page.css("#ra-reports")[0].text == before
    assert not (library_server.base / "data" / bad.name).exists()


@pytest.fixture(scope="module")
def llm():
    server = ScriptedLLM()
    yield server
    server.close()


@pytest.fixture(scope="module")
def model_server(tmp_path_factory, llm):
    server = Server(tmp_path_factory.mktemp("model"), {REPORT.name: REPORT.read_bytes()},
                    ["--backend", "openai", "--openai-base-url", f"{llm.url}/v1", "--openai-model", "qwen",
                     "--llm-timeout", "30"])
    try:
        server.wait()
        yield server
    finally:
        server.stop()


def test_while_a_model_thinks_the_stage_and_seconds_show_and_stop_keeps_what_came(browser, model_server, llm):
    llm.enqueue("巡视组于2018年10月17日进驻[1]。", delay=4.0)
    page = Page(browser, model_server.url).open()
    page.type("巡视组从哪天开始进驻？")
    stage = page.wait(lambda: [s.text for s in page.css(".ra-streaming .ra-stage") if "生成中" in s.text],
                      "生成中 while the model thinks")[0]
    page.wait(lambda: any(s.text != stage and "秒" in s.text for s in page.css(".ra-streaming .ra-stage")),
              "the seconds to count up")
    page.css("#ra-stop")[0].click()
    page.wait(lambda: any("已停止" in s.text for s in page.css(".ra-stopped .ra-stage")), "已停止 after 停止")
    stopped = page.answers()[-1]
    assert "ra-streaming" not in stopped.get_attribute("class") and "'type'" not in stopped.text
    page.d.implicitly_wait(0)
    import time
    time.sleep(5)  # longer than the model's delay: a stopped answer is not filled in afterwards
    assert not [a for a in page.answers() if "2018年10月17日" in a.text]

    llm.enqueue("巡视组于2018年10月17日进驻[1]。")
    answer = page.ask("巡视组从哪天开始进驻？")  # the chat goes on after a stop
    assert "2018年10月17日" in answer.text and page.css(".ra-card", answer)


def test_a_question_sent_while_an_answer_runs_waits_for_it_and_is_then_answered(browser, model_server, llm):
    llm.enqueue("巡视组于2018年10月17日进驻[1]。", delay=3.0)
    llm.enqueue("工作了1个月左右[1]。")
    page = Page(browser, model_server.url).open()
    page.type("巡视组从哪天开始进驻？")
    page.wait(lambda: page.css(".ra-streaming"), "the first answer to start")
    page.type("巡视组工作了多久？")
    note = page.wait(lambda: page.css("#ra-queued") and page.css("#ra-queued")[0].text, "the note under the input")
    assert "上一个回答完成后" in note
    page.wait(lambda: len(page.answers()) == 2 and "ra-streaming" not in page.answers()[-1].get_attribute("class"),
              "both answers", 60)
    first, second = page.answers()
    assert "2018年10月17日" in first.text and "1个月" in second.text
    assert [q.text for q in page.css(".ra-question")] == ["巡视组从哪天开始进驻？", "巡视组工作了多久？"]
    # the note is cleared by the page's 300 ms check for a running answer: it goes once that check has run
    page.wait(lambda: not page.css("#ra-queued")[0].text, "the note to clear once nothing is answering", 10)


def test_hovering_a_marker_previews_the_quote_it_cites(browser, library_server):
    from selenium.webdriver.common.action_chains import ActionChains

    page = Page(browser, library_server.url).open()
    answer = page.ask("巡视组从哪天开始进驻？")
    marker = page.css("a.ra-marker", answer)[0]
    ActionChains(page.d).move_to_element(marker).perform()
    preview = page.wait(lambda: [p for p in page.css(".ra-preview.ra-shown") if p.is_displayed()], "the preview")[0]
    assert "2018年10月17日" in preview.text and "第2段" in preview.text
    ActionChains(page.d).move_to_element(page.css("#ra-input textarea")[0]).perform()
    page.wait(lambda: not [p for p in page.css(".ra-preview") if p.is_displayed()], "the preview to go")


@pytest.mark.parametrize("languages, lang, words, not_words", [
    ("zh-CN,zh", "zh-CN", ["问答", "发送", "上传报告", "将文件拖放到此处"], ["Drop File", "Send", "Clear"]),
    ("de-DE,de", "zh-CN", ["问答", "发送", "将文件拖放到此处"], ["Datei", "Send"]),
    ("en-US,en", "en", ["Ask", "Send", "Upload reports", "Drop File Here"], ["发送", "上传报告"]),
])
def test_the_page_speaks_chinese_unless_the_browser_asks_for_english(library_server, languages, lang, words,
                                                                     not_words):
    from test_web_browser import chromium

    driver = chromium(languages)
    try:
        page = Page(driver, library_server.url).open()
        page.css("#ra-tab-reports-button")[0].click()
        page.wait(lambda: page.css("#ra-upload") and page.css("#ra-upload")[0].is_displayed(), "the 报告 tab")
        seen = " ".join([b.text for b in page.css("button[role=tab]")] + [page.css("#ra-upload")[0].text])
        page.css("#ra-tab-chat-button")[0].click()
        seen += " " + page.css("#ra-send")[0].text
        assert driver.execute_script("return document.documentElement.lang") == lang
        assert all(w in seen for w in words) and not any(w in seen for w in not_words), seen
    finally:
        driver.quit()
