"""`assistant serve`: one port for the web chat (gradio), the JSON/OpenAI-compatible HTTP API and MCP."""
from __future__ import annotations

import gc
import hmac
import os
import sys
from typing import Mapping

from assistant.config import Config


def offline_environment() -> None:
    """Gradio and its client look for the network at start; this machine (and many users') has none."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    no_proxy = os.environ.get("NO_PROXY", "")
    if "127.0.0.1" not in no_proxy:
        os.environ["NO_PROXY"] = os.environ["no_proxy"] = ",".join(x for x in (no_proxy, "127.0.0.1,localhost") if x)


def web_login(key: str | None):
    """Gradio's login check when the API key is set: any user name, the key as password. A browser cannot send the
    API's bearer header, so the web chat (and gradio's own /gradio_api routes, which answer questions too) sit
    behind gradio's login page and its cookie instead. None (no key): the chat is open, like the API."""
    if not key:
        return None
    return lambda user, password: hmac.compare_digest(str(password or "").encode(), key.encode())


def create_app(assistant, config: Config, host: str = "127.0.0.1", environ: Mapping[str, str] | None = None):
    """The ASGI app: HTTP API routes (api.py) with the gradio chat (web.py) mounted at '/'; one key guards both."""
    offline_environment()
    from assistant.serving.gradio_loader import load as load_gradio
    from assistant.serving.http import api_key, build_api
    from assistant.serving.live import LiveAssistant
    from assistant.serving.web import build_ui, mount_options

    environ = os.environ if environ is None else environ
    gr = load_gradio()
    live = LiveAssistant.of(assistant)  # one for the API and the web chat
    app = build_api(live, config, host=host, environ=environ)
    auth = web_login(api_key(config, environ))
    from assistant.serving.page_language import PageLanguage

    app = gr.mount_gradio_app(app, build_ui(live, config, app.state.library), path="/", auth=auth,
                              auth_message="请输入 API 密钥（用户名任意）" if auth else None,
                              max_file_size=app.state.library.max_bytes, **mount_options())
    app.add_middleware(PageLanguage)
    return app


def port_free(host: str, port: int) -> None:
    """AssistantError naming the port when something already listens on it (or it cannot be bound)."""
    import socket

    from assistant.errors import AssistantError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as e:
        raise AssistantError(f"无法使用地址 {host}（cannot resolve {host}: {e}）") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: TIME_WAIT is no obstacle
        try:
            probe.bind(address)
        except OSError as e:
            raise AssistantError(f"端口 {port} 已被占用或无法监听，请换一个：--port N（port {port} on {host}: "
                                 f"{e.strerror or e}）") from None


def serve(config: Config, host: str = "127.0.0.1", port: int = 7860) -> int:
    offline_environment()
    # Start-up allocates ~a million long-lived objects (gradio, fastapi, pydantic models); the cyclic GC would walk
    # them again and again (~1.3 s of gradio's import here). Freeze them at the end, so the GC of a serving process
    # no longer scans them either. No collection first: it took 0.3 s and found only ~5,000 garbage objects.
    gc.disable()
    import uvicorn

    from assistant.answering.assistant import Assistant
    from assistant.serving.http import LOOPBACK, api_key

    port_free(host, port)  # before minutes of start-up are spent and "已启动" is printed
    if host not in LOOPBACK and not api_key(config, os.environ):
        print(f"警告：监听 {host}，其他机器也能访问，但没有设置 {config.api_key_env}：/api、/v1 和 /mcp 对所有人开放"
              f"（warning: {host} is reachable from other machines and no API key is set）", file=sys.stderr, flush=True)
    assistant = Assistant.from_config(config)
    app = create_app(assistant, config, host=host)
    gc.freeze()
    gc.enable()
    print(f"问答助手已启动：http://{host}:{port}/ （API 文档：/docs）", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
    return 0
