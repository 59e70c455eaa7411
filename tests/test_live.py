"""A running server follows the index: after `assistant ingest` in another process, the API, MCP's paragraph tool
and the web chat answer from (and show) the new index; a new index that cannot be opened is logged and tried
again later, never raised into a request."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.answering.assistant import Assistant
from assistant.index.store import MARKER
from assistant.serving.live import RETRY_AFTER, LiveAssistant

ROOT = Path(__file__).resolve().parent.parent
SOLAR = "光伏报告\n\n云南省某县在2020年建成了一座示范性光伏电站，装机容量为五十兆瓦，带动三千户贫困户增收。\n"
Q_OLD, Q_NEW = "巡视组从哪天开始进驻？", "光伏电站的装机容量是多少？"


@pytest.fixture
def served(assistant, tmp_path):
    """A copy of the session's report and index, and an Assistant over the copy."""
    data, index = tmp_path / "data", tmp_path / "index"
    shutil.copytree(assistant.config.data_dir, data)
    shutil.copytree(assistant.config.index_dir, index)
    cfg = assistant.config.replace(data_dir=str(data), index_dir=str(index))
    return Assistant.from_config(cfg, notify=lambda m: None, embedder=assistant.retriever.embedder)


def ingest_elsewhere(a: Assistant) -> None:
    """`assistant ingest` in its own process, as a person would run it beside the server."""
    (Path(a.config.data_dir) / "solar.txt").write_text(SOLAR, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "assistant", "ingest", "--data-dir", a.config.data_dir,
                           "--index-dir", a.config.index_dir], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_after_another_process_ingests_the_next_question_uses_the_new_index(served):
    live = LiveAssistant(served)
    assert live.current() is served and live.current().ask(Q_NEW).refused
    ingest_elsewhere(served)
    new = live.current()
    assert new is not served and live.version == 1 and "solar.txt" in new.retriever.sources
    answer = new.ask(Q_NEW)
    assert not answer.refused and answer.citations[0].source == "solar.txt" and "五十兆瓦" in answer.citations[0].quote
    assert new.ask(Q_OLD).citations[0].paragraph == 2  # the report is still there
    assert live.current() is new and live.version == 1  # nothing changed since: not reopened again


def test_a_new_index_that_cannot_be_opened_is_reported_not_raised_and_tried_again(served, caplog):
    clock = Clock()
    live = LiveAssistant(served, clock=clock)
    index = Path(served.config.index_dir)
    kept = index.with_name("kept")
    index.rename(kept)  # what an ingest's swap does: the old files stay open, a new directory takes the name
    index.mkdir()
    marker = json.loads((kept / MARKER).read_text(encoding="utf-8"))
    (index / MARKER).write_text(json.dumps({**marker, "generation": "broken"}), encoding="utf-8")
    (index / "chroma.sqlite3").write_bytes(b"not a database" * 100)
    assert live.current() is served and live.version == 0
    assert "could not be reopened" in caplog.text
    shutil.rmtree(index)
    kept.rename(index)
    (index / MARKER).write_text(json.dumps({**marker, "generation": "moved-back"}), encoding="utf-8")
    clock.now += 1.0
    assert live.current() is served  # a failed reopen waits RETRY_AFTER seconds before the next try
    clock.now += RETRY_AFTER
    again = live.current()
    assert again is not served and again.ask(Q_OLD).citations[0].paragraph == 2
    # the marker names a generation the opened index does not have: reopened once, not on every question
    assert live.current() is again and live.version == 1


def test_api_and_mcp_paragraph_follow_the_index(served):
    from fastapi.testclient import TestClient

    from assistant.serving.http import build_api

    with TestClient(build_api(served, served.config)) as client:
        assert [s["source"] for s in client.get("/api/health").json()["sources"]] == [
            "central-inspection-poverty-alleviation-2019.txt"]
        ingest_elsewhere(served)
        health = client.get("/api/health").json()
        assert {s["source"] for s in health["sources"]} == {"central-inspection-poverty-alleviation-2019.txt",
                                                            "solar.txt"}
        got = client.get("/api/paragraph", params={"n": 1, "source": "solar.txt"})
        assert got.status_code == 200 and "五十兆瓦" in got.json()["text"]
        answer = client.post("/api/ask", json={"question": Q_NEW}).json()
        assert answer["citations"][0]["source"] == "solar.txt"


def test_web_chat_shows_the_new_report_after_a_reload_and_cites_it(served):
    from assistant.serving.web import Chat

    chat = Chat(served)
    assert chat.page() == ({"__type__": "update"},) * 7  # the page as built is current: nothing to send
    ingest_elsewhere(served)
    header, sources, note, fulltext, *examples = chat.page()
    assert "2 份报告" in header and "这 2 份报告" in header and "共 32 个段落" in note and "五十兆瓦" in fulltext
    assert len(examples) == 3 and examples[0] == "这份报告讲了什么？"
    assert [v for v in sources["value"]] == ["central-inspection-poverty-alleviation-2019.txt", "solar.txt"]
    *_, (box, messages, turns, full) = list(chat.respond(Q_NEW, [], [], 5, "extractive"))
    assert "solar.txt" in messages[-1]["content"] or "光伏报告" in messages[-1]["content"]
    assert "五十兆瓦" in messages[-1]["content"]
