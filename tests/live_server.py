"""A real uvicorn server on 127.0.0.1 in a background thread, for tests and benchmarks that speak HTTP to it."""
from __future__ import annotations

import socket
import threading
import time

import pytest
import uvicorn


class LiveServer:
    """Serve APP on a free loopback port until stop(); ``url`` is its base address."""

    def __init__(self, app, timeout: float = 60.0):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))  # the port is ours from here on: no race with other tests
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self._sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"server on {self.url} did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(10)
        self._sock.close()

    def __enter__(self) -> "LiveServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


_SHARED: dict[str, LiveServer] = {}


def shared(name: str, make_app, request) -> LiveServer:
    """One server per NAME for the whole test session (building the web chat takes seconds), stopped when pytest
    finishes (REQUEST is any fixture's request)."""
    if name not in _SHARED:
        _SHARED[name] = LiveServer(make_app())
        request.config.add_cleanup(lambda: _SHARED.pop(name).stop())
    return _SHARED[name]


def web_server(assistant, config, request) -> LiveServer:
    """The real combined app `assistant serve` runs: API, OpenAI-compatible routes, MCP and the web chat."""
    from assistant.serving.server import create_app

    return shared("web", lambda: create_app(assistant, config), request)


@pytest.fixture(scope="module")
def server(assistant, report_config, request) -> LiveServer:
    """Fixture: the shared web server (import it into a test module to use it)."""
    return web_server(assistant, report_config, request)
