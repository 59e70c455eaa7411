"""The web chat's answer stream in a worker thread: stages, ticks while nothing comes, errors, and closing."""
from __future__ import annotations

import threading
import time

import pytest

from assistant.serving.render import stopped_html, streaming_html
from assistant.serving.ticking import PIECE, STAGE, TICKED, ticking


def test_stages_pieces_and_ticks_arrive_in_order():
    def start(tell):
        tell("retrieving")
        tell("generating")
        time.sleep(0.12)  # a model thinking: the consumer hears ticks meanwhile
        yield "巡视组"
        yield "进驻"

    events = list(ticking(start, tick=0.02))
    kinds = [k for k, _ in events]
    assert [v for k, v in events if k == STAGE] == ["retrieving", "generating"]
    assert [v for k, v in events if k == PIECE] == ["巡视组", "进驻"]
    assert kinds.count(TICKED) >= 2 and kinds.index(TICKED) < kinds.index(PIECE)


def test_the_stream_error_reaches_the_consumer():
    def start(tell):
        yield "a"
        raise ValueError("model went away")

    with pytest.raises(ValueError, match="model went away"):
        list(ticking(start, tick=0.02))


def test_closing_the_consumer_closes_the_stream_at_its_next_piece():
    closed = threading.Event()

    def start(tell):
        try:
            while True:
                time.sleep(0.01)
                yield "x"
        finally:
            closed.set()

    events = ticking(start, tick=0.02)
    assert next(e for e in events if e[0] == PIECE) == (PIECE, "x")
    events.close()
    assert closed.wait(2)


def test_a_stopped_answer_keeps_its_text_without_caret_or_timer():
    html = streaming_html("巡视组于2018年[1]", "generating", 3.2)
    assert "生成中… 3.2 秒" in html and "ra-streaming" in html
    stopped = stopped_html(html)
    assert "已停止" in stopped and "生成中" not in stopped and "ra-streaming" not in stopped
    assert "巡视组于2018年" in stopped and stopped_html("<div class='ra-answer'>done</div>").endswith("done</div>")
