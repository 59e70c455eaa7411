"""Failure is visible, never fatal: every way a model server fails gives the extractive answer and one notice."""
from __future__ import annotations

import time

import pytest
from llm_servers import ScriptedLLM, refused_port
from test_backends_openai import Q, with_backend

FAILURES = {
    "http 401": (dict(status=401), "HTTP 401"),
    "http 429": (dict(status=429), "HTTP 429"),
    "http 500": (dict(status=500), "HTTP 500"),
    "malformed json": (dict(malformed=True), "JSON"),
    "empty answer": (dict(), "空回答"),
}


@pytest.fixture
def llm():
    server = ScriptedLLM()
    yield server
    server.close()


def assert_extractive_with_notice(ans, backend: str, words: str):
    assert ans.backend == "extractive" and not ans.refused
    assert ans.citations and ans.citations[0].paragraph == 2
    assert len(ans.notices) == 1 and backend in ans.notices[0] and words in ans.notices[0], ans.notices


@pytest.mark.parametrize("name", ["openai", "ollama"])
@pytest.mark.parametrize("failure", list(FAILURES))
def test_server_failure_gives_extractive_answer_and_notice(assistant, llm, name, failure):
    reply, words = FAILURES[failure]
    llm.enqueue("", **reply)
    ans = with_backend(assistant, llm, name).ask(Q)
    assert_extractive_with_notice(ans, name, words)


@pytest.mark.parametrize("name", ["openai", "ollama"])
def test_stream_cut_mid_answer(assistant, llm, name):
    llm.enqueue("巡视组从2018年10月17日起开始陆续进驻，至2018年11月下旬结束[1]。", cut=True)
    out = list(with_backend(assistant, llm, name).stream(Q))
    assert any(isinstance(p, str) and p for p in out[:-1])  # the person saw the start...
    assert_extractive_with_notice(out[-1], name, "断开")  # ...and then the answer that holds


@pytest.mark.parametrize("name", ["openai", "ollama"])
def test_connection_refused(assistant, name):
    class Nowhere:
        url = f"http://127.0.0.1:{refused_port()}"

    ans = with_backend(assistant, Nowhere, name).ask(Q)
    assert_extractive_with_notice(ans, name, "无法连接")


@pytest.mark.parametrize("stream", [False, True])
def test_configured_timeout_holds(assistant, llm, stream):
    llm.enqueue("巡视组从2018年10月17日起开始陆续进驻[1]。", delay=3)
    a = with_backend(assistant, llm, llm_timeout=0.5)
    t0 = time.perf_counter()
    ans = list(a.stream(Q))[-1] if stream else a.ask(Q)
    assert time.perf_counter() - t0 < 2.5
    assert_extractive_with_notice(ans, "openai", "0.5 秒")


def test_cli_prints_no_traceback_when_the_model_is_down(assistant, capsys):
    from assistant.cli import main

    cfg = assistant.config
    code = main(["ask", Q, "--backend", "openai", "--openai-model", "qwen", "--openai-base-url",
                 f"http://127.0.0.1:{refused_port()}/v1", "--data-dir", cfg.data_dir, "--index-dir", cfg.index_dir])
    out, err = capsys.readouterr()
    assert code == 0 and "Traceback" not in out + err
    assert "openai" in out and "无法连接" in out and "2018年10月17日" in out
