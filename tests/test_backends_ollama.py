"""The ollama backend against a real scripted server speaking Ollama's native /api/chat (NDJSON streaming)."""
from __future__ import annotations

import pytest
from llm_servers import ScriptedLLM
from test_backends_openai import GOOD, Q, with_backend

from assistant import backends


@pytest.fixture
def llm():
    server = ScriptedLLM(models=("qwen:latest",))
    yield server
    server.close()


def test_answer_through_api_chat(assistant, llm):
    llm.enqueue(GOOD)
    ans = with_backend(assistant, llm, "ollama", llm_temperature=0.2, llm_max_tokens=123).ask(Q)
    assert ans.backend == "ollama" and ans.answer == GOOD and ans.citations[0].verified
    req = llm.requests[0]
    assert req["path"] == "/api/chat" and req["json"]["stream"] is False and req["json"]["model"] == "qwen"
    assert req["json"]["options"] == {"temperature": 0.2, "num_predict": 123}
    assert "[1] 出处：第2段" in llm.last_prompt()


def test_stream_ndjson(assistant, llm):
    llm.enqueue(GOOD, chunk=2)
    out = list(with_backend(assistant, llm, "ollama").stream(Q))
    assert "".join(out[:-1]) == GOOD and len(out) > 5 and out[-1].citations[0].verified
    assert llm.requests[0]["json"]["stream"] is True


def test_doctor_check_names_the_missing_model(assistant, llm):
    a = with_backend(assistant, llm, "ollama")
    assert "qwen" in a.backend.check()  # qwen:latest counts as qwen
    llm.models = ["llama3:8b"]
    with pytest.raises(backends.BackendError, match="ollama pull qwen"):
        a.backend.check()
