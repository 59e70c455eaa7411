"""The web chat in a real browser: `assistant serve` as a subprocess, Debian's chromium driven by Selenium.

Needs /usr/bin/chromium and /usr/bin/chromedriver (scripts/browser-deps.sh installs them). A screenshot of an answer
with its source cards goes to tests/artifacts/answer.png; with SCREENSHOT=1 it is also copied to docs/screenshot.png.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import REPORT, ROOT

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
ARTIFACTS = ROOT / "tests" / "artifacts"
UNSAFE_REPORT = """网页安全测试报告

这份报告用于检查网页是否把报告原文当作文字显示。第一段包含一个脚本标签<script>window.__pwned=1</script>，它只应作为文字出现，不能执行。

第二段包含一张图片标签<img src=x onerror="window.__pwned=1">，显示时必须是文字，浏览器不能加载图片，也不能运行其中的代码。

整改要求

针对这些安全问题，检查组要求所有页面对原文进行转义，模板语法 ${window.__pwned=1} 与 {{constructor}} 也只能显示为文字。
"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                       reason="needs /usr/bin/chromium and /usr/bin/chromedriver: run scripts/browser-deps.sh"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python -m assistant serve` on a free port, over its own copy of the reports and its own index."""

    def __init__(self, base: Path, reports: dict[str, bytes], args: list[str] = ()):
        self.base, self.args = base, list(args)
        data = base / "data"
        data.mkdir(parents=True)
        for name, content in reports.items():
            (data / name).write_bytes(content)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = base / "serve.log"
        self.start()

    def start(self) -> None:
        """(Re)start the server on its port, over the same reports and index."""
        env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "GRADIO_ANALYTICS_ENABLED": "False",
               "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "assistant", "serve", "--port", str(self.port), "--data-dir",
                 str(self.base / "data"), "--index-dir", str(self.base / "index"), *self.args],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"server exited with {self.proc.returncode}:\n{self.log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        pytest.fail(f"server not up after {timeout} s:\n{self.log.read_text(errors='replace')}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


def _server(tmp_path_factory, name: str, reports: dict[str, bytes]):
    server = Server(tmp_path_factory.mktemp(name), reports)
    try:
        server.wait()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from _server(tmp_path_factory, "serve", {REPORT.name: REPORT.read_bytes()})


@pytest.fixture(scope="module")
def unsafe_server(tmp_path_factory):
    yield from _server(tmp_path_factory, "unsafe", {"unsafe-report.txt": UNSAFE_REPORT.encode()})


def chromium(languages: str = "zh-CN,zh"):
    """Headless Chromium whose preferred languages are LANGUAGES (what navigator.languages and Accept-Language
    say; headless ignores --lang)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1400,1050",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": languages})
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


@pytest.fixture(scope="module")
def browser():
    driver = chromium()
    try:
        yield driver
    finally:
        driver.quit()


class Page:
    """The chat page in one browser tab; every `open` is a new gradio session."""

    def __init__(self, driver, url: str):
        self.d, self.url = driver, url

    def open(self, fresh: bool = True) -> "Page":
        """The page; FRESH forgets the conversations this browser kept (tests start from an empty chat)."""
        from selenium.webdriver.common.by import By

        self.d.get(self.url)
        if fresh:
            self.d.execute_script("window.localStorage.clear()")
            self.d.get(self.url)
        self.wait(lambda: self.d.find_elements(By.CSS_SELECTOR, "#ra-input textarea"), "the input box")
        return self

    def wait(self, condition, what: str, timeout: float = 30):
        """CONDITION's first truthy value; an element re-rendered under it (the chat re-renders while an answer
        streams) just means: look again."""
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.d, timeout, poll_frequency=0.1,
                             ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda _: condition(), message=f"waited {timeout} s for {what}")

    def css(self, selector: str, within=None):
        from selenium.webdriver.common.by import By

        return (within or self.d).find_elements(By.CSS_SELECTOR, selector)

    def answers(self):
        return self.css('[data-testid="bot"] .ra-answer')

    def type(self, text: str) -> None:
        from selenium.webdriver.common.keys import Keys

        box = self.css("#ra-input textarea")[0]
        box.clear()
        box.send_keys(text)
        box.send_keys(Keys.ENTER)

    def set_input(self, text: str) -> None:
        """Put TEXT in the input as if typed (too long or unprintable for send_keys), then press 发送."""
        box = self.css("#ra-input textarea")[0]
        self.d.execute_script("arguments[0].value = arguments[1];"
                              "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", box, text)
        self.css("#ra-send")[0].click()

    def ask(self, question: str, *, raw: bool = False):
        """Send QUESTION and wait until its answer has finished streaming; return the answer element."""
        before = len(self.answers())
        self.set_input(question) if raw else self.type(question)

        def done():
            answers = self.answers()
            return len(answers) > before and "ra-streaming" not in answers[-1].get_attribute("class")
        self.wait(done, f"the answer to {question[:30]!r}")
        return self.answers()[-1]

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.d.save_screenshot(str(path))
        return path


@pytest.fixture
def page(browser, server):
    return Page(browser, server.url).open()


def test_page_names_the_report_and_offers_examples(page):
    assert "聚焦脱贫攻坚" in page.css("#ra-header h1")[0].text
    examples = [b.text for b in page.css(".ra-example")]  # drawn from the report: its outline, its first sections
    assert examples == ["这份报告讲了什么？", "关于“精准贯彻落实中央脱贫攻坚决策部署有差距”，报告说了什么？",
                        "关于「“两个责任”有待进一步加强」，报告说了什么？"]
    assert page.d.execute_script("return window.raInstalled") is True  # our head script ran
    fetched = page.d.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    external = [u for u in fetched if not u.startswith(page.url.rstrip("/")) and not u.startswith(("data:", "blob:"))]
    assert fetched and external == []  # no fonts, scripts or analytics from elsewhere


def test_answer_links_markers_to_source_cards(page):
    answer = page.ask("巡视组从哪天开始进驻？")
    markers = page.css("a.ra-marker", answer)
    assert markers, answer.text
    target = markers[0].get_attribute("href").split("#")[1]
    card = page.css(f"#{target}", answer)[0]
    assert "2018年10月17日" in card.text and "第2段" in card.text and "检索第1名" in card.text
    assert "2018年10月17日" in page.css("mark", card)[0].text  # the quoted span is highlighted
    markers[0].click()
    page.wait(lambda: "ra-flash" in card.get_attribute("class"), "the card to flash after its marker is clicked")


def test_example_question_answers_with_several_cards_screenshot(page):
    page.css(".ra-example")[1].click()  # 关于“精准贯彻落实中央脱贫攻坚决策部署有差距”，报告说了什么？
    page.wait(lambda: page.answers() and "ra-streaming" not in page.answers()[-1].get_attribute("class"),
              "the example's answer")
    assert page.css(".ra-card", page.answers()[-1]) and not page.css(".ra-refusal", page.answers()[-1])
    page.css("#ra-clear")[0].click()
    page.wait(lambda: not page.answers(), "the chat to clear")
    answer = page.ask("易地扶贫搬迁方面存在哪些问题？")
    assert "易地扶贫" in answer.text and page.css(".ra-card", answer)
    page.d.execute_script(  # show the question above its answer: scroll the chat's own scroller to the top
        "let e = arguments[0]; while (e && e.scrollHeight <= e.clientHeight) e = e.parentElement;"
        "if (e) e.scrollTop = 0;", answer)
    path = page.shot("answer.png")
    if os.environ.get("SCREENSHOT") == "1":
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(path, ROOT / "docs" / "screenshot.png")


def test_card_opens_its_paragraph_in_fulltext(page):
    answer = page.ask("巡视组从哪天开始进驻？")
    page.css("a.ra-goto", answer)[0].click()
    para = page.wait(lambda: [p for p in page.css("#para-0-2") if p.is_displayed()], "paragraph 2 in 原文")[0]
    assert "ra-cited" in para.get_attribute("class")  # the latest answer's paragraph is highlighted
    assert "2018年10月17日" in para.text
    assert len(page.css("#ra-fulltext .ra-para")) == 31
    jump = page.css("#ra-jump input")[0]
    jump.clear()
    jump.send_keys("23")
    page.css("#ra-go")[0].click()
    water = page.css("#para-0-23")[0]
    page.wait(lambda: "ra-flash" in water.get_attribute("class"), "paragraph 23 after 跳到第几段")
    assert "水利" in water.text


def test_follow_up_uses_the_conversation(page):
    page.ask("交通扶贫存在什么问题？")
    answer = page.ask("那水利方面呢？")
    cards = page.css(".ra-card", answer)
    assert any("水利" in c.text for c in cards), answer.text
    assert len(page.answers()) == 2  # earlier turns keep their cards
    assert page.css(".ra-card", page.answers()[0])


def test_unanswerable_question_is_refused_with_nearby_paragraphs(page):
    answer = page.ask("这次巡视的巡视组组长是谁？")
    assert "没有找到" in answer.text
    classes = answer.get_attribute("class")
    assert "ra-refusal" in classes and "ra-error" not in classes
    assert "可能相关" in answer.text and 1 <= len(page.css(".ra-card.ra-nearby", answer)) <= 2


@pytest.mark.parametrize("question, message", [
    ("   ", "问题是空的"),
    ("\x01\x02\x03", "问题是空的"),
    ("问" * 100_000, "问题太长"),
])
def test_bad_input_shows_the_error_message(page, question, message):
    answer = page.ask(question, raw=True)
    assert "ra-error" in answer.get_attribute("class")
    assert message in answer.text and "Traceback" not in page.d.page_source


def test_copy_puts_answer_and_sources_on_the_clipboard(page):
    page.d.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": page.url.rstrip("/"), "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    answer = page.ask("巡视组从哪天开始进驻？")
    button = page.css(".ra-copy", answer)[0]
    button.click()
    page.wait(lambda: button.text == "已复制", "the copy button to confirm")
    copied = page.d.execute_async_script("navigator.clipboard.readText().then(arguments[0], e => arguments[0](''))")
    assert "[1]" in copied and "来源：" in copied and "第2段" in copied and "<" not in copied


def test_sessions_and_clearing_are_separate(page):
    page.ask("巡视组从哪天开始进驻？")
    first = page.d.current_window_handle
    page.d.switch_to.new_window("tab")
    try:
        other = Page(page.d, page.url).open(fresh=False)
        other.wait(lambda: len(other.answers()) == 1, "the conversation this browser kept")
        other.css("#ra-clear")[0].click()  # 新对话: this tab starts another; the first tab's stays as it is
        other.wait(lambda: not other.answers(), "the new conversation")
        other.ask("易地扶贫搬迁方面存在哪些问题？")
    finally:
        page.d.close()
        page.d.switch_to.window(first)
    assert len(page.answers()) == 1  # the first session kept its turn


def test_report_markup_is_shown_as_text_and_never_runs(browser, unsafe_server):
    page = Page(browser, unsafe_server.url).open()
    script = page.ask("第一段包含什么标签？")
    image = page.ask("图片标签显示时必须是什么？")
    assert "<script>window.__pwned=1</script>" in script.text
    assert '<img src=x onerror="window.__pwned=1">' in image.text
    assert not page.css("[data-testid='bot'] img, [data-testid='bot'] script")
    page.d.find_element("xpath", "//button[@role='tab' and normalize-space()='原文']").click()
    fulltext = page.wait(lambda: [f for f in page.css("#ra-fulltext") if f.is_displayed()], "the 原文 tab")[0]
    assert "<script>window.__pwned=1</script>" in fulltext.text and "${window.__pwned=1}" in fulltext.text
    assert not page.css("#ra-fulltext img, #ra-fulltext script")
    assert page.d.execute_script("return typeof window.__pwned") == "undefined"
    assert "网页安全测试报告" in page.d.title


CONTRAST_JS = """
function rgba(s) { const m = s.match(/[\\d.]+/g).map(Number); return m.length === 3 ? [...m, 1] : m; }
function background(el) {  // the colour seen behind EL: its own and its ancestors' backgrounds, composited
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) layers.push(c);
    if (c[3] >= 1) break;
  }
  let out = [255, 255, 255];
  for (const c of layers.reverse()) out = out.map((v, i) => c[i] * c[3] + v * (1 - c[3]));
  return out;
}
function lum(c) {
  const [r, g, b] = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const el = arguments[0], a = lum(rgba(getComputedStyle(el).color)), b = lum(background(el));
return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_highlighted_quotes_are_readable_in_light_and_dark_mode(browser, server, scheme):
    """The OS colour scheme switches gradio's theme; the quote highlighted in a card and the cited paragraph in
    原文 keep a contrast ratio of at least 4.5 (WCAG AA) in both."""
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia",
                            {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
    try:
        page = Page(browser, server.url).open()
        assert page.d.execute_script("return document.querySelector('.dark') !== null") == (scheme == "dark")
        answer = page.ask("巡视组从哪天开始进驻？")
        mark = page.css(".ra-card mark", answer)[0]
        assert page.d.execute_script(CONTRAST_JS, mark) >= 4.5
        page.css("a.ra-goto", answer)[0].click()
        para = page.wait(lambda: [p for p in page.css("#para-0-2") if p.is_displayed()], "paragraph 2 in 原文")[0]
        text = page.css(".ra-para-text", para)[0]
        assert page.d.execute_script(CONTRAST_JS, text) >= 4.5
        page.shot(f"answer-{scheme}.png")
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def test_quotes_of_one_paragraph_share_a_card_and_each_marker_finds_it(page):
    answer = page.ask("易地扶贫搬迁方面存在哪些问题？")
    markers = page.css("a.ra-marker", answer)
    cards = page.css(".ra-card", answer)
    assert len(markers) > len(cards) >= 1, answer.text  # several items of paragraph 7, one card for it
    card = [c for c in cards if "第7段" in c.text][0]
    assert len(page.css("mark", card)) >= 2
    second = [m for m in markers if m.text == "[2]"][0]
    second.click()
    page.wait(lambda: "ra-flash" in card.get_attribute("class"), "the shared card to flash for marker [2]")


def test_conversations_last_across_reloads_and_can_be_switched_renamed_exported_and_deleted(page, tmp_path):
    page.ask("巡视组从哪天开始进驻？")
    page.ask("他们待了多久？")  # a follow-up: the restored conversation must still read it as one
    page.open(fresh=False)  # reload
    page.wait(lambda: len(page.answers()) == 2, "the conversation restored after a reload")
    assert "2018年10月17日" in page.answers()[0].text
    answer = page.ask("那是哪一年开始的？")
    assert "2018" in answer.text, answer.text  # follow-up context survived the reload
    page.css("#ra-clear")[0].click()  # 新对话
    page.wait(lambda: not page.answers(), "a new conversation")
    page.ask("易地扶贫搬迁方面存在哪些问题？")
    box = page.css("#ra-chats input")[0]
    assert "易地扶贫搬迁" in box.get_attribute("value")  # the picker names the open conversation
    name = page.css("#ra-chat-name input, #ra-chat-name textarea")[0]
    name.clear()
    name.send_keys("搬迁问题汇总\n")
    page.wait(lambda: "搬迁问题汇总" in page.css("#ra-chats input")[0].get_attribute("value"), "the new name")
    page.d.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    page.wait(lambda: page.css("#ra-chat-export")[0].is_enabled(), "the export button")
    page.css("#ra-chat-export")[0].click()
    done = page.wait(lambda: [f for f in tmp_path.glob("*.md")], "the exported Markdown file")[0]
    text = done.read_text(encoding="utf-8")
    assert text.startswith("# 搬迁问题汇总") and "**问：** 易地扶贫搬迁方面存在哪些问题？" in text and "来源" in text
    page.css("#ra-chats input")[0].click()  # switch back to the first conversation
    first = page.wait(lambda: [o for o in page.css("ul.options li, [role=option]") if "巡视组从哪天" in o.text],
                      "the first conversation in the list")[0]
    first.click()
    page.wait(lambda: len(page.answers()) == 3, "the first conversation, switched back to")
    page.css("#ra-chat-delete")[0].click()
    page.wait(lambda: not page.answers(), "the deleted conversation gone")
    page.open(fresh=False)
    page.css("#ra-chats input")[0].click()
    def listed_now():  # the options render empty for a moment before their labels
        texts = [o.text for o in page.css("ul.options li, [role=option]")]
        return texts if texts and all(t.strip() for t in texts) else None
    listed = page.wait(listed_now, "the list")
    assert any("搬迁问题汇总" in t for t in listed) and not any("巡视组从哪天" in t for t in listed), listed


def test_a_suggested_follow_up_is_asked_when_clicked(page):
    answer = page.ask("村里的路修得怎么样？")
    suggestions = page.css(".ra-suggest", answer)
    assert 2 <= len(suggestions) <= 3 and all("报告" in s.text for s in suggestions), answer.text
    asked = suggestions[0].text
    suggestions[0].click()
    page.wait(lambda: len(page.answers()) == 2 and "ra-streaming" not in page.answers()[-1].get_attribute("class"),
              "the suggested question's answer")
    assert asked in page.css(".ra-question")[-1].text and page.css(".ra-card", page.answers()[-1])


def test_thumbs_up_or_down_appends_to_the_feedback_file_beside_the_index(page, server):
    import json

    file = server.base / "feedback.jsonl"
    answer = page.ask("巡视组从哪天开始进驻？")
    page.css(".ra-vote.ra-down", answer)[0].click()
    page.wait(lambda: file.exists() and file.read_text(encoding="utf-8").strip(), "the vote in feedback.jsonl")
    row = json.loads(file.read_text(encoding="utf-8").splitlines()[-1])
    assert row["vote"] == "down" and row["question"] == "巡视组从哪天开始进驻？"
    assert "2018年10月17日" in row["answer"] and "来源" in row["answer"]
    assert "ra-voted" in page.css(".ra-vote.ra-down", answer)[0].get_attribute("class")


def test_regenerate_answers_again_in_place_and_edit_puts_the_question_back(page):
    page.ask("巡视组从哪天开始进驻？")
    first = page.ask("易地扶贫搬迁方面存在哪些问题？")
    page.d.execute_script("arguments[0].setAttribute('data-old', '1')", first)  # gone once it is re-rendered
    page.css("#ra-again")[0].click()
    page.wait(lambda: len(page.answers()) == 2 and "ra-streaming" not in page.answers()[-1].get_attribute("class")
              and not page.answers()[-1].get_attribute("data-old") and "易地扶贫" in page.answers()[-1].text,
              "the last question answered again")
    assert len(page.css(".ra-question")) == 2
    page.css("#ra-edit")[0].click()
    page.wait(lambda: len(page.answers()) == 1, "the last turn taken back")
    box = page.css("#ra-input textarea")[0]
    assert box.get_attribute("value") == "易地扶贫搬迁方面存在哪些问题？"


def test_on_a_phone_the_chat_is_the_page_and_settings_fold_away(browser, server):
    """390×844: no sideways scrolling; after a question the chat and the input box both fit on the screen; the
    settings and the conversation list appear only behind 设置与历史."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    try:
        page = Page(browser, server.url).open()
        page.ask("巡视组从哪天开始进驻？")
        d = page.d
        assert d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        assert not page.css("#ra-settings")[0].is_displayed()
        d.execute_script("document.querySelector('#ra-input').scrollIntoView({block: 'end'})")
        chat_top, chat_bottom = d.execute_script(
            "const r = document.querySelector('#ra-chat').getBoundingClientRect(); return [r.top, r.bottom]")
        input_bottom = d.execute_script("return document.querySelector('#ra-input').getBoundingClientRect().bottom")
        # with the input box at the bottom of the screen, the whole chat (at least 250 px of it) is above it
        assert chat_top >= 0 and chat_bottom - chat_top >= 250 and input_bottom <= 845, (chat_top, chat_bottom,
                                                                                          input_bottom)
        page.shot("phone.png")
        page.css("#ra-settings-toggle")[0].click()
        page.wait(lambda: page.css("#ra-settings")[0].is_displayed(), "the settings after 设置与历史")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_a_conversation_outlives_a_server_restart(browser, tmp_path_factory):
    """The browser keeps the conversation encrypted with a key derived from the index location: a restarted server
    (same port, same index) reads it back."""
    server = Server(tmp_path_factory.mktemp("restart"), {REPORT.name: REPORT.read_bytes()})
    try:
        server.wait()
        page = Page(browser, server.url).open()
        page.ask("巡视组从哪天开始进驻？")
        server.stop()
        server.start()
        server.wait()
        page.open(fresh=False)
        page.wait(lambda: len(page.answers()) == 1, "the conversation after the restart")
        assert "2018年10月17日" in page.answers()[0].text
    finally:
        server.stop()
