"""A real HTTP server on 127.0.0.1 (port 0) that speaks OpenAI chat completions and Ollama's /api/chat.

Replies are scripted (``enqueue``) and every request is recorded (``requests``), so tests can check what the prompt
carried and how the assistant survives wrong markers, cut streams, slow replies, HTTP errors and malformed JSON.
"""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    text: str = ""
    status: int = 200
    delay: float = 0.0  # seconds before the response starts
    cut: bool = False  # stream: stop half-way, without the end marker
    malformed: bool = False  # a body that is not JSON
    chunk: int = 4  # characters per streamed piece


class ScriptedLLM:
    def __init__(self, models=("qwen",)):
        self.replies: deque[Reply] = deque()
        self.requests: list[dict] = []
        self.models = list(models)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                if self.path.endswith("/models"):
                    self._json(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in server.models]})
                elif self.path.endswith("/api/tags"):
                    self._json(200, {"models": [{"name": m} for m in server.models]})
                else:
                    self._json(404, {"error": "not found"})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                server.requests.append({"path": self.path, "json": body, "headers": dict(self.headers)})
                reply = server.replies.popleft() if server.replies else Reply("", 500)
                time.sleep(reply.delay)
                if reply.status != 200:
                    return self._json(reply.status, {"error": {"message": f"scripted {reply.status}"}})
                if reply.malformed:
                    return self._raw(200, b'{"choices": [ this is not json', "application/json")
                ollama = self.path.endswith("/api/chat")
                if not body.get("stream"):
                    if ollama:
                        return self._json(200, {"model": body.get("model"), "done": True,
                                                "message": {"role": "assistant", "content": reply.text}})
                    return self._json(200, {"object": "chat.completion", "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": reply.text}, "finish_reason": "stop"}]})
                self._stream(reply, ollama)

            def _stream(self, reply: Reply, ollama: bool):
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson" if ollama else "text/event-stream")
                self.end_headers()
                pieces = [reply.text[i:i + reply.chunk] for i in range(0, len(reply.text), reply.chunk)]
                if reply.cut:
                    pieces = pieces[:max(1, len(pieces) // 2)]
                for piece in pieces:
                    if ollama:
                        line = json.dumps({"message": {"role": "assistant", "content": piece}, "done": False})
                        self.wfile.write(line.encode() + b"\n")
                    else:
                        chunk = {"object": "chat.completion.chunk",
                                 "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                        self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
                    self.wfile.flush()
                if reply.cut:
                    return  # HTTP/1.0: the connection closes, without [DONE] or "done": true
                if ollama:
                    self.wfile.write(json.dumps({"message": {"role": "assistant", "content": ""}, "done": True}).encode() + b"\n")
                else:
                    end = {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                    self.wfile.write(b"data: " + json.dumps(end).encode() + b"\n\ndata: [DONE]\n\n")

            def _json(self, status, data):
                self._raw(status, json.dumps(data, ensure_ascii=False).encode(), "application/json")

            def _raw(self, status, data: bytes, ctype: str):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a client that gave up (timeout test) makes the late reply fail: expected

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def enqueue(self, text: str = "", **kw) -> "ScriptedLLM":
        self.replies.append(Reply(text, **kw))
        return self

    def last_prompt(self) -> str:
        """All message contents of the last request, joined."""
        return "\n".join(m["content"] for m in self.requests[-1]["json"]["messages"])

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


_HELD: list = []  # sockets kept bound for the whole session, see refused_port()


def refused_port() -> int:
    """A port that refuses connections for the whole test session: bound, so no server started later can take it
    (as one could take a released free_port()), but never listening."""
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    _HELD.append(s)
    return s.getsockname()[1]


def free_port() -> int:
    """A port free for a server to bind now (bound, then released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
