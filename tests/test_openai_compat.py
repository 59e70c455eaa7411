"""The OpenAI-compatible endpoint, driven by the official `openai` client against a real server."""
from __future__ import annotations

import httpx
import pytest
from live_server import server  # noqa: F401  (fixture)

openai = pytest.importorskip("openai")
QUESTION = "巡视组从哪天开始进驻？"


@pytest.fixture(scope="module")
def client(server):
    with openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0, timeout=60) as c:
        yield c


def test_models_lists_the_assistant(client):
    assert [m.id for m in client.models.list()] == ["report-assistant"]


def test_completion_carries_citations(client, assistant):
    r = client.chat.completions.create(model="report-assistant", messages=[{"role": "user", "content": QUESTION}])
    message = r.choices[0].message
    expected = assistant.ask(QUESTION)
    assert r.choices[0].finish_reason == "stop" and r.object == "chat.completion"
    assert message.content.startswith(expected.answer)
    assert message.content.endswith(expected.sources_text())  # front ends that drop extra fields still show them
    assert [(c["n"], c["paragraph"], c["quote"]) for c in message.citations] == \
        [(c.n, c.paragraph, c.quote) for c in expected.citations]


def test_stream_ends_with_citations(client, assistant):
    chunks = list(client.chat.completions.create(
        model="report-assistant", stream=True, messages=[{"role": "user", "content": QUESTION}]))
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    expected = assistant.ask(QUESTION)
    assert text == f"{expected.answer}\n\n{expected.sources_text()}"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert [c["quote"] for c in chunks[-1].choices[0].delta.citations] == [c.quote for c in expected.citations]
    assert all(not getattr(c.choices[0].delta, "citations", None) for c in chunks[:-1])


def test_content_parts_system_prompt_and_history(client, assistant):
    messages = [{"role": "system", "content": "You are helpful."},
                {"role": "user", "content": [{"type": "text", "text": "巡视发现了哪些问题？"}]},
                {"role": "assistant", "content": "……"},
                {"role": "user", "content": [{"type": "text", "text": "那交通"}, {"type": "text", "text": "方面呢？"}]}]
    r = client.chat.completions.create(model="report-assistant", messages=messages)
    expected = assistant.ask("那交通方面呢？", [{"role": "user", "content": "巡视发现了哪些问题？"}])
    assert r.choices[0].message.content.startswith(expected.answer)


def test_a_refusal_is_a_normal_completion(client):
    r = client.chat.completions.create(model="report-assistant",
                                       messages=[{"role": "user", "content": "火星上有多少座城市？"}])
    assert r.choices[0].finish_reason == "stop"
    assert "没有找到" in r.choices[0].message.content and r.choices[0].message.citations == []


@pytest.mark.parametrize("messages, words", [
    ([{"role": "assistant", "content": "hi"}], "last message"),
    ([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}], "image_url"),
    ([{"role": "user", "content": ""}], "问题是空的"),
    ([], "messages"),
])
def test_bad_requests_are_openai_style_400(client, messages, words):
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model="report-assistant", messages=messages)
    assert words in e.value.body["message"]


def test_bad_stream_request_fails_before_streaming(server):
    r = httpx.post(server.url + "/v1/chat/completions", timeout=30,
                   json={"stream": True, "messages": [{"role": "user", "content": "？？？"}]})
    assert r.status_code == 400 and r.json()["error"]["message"]


def test_usage_counts_characters_and_n_above_one_is_refused_with_a_reason(client, server):
    r = client.chat.completions.create(model="report-assistant", messages=[{"role": "user", "content": QUESTION}])
    content = r.choices[0].message.content
    assert r.usage.prompt_tokens == len(QUESTION) and r.usage.completion_tokens == len(content)
    assert r.usage.total_tokens == len(QUESTION) + len(content)
    bad = httpx.post(server.url + "/v1/chat/completions", timeout=30,
                     json={"model": "report-assistant", "n": 2, "messages": [{"role": "user", "content": QUESTION}]})
    assert bad.status_code == 400 and "n=2 is not supported" in bad.json()["error"]["message"]


def test_a_lone_surrogate_in_the_question_is_a_400_not_a_500(server):
    body = '{"question": "巡视组\\ud800从哪天开始进驻？"}'.encode()
    r = httpx.post(server.url + "/api/ask", content=body, headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 400 and "无效的字符" in r.json()["error"]["message"]
    body = ('{"model": "report-assistant", "messages": [{"role": "user", "content": "\\udc00巡视组"}]}').encode()
    r = httpx.post(server.url + "/v1/chat/completions", content=body,
                   headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 400
