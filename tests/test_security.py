"""Security: the API key on every API route (MCP included) and on the web chat; no path from a request reaches the
filesystem; secrets never show in logs, `assistant config`, errors or the answer contract."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from conftest import ROOT
from live_server import LiveServer, server  # noqa: F401  (fixture)

KEY = "k3y-for-tests-7c1d"
OPENAI_SECRET = "sk-FAKE-openai-secret-5b9e21"
Q = "巡视组从哪天开始进驻？"


@pytest.fixture(scope="module")
def keyed(assistant, report_config):
    """The whole app `assistant serve` runs (API, /v1, MCP and the web chat) with the key set."""
    from assistant.serving.server import create_app

    app = create_app(assistant, report_config, environ={"ASSISTANT_API_KEY": KEY})
    with LiveServer(app) as s:
        s.app = app
        yield s


def api_routes(app) -> list[tuple[str, str]]:
    """Every (method, path) the app serves under /api, /v1 and /mcp, read from the app itself (its OpenAPI paths, as
    FastAPI 0.16x keeps included routers' routes out of app.routes, and the undocumented routes)."""
    out = [(m.upper(), path) for path, ops in app.openapi()["paths"].items() for m in ops
           if path.startswith(("/api/", "/v1/"))]
    for r in app.routes:
        path = getattr(r, "path", "")
        if path.startswith(("/api/", "/v1/", "/mcp")):
            for m in sorted(getattr(r, "methods", None) or {"GET", "POST"}):
                if m != "HEAD":
                    out.append((m, path.replace("{rest:path}", "anything")))
    return sorted(set(out))


def test_every_api_route_needs_the_key(keyed):
    routes = api_routes(keyed.app)
    assert {("POST", "/api/ask"), ("GET", "/api/health"), ("GET", "/api/paragraph"), ("GET", "/v1/models"),
            ("POST", "/v1/chat/completions")} <= set(routes) and any(p == "/mcp" for _, p in routes)
    body = {"question": Q, "messages": [{"role": "user", "content": Q}]}
    for method, path in routes:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}):
            r = httpx.request(method, keyed.url + path, json=body, params={"n": 2}, headers=headers, timeout=30)
            assert r.status_code == 401, (method, path, headers, r.status_code)
            assert KEY not in r.text
        if path == "/mcp" and method == "GET":
            continue  # with the key, GET /mcp opens a server-sent event stream that stays open
        r = httpx.request(method, keyed.url + path, json=body, params={"n": 2}, timeout=60,
                          headers={"Authorization": f"Bearer {KEY}", "Accept": "application/json, text/event-stream"})
        assert r.status_code != 401, (method, path)


def test_mcp_tools_need_the_key(keyed):
    from test_mcp import session_run

    async def work(session):
        return await session.call_tool("ask_report", {"question": Q})

    with pytest.raises(Exception):
        session_run(keyed.url + "/mcp", work)
    result = session_run(keyed.url + "/mcp", work, headers={"Authorization": f"Bearer {KEY}"})
    assert not result.isError and "2018年10月17日" in result.content[0].text


GRADIO_PATHS = ["/config", "/gradio_api/info", "/gradio_api/queue/status"]


def test_web_chat_asks_for_the_key(keyed):
    for path in GRADIO_PATHS:
        assert httpx.get(keyed.url + path, timeout=30).status_code == 401, path
    r = httpx.post(keyed.url + "/gradio_api/call/respond", json={"data": [Q, [], [], 5, "extractive"]}, timeout=30)
    assert r.status_code in (401, 403, 404) and "2018" not in r.text
    with httpx.Client(base_url=keyed.url, timeout=30) as browser:
        wrong = browser.post("/login", data={"username": "any", "password": "wrong"})
        assert wrong.status_code in (400, 401) and browser.get("/config").status_code == 401
        assert browser.post("/login", data={"username": "any", "password": KEY}).status_code == 200
        assert browser.get("/config").status_code == 200  # the login cookie opens the chat


def test_gradio_client_needs_the_key(keyed):
    gradio_client = pytest.importorskip("gradio_client")
    with pytest.raises(Exception):
        gradio_client.Client(keyed.url + "/", verbose=False)
    client = gradio_client.Client(keyed.url + "/", auth=("anyone", KEY), verbose=False)
    try:
        result = client.predict(question=Q, messages=[], top_k=5, backend="extractive", api_name="/respond")
    finally:
        client.close()
    assert "2018年10月17日" in json.dumps(result, ensure_ascii=False)


def test_without_a_key_the_web_chat_stays_open(server):
    assert httpx.get(server.url + "/config", timeout=30).status_code == 200


# ---- no path from a request reaches the filesystem ----

@pytest.fixture
def opened():
    """Every path the process opens while the test runs (Python's audit events, all threads)."""
    seen: list[str] = []
    state = {"on": True}

    def hook(event, args):
        if state["on"] and event == "open" and args and isinstance(args[0], (str, bytes)):
            seen.append(args[0] if isinstance(args[0], str) else args[0].decode("utf-8", "replace"))

    sys.addaudithook(hook)  # cannot be removed: switched off instead
    yield seen
    state["on"] = False


def test_no_request_path_reaches_the_filesystem(server, tmp_path, opened):
    secret = tmp_path / "outside-secret.txt"
    secret.write_text("SENTINEL-outside-the-data-dir", encoding="utf-8")
    opened.clear()  # that was us
    paths = [str(secret), "../" * 12 + str(secret).lstrip("/"), "/etc/passwd", "../../../../etc/passwd",
             "..%2f..%2f..%2fetc%2fpasswd", "file:///etc/passwd", "~/.ssh/id_rsa", "C:\\Windows\\win.ini"]
    bodies = []
    for p in paths:
        bodies.append(httpx.get(server.url + "/api/paragraph", params={"n": 1, "source": p}, timeout=30))
        bodies.append(httpx.post(server.url + "/api/ask", timeout=60,
                                 json={"question": p, "file": p, "path": p, "source": p, "index_dir": p}))
        bodies.append(httpx.post(server.url + "/v1/chat/completions", timeout=60,
                                 json={"messages": [{"role": "user", "content": p}], "file": p, "data_dir": p}))
        bodies.append(httpx.get(server.url + f"/gradio_api/file={p}", timeout=30))
        bodies.append(httpx.get(server.url + f"/file={p}", timeout=30))
    for r in bodies:
        assert "SENTINEL" not in r.text and "root:x:0:0" not in r.text, (r.request.url, r.text[:200])
        if r.request.url.path == "/api/paragraph":
            assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_source"
    touched = [p for p in opened if "outside-secret" in p or "passwd" in p or "id_rsa" in p or "win.ini" in p]
    assert touched == [], touched


def test_mcp_get_paragraph_matches_indexed_sources_only(server, tmp_path, opened):
    from test_mcp import session_run

    async def work(session):
        return [await session.call_tool("get_paragraph", {"number": 1, "source": s})
                for s in ("/etc/passwd", "../../../../etc/passwd")]

    for result in session_run(server.url + "/mcp", work):
        assert result.isError and "root:x" not in result.content[0].text
    assert not [p for p in opened if "passwd" in p]


# ---- secrets ----

class EchoingModelServer:
    """A model server that fails with 401 and echoes the Authorization header it got (some proxies do)."""

    def __init__(self):
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                body = json.dumps({"error": {"message": f"bad key: {self.headers.get('Authorization')}"}}).encode()
                self.send_response(401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_config_command_masks_keys(report_config):
    env = {"OPENAI_API_KEY": OPENAI_SECRET, "ASSISTANT_API_KEY": KEY, "ASSISTANT_BACKEND": "openai"}
    r = subprocess.run([sys.executable, "-m", "assistant", "config", "--data-dir", report_config.data_dir],
                       capture_output=True, text=True, cwd=ROOT, timeout=60,
                       env={**__import__("os").environ, **env})
    assert r.returncode == 0 and "openai_api_key_env" in r.stdout
    assert OPENAI_SECRET not in r.stdout + r.stderr and KEY not in r.stdout + r.stderr


def test_secrets_stay_out_of_logs_errors_and_the_contract(report_config, tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import soak

    model = EchoingModelServer()
    env = {"OPENAI_API_KEY": OPENAI_SECRET, "ASSISTANT_API_KEY": KEY}
    try:
        with soak.Server(report_config.data_dir, report_config.index_dir, tmp_path / "serve.log", env=env,
                         extra=["--backend", "openai", "--openai-model", "m", "--openai-base-url",
                                model.url + "/v1", "--llm-timeout", "5"]) as s:
            auth = {"Authorization": f"Bearer {KEY}"}
            replies = [httpx.post(s.url + "/api/ask", json={"question": Q}, headers=auth, timeout=60),
                       httpx.post(s.url + "/v1/chat/completions", headers=auth, timeout=60,
                                  json={"messages": [{"role": "user", "content": Q}], "stream": True}),
                       httpx.post(s.url + "/api/ask", json={"question": Q}, headers={"Authorization": "Bearer x"}),
                       httpx.get(s.url + "/api/health", headers=auth), httpx.get(s.url + "/openapi.json"),
                       httpx.get(s.url + "/docs")]
            answer = replies[0].json()
        log = (tmp_path / "serve.log").read_text()
    finally:
        model.close()
    assert answer["backend"] == "extractive" and "401" in answer["notices"][0]  # the model failed, visibly
    for text in [r.text for r in replies] + [log]:
        assert OPENAI_SECRET not in text and KEY not in text, text[:300]
