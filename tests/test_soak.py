"""Load, bounded: a small soak of the HTTP API in its own process (benchmarks/soak.py runs the full 2,000), and eight
simultaneous web-chat sessions that must keep their histories apart."""
from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import DEV, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import soak  # noqa: E402


@pytest.mark.skipif(not DEV.is_file(), reason="../shared/eval/dev.jsonl is not beside this checkout")
def test_200_requests_from_16_clients_no_errors_no_leak(assistant, report_config, tmp_path):
    with soak.Server(report_config.data_dir, report_config.index_dir, tmp_path / "server.log",
                     extra=["--backend", "extractive"]) as server:
        result = soak.soak(server, requests=200, clients=16, warmup=50, max_seconds=300)
    print(f"\nsoak: {result}")
    assert result["sent"] == 200 and result["errors"] == 0, result["error_samples"]
    assert result["rss_ratio"] <= 1.2, result
    assert "Traceback" not in (tmp_path / "server.log").read_text()


# Eight sessions in-process, each driven from its own thread like gradio's workers do: each asks a first question,
# then the same follow-up, which must be read against its own first question only.
FIRSTS = ["交通扶贫存在什么问题？", "易地扶贫搬迁方面存在哪些问题？", "巡视组从哪天开始进驻？", "这次专项巡视一共派出了多少个巡视组？",
          "教育扶贫存在什么问题？", "针对这些问题，巡视组提出了什么要求？", "产业扶贫存在什么问题？", "巡视组在被巡视单位工作了多长时间？"]


def test_eight_web_sessions_keep_their_own_history(assistant):
    from assistant.serving.web import Chat

    chat = Chat(assistant)

    def session(first: str):
        turns: list = []
        messages: list = []
        for q in (first, "能再具体说说吗？"):
            for _, messages, turns, _ in chat.respond(q, messages, turns, 5, assistant.backend.name):
                pass
        return first, messages, turns

    with ThreadPoolExecutor(8) as pool:
        sessions = list(pool.map(session, FIRSTS))
    for first, messages, turns in sessions:
        assert [t["question"] for t in turns] == [first, "能再具体说说吗？"], turns
        assert len(messages) == 4
        others = [f for f in FIRSTS if f != first]
        assert not any(o in str(messages) for o in others)
        # The follow-up was read with this session's first question, nobody else's.
        follow_up = assistant.ask("能再具体说说吗？", [{"role": "user", "content": first},
                                                   {"role": "assistant", "content": turns[0]["answer"]}])
        assert turns[1]["answer"] == follow_up.answer
